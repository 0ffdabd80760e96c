from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_office(user) -> bool:
    return bool(user.is_authenticated and (user.is_admin or user.is_office))


def _manages(user, campaign) -> bool:
    from campaigns.rules import manages_campaign

    return manages_campaign(user, campaign)


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Awards")

    def ready(self):
        from core.nav import CampaignLink, NavItem, register_campaign_link, register_nav

        register_nav(NavItem(label=_("Award forms"), url_name="award_form_list", visible=_is_office, order=70,
                             icon="award"))
        register_campaign_link(CampaignLink(
            label=_("Awards"), url_name="campaign_awards", visible=_manages, order=70, icon="trophy",
            description=_("Award rules, proposals from the frozen standing, decisions and certificates"),
        ))
