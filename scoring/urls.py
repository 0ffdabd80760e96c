from django.urls import path

from .views import reviews

urlpatterns = [
    # Review (thẩm định)
    path("hang-doi/", reviews.review_queue, name="scoring_queue"),
    path("hang-doi/chap-nhan/", reviews.review_bulk_accept, name="scoring_bulk_accept"),
    path("phong-trao/<int:campaign_id>/tham-dinh/", reviews.campaign_review_queue, name="scoring_campaign_queue"),
    path("minh-chung/<int:evidence_id>/", reviews.evidence_review, name="scoring_review"),
]
