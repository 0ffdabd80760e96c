"""The reviewers' pages: the queue with its filters and bulk accept, and one evidence's review page.

Every id is looked up through the reviewer's scope (404 otherwise); the
decision itself is ``services.evidence_review``, which re-checks the rules.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from campaigns.selectors import campaigns_visible_to
from core.templatetags.formatting import score as score_format
from evidence.selectors import evidence_duplicates

from .. import services
from ..forms import ReviewForm
from ..models import Review
from ..queue import (
    ReviewQueueFilter,
    evidence_in_review_scope,
    evidence_reviewable_by,
    is_reviewer,
    queue_next,
    queue_rows,
    status_counts,
)
from ..rules import is_own_unit

QUEUE_PAGE_SIZE = 50
# The queue's own parameters, carried from the queue to a review page and back.
QUEUE_PARAMETERS = ("campaign", "period", "cluster", "unit", "criterion", "status", "page")


def _queue_query(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k in QUEUE_PARAMETERS and v])


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _ensure_reviewer(request: HttpRequest) -> None:
    if not is_reviewer(request.user):
        raise PermissionDenied


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """The queue of evidence to review, oldest submission first, with filters and counts per status."""
    _ensure_reviewer(request)
    filterset = ReviewQueueFilter(request.GET, queryset=evidence_reviewable_by(request.user), user=request.user)
    page = Paginator(queue_rows(filterset.qs), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = _queue_query(request)
    without_status = urlencode([(k, v) for k, v in request.GET.items()
                                if k in QUEUE_PARAMETERS and k not in ("status", "page") and v])
    counts = status_counts(filterset)
    status = filterset.form.cleaned_data.get("status")
    context = {
        "filter": filterset, "page": page, "query": query,
        "filters_active": any(request.GET.get(name) for name in ("campaign", "period", "cluster", "unit", "criterion")),
        "pager_query": urlencode([(k, v) for k, v in request.GET.items() if k in QUEUE_PARAMETERS and k != "page"]),
        "status_links": [
            {"label": label, "count": counts.get(value, 0), "active": status == value,
             "url": "?" + urlencode([("status", value)]) + ("&" + without_status if without_status else "")}
            for value, label in filterset.filters["status"].extra["choices"]
        ],
    }
    return render(request, "scoring/review_queue.html", context)


@login_required
def campaign_review_queue(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The queue opened from a campaign's page: the same queue, filtered to the campaign."""
    _ensure_reviewer(request)
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=campaign_id)
    return redirect(_with_query(reverse("scoring_queue"), urlencode({"campaign": campaign.pk})))


@login_required
@require_POST
def review_bulk_accept(request: HttpRequest) -> HttpResponse:
    """Accept the ticked evidence at their self-assessed scores; what cannot be is listed with the reason."""
    _ensure_reviewer(request)
    back = _with_query(reverse("scoring_queue"), _queue_query(request))
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    if not ids:
        messages.warning(request, _("Tick the evidence to accept."))
        return redirect(back)
    items = list(evidence_reviewable_by(request.user).filter(pk__in=ids)
                 .select_related("unit", "criterion", "period", "campaign").order_by("submitted_at", "pk"))
    if len(items) != len(set(ids)):
        raise Http404
    result = services.reviews_bulk_accept(evidence=items, user=request.user)
    if result.accepted:
        messages.success(request, ngettext("%(count)d evidence accepted at its self-assessed score.",
                                           "%(count)d evidence accepted at their self-assessed scores.",
                                           len(result.accepted)) % {"count": len(result.accepted)})
    for item, reason in result.skipped:
        messages.warning(request, _("Not accepted: %(unit)s · %(code)s: %(reason)s") % {
            "unit": item.unit, "code": item.criterion.code, "reason": reason})
    return redirect(back)


def _decision_message(evidence) -> str:
    if evidence.status == Review.Decision.ACCEPTED:
        if evidence.score is None:
            return _("Accepted: %(unit)s · %(code)s.") % {"unit": evidence.unit, "code": evidence.criterion.code}
        return _("Accepted: %(unit)s · %(code)s, %(score)s points.") % {
            "unit": evidence.unit, "code": evidence.criterion.code, "score": score_format(evidence.score)}
    if evidence.status == Review.Decision.RETURNED:
        return _("Returned to %(unit)s for revision: %(code)s.") % {"unit": evidence.unit,
                                                                     "code": evidence.criterion.code}
    return _("Rejected: %(unit)s · %(code)s.") % {"unit": evidence.unit, "code": evidence.criterion.code}


