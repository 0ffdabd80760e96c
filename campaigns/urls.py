from django.urls import path

from . import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("tao-moi/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/sua/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/thiet-lap/", views.campaign_setup, name="campaign_setup"),
    path("<int:pk>/trang-thai/<str:action>/", views.campaign_status, name="campaign_status"),
    path("<int:pk>/dot/them/", views.period_create, name="period_create"),
    path("dot/<int:pk>/sua/", views.period_edit, name="period_edit"),
    path("dot/<int:pk>/han-nop/", views.period_deadline, name="period_deadline"),
    path("dot/<int:pk>/xoa/", views.period_delete, name="period_delete"),
    path("<int:pk>/cum/", views.cluster_list, name="cluster_list"),
    path("<int:pk>/cum/them/", views.cluster_create, name="cluster_create"),
    path("cum/<int:pk>/sua/", views.cluster_edit, name="cluster_edit"),
    path("cum/<int:pk>/xoa/", views.cluster_delete, name="cluster_delete"),
    path("<int:pk>/tieu-chi/", views.criterion_list, name="criterion_list"),
    path("<int:pk>/tieu-chi/them/", views.criterion_create, name="criterion_create"),
    path("tieu-chi/<int:pk>/sua/", views.criterion_edit, name="criterion_edit"),
    path("tieu-chi/<int:pk>/xoa/", views.criterion_delete, name="criterion_delete"),
    path("tieu-chi/<int:pk>/di-chuyen/<str:direction>/", views.criterion_move, name="criterion_move"),
]
