from django.urls import path

from . import views

urlpatterns = [
    path("", views.reports_home, name="reports_home"),
    path("nhap/<slug:kind>/", views.import_upload, name="reports_import"),
    path("mau/<slug:kind>.xlsx", views.import_template, name="reports_import_template"),
    path("phong-trao/<int:pk>/", views.campaign_reports, name="reports_campaign"),
    path("phong-trao/<int:campaign_pk>/nhap/<slug:kind>/", views.import_upload, name="reports_campaign_import"),
    path("phong-trao/<int:pk>/xuat/<slug:key>/", views.campaign_export, name="reports_export"),
    path("dot/<int:pk>/so-ket.pdf", views.period_summary_pdf, name="reports_period_summary_pdf"),
    path("dot/<int:pk>/so-ket.xlsx", views.period_summary_xlsx, name="reports_period_summary_xlsx"),
    path("tac-vu/<int:pk>/", views.job_detail, name="reports_job"),
    path("tac-vu/<int:pk>/tien-do/", views.job_status, name="reports_job_status"),
    path("tac-vu/<int:pk>/tai-ve/", views.job_download, name="reports_job_download"),
]
