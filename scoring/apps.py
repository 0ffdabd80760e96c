from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
        from core.nav import CampaignLink, register_campaign_link

        register_campaign_link(CampaignLink(
            label=_("Standings"), url_name="scoring_campaign", visible=_sees_a_standing, order=25,
            icon="trophy", description=_("Ranks and scores of the clusters and units, down to each evidence."),
        ))
