from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _reviews_campaign(user, campaign) -> bool:
    from campaigns.rules import manages_campaign

    return bool(user.is_authenticated and (user.is_office or user.is_admin)) and bool(
        manages_campaign(user, campaign) or campaign.clusters.filter(follower_id=user.pk).exists()
    )


def _reviewer(user) -> bool:
    from .queue import is_reviewer

    return is_reviewer(user)


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Review and scoring")

    def ready(self):
        from core.nav import CampaignLink, NavItem, register_campaign_link, register_nav

        register_nav(NavItem(label=_("Review"), url_name="scoring_queue", visible=_reviewer, order=20,
                             icon="clipboard-check"))
        register_campaign_link(CampaignLink(
            label=_("Review evidence"), url_name="scoring_campaign_queue", visible=_reviews_campaign, order=25,
            icon="clipboard-check", description=_("Accept with a score, return for revision or reject."),
        ))
