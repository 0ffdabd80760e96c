from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_member(user, campaign) -> bool:
    from campaigns.models import ClusterMember

    return bool(
        user.unit_id and not user.is_office
        and ClusterMember.objects.filter(campaign=campaign, unit_id=user.unit_id).exists()
    )


def _sees_matrix(user, campaign) -> bool:
    from campaigns.rules import manages_campaign
    from campaigns.selectors import clusters_led_by

    return bool(
        manages_campaign(user, campaign)
        or clusters_led_by(user).filter(campaign=campaign).exists()
        or campaign.clusters.filter(follower_id=user.pk).exists()
    )


def _manages(user, campaign) -> bool:
    from campaigns.rules import manages_campaign

    return bool(manages_campaign(user, campaign))


def _office(user) -> bool:
    return bool(user.is_authenticated and (user.is_admin or user.is_office))


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence")

    def ready(self):
        from core.nav import CampaignLink, NavItem, register_campaign_link, register_nav

        register_campaign_link(CampaignLink(
            label=_("My unit's evidence"), url_name="evidence_campaign", visible=_is_member, order=10,
            icon="folder2-open", description=_("Upload evidence per criterion before the deadline."),
        ))
        register_campaign_link(CampaignLink(
            label=_("Cluster completeness"), url_name="cluster_matrix_campaign", visible=_sees_matrix, order=20,
            icon="grid-3x3-gap", description=_("Member units × criteria; remind units; submit the dossier."),
        ))
        register_campaign_link(CampaignLink(
            label=_("Late windows"), url_name="late_windows", visible=_manages, order=30,
            icon="hourglass-split", description=_("Requests for more time, late windows, reopening a period."),
        ))
        register_campaign_link(CampaignLink(
            label=_("Cluster dossiers"), url_name="dossier_overview", visible=_manages, order=31,
            icon="inboxes", description=_("Which clusters submitted their dossier, and when."),
        ))
        register_nav(NavItem(label=_("Audit trail"), url_name="audit_trail", visible=_office, order=90,
                             icon="journal-text"))
