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


def _sees_a_standing(user, campaign) -> bool:
    """Reviewers (every cluster), a cluster's leader or deputy unit, a member unit (its own scores)."""
    from . import selectors

    if not user.is_authenticated:
        return False
    if selectors.sees_all_standings(user, campaign):
        return True
    return bool(user.unit_id and selectors.memberships_with_scores_visible_to(user).filter(campaign=campaign).exists())


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Review and scoring")

    def ready(self):
        from core.nav import CampaignLink, NavItem, register_campaign_link, register_nav

        register_nav(NavItem(label=_("Review"), url_name="scoring_queue", visible=_reviewer, order=20,
                             icon="clipboard-check"))
        register_campaign_link(CampaignLink(
            label=_("Review evidence"), url_name="scoring_campaign_queue", visible=_reviews_campaign, order=24,
            icon="clipboard-check", description=_("Accept with a score, return for revision or reject."),
        ))
        register_campaign_link(CampaignLink(
            label=_("Standings"), url_name="scoring_campaign", visible=_sees_a_standing, order=25,
            icon="trophy", description=_("Ranks and scores of the clusters and units, down to each evidence."),
        ))
