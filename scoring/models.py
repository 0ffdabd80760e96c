"""Reviews (thẩm định) and the score tables (điểm, xếp hạng) that pages read.

The score tables are derived data: only ``scoring.compute`` writes them, with
set-based SQL, and pages only read them. Their foreign keys carry no extra
indexes beyond the unique keys the recompute works by, because a national
campaign writes hundreds of thousands of rows at a time; for the same reason the
per-unit tables (criterion, unit and unit-year scores) have no foreign-key
constraints in the database (see CriterionScore).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0")


def _fk(to: str, *, related_name: str = "+", null: bool = False, on_delete=models.CASCADE, index: bool = False,
        constraint: bool = True):
    return models.ForeignKey(
        to, on_delete=on_delete, related_name=related_name, null=null, blank=null, db_index=index,
        db_constraint=constraint,
    )


class Review(models.Model):
    """One reviewer's decision on one evidence: accepted with a score, returned with a remark, or rejected.

    The evidence row carries the current decision; this table keeps every decision, so
    a unit and a reviewer can see the earlier reviews and the audit trail their values.
    """

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for revision")
        REJECTED = "rejected", _("Rejected")

    evidence = models.ForeignKey("evidence.Evidence", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    remark = models.TextField(_("remark"), blank=True)
    previous_status = models.CharField(max_length=16, blank=True)
    previous_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [models.Index(fields=["evidence", "-created_at"])]

    def __str__(self):
        return f"{self.evidence_id}: {self.get_decision_display()}"


class DirtyCluster(models.Model):
    """A (period, cluster) whose scores must be recomputed (durable: survives a lost task or a dead broker).

    Every change that affects scores bumps ``generation`` in the same transaction;
    a recompute clears the row only if the generation is still the one it read,
    so a change made during a recompute is never lost.
    """

    campaign = _fk("campaigns.Campaign")
    period = _fk("campaigns.Period")
    cluster = _fk("campaigns.Cluster")
    generation = models.PositiveBigIntegerField(default=1)
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "cluster"], name="dirty_cluster_unique")]

    def __str__(self):
        return f"{self.cluster_id}/{self.period_id} (gen {self.generation})"


class PeriodStanding(models.Model):
    """When a period's standings were last recomputed (shown on every standings page)."""

    period = models.OneToOneField("campaigns.Period", on_delete=models.CASCADE, related_name="standing")
    computed_at = models.DateTimeField(default=timezone.now)
    cluster_count = models.PositiveIntegerField(default=0)
    unit_count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.period_id} @ {self.computed_at:%Y-%m-%d %H:%M}"


class StandingSnapshot(models.Model):
    """The standings frozen when a period was closed (khóa sổ); kept when the period is reopened."""

    period = models.ForeignKey("campaigns.Period", on_delete=models.CASCADE, related_name="snapshots")
    frozen_at = models.DateTimeField()
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # {"clusters": [{"cluster_id", "name", "rank", "score", "completeness", "on_time", "dossier_submitted_at"}],
    #  "units": [{"unit_id", "name", "cluster_id", "rank_in_cluster", "total", "percent", "completeness"}]}
    data = models.JSONField(default=dict)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        ordering = ["-frozen_at", "-id"]
        verbose_name = _("frozen standing")
        verbose_name_plural = _("frozen standings")

    def __str__(self):
        return f"{self.period} @ {self.frozen_at:%Y-%m-%d %H:%M}"


class CriterionScore(models.Model):
    """Points of one unit on one criterion in one period (from accepted evidence only).

    ``points`` are always positive; ``category`` says whether they add to the base,
    add as a bonus or are deducted. ``section`` is the criterion's top section.

    Its foreign keys have no constraint in the database: a national full recompute
    writes 600,000 rows, and PostgreSQL checks each constraint row by row at commit
    (six of them cost 20 s against 6 s for the insert itself). The rows are derived:
    only ``scoring.compute`` writes them, from evidence, criteria and memberships it
    reads in the same statement; deleting a unit, criterion, period or evidence still
    cascades (Django collects the rows), and a row left by a unit deleted during a
    recompute is removed by the next full recompute.

    Its primary key is the cell itself, (period, unit, criterion): one index instead
    of a surrogate id with its sequence plus a unique key, which makes writing a
    national period's cells a third faster.
    """

    pk = models.CompositePrimaryKey("period", "unit", "criterion")
    campaign = _fk("campaigns.Campaign", constraint=False)
    period = _fk("campaigns.Period", related_name="criterion_scores", constraint=False)
    unit = _fk("accounts.Unit", related_name="criterion_scores", constraint=False)
    criterion = _fk("campaigns.Criterion", related_name="scores", constraint=False)
    section = _fk("campaigns.Criterion", null=True, constraint=False)
    evidence = _fk("evidence.Evidence", null=True, constraint=False)
    category = models.CharField(max_length=16, default="base")
    points = models.DecimalField(max_digits=9, decimal_places=2, default=ZERO)
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.unit_id}/{self.criterion_id}/{self.period_id}: {self.points}"


