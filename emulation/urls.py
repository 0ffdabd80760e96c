from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("livez", core_views.livez, name="livez"),
    path("dang-nhap/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "doi-mat-khau/",
        auth_views.PasswordChangeView.as_view(success_url="/"),
        name="password_change",
    ),
    path("phong-trao/", include("campaigns.urls")),
    path("quan-tri/", include("accounts.urls")),
    path("minh-chung/", include("evidence.urls")),
    path("cham-diem/", include("scoring.urls")),
    path("chi-tieu/", include("targets.urls")),
    path("khen-thuong/", include("awards.urls")),
    path("bao-cao/", include("reports.urls")),
    path("verify/", include("awards.public_urls")),
    path("django-admin/", admin.site.urls),
]
