"""Standings exports (Xếp hạng): clusters, then units by cluster, of one period or of the year.

They read scoring's score tables (``ClusterScore``, ``ClusterSectionScore``,
``UnitScore``, ``CriterionScore``, the year tables) and never recompute: the
export shows what the standings pages show, as of ``PeriodStanding.computed_at``.
"""

from decimal import Decimal

from django.db.models import Avg, Case, Count, DecimalField, F, Q, QuerySet, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from campaigns.models import Campaign, Criterion
from scoring.models import (
    ClusterScore,
    ClusterSectionScore,
    ClusterYearScore,
    CriterionScore,
    PeriodStanding,
    UnitScore,
    UnitYearScore,
)

from .tables import PROGRESS_EVERY, Export
from .writer import ExportColumn

HUNDRED = Decimal("100")


def top_sections(campaign) -> list[Criterion]:
    """The top level of the criteria set: the sections scores are grouped by (scoring.compute's ``top``)."""
    return list(Criterion.objects.filter(campaign=campaign, parent__isnull=True).order_by("order", "code"))


def signed_points() -> Case:
    """A criterion score as it counts in a total: penalties subtract."""
    return Case(When(category=Criterion.Category.PENALTY, then=-F("points")), default=F("points"),
                output_field=DecimalField(max_digits=11, decimal_places=2))


def section_points(scores: QuerySet[CriterionScore]) -> dict[tuple[int, int], Decimal]:
    """{(unit_id, section_id): points} of the given criterion scores, in one GROUP BY query."""
    rows = scores.filter(section_id__isnull=False).values("unit_id", "section_id").annotate(
        total=Sum(signed_points())).order_by()
    return {(row["unit_id"], row["section_id"]): row["total"] for row in rows}


def share(percent) -> Decimal | None:
    """A 0–100 percentage of the score tables as the 0–1 share Excel's ``0%`` format expects."""
    return None if percent is None else Decimal(percent) / HUNDRED


def classification_labels() -> dict[str, str]:
    """The yearly grades by their Vietnamese names, as the offices write them."""
    grades = UnitYearScore.Classification
    return {
        grades.EXCELLENT: pgettext("classification", "Excellent"),
        grades.GOOD: pgettext("classification", "Good"),
        grades.COMPLETED: pgettext("classification", "Completed"),
        grades.NOT_COMPLETED: pgettext("classification", "Not completed"),
    }


class _Standings(Export):
    for_cluster_leaders = True

    def _cluster_filter(self) -> Q:
        return Q(cluster=self.cluster) if self.cluster is not None else Q()

    def _section_columns(self, sections, suffix: str, kind: str = "score") -> list[ExportColumn]:
        return [ExportColumn(f"{section.code} {suffix}", kind) for section in sections]

    def _unit_columns(self, sections, *, year: bool) -> list[ExportColumn]:
        columns = [
            ExportColumn(_("Cluster")), ExportColumn(_("Rank in cluster"), "int"), ExportColumn(_("Unit code")),
            ExportColumn(_("Unit")), ExportColumn(_("Year total") if year else _("Total"), "score"),
            ExportColumn(_("Percent"), "percent"),
        ]
        columns += self._section_columns(sections, _("(points)"))
        columns.append(ExportColumn(_("Average completeness") if year else _("Completeness"), "percent"))
        if year:
            columns.append(ExportColumn(_("Classification")))
        return columns


class PeriodStandings(_Standings):
    """The standing of one period: the clusters ranked, then each cluster's units ranked."""

    key = "standings"
    label = gettext_lazy("Standings of a period")
    description = gettext_lazy("Clusters ranked with their section scores, completeness and dossier timeliness; "
                               "then each cluster's units with their points per section.")
    file_stem = "xep-hang"
    period_required = True

    def unit_scores(self) -> QuerySet[UnitScore]:
        return UnitScore.objects.filter(self._cluster_filter(), period=self.period, cluster__isnull=False)

    def count(self) -> int:
        return self.unit_scores().count()

    def subtitle(self) -> str:
        standing = PeriodStanding.objects.filter(period=self.period).first()
        text = _("Standings, %(period)s") % {"period": self.period.name}
        if standing is not None:
            computed = timezone.localtime(standing.computed_at).strftime("%H:%M %d/%m/%Y")
            text += " · " + _("computed at %(time)s") % {"time": computed}
        return text

    def write(self, book, progress=None):
        sections = top_sections(self.campaign)
        subtitle = self.subtitle()
        cluster_scores = list(
            ClusterScore.objects.filter(self._cluster_filter(), period=self.period)
            .select_related("cluster").order_by(F("rank").asc(nulls_last=True), "cluster__order", "cluster__name")
        )
        section_percent = {
            (row.cluster_id, row.section_id): row.percent
            for row in ClusterSectionScore.objects.filter(self._cluster_filter(), period=self.period)
        }
        columns = [ExportColumn(_("Rank"), "int"), ExportColumn(_("Cluster")), ExportColumn(_("Score"), "score")]
        columns += self._section_columns(sections, "(%)")
        columns += [
            ExportColumn(_("Number of units"), "int"), ExportColumn(_("Completeness"), "percent"),
            ExportColumn(_("Dossier on time")), ExportColumn(_("Dossier submitted at"), "datetime"),
            ExportColumn(_("Previous rank"), "int"), ExportColumn(_("Places gained"), "int"),
        ]
        sheet = book.sheet(pgettext("sheet", "Clusters"), columns, subtitle=subtitle)
        yes, no = _("Yes"), _("No")
        for row in cluster_scores:
            values = [row.rank, row.cluster.name, row.score]
            values += [section_percent.get((row.cluster_id, s.pk)) for s in sections]
            values += [row.unit_count, row.completeness, yes if row.on_time else no, row.dossier_submitted_at,
                       row.previous_rank, row.trend]
            sheet.append(values)
        units = list(
            self.unit_scores().select_related("unit", "cluster")
            .order_by("cluster__order", "cluster__name", F("rank_in_cluster").asc(nulls_last=True), "unit__name")
        )
        points = section_points(CriterionScore.objects.filter(
            period=self.period, unit_id__in=[row.unit_id for row in units]))
        sheet = book.sheet(pgettext("sheet", "Units"), self._unit_columns(sections, year=False), subtitle=subtitle)
        for done, row in enumerate(units, start=1):
            values = [row.cluster.name, row.rank_in_cluster, row.unit.code, row.unit.name, row.total,
                      share(row.percent)]
            values += [points.get((row.unit_id, s.pk), Decimal("0")) for s in sections]
            values.append(row.completeness)
            sheet.append(values)
            if progress and done % PROGRESS_EVERY == 0:
                progress(done)
        if progress:
            progress(len(units))


