"""Campaigns (phong trào thi đua), their periods, clusters and criteria set."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    """One emulation plan (Kế hoạch / Chương trình thi đua) issued by an office."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LAUNCHED = "launched", _("Launched")
        CLOSED = "closed", _("Closed")

    class YearAggregation(models.TextChoices):
        SUM = "sum", _("Sum of the periods")
        AVERAGE = "average", _("Average of the periods")

    class ClusterScoreMethod(models.TextChoices):
        AVERAGE_PERCENT = "average_percent", _("Average of member units, as % of the maximum")
        AVERAGE = "average", _("Average of member units' points")
        SUM = "sum", _("Sum of member units' points")

    issuing_unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="campaigns"
    )
    number = models.CharField(_("document number"), max_length=64, help_text=_("e.g. 18-CTr/ĐTN"))
    title = models.CharField(_("title"), max_length=500)
    theme = models.CharField(_("theme"), max_length=500, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True, help_text=_("One “Căn cứ …” per line."))
    purpose = models.TextField(_("purpose and requirements"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    place = models.CharField(_("place of issue"), max_length=100, blank=True, help_text=_("e.g. Giồng Riềng"))
    signer_title = models.CharField(_("signer's title"), max_length=255, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    year_aggregation = models.CharField(
        _("year score"), max_length=16, choices=YearAggregation.choices, default=YearAggregation.SUM
    )
    cluster_score_method = models.CharField(
        _("cluster score"),
        max_length=20,
        choices=ClusterScoreMethod.choices,
        default=ClusterScoreMethod.AVERAGE_PERCENT,
    )
    # Yearly classification thresholds, in % of the maximum score.
    excellent_min_percent = models.DecimalField(
        _("“excellent” from (%)"), max_digits=5, decimal_places=2, default=Decimal("90")
    )
    good_min_percent = models.DecimalField(
        _("“good” from (%)"), max_digits=5, decimal_places=2, default=Decimal("70")
    )
    complete_min_percent = models.DecimalField(
        _("“completed” from (%)"), max_digits=5, decimal_places=2, default=Decimal("50")
    )
    excellent_cap_percent = models.DecimalField(
        _("cap on “excellent” (% of units)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="campaign_dates_ordered"),
            models.CheckConstraint(
                condition=models.Q(excellent_min_percent__gte=models.F("good_min_percent"))
                & models.Q(good_min_percent__gte=models.F("complete_min_percent")),
                name="campaign_thresholds_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def legal_basis_lines(self) -> list[str]:
        return [line.strip() for line in self.legal_basis.splitlines() if line.strip()]


class Period(models.Model):
    """A scoring period (Đợt / Quý) with its own submission deadline."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", _("Quarter")
        PHASE = "phase", _("Phase")
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="periods")
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. Quý II"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.QUARTER)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    deadline = models.DateTimeField(
        _("submission deadline"), help_text=_("Units may submit until this moment (Vietnam time).")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["campaign", "order"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "order"], name="period_order_unique"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="period_dates_ordered"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_past_deadline(self) -> bool:
        return timezone.now() > self.deadline

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Cluster(models.Model):
    """An emulation cluster (Cụm thi đua): units of one campaign competing together."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="clusters")
    name = models.CharField(_("name"), max_length=150)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    leader_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("leader unit (cụm trưởng)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deputy_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("deputy unit (cụm phó)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("official following the cluster"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_clusters",
    )
    members = models.ManyToManyField(
        "accounts.Unit", through="ClusterMember", related_name="clusters", verbose_name=_("member units")
    )

    class Meta:
        ordering = ["campaign", "order", "name"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="cluster_name_unique"),
        ]

    def __str__(self):
        return self.name


class ClusterMember(models.Model):
    """A unit's place in a cluster; a unit is in at most one cluster per campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="cluster_memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="one_cluster_per_unit_and_campaign"),
        ]

    def __str__(self):
        return f"{self.unit} ∈ {self.cluster}"


class Criterion(models.Model):
    """An item of the criteria set (Bộ tiêu chí): a section or a scored criterion."""

    class Kind(models.TextChoices):
        SECTION = "section", _("Section")
        CRITERION = "criterion", _("Criterion")

    class Method(models.TextChoices):
        BINARY = "binary", _("Done / not done")
        QUANTITY = "quantity", _("Quantity against a target")
        JUDGEMENT = "judgement", _("Reviewer's judgement")

    class Category(models.TextChoices):
        BASE = "base", _("Base")
        BONUS = "bonus", _("Bonus")
        PENALTY = "penalty", _("Penalty")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("code"), max_length=32, help_text=_("e.g. II.3.b"))
    title = models.CharField(_("content"), max_length=1000)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CRITERION)
    max_points = models.DecimalField(
        _("max points"), max_digits=7, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    method = models.CharField(_("scoring method"), max_length=16, choices=Method.choices, default=Method.BINARY)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.BASE)
    evidence_required = models.TextField(_("evidence required"), blank=True)
    target_quantity = models.DecimalField(
        _("target quantity"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("For quantity criteria without a linked target: the quantity that earns full points."),
    )
    target = models.ForeignKey(
        "targets.Target",
        verbose_name=_("linked target"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="criteria",
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["campaign", "order", "code"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="criterion_code_unique"),
            models.CheckConstraint(condition=models.Q(max_points__gte=0), name="criterion_max_points_positive"),
        ]

    def __str__(self):
        return f"{self.code}. {self.title}"

    @property
    def is_scored(self) -> bool:
        return self.kind == self.Kind.CRITERION
