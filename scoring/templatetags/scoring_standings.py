"""The home page's "your cluster" card, for units that lead a cluster (cụm trưởng, cụm phó)."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("scoring/_leader_cards.html", takes_context=True)
def leader_standing_cards(context) -> dict:
    return {"leader_cards": selectors.leader_cards(context["request"].user)}