class YearStandings(_Standings):
    """The year's standing (Xếp hạng cả năm): clusters with their period scores, units with their classification."""

    key = "standings-year"
    label = gettext_lazy("Standings of the year")
    description = gettext_lazy("The clusters' year ranks with each period's score; the units with their year "
                               "total and classification.")
    file_stem = "xep-hang-ca-nam"
    uses_period = False

    def unit_scores(self) -> QuerySet[UnitYearScore]:
        return UnitYearScore.objects.filter(self._cluster_filter(), campaign=self.campaign, cluster__isnull=False)

    def count(self) -> int:
        return self.unit_scores().count()

    def write(self, book, progress=None):
        sections = top_sections(self.campaign)
        periods = list(self.campaign.periods.order_by("order"))
        subtitle = _("Standings of the year")
        cluster_rows = list(
            ClusterYearScore.objects.filter(self._cluster_filter(), campaign=self.campaign)
            .select_related("cluster").order_by(F("rank").asc(nulls_last=True), "cluster__order", "cluster__name")
        )
        period_scores = {
            (row["cluster_id"], row["period_id"]): row["score"]
            for row in ClusterScore.objects.filter(self._cluster_filter(), campaign=self.campaign)
            .values("cluster_id", "period_id", "score")
        }
        on_time = {
            row["cluster_id"]: row["n"]
            for row in ClusterScore.objects.filter(self._cluster_filter(), campaign=self.campaign, on_time=True)
            .values("cluster_id").annotate(n=Count("id")).order_by()
        }
        # A section's share over the year: its points over its maximum, summed across the periods.
        section_percent = {}
        for row in (ClusterSectionScore.objects.filter(self._cluster_filter(), campaign=self.campaign)
                    .values("cluster_id", "section_id").annotate(points=Sum("points"), top=Sum("max_points"))
                    .order_by()):
            section_percent[(row["cluster_id"], row["section_id"])] = (
                (row["points"] * HUNDRED / row["top"]).quantize(Decimal("0.001")) if row["top"] else Decimal("0"))
        columns = [ExportColumn(_("Rank"), "int"), ExportColumn(_("Cluster")), ExportColumn(_("Year score"), "score")]
        columns += [ExportColumn(period.name, "score") for period in periods]
        columns += self._section_columns(sections, "(%)")
        columns += [ExportColumn(_("Average completeness"), "percent"),
                    ExportColumn(_("Periods with the dossier on time"), "int")]
        sheet = book.sheet(pgettext("sheet", "Clusters"), columns, subtitle=subtitle)
        for row in cluster_rows:
            values = [row.rank, row.cluster.name, row.score]
            values += [period_scores.get((row.cluster_id, period.pk)) for period in periods]
            values += [section_percent.get((row.cluster_id, s.pk)) for s in sections]
            values += [row.completeness, on_time.get(row.cluster_id, 0)]
            sheet.append(values)
        units = list(
            self.unit_scores().select_related("unit", "cluster")
            .order_by("cluster__order", "cluster__name", F("rank_in_cluster").asc(nulls_last=True), "unit__name")
        )
        unit_ids = [row.unit_id for row in units]
        points = section_points(CriterionScore.objects.filter(campaign=self.campaign, unit_id__in=unit_ids))
        completeness = dict(
            UnitScore.objects.filter(campaign=self.campaign, unit_id__in=unit_ids).values("unit_id")
            .annotate(average=Avg("completeness")).order_by().values_list("unit_id", "average")
        )
        labels = classification_labels()
        average = self.campaign.year_aggregation == Campaign.YearAggregation.AVERAGE
        sheet = book.sheet(pgettext("sheet", "Units"), self._unit_columns(sections, year=True), subtitle=subtitle)
        for done, row in enumerate(units, start=1):
            values = [row.cluster.name, row.rank_in_cluster, row.unit.code, row.unit.name, row.total,
                      share(row.percent)]
            # Section points aggregate like the year total does: summed, or averaged over the unit's periods.
            divisor = row.period_count if average and row.period_count else 1
            values += [(points.get((row.unit_id, s.pk), Decimal("0")) / divisor).quantize(Decimal("0.01"))
                       for s in sections]
            values += [completeness.get(row.unit_id), labels.get(row.classification, row.classification)]
            sheet.append(values)
            if progress and done % PROGRESS_EVERY == 0:
                progress(done)
        if progress:
            progress(len(units))
