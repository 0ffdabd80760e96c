from django.urls import path

from .views import reviews, standings

urlpatterns = [
    # Review (thẩm định)
    path("hang-doi/", reviews.review_queue, name="scoring_queue"),
    path("hang-doi/chap-nhan/", reviews.review_bulk_accept, name="scoring_bulk_accept"),
    path("phong-trao/<int:campaign_id>/tham-dinh/", reviews.campaign_review_queue, name="scoring_campaign_queue"),
    path("minh-chung/<int:evidence_id>/", reviews.evidence_review, name="scoring_review"),
    # Standings (xếp hạng)
    path("phong-trao/<int:campaign_id>/", standings.scoring_campaign, name="scoring_campaign"),
    path("phong-trao/<int:campaign_id>/xep-hang/", standings.campaign_standings, name="scoring_standings"),
    path("cum/<int:cluster_id>/xep-hang/", standings.cluster_standing, name="scoring_cluster"),
    path("don-vi/<int:unit_id>/ky/<int:period_id>/", standings.unit_standing, name="scoring_unit"),
    path("ky/<int:period_id>/khoa-so/", standings.period_close, name="scoring_period_close"),
    path("ky/<int:period_id>/mo-lai/", standings.period_reopen, name="scoring_period_reopen"),
]