class UnitScore(models.Model):
    """A unit's total and rank in its cluster for one period (no FK constraints in the database: see CriterionScore;
    10,000 rows × 4 constraints cost about 0.4 s of a national recompute)."""

    campaign = _fk("campaigns.Campaign", constraint=False)
    period = _fk("campaigns.Period", related_name="unit_scores", constraint=False)
    unit = _fk("accounts.Unit", related_name="unit_scores", constraint=False)
    cluster = _fk("campaigns.Cluster", related_name="unit_scores", null=True, on_delete=models.SET_NULL, index=True,
                  constraint=False)
    base_points = models.DecimalField(max_digits=9, decimal_places=2, default=ZERO)
    bonus_points = models.DecimalField(max_digits=9, decimal_places=2, default=ZERO)
    penalty_points = models.DecimalField(max_digits=9, decimal_places=2, default=ZERO)
    total = models.DecimalField(_("score"), max_digits=9, decimal_places=2, default=ZERO)
    max_points = models.DecimalField(max_digits=9, decimal_places=2, default=ZERO)
    percent = models.DecimalField(max_digits=7, decimal_places=3, default=ZERO)
    completeness = models.DecimalField(max_digits=5, decimal_places=4, default=ZERO)
    accepted_count = models.PositiveIntegerField(default=0)
    rank_in_cluster = models.PositiveIntegerField(null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="unit_score_unique")]

    def __str__(self):
        return f"{self.unit_id}/{self.period_id}: {self.total}"


class ClusterScore(models.Model):
    """A cluster's score, completeness, timeliness and rank for one period (the standing)."""

    campaign = _fk("campaigns.Campaign")
    period = _fk("campaigns.Period", related_name="cluster_scores")
    cluster = _fk("campaigns.Cluster", related_name="scores", index=True)
    score = models.DecimalField(_("score"), max_digits=9, decimal_places=3, default=ZERO)
    total_points = models.DecimalField(max_digits=11, decimal_places=2, default=ZERO)
    completeness = models.DecimalField(max_digits=5, decimal_places=4, default=ZERO)
    unit_count = models.PositiveIntegerField(default=0)
    on_time = models.BooleanField(default=False)
    dossier_submitted_at = models.DateTimeField(null=True, blank=True)
    rank = models.PositiveIntegerField(null=True)
    previous_rank = models.PositiveIntegerField(null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period", "rank"]
        constraints = [models.UniqueConstraint(fields=["period", "cluster"], name="cluster_score_unique")]

    def __str__(self):
        return f"{self.cluster_id}/{self.period_id}: #{self.rank} {self.score}"

    @property
    def trend(self) -> int | None:
        """Places gained (+) or lost (−) since the previous period; None for the first."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


class ClusterSectionScore(models.Model):
    """A cluster's points on one top section of the criteria set in one period (the heat map's cells)."""

    campaign = _fk("campaigns.Campaign")
    period = _fk("campaigns.Period")
    cluster = _fk("campaigns.Cluster")
    section = _fk("campaigns.Criterion")
    points = models.DecimalField(max_digits=11, decimal_places=2, default=ZERO)
    max_points = models.DecimalField(max_digits=11, decimal_places=2, default=ZERO)
    percent = models.DecimalField(max_digits=7, decimal_places=3, default=ZERO)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "cluster", "section"], name="cluster_section_score_unique"),
        ]

    def __str__(self):
        return f"{self.cluster_id}/{self.section_id}/{self.period_id}: {self.percent}%"


class UnitYearScore(models.Model):
    """A unit's year score (sum or average of its periods) and its classification (xếp loại).

    No FK constraints in the database, as for UnitScore."""

    class Classification(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent (Hoàn thành xuất sắc nhiệm vụ)")
        GOOD = "good", _("Good (Hoàn thành tốt nhiệm vụ)")
        COMPLETED = "completed", _("Completed (Hoàn thành nhiệm vụ)")
        NOT_COMPLETED = "not_completed", _("Not completed (Không hoàn thành nhiệm vụ)")

    campaign = _fk("campaigns.Campaign", constraint=False)
    unit = _fk("accounts.Unit", related_name="year_scores", constraint=False)
    cluster = _fk("campaigns.Cluster", null=True, on_delete=models.SET_NULL, index=True, constraint=False)
    total = models.DecimalField(_("score"), max_digits=11, decimal_places=2, default=ZERO)
    max_points = models.DecimalField(max_digits=11, decimal_places=2, default=ZERO)
    percent = models.DecimalField(max_digits=7, decimal_places=3, default=ZERO)
    period_count = models.PositiveSmallIntegerField(default=0)
    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices, default=Classification.NOT_COMPLETED
    )
    rank_in_cluster = models.PositiveIntegerField(null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="unit_year_score_unique")]

    def __str__(self):
        return f"{self.unit_id}/{self.campaign_id}: {self.total} ({self.classification})"


class ClusterYearScore(models.Model):
    """A cluster's year score (sum or average of its period scores) and rank."""

    campaign = _fk("campaigns.Campaign")
    cluster = _fk("campaigns.Cluster", related_name="year_scores")
    score = models.DecimalField(_("score"), max_digits=11, decimal_places=3, default=ZERO)
    completeness = models.DecimalField(max_digits=5, decimal_places=4, default=ZERO)
    period_count = models.PositiveSmallIntegerField(default=0)
    rank = models.PositiveIntegerField(null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["campaign", "rank"]
        constraints = [models.UniqueConstraint(fields=["campaign", "cluster"], name="cluster_year_score_unique")]

    def __str__(self):
        return f"{self.cluster_id}/{self.campaign_id}: #{self.rank} {self.score}"
