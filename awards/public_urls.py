from django.urls import path

from . import views

# Public pages (no login): the certificate verification page /verify/<code>.
urlpatterns = [
    path("<str:code>", views.award_verify, name="award_verify"),
]
