from django.contrib import admin

from .models import DossierSubmission, Evidence, EvidenceFile, LateRequest, LateWindow, Reminder


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence changes go through the services (locks, audit trail); the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EvidenceFileInline(admin.TabularInline):
    model = EvidenceFile
    fields = ["original_name", "size", "content_type", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["unit", "criterion", "period", "status", "self_score", "score", "submitted_at"]
    list_filter = ["status", "campaign", "period"]
    search_fields = ["unit__name", "criterion__code", "criterion__title"]
    list_select_related = ["unit", "criterion", "period"]
    inlines = [EvidenceFileInline]


@admin.register(LateWindow)
class LateWindowAdmin(ReadOnlyAdmin):
    list_display = ["period", "unit", "ends_at", "granted_by", "created_at"]
    list_select_related = ["period", "unit", "granted_by"]


@admin.register(LateRequest)
class LateRequestAdmin(ReadOnlyAdmin):
    list_display = ["unit", "period", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["unit", "period", "decided_by"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["unit", "cluster", "period", "sent_by", "created_at", "sent_at"]
    list_select_related = ["unit", "cluster", "period", "sent_by"]


@admin.register(DossierSubmission)
class DossierSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["cluster", "period", "submitted_by", "submitted_at", "on_time", "evidence_count"]
    list_select_related = ["cluster", "period", "submitted_by"]
