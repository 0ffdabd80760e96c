"""Keeps the current request's client address for the audit trail; refuses bodies cut short by the client."""

import contextvars
import logging

from django.http import HttpResponseBadRequest, UnreadablePostError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def current_client_ip() -> str | None:
    return _client_ip.get()


def client_ip_of(request) -> str | None:
    # Behind the reverse proxy the peer is the proxy; it appends the client
    # address to X-Forwarded-For, so the last entry is the one it saw.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(client_ip_of(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)


class IncompleteBodyMiddleware:
    """Read a POST's form data before anything else does; if the client hung up halfway, answer 400.

    Without this, the CSRF check swallows the broken read and a request that passes it by header would reach
    the view with an empty form. Parsing here is what the CSRF check does anyway (multipart to temporary
    files), so it costs nothing more. Needs ``core.wsgi.complete_bodies`` around the WSGI application.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 - parsing is the point
            except UnreadablePostError as exc:
                logger.info("%s %s: request body incomplete (%s); nothing done", request.method, request.path, exc)
                return HttpResponseBadRequest(
                    _("The upload was interrupted before it was complete: nothing was saved. Please send it again."),
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)
