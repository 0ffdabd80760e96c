from io import BytesIO

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaigns.models import Period
from campaigns.rules import manages_campaign
from campaigns.selectors import campaigns_managed_by, campaigns_visible_to, clusters_led_by, current_period

from .documents import summary_filename, summary_pdf, summary_workbook
from .exports.registry import EXPORTS
from .forms import ExportForm, ImportUploadForm
from .imports.base import import_run
from .imports.kinds import IMPORTERS
from .imports.workbooks import template_workbook
from .rules import may_open_campaign_reports
from .selectors import export_jobs_of
from .services import export_job_start, export_write
from .summary import period_summary

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ERRORS_SHOWN = 1000


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def reports_home(request: HttpRequest) -> HttpResponse:
    """Excel imports and exports: global imports, then the campaigns the user manages."""
    if not request.user.has_perm("reports.use_excel"):
        raise PermissionDenied
    user = request.user
    importers = [cls for cls in IMPORTERS.values() if not cls.needs_campaign and cls.permitted(user)]
    campaigns = campaigns_managed_by(user).select_related("issuing_unit")
    jobs = export_jobs_of(user)[:5]
    return render(request, "reports/reports_home.html",
                  {"importers": importers, "campaigns": campaigns, "jobs": jobs})


def _export_clusters(user, campaign):
    if manages_campaign(user, campaign):
        return campaign.clusters.all(), True
    return clusters_led_by(user).filter(campaign=campaign), False


@login_required
def campaign_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign's imports (for its managers) and exports (managers; leaders for their cluster)."""
    campaign = get_object_or_404(campaigns_visible_to(request.user).select_related("issuing_unit"), pk=pk)
    if not may_open_campaign_reports(request.user, campaign):
        raise PermissionDenied
    clusters, manager = _export_clusters(request.user, campaign)
    period = current_period(campaign)
    periods = campaign.periods.all()
    exports = []
    for export_cls in EXPORTS.values():
        if not manager and not export_cls.for_cluster_leaders:
            continue
        initial = {"period": period} if export_cls.period_required else {}
        form = ExportForm(periods=periods, clusters=clusters, period_required=export_cls.period_required,
                          cluster_required=not manager, with_period=export_cls.uses_period, initial=initial,
                          key=export_cls.key)
        exports.append({"export": export_cls, "form": form})
    importers = [cls for cls in IMPORTERS.values() if cls.needs_campaign] if manager else []
    return render(request, "reports/campaign_reports.html", {
        "campaign": campaign, "importers": importers, "exports": exports,
        "summary_periods": periods if manager else [], "async_rows": settings.EXPORT_ASYNC_ROWS,
    })


@login_required
@require_GET
def campaign_export(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """Download an export at once, or start a background job when it is large."""
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    export_cls = EXPORTS.get(key)
    if export_cls is None:
        raise Http404
    clusters, manager = _export_clusters(request.user, campaign)
    if not manager and (not export_cls.for_cluster_leaders or not clusters.exists()):
        raise PermissionDenied
    form = ExportForm(request.GET, periods=campaign.periods.all(), clusters=clusters,
                      period_required=export_cls.period_required, cluster_required=not manager,
                      with_period=export_cls.uses_period)
    if not form.is_valid():
        if any(error.code == "invalid_choice" for errors in form.errors.as_data().values() for error in errors):
            raise Http404
        messages.error(request, _("Choose the period (and the cluster) to export."))
        return redirect("reports_campaign", pk=campaign.pk)
    export = export_cls(campaign=campaign, period=form.cleaned_data.get("period"),
                        cluster=form.cleaned_data["cluster"])
    if export.count() > settings.EXPORT_ASYNC_ROWS:
        job = export_job_start(user=request.user, export=export)
        return redirect("reports_job", pk=job.pk)
    buffer = BytesIO()
    export_write(export=export, target=buffer)
    return _xlsx_response(buffer.getvalue(), export.filename())


def _summary_period(request: HttpRequest, pk: int) -> Period:
    """A period of a campaign the user manages (an office of the issuing unit or above, or an admin); else 404."""
    periods = Period.objects.filter(campaign__in=campaigns_managed_by(request.user))
    return get_object_or_404(periods.select_related("campaign__issuing_unit"), pk=pk)


@login_required
@require_GET
def period_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The period's summary report (báo cáo sơ kết) as a PDF."""
    summary = period_summary(_summary_period(request, pk))
    response = HttpResponse(summary_pdf(summary), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{summary_filename(summary, "pdf")}"'
    return response


@login_required
@require_GET
def period_summary_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The period's summary report as an Excel workbook, a sheet per table of the PDF."""
    summary = period_summary(_summary_period(request, pk))
    buffer = BytesIO()
    summary_workbook(summary, buffer)
    return _xlsx_response(buffer.getvalue(), summary_filename(summary, "xlsx"))


@login_required
def import_upload(request: HttpRequest, kind: str, campaign_pk: int | None = None) -> HttpResponse:
    """Upload a workbook: every problem listed, or the file applied in one transaction."""
    importer_cls = IMPORTERS.get(kind)
    if importer_cls is None or importer_cls.needs_campaign != (campaign_pk is not None):
        raise Http404
    campaign = None
    if campaign_pk is not None:
        campaign = get_object_or_404(campaigns_visible_to(request.user), pk=campaign_pk)
    if not importer_cls.permitted(request.user, campaign):
        raise PermissionDenied
    result = None
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if request.method == "POST" and form.is_valid():
        importer = importer_cls(user=request.user, campaign=campaign)
        result = import_run(importer=importer, upload=form.cleaned_data["file"],
                            dry_run=form.cleaned_data["dry_run"])
    template_url = reverse("reports_import_template", args=[kind])
    return render(request, "reports/import_upload.html", {
        "importer": importer_cls, "campaign": campaign, "form": form, "result": result,
        "errors_shown": result.errors[:MAX_ERRORS_SHOWN] if result else [],
        "errors_hidden": max(0, len(result.errors) - MAX_ERRORS_SHOWN) if result else 0,
        "template_url": template_url,
    })


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if not request.user.has_perm("reports.use_excel"):
        raise PermissionDenied
    importer_cls = IMPORTERS.get(kind)
    if importer_cls is None:
        raise Http404
    return _xlsx_response(template_workbook(importer_cls), f"mau-nhap-{kind}.xlsx")


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(export_jobs_of(request.user), pk=pk)
    return render(request, "reports/job_detail.html", {"job": job})


@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial the job page polls with htmx until the job is finished."""
    job = get_object_or_404(export_jobs_of(request.user), pk=pk)
    return render(request, "reports/_job_status.html", {"job": job})


@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(export_jobs_of(request.user), pk=pk)
    if job.status != job.Status.DONE or not job.output:
        raise Http404
    return FileResponse(job.output.open("rb"), as_attachment=True, filename=job.output_name,
                        content_type=XLSX)