def _initial(evidence) -> dict:
    decided = evidence.status in Review.Decision.values
    return {
        "decision": evidence.status if decided else Review.Decision.ACCEPTED,
        "score": score_format(evidence.score if evidence.score is not None else evidence.self_score).replace(
            "–", ""),
        "remark": evidence.review_remark,
        "version": evidence.version,
    }


@login_required
def evidence_review(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """One evidence with its files, the unit's note, quantity and self-score, duplicates and earlier reviews,
    and the decision form ("save" back to the queue, "save and next" to the next item waiting)."""
    scope = evidence_in_review_scope(request.user).select_related(
        "unit", "criterion", "criterion__target", "period", "campaign", "reviewed_by", "submitted_by")
    evidence = get_object_or_404(scope, pk=evidence_id)
    query = _queue_query(request)
    own_unit = is_own_unit(request.user, evidence)
    closed = evidence.period.is_closed
    can_decide = not own_unit and not closed and request.user.has_perm("scoring.review_evidence", evidence)
    conflict = None
    status = 200
    if request.method == "POST":
        if own_unit:
            raise PermissionDenied(_("You cannot review the evidence of your own unit."))
        form = ReviewForm(request.POST, criterion=evidence.criterion)
        if form.is_valid():
            try:
                evidence = services.evidence_review(
                    evidence=evidence, user=request.user, decision=form.cleaned_data["decision"],
                    score=form.cleaned_data["score"], remark=form.cleaned_data["remark"],
                    expected_version=form.cleaned_data["version"])
            except ValidationError as error:
                if getattr(error, "code", None) == "conflict":
                    conflict = " ".join(error.messages)
                    evidence = scope.get(pk=evidence.pk)
                    # The reviewer keeps what they typed; saving again is a decision made after seeing the other's.
                    data = request.POST.copy()
                    data["version"] = evidence.version
                    form = ReviewForm(data, criterion=evidence.criterion)
                    form.is_valid()
                else:
                    form.add_error(None, error)
                status = 409 if conflict else 400
            else:
                messages.success(request, _decision_message(evidence))
                if "save_next" in request.POST:
                    filterset = ReviewQueueFilter(request.GET, queryset=evidence_reviewable_by(request.user),
                                                  user=request.user)
                    following = queue_next(filterset=filterset, after=evidence)
                    if following is not None:
                        return redirect(_with_query(reverse("scoring_review", args=[following.pk]), query))
                    messages.info(request, _("No more evidence waiting in this queue."))
                return redirect(_with_query(reverse("scoring_queue"), query))
        else:
            status = 400
    else:
        form = ReviewForm(initial=_initial(evidence), criterion=evidence.criterion)
        if own_unit:
            status = 403

    filterset = ReviewQueueFilter(request.GET, queryset=evidence_reviewable_by(request.user), user=request.user)
    waiting = filterset.qs.filter(status="submitted").order_by()
    position = None
    if evidence.status == "submitted" and evidence.submitted_at is not None:
        # The queue's length and this item's place in it in one query (the queue is the same scope twice).
        counts = waiting.aggregate(total=Count("pk"), ahead=Count("pk", filter=Q(submitted_at__lt=evidence.submitted_at)
                                                                  | Q(submitted_at=evidence.submitted_at,
                                                                      pk__lt=evidence.pk)))
        waiting_count, position = counts["total"], counts["ahead"] + 1
    else:
        waiting_count = waiting.count()
    duplicates = evidence_duplicates(evidence)
    context = {
        "evidence": evidence, "form": form, "files": list(evidence.files.all()),
        "duplicates": duplicates, "duplicate_ids": {d["file"].pk for d in duplicates},
        "reviews": list(evidence.reviews.select_related("reviewer")),
        "own_unit": own_unit, "closed": closed, "can_decide": can_decide, "conflict": conflict,
        "query": query, "queue_url": _with_query(reverse("scoring_queue"), query),
        "waiting_count": waiting_count, "position": position,
    }
    return render(request, "scoring/evidence_review.html", context, status=status)
