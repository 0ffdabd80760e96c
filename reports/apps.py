from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and Excel")

    def ready(self):
        from accounts.rules import is_admin_or_office
        from core.nav import CampaignLink, NavItem, register_campaign_link, register_nav

        from .rules import may_open_campaign_reports

        register_nav(NavItem(
            label=_("Excel"), url_name="reports_home", order=80, icon="file-earmark-spreadsheet",
            visible=is_admin_or_office,  # a predicate, not has_perm: no permission-table queries per page
        ))
        register_campaign_link(CampaignLink(
            label=_("Excel import and export"), url_name="reports_campaign", order=80,
            icon="file-earmark-spreadsheet",
            description=_("Import the set-up from Excel; export the matrix and the evidence register."),
            visible=lambda user, campaign: may_open_campaign_reports(user, campaign),
        ))
