from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _sees_targets(user, campaign) -> bool:
    from campaigns.rules import manages_campaign

    return manages_campaign(user, campaign) or campaign.targets.exists()


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("Targets")

    def ready(self):
        from core.nav import CampaignLink, NavItem, register_campaign_link, register_nav

        register_nav(NavItem(label=_("Targets"), url_name="targets:home", icon="bullseye", order=40,
                             visible=lambda user: user.is_authenticated))
        register_campaign_link(CampaignLink(
            label=_("Targets"), url_name="targets:dashboard", icon="bullseye", order=40, visible=_sees_targets,
            description=_("Allocation, progress reports and achievement"),
        ))
