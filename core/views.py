import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from campaigns.selectors import campaigns_visible_to, clusters_led_by, clusters_of_unit, current_period


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page, shaped by the user's role: admin, office reviewer, cluster leader, unit staff."""
    user = request.user
    campaigns = list(
        campaigns_visible_to(user).select_related("issuing_unit").prefetch_related("periods")[:20]
    )
    clusters = clusters_of_unit(unit_id=user.unit_id, campaigns=campaigns) if user.unit_id else {}
    cards = []
    for campaign in campaigns:
        cluster = clusters.get(campaign.pk)
        cards.append(
            {
                "campaign": campaign,
                "period": current_period(campaign),
                "cluster": cluster,
                "leads_cluster": bool(cluster and user.unit_id in (cluster.leader_unit_id, cluster.deputy_unit_id)),
            }
        )
    if user.is_admin:
        role_template = "core/home_admin.html"
    elif user.is_office:
        role_template = "core/home_office.html"
    elif clusters_led_by(user).exists():
        role_template = "core/home_leader.html"
    else:
        role_template = "core/home_staff.html"
    return render(request, "core/home.html", {"cards": cards, "role_template": role_template})


def _check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - the endpoint reports any failure
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "engine": connection.vendor, "ms": round((time.monotonic() - started) * 1000, 1)}


def _check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "embedded (no REDIS_URL)"}
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def _check_workers(redis_ok: bool) -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "in-process (eager)", "count": 0}
    if not redis_ok:
        return {"ok": False, "count": 0, "error": "broker unreachable"}
    from emulation.celery import app

    try:
        replies = app.control.ping(timeout=1.0) or []
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "count": 0, "error": exc.__class__.__name__}
    return {"ok": bool(replies), "count": len(replies)}


@never_cache
@require_GET
def livez(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers (no database or broker touched). /healthz is the readiness check."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, Redis and Celery worker state as JSON.

    503 only if the database is down: the portal cannot serve a page then. With Redis
    or the workers down it still serves every page and keeps every change (the work
    they would do waits in PostgreSQL for the beat sweep), so it answers 200 with
    status "degraded" and says which part is missing.
    """
    database = _check_database()
    redis_state = _check_redis()
    workers = _check_workers(redis_state["ok"])
    if not database["ok"]:
        status = "error"
    elif redis_state["ok"] and workers["ok"]:
        status = "ok"
    else:
        status = "degraded"
    body = {"status": status, "database": database, "redis": redis_state, "workers": workers}
    return JsonResponse(body, status=503 if status == "error" else 200)
