from django.urls import path

from . import views

urlpatterns = [
    path("hinh-thuc/", views.award_form_list, name="award_form_list"),
    path("hinh-thuc/them/", views.award_form_edit, name="award_form_create"),
    path("hinh-thuc/<int:pk>/sua/", views.award_form_edit, name="award_form_edit"),
    path("hinh-thuc/<int:pk>/ngung/", views.award_form_deactivate, name="award_form_deactivate"),
    path("luong-co-so/", views.base_salary_list, name="base_salary_list"),
    path("mau-giay-khen/", views.certificate_template_list, name="certificate_template_list"),
    path("mau-giay-khen/them/", views.certificate_template_edit, name="certificate_template_create"),
    path("mau-giay-khen/<int:pk>/sua/", views.certificate_template_edit, name="certificate_template_edit"),
    path("phong-trao/<int:campaign_id>/", views.campaign_awards, name="campaign_awards"),
    path("phong-trao/<int:campaign_id>/quy-tac/them/", views.award_rule_edit, name="award_rule_create"),
    path("phong-trao/<int:campaign_id>/quy-tac/<int:pk>/sua/", views.award_rule_edit, name="award_rule_edit"),
    path("quy-tac/<int:pk>/xoa/", views.award_rule_delete, name="award_rule_delete"),
    path("phong-trao/<int:campaign_id>/de-xuat/", views.decision_propose, name="decision_propose"),
    path("quyet-dinh/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("quyet-dinh/<int:pk>/sua/", views.decision_edit, name="decision_edit"),
    path("quyet-dinh/<int:pk>/xoa/", views.decision_delete, name="decision_delete"),
    path("quyet-dinh/<int:pk>/ban-hanh/", views.decision_issue, name="decision_issue"),
    path("quyet-dinh/<int:pk>/dieu-chinh/", views.decision_correct, name="decision_correct"),
    path("quyet-dinh/<int:pk>/van-ban.pdf", views.decision_document, name="decision_document"),
    path("quyet-dinh/<int:pk>/them-nguoi-nhan/", views.award_add, name="award_add"),
    path("quyet-dinh/<int:pk>/in-giay-khen/", views.certificates_start, name="certificates_start"),
    path("khen/<int:pk>/sua/", views.award_edit, name="award_edit"),
    path("khen/<int:pk>/xoa/", views.award_remove, name="award_remove"),
    path("khen/<int:pk>/giay-khen.pdf", views.award_certificate, name="award_certificate"),
    path("in/<int:pk>/", views.certificate_job, name="certificate_job"),
    path("in/<int:pk>/trang-thai/", views.certificate_job_status, name="certificate_job_status"),
    path("in/<int:pk>/tai/<str:which>/", views.certificate_job_download, name="certificate_job_download"),
]
