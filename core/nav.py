"""Navigation and campaign links, contributed by each app in its ``AppConfig.ready``.

Apps register their entries here instead of editing the shared templates, so
a new screen appears in the menu and on the campaign page for exactly the
users its predicate admits.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable
    order: int = 50
    icon: str = ""


@dataclass(frozen=True)
class CampaignLink:
    label: str
    url_name: str
    visible: Callable  # (user, campaign) -> bool
    order: int = 50
    icon: str = ""
    description: str = ""


NAV_ITEMS: list[NavItem] = []
CAMPAIGN_LINKS: list[CampaignLink] = []


def register_nav(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in NAV_ITEMS):
        NAV_ITEMS.append(item)


def register_campaign_link(link: CampaignLink) -> None:
    if all(existing.url_name != link.url_name for existing in CAMPAIGN_LINKS):
        CAMPAIGN_LINKS.append(link)


def nav_for(user) -> list[dict]:
    items = sorted((i for i in NAV_ITEMS if i.visible(user)), key=lambda i: i.order)
    return [{"label": i.label, "url": reverse(i.url_name), "icon": i.icon} for i in items]


def campaign_links_for(user, campaign) -> list[dict]:
    links = sorted((lk for lk in CAMPAIGN_LINKS if lk.visible(user, campaign)), key=lambda lk: lk.order)
    return [
        {
            "label": lk.label,
            "url": reverse(lk.url_name, args=[campaign.pk]),
            "icon": lk.icon,
            "description": lk.description,
        }
        for lk in links
    ]
