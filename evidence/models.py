"""Evidence (minh chứng) a unit submits for one criterion in one period."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Evidence(models.Model):
    """Minh chứng: a unit's files, links, note and self-score for one criterion and period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for revision")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="evidence")
    period = models.ForeignKey("campaigns.Period", on_delete=models.CASCADE, related_name="evidence")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="evidence")
    criterion = models.ForeignKey("campaigns.Criterion", on_delete=models.CASCADE, related_name="evidence")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("note"), blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    self_score = models.DecimalField(
        _("self-assessed score"), max_digits=7, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    # The reviewer's decision, kept on the row the score tables aggregate;
    # the history of every decision is in scoring's Review table and the audit trail.
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    review_remark = models.TextField(_("reviewer's remark"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: every write bumps it; a save based on an older
    # version is refused instead of silently overwriting somebody's change.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["period", "unit", "criterion__order"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(fields=["period", "unit", "criterion"], name="evidence_one_per_cell"),
            models.CheckConstraint(
                condition=models.Q(self_score__isnull=True) | models.Q(self_score__gte=Decimal("0")),
                name="evidence_self_score_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "period", "status"]),
            models.Index(fields=["period", "criterion", "status"]),
        ]

    def __str__(self):
        return f"{self.unit} — {self.criterion.code} — {self.period}"


class EvidenceFile(models.Model):
    """A file attached to evidence, stored under a generated name; served only through a view."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="evidence/%Y/%m/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(max_length=64, db_index=True)
    thumbnail = models.FileField(upload_to="thumbs/%Y/%m/", max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name

    @property
    def icon(self) -> str:
        """The bootstrap-icons name shown when there is no thumbnail."""
        from .uploads import CONTENT_TYPE_KINDS

        kind = CONTENT_TYPE_KINDS.get(self.content_type)
        return kind.icon if kind else "file-earmark"


class LateWindow(models.Model):
    """Gia hạn: the office lets a unit (or, with no unit, every unit) change evidence after the deadline."""

    period = models.ForeignKey("campaigns.Period", on_delete=models.CASCADE, related_name="late_windows")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="late_windows", help_text=_("Empty: the period is reopened for every unit."),
    )
    reason = models.TextField(_("reason"))
    ends_at = models.DateTimeField(_("open until"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    request = models.OneToOneField(
        "LateRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="window"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("late window")
        verbose_name_plural = _("late windows")
        indexes = [models.Index(fields=["period", "unit", "ends_at"])]

    def __str__(self):
        return f"{self.period} — {self.unit or _('every unit')} — {self.ends_at:%Y-%m-%d %H:%M}"


class LateRequest(models.Model):
    """A unit's request for a late window (xin gia hạn), approved or refused by the office."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    period = models.ForeignKey("campaigns.Period", on_delete=models.CASCADE, related_name="late_requests")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="late_requests")
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_remark = models.TextField(_("decision remark"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("late request")
        verbose_name_plural = _("late requests")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit"], condition=models.Q(status="pending"), name="one_pending_late_request"
            ),
        ]

    def __str__(self):
        return f"{self.unit} — {self.period} ({self.get_status_display()})"


class Reminder(models.Model):
    """A cluster leader's reminder (nhắc nhở) to a member unit about missing evidence, sent by e-mail."""

    cluster = models.ForeignKey("campaigns.Cluster", on_delete=models.CASCADE, related_name="reminders")
    period = models.ForeignKey("campaigns.Period", on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="reminders")
    missing = models.JSONField(_("missing criteria"), default=list)
    message = models.TextField(_("message"), blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self):
        return f"{self.unit} — {self.period}"


class DossierSubmission(models.Model):
    """A cluster leader's submission of the cluster dossier (hồ sơ cụm) for a period, frozen as a snapshot."""

    cluster = models.ForeignKey("campaigns.Cluster", on_delete=models.CASCADE, related_name="dossiers")
    period = models.ForeignKey("campaigns.Period", on_delete=models.CASCADE, related_name="dossiers")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    on_time = models.BooleanField(_("on time"))
    # {"evidence": [{"id", "unit_id", "criterion_id", "status", "files": [{"id", "sha256", "size"}]}]}
    snapshot = models.JSONField(default=dict)
    evidence_count = models.PositiveIntegerField(default=0)
    file_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("cluster dossier submission")
        verbose_name_plural = _("cluster dossier submissions")
        indexes = [models.Index(fields=["period", "cluster", "-submitted_at"])]

    def __str__(self):
        return f"{self.cluster} — {self.period} — {self.submitted_at:%Y-%m-%d %H:%M}"
