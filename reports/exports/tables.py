"""The exports that read campaigns and evidence: the completeness matrix and the evidence register.

Each export knows how many rows it will write (to choose between a direct
download and a background job), its file name, and how to write itself into
an :class:`ExportWorkbook`, reporting progress as it goes.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import Campaign, Cluster, ClusterMember, Period
from campaigns.selectors import scored_criteria
from evidence.models import Evidence, EvidenceFile

from .writer import ExportColumn, ExportWorkbook

PROGRESS_EVERY = 500
CHUNK = 2000
COMPLETE_STATUSES = (Evidence.Status.SUBMITTED, Evidence.Status.ACCEPTED)


@dataclass
class Export:
    """An export of one campaign, optionally narrowed to a period and a cluster."""

    campaign: Campaign
    period: Period | None = None
    cluster: Cluster | None = None

    key = ""
    label = ""
    description = ""
    do_not_call_in_templates = True  # templates list the classes themselves
    # Whether the export needs a period, covers the whole year (no period), and whether a
    # cluster leader may download it for the own cluster (managers may always).
    period_required = False
    uses_period = True
    for_cluster_leaders = False

    def count(self) -> int:
        raise NotImplementedError

    def filename(self) -> str:
        parts = [self.file_stem, self.campaign.number or str(self.campaign.pk)]
        if self.period is not None:
            parts.append(self.period.name)
        if self.cluster is not None:
            parts.append(self.cluster.name)
        # “Đ” has no ASCII decomposition: slugify would drop it.
        return slugify("-".join(parts).replace("Đ", "D").replace("đ", "d")) + ".xlsx"

    file_stem = "export"

    def write(self, book: ExportWorkbook, progress: Callable[[int], None] | None = None) -> None:
        raise NotImplementedError

    def params(self) -> dict:
        return {
            "export": self.key,
            "campaign": self.campaign.pk,
            "period": self.period.pk if self.period else None,
            "cluster": self.cluster.pk if self.cluster else None,
        }

    def memberships(self):
        members = ClusterMember.objects.filter(campaign=self.campaign)
        if self.cluster is not None:
            members = members.filter(cluster=self.cluster)
        return members.select_related("cluster", "unit").order_by("cluster__order", "cluster__name", "unit__path")


class CompletenessMatrix(Export):
    """Units × criteria of one period: the status of each cell (Ma trận minh chứng)."""

    key = "matrix"
    label = gettext_lazy("Completeness matrix")
    description = gettext_lazy(
        "Units × criteria of one period, with the status of every cell and each unit's completeness.")
    file_stem = "ma-tran-minh-chung"
    period_required = True
    for_cluster_leaders = True

    def count(self) -> int:
        return self.memberships().count()

    def write(self, book, progress=None):
        criteria = list(scored_criteria(self.campaign))
        memberships = list(self.memberships())
        unit_ids = [m.unit_id for m in memberships]
        statuses = {
            (unit_id, criterion_id): status for unit_id, criterion_id, status in Evidence.objects.filter(
                period=self.period, unit_id__in=unit_ids).values_list("unit_id", "criterion_id", "status")
        }
        labels = {value: str(label) for value, label in Evidence.Status.choices}
        # A draft is the unit's own work in progress: for everyone else it is still missing.
        missing = _("Not submitted")
        labels[Evidence.Status.DRAFT] = missing
        columns = [ExportColumn(_("Cluster")), ExportColumn(_("Unit code")), ExportColumn(_("Unit"))]
        columns += [ExportColumn(c.code) for c in criteria]
        columns += [ExportColumn(_("Submitted"), "int"), ExportColumn(_("Completeness"), "percent")]
        subtitle = _("Completeness matrix, %(period)s") % {"period": self.period.name}
        sheet = book.sheet(_("Matrix"), columns, subtitle=subtitle)
        per_criterion = dict.fromkeys((c.pk for c in criteria), 0)
        for done, membership in enumerate(memberships, start=1):
            row = [membership.cluster.name, membership.unit.code, membership.unit.name]
            complete = 0
            for criterion in criteria:
                status = statuses.get((membership.unit_id, criterion.pk))
                row.append(labels[status] if status else missing)
                if status in COMPLETE_STATUSES:
                    complete += 1
                    per_criterion[criterion.pk] += 1
            row += [complete, complete / len(criteria) if criteria else 0]
            sheet.append(row)
            if progress and done % PROGRESS_EVERY == 0:
                progress(done)
        units = len(memberships)
        sheet = book.sheet(_("Criteria"), [
            ExportColumn(_("Code")), ExportColumn(_("Content"), width=60), ExportColumn(_("Max points"), "score"),
            ExportColumn(_("Units submitted"), "int"), ExportColumn(_("Completeness"), "percent"),
        ], subtitle=subtitle)
        for criterion in criteria:
            count = per_criterion[criterion.pk]
            sheet.append([criterion.code, criterion.title, criterion.max_points, count,
                          count / units if units else 0])
        if progress:
            progress(units)


class EvidenceRegister(Export):
    """Every submitted piece of evidence with its files, status, score and reviewer (Sổ minh chứng)."""

    key = "register"
    label = gettext_lazy("Evidence register")
    description = gettext_lazy(
        "Every submitted piece of evidence: unit, criterion, period, files, status, score, reviewer and dates.")
    file_stem = "so-minh-chung"

    def queryset(self):
        evidence = Evidence.objects.filter(campaign=self.campaign).exclude(status=Evidence.Status.DRAFT)
        if self.period is not None:
            evidence = evidence.filter(period=self.period)
        if self.cluster is not None:
            evidence = evidence.filter(unit__cluster_memberships__cluster=self.cluster)
        return evidence

    def count(self) -> int:
        return self.queryset().count()

    COLUMNS = (
        (gettext_lazy("Period"), "text", None), (gettext_lazy("Cluster"), "text", None),
        (gettext_lazy("Unit code"), "text", None), (gettext_lazy("Unit"), "text", None),
        (gettext_lazy("Criterion code"), "text", None), (gettext_lazy("Criterion"), "text", 50),
        (gettext_lazy("Number of files"), "int", None), (gettext_lazy("File names"), "text", 40),
        (gettext_lazy("Status"), "text", None), (gettext_lazy("Self-assessed score"), "score", None),
        (gettext_lazy("Score"), "score", None), (gettext_lazy("Reviewer"), "text", None),
        (gettext_lazy("Submitted at"), "datetime", None), (gettext_lazy("Reviewed at"), "datetime", None),
        (gettext_lazy("Last change"), "datetime", None),
    )

    def write(self, book, progress=None):
        sheet = book.sheet(
            _("Evidence"), [ExportColumn(str(header), kind, width) for header, kind, width in self.COLUMNS],
            subtitle=_("Evidence register") + (f", {self.period.name}" if self.period else ""),
        )
        done = 0
        for row in self.rows():
            sheet.append(row)
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done)
        if progress:
            progress(done)

    def rows(self):
        """The register's rows, in column order, streamed from the database in chunks."""
        cluster_name = Subquery(
            ClusterMember.objects.filter(campaign=self.campaign, unit=OuterRef("unit_id")).values("cluster__name")[:1]
        )
        rows = (
            self.queryset()
            .annotate(cluster_name=cluster_name)
            .order_by("period__order", "unit__path", "criterion__order", "criterion__code")
            .values_list(
                "pk", "period__name", "cluster_name", "unit__code", "unit__name", "criterion__code",
                "criterion__title", "status", "self_score", "score", "reviewed_by__full_name",
                "reviewed_by__username", "submitted_at", "reviewed_at", "updated_at",
            )
        )
        labels = {value: str(label) for value, label in Evidence.Status.choices}
        chunk: list[tuple] = []
        for row in rows.iterator(chunk_size=CHUNK):
            chunk.append(row)
            if len(chunk) == CHUNK:
                yield from self._chunk_rows(chunk, labels)
                chunk = []
        yield from self._chunk_rows(chunk, labels)

    @staticmethod
    def _chunk_rows(chunk, labels):
        # File names for a chunk in one query: portable (no string aggregate) and bounded in memory.
        names: dict[int, list[str]] = {}
        for evidence_id, name in EvidenceFile.objects.filter(
                evidence_id__in=[row[0] for row in chunk]).order_by("id").values_list("evidence_id", "original_name"):
            names.setdefault(evidence_id, []).append(name)
        for (pk, period, cluster, code, unit, criterion_code, criterion, status, self_score, score,
             reviewer_name, reviewer_username, submitted_at, reviewed_at, updated_at) in chunk:
            files = names.get(pk, ())
            yield [period, cluster, code, unit, criterion_code, criterion, len(files), ", ".join(files),
                   labels[status], self_score, score, reviewer_name or reviewer_username, submitted_at,
                   reviewed_at, updated_at]
