"""The home page's "waiting for review" cards, for reviewers (one per campaign with evidence waiting)."""

from django import template
from django.db.models import Count, Min

from evidence.models import Evidence

from ..queue import evidence_reviewable_by, is_reviewer

register = template.Library()


@register.inclusion_tag("scoring/_review_cards.html", takes_context=True)
def review_queue_cards(context) -> dict:
    user = context["request"].user
    if not is_reviewer(user):
        return {"review_cards": []}
    rows = (evidence_reviewable_by(user).filter(status=Evidence.Status.SUBMITTED)
            .values("campaign_id", "campaign__title")
            .annotate(waiting=Count("pk"), oldest=Min("submitted_at")).order_by("oldest"))
    return {"review_cards": list(rows[:6])}
