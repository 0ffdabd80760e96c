from django.urls import path

from . import views

app_name = "targets"

urlpatterns = [
    path("", views.target_home, name="home"),
    path("phong-trao/<int:campaign_pk>/", views.campaign_dashboard, name="dashboard"),
    path("phong-trao/<int:campaign_pk>/them/", views.target_create_view, name="create"),
    path("phong-trao/<int:campaign_pk>/ty-le-bao-cao/", views.reporting_status, name="reporting"),
    path("phong-trao/<int:campaign_pk>/don-vi/<int:unit_pk>/", views.unit_dashboard, name="unit"),
    path("phong-trao/<int:campaign_pk>/don-vi/<int:unit_pk>/bao-cao/", views.progress_entry, name="progress"),
    path("<int:pk>/", views.target_detail, name="detail"),
    path("<int:pk>/sua/", views.target_edit, name="edit"),
    path("<int:pk>/xoa/", views.target_delete_view, name="delete"),
    path("<int:pk>/phan-bo/", views.target_allocate, name="allocate"),
    path("<int:pk>/phan-bo/nhap-excel/", views.target_allocation_import, name="import"),
    path("<int:pk>/phan-bo/mau-excel/", views.target_allocation_template, name="import_template"),
]
