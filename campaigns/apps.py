from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from core.nav import CampaignLink, register_campaign_link

        from .rules import manages_campaign

        register_campaign_link(CampaignLink(
            label=_("Set up the campaign"), url_name="campaign_setup", icon="gear", order=90,
            description=_("Periods and deadlines, status, clusters, criteria set"),
            visible=lambda user, campaign: manages_campaign(user, campaign),
        ))
