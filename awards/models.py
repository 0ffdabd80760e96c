"""Award forms (hình thức khen thưởng)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AwardForm(models.Model):
    """A kind of award an issuer gives, e.g. Giấy khen of the district Ban Thường vụ, 1.000.000 đ."""

    class Organisation(models.TextChoices):
        DOAN = "doan", _("Youth Union (Đoàn TNCS Hồ Chí Minh)")
        HOI = "hoi", _("Youth Federation (Hội LHTN Việt Nam)")

    name = models.CharField(_("name"), max_length=255, help_text=_("e.g. Giấy khen"))
    issuer_unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="award_forms"
    )
    issuer_name = models.CharField(
        _("issuer"), max_length=255, help_text=_("As printed, e.g. Ban Thường vụ Huyện đoàn Giồng Riềng")
    )
    organisation = models.CharField(
        _("organisation"), max_length=8, choices=Organisation.choices, default=Organisation.DOAN
    )
    amount = models.PositiveBigIntegerField(_("prize money (đồng)"), default=0)
    base_salary_coefficient = models.DecimalField(
        _("coefficient of the base salary"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("If set, the prize is this coefficient × the base salary in force on the decision date."),
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["issuer_unit__path", "organisation", "-amount", "name"]
        verbose_name = _("award form")
        verbose_name_plural = _("award forms")

    def __str__(self):
        return f"{self.name} — {self.issuer_name}"


class BaseSalary(models.Model):
    """The base salary (mức lương cơ sở) in force from a date; prizes may be a coefficient of it."""

    amount = models.PositiveBigIntegerField(_("base salary (đồng)"))
    effective_from = models.DateField(_("effective from"), unique=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True,
                                   help_text=_("e.g. Nghị định 73/2024/NĐ-CP"))

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("base salary")
        verbose_name_plural = _("base salaries")

    def __str__(self):
        return f"{self.amount} ({self.effective_from:%d/%m/%Y})"


class CertificateTemplate(models.Model):
    """A certificate design the office can choose for a campaign or an issuer, without code changes."""

    class Layout(models.TextChoices):
        CLASSIC = "classic", _("Classic (double border with corner ornaments)")
        RIBBON = "ribbon", _("Ribbon (wide coloured frame)")

    class Border(models.TextChoices):
        DOUBLE = "double", _("Double line")
        SOLID = "solid", _("Single line")
        GROOVE = "groove", _("Engraved")

    name = models.CharField(_("name"), max_length=150)
    layout = models.CharField(_("layout"), max_length=16, choices=Layout.choices, default=Layout.CLASSIC)
    colour = models.CharField(
        _("main colour"), max_length=7, default="#b3261e",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour like #b3261e."))],
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#c9a227",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour like #b3261e."))],
    )
    border = models.CharField(_("border"), max_length=16, choices=Border.choices, default=Border.DOUBLE)
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="certificate_templates", help_text=_("Leave empty to use it for every campaign."),
    )
    issuer_unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("issuing unit"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="certificate_templates",
    )
    organisation = models.CharField(
        _("organisation"), max_length=8, choices=AwardForm.Organisation.choices, blank=True,
        help_text=_("Leave empty to use it for both the Đoàn and the Hội."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")

    def __str__(self):
        return self.name


class AwardRule(models.Model):
    """How the portal proposes an award of a campaign from the frozen standing."""

    class RecipientKind(models.TextChoices):
        CLUSTER = "cluster", _("Cluster")
        CLUSTER_LEADER_UNIT = "cluster_leader_unit", _("Leader unit of the cluster")
        UNIT = "unit", _("Unit (rank in its cluster)")

    class Scope(models.TextChoices):
        PERIOD = "period", _("A period")
        YEAR = "year", _("The year")
        BOTH = "both", _("A period or the year")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="award_rules"
    )
    award_form = models.ForeignKey(
        AwardForm, verbose_name=_("award form"), on_delete=models.PROTECT, related_name="rules"
    )
    recipient_kind = models.CharField(
        _("recipient"), max_length=24, choices=RecipientKind.choices, default=RecipientKind.CLUSTER
    )
    scope = models.CharField(_("standing of"), max_length=8, choices=Scope.choices, default=Scope.BOTH)
    count = models.PositiveSmallIntegerField(
        _("ranks awarded"), default=1, validators=[MinValueValidator(1)],
        help_text=_("1 = only rank 1; 3 = ranks 1 to 3 (for units: in each cluster)."),
    )
    reason_template = models.CharField(
        _("reason"), max_length=500,
        help_text=_("Printed on the certificate. May use {cluster}, {unit}, {rank}, {score}, {standing}, {campaign}."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["campaign", "order", "pk"]
        verbose_name = _("award rule")
        verbose_name_plural = _("award rules")

    def __str__(self):
        return f"{self.award_form.name}: {self.get_recipient_kind_display()} ≤ {self.count}"


class AwardDecision(models.Model):
    """A decision on awards (Quyết định khen thưởng); immutable once issued.

    A correction is a new decision that revokes the old one (``revokes``); both
    are kept. A PostgreSQL trigger (migration 0003) refuses any change to an
    issued decision and to its awards, whatever code path tries.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="award_decisions"
    )
    period = models.ForeignKey(
        "campaigns.Period", verbose_name=_("period"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="award_decisions", help_text=_("Empty for the year."),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    issuer_unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="award_decisions"
    )
    organisation = models.CharField(
        _("organisation"), max_length=8, choices=AwardForm.Organisation.choices, default=AwardForm.Organisation.DOAN
    )
    issuer_name = models.CharField(_("issuer"), max_length=255,
                                   help_text=_("As printed, e.g. Ban Thường vụ Huyện đoàn Giồng Riềng"))
    number = models.CharField(_("number"), max_length=64, blank=True, help_text=_("e.g. 45-QĐ/ĐTN"))
    title = models.CharField(_("title"), max_length=500, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True, help_text=_("e.g. Giồng Riềng"))
    signer_title = models.CharField(_("signer's title"), max_length=255, blank=True,
                                    help_text=_("One line each, e.g. TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN / PHÓ BÍ THƯ"))
    signer_name = models.CharField(_("signer's name"), max_length=150, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True, help_text=_("One “Căn cứ …” per line."))
    recipients_of_copies = models.TextField(_("copies to (Nơi nhận)"), blank=True,
                                            help_text=_("One per line."))
    certificate_template = models.ForeignKey(
        CertificateTemplate, verbose_name=_("certificate template"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="decisions",
    )
    revokes = models.OneToOneField(
        "self", verbose_name=_("revokes"), null=True, blank=True, on_delete=models.PROTECT, related_name="revoked_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("award decision")
        verbose_name_plural = _("award decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_unit", "number"], condition=models.Q(status="issued"),
                name="award_decision_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (~models.Q(number="") & models.Q(date__isnull=False) & ~models.Q(signer_name="")),
                name="award_decision_issued_complete",
            ),
        ]

    def __str__(self):
        return self.number or gettext("Draft decision #%(pk)s") % {"pk": self.pk}

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def legal_basis_lines(self) -> list[str]:
        return [line.strip() for line in self.legal_basis.splitlines() if line.strip()]

    @property
    def copies_lines(self) -> list[str]:
        return [line.strip() for line in self.recipients_of_copies.splitlines() if line.strip()]

    @property
    def signer_title_lines(self) -> list[str]:
        return [line.strip() for line in self.signer_title.replace("/", "\n").splitlines() if line.strip()]


class Award(models.Model):
    """One recipient of one award form in a decision, with its verification code."""

    class RecipientKind(models.TextChoices):
        CLUSTER = "cluster", _("Cluster")
        UNIT = "unit", _("Unit")
        PERSON = "person", _("Person")

    decision = models.ForeignKey(AwardDecision, on_delete=models.PROTECT, related_name="awards")
    award_form = models.ForeignKey(AwardForm, verbose_name=_("award form"), on_delete=models.PROTECT,
                                   related_name="awards")
    rule = models.ForeignKey(AwardRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recipient_kind = models.CharField(_("recipient kind"), max_length=8, choices=RecipientKind.choices)
    cluster = models.ForeignKey("campaigns.Cluster", verbose_name=_("cluster"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="awards")
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="awards")
    person_name = models.CharField(_("full name"), max_length=150, blank=True)
    person_position = models.CharField(_("position"), max_length=150, blank=True)
    person_unit_name = models.CharField(_("unit (as printed)"), max_length=255, blank=True)
    recipient_name = models.CharField(_("recipient (as printed)"), max_length=255)
    reason = models.CharField(_("reason"), max_length=1000)
    standing = models.CharField(_("standing"), max_length=255, blank=True,
                                help_text=_("The frozen standing that justifies the award."))
    amount = models.PositiveBigIntegerField(_("prize money (đồng)"), default=0)
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["decision", "order", "pk"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(recipient_kind="cluster") & models.Q(cluster__isnull=False))
                | (models.Q(recipient_kind="unit") & models.Q(unit__isnull=False))
                | (models.Q(recipient_kind="person") & ~models.Q(person_name="")),
                name="award_recipient_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.award_form.name} — {self.recipient_name}"


# The storage folder of rendered certificates (chunks and single pages), by year and month.
CERTIFICATE_DIR = "certificates"


class CertificateBatchChunk(models.Model):
    """A few consecutive certificates of a batch job rendered as one PDF (the pieces of the combined file)."""

    job = models.ForeignKey("core.Job", on_delete=models.CASCADE, related_name="certificate_chunks")
    file = models.FileField(upload_to=f"{CERTIFICATE_DIR}/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "pk"]

    def __str__(self):
        return f"job {self.job_id} / chunk {self.pk}"


class CertificateBatchItem(models.Model):
    """One rendered certificate of a batch job, written once; a rerun of the job skips it."""

    job = models.ForeignKey("core.Job", on_delete=models.CASCADE, related_name="certificate_items")
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="+")
    chunk = models.ForeignKey(CertificateBatchChunk, on_delete=models.CASCADE, related_name="items")
    file = models.FileField(upload_to=f"{CERTIFICATE_DIR}/%Y/%m/")
    rendered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "award"], name="certificate_item_once")]

    def __str__(self):
        return f"job {self.job_id} / award {self.award_id}"
