from django.urls import path

from .views import standings

urlpatterns: list = []

# ---- standings pages (xếp hạng)
urlpatterns += [
    path("phong-trao/<int:campaign_id>/", standings.scoring_campaign, name="scoring_campaign"),
    path("phong-trao/<int:campaign_id>/xep-hang/", standings.campaign_standings, name="scoring_standings"),
    path("cum/<int:cluster_id>/xep-hang/", standings.cluster_standing, name="scoring_cluster"),
    path("don-vi/<int:unit_id>/ky/<int:period_id>/", standings.unit_standing, name="scoring_unit"),
    path("ky/<int:period_id>/khoa-so/", standings.period_close, name="scoring_period_close"),
    path("ky/<int:period_id>/mo-lai/", standings.period_reopen, name="scoring_period_reopen"),
]
