"""Numeric targets (chỉ tiêu) of a campaign and their allocation to units."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.Model):
    """A number to reach (Chỉ tiêu), e.g. "plant 27,000 trees"."""

    class Kind(models.TextChoices):
        COUNT = "count", _("Count to reach")
        PERCENTAGE = "percentage", _("Percentage (numerator / denominator)")
        PER_UNIT_MIN = "per_unit_min", _("At least N per unit")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=500)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=64, help_text=_("e.g. cây, lượt, %"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.COUNT)
    total = models.DecimalField(
        _("campaign total"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)],
        help_text=_("For a percentage: the rate to reach; for “at least N per unit”: N."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["campaign", "order", "code"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="target_code_unique"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="target_total_not_negative"),
        ]

    def __str__(self):
        return self.name


class TargetAllocation(models.Model):
    """The share of a target allocated to one unit."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="allocations")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="target_allocations")
    amount = models.DecimalField(
        _("allocated"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["target", "unit__path"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(fields=["target", "unit"], name="allocation_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="allocation_not_negative"),
        ]

    def __str__(self):
        return f"{self.target} — {self.unit}: {self.amount}"


class TargetProgress(models.Model):
    """What a unit reports for one target in one period (Báo cáo tiến độ chỉ tiêu).

    ``value`` is cumulative to date (from the campaign's start to the end of the
    period), so the latest period's row is the unit's result so far. For a
    percentage target the unit reports ``numerator`` / ``denominator`` and
    ``value`` holds the rate in %, kept in step by the service; roll-ups sum the
    numerators and denominators, never the rates.
    """

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="progress")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="target_progress")
    period = models.ForeignKey("campaigns.Period", on_delete=models.CASCADE, related_name="target_progress")
    value = models.DecimalField(_("value to date"), max_digits=14, decimal_places=2, default=Decimal("0"))
    numerator = models.DecimalField(_("numerator"), max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(_("denominator"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["target", "unit__path", "period"]
        verbose_name = _("target progress")
        verbose_name_plural = _("target progress")
        constraints = [
            models.UniqueConstraint(fields=["target", "unit", "period"], name="progress_unique"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="progress_value_not_negative"),
            models.CheckConstraint(
                condition=models.Q(numerator__isnull=True) | models.Q(numerator__gte=0),
                name="progress_numerator_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(numerator__isnull=True)
                | models.Q(denominator__isnull=True)
                | models.Q(numerator__lte=models.F("denominator")),
                name="progress_numerator_le_denominator",
            ),
        ]
        indexes = [
            # The dashboard's roll-ups group a period's rows by target.
            models.Index(fields=["period", "target"], name="progress_period_target"),
            models.Index(fields=["unit", "period"], name="progress_unit_period"),
        ]

    def __str__(self):
        return f"{self.target} — {self.unit} — {self.period}: {self.value}"


class TargetRollup(models.Model):
    """The campaign-wide totals of one target at one period, kept by the services.

    The office's dashboard reads these rows instead of summing every unit's
    progress, so it stays fast for 10,000 units. ``progress_save`` applies
    each change as a delta in the same transaction; ``rollup_refresh``
    recomputes them from scratch with one ``GROUP BY`` (after allocation
    changes, and as the reference the tests compare the deltas with).
    """

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="rollups")
    period = models.ForeignKey("campaigns.Period", on_delete=models.CASCADE, related_name="target_rollups")
    allocated = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    units_allocated = models.PositiveIntegerField(default=0)
    value = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    numerator = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    denominator = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    units_reported = models.PositiveIntegerField(default=0)
    # Allocated units whose value reaches their allocation.
    units_met = models.PositiveIntegerField(default=0)
    # Units with any target of the campaign allocated: the same in every row of the campaign.
    campaign_units = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "period"], name="rollup_unique")]

    def __str__(self):
        return f"{self.target} — {self.period}"


class TargetReport(models.Model):
    """A unit's progress report for a period: when it was first sent (for the reporting rate)."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="target_reports")
    period = models.ForeignKey("campaigns.Period", on_delete=models.CASCADE, related_name="target_reports")
    first_reported_at = models.DateTimeField()
    first_reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="target_report_unique")]

    def __str__(self):
        return f"{self.unit} — {self.period}"
