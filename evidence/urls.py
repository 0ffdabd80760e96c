from django.urls import path

from . import views

urlpatterns = [
    path("phong-trao/<int:campaign_id>/", views.evidence_campaign, name="evidence_campaign"),
    path("ky/<int:period_id>/", views.evidence_period, name="evidence_period"),
    path("ky/<int:period_id>/tieu-chi/<int:criterion_id>/", views.evidence_edit, name="evidence_edit"),
    path("ky/<int:period_id>/xin-gia-han/", views.late_request_create, name="late_request_create"),
    path("<int:pk>/", views.evidence_detail, name="evidence_detail"),
    path("tep/<int:file_id>/", views.evidence_file_download, name="evidence_file_download"),
    path("tep/<int:file_id>/anh-nho/", views.evidence_file_thumbnail, name="evidence_file_thumbnail"),
    path("tep/<int:file_id>/xoa/", views.evidence_file_remove, name="evidence_file_remove"),
    path("phong-trao/<int:campaign_id>/gia-han/", views.late_windows, name="late_windows"),
    path("xin-gia-han/<int:request_id>/quyet-dinh/", views.late_request_decide, name="late_request_decide"),
    path("phong-trao/<int:campaign_id>/ho-so-cum/", views.dossier_overview, name="dossier_overview"),
    path("phong-trao/<int:campaign_id>/cum/", views.cluster_matrix_campaign, name="cluster_matrix_campaign"),
    path("cum/<int:cluster_id>/ky/<int:period_id>/", views.cluster_matrix, name="cluster_matrix"),
    path("cum/<int:cluster_id>/ky/<int:period_id>/nhac/", views.cluster_remind, name="cluster_remind"),
    path("cum/<int:cluster_id>/ky/<int:period_id>/nop-ho-so/", views.dossier_submit, name="dossier_submit"),
    path("nhat-ky/", views.audit_trail, name="audit_trail"),
]
