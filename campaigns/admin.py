from django.contrib import admin

from .models import Campaign, Cluster, ClusterMember, Criterion, Period


class PeriodInline(admin.TabularInline):
    model = Period
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "issuing_unit", "status", "start_date", "end_date"]
    list_filter = ["status"]
    search_fields = ["number", "title"]
    inlines = [PeriodInline]


class ClusterMemberInline(admin.TabularInline):
    model = ClusterMember
    extra = 0


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "leader_unit", "deputy_unit", "follower"]
    list_filter = ["campaign"]
    inlines = [ClusterMemberInline]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "campaign", "kind", "max_points", "method", "category"]
    list_filter = ["campaign", "kind", "method", "category"]
    search_fields = ["code", "title"]
