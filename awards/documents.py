"""PDF documents of awards, rendered with WeasyPrint: certificates (Giấy khen) and decisions.

Rendering never reaches the network or the local disk beyond the project's
own static files: :class:`SafeURLFetcher` serves ``static:`` URLs (resolved by
the staticfiles finders or STATIC_ROOT) and ``data:`` URIs, and refuses the
rest. Templates are Django templates, so user text is auto-escaped.
"""

import base64
import io
import logging
import mimetypes
from pathlib import Path

import qrcode
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .models import Award, AwardDecision, CertificateTemplate
from .selectors import template_for

logger = logging.getLogger(__name__)

STATIC_SCHEME = "static:"
CERTIFICATE_LAYOUTS = {
    CertificateTemplate.Layout.CLASSIC: "awards/documents/certificate_classic.html",
    CertificateTemplate.Layout.RIBBON: "awards/documents/certificate_ribbon.html",
}


class RefusedURL(ValueError):
    """A document asked for a resource outside the project's static files."""


class SafeURLFetcher(URLFetcher):
    """Serves only ``static:<path>`` (the project's static files) and ``data:`` URIs; refuses everything else.

    ``refused`` lists the URLs turned away, for the logs and the tests.
    """

    def __init__(self):
        super().__init__(allowed_protocols={"data"})
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(STATIC_SCHEME):
            path = _static_path(url[len(STATIC_SCHEME):].lstrip("/"))
            if path is not None:
                mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})
        self.refused.append(url)
        logger.warning("document rendering refused to fetch %s", url[:200])
        raise RefusedURL(f"refused: {url[:200]}")


def _static_path(relative: str) -> Path | None:
    """A file of the project's static files, never a path outside them."""
    if not relative or ".." in Path(relative).parts or relative.startswith("/"):
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    root = Path(settings.STATIC_ROOT).resolve()
    candidate = (root / relative).resolve()
    if candidate.is_file() and candidate.is_relative_to(root):
        return candidate
    return None


def verification_url(award: Award) -> str:
    return settings.SITE_URL + reverse("award_verify", args=[award.code])


def qr_png_data_uri(text: str) -> str:
    """A QR code of ``text`` as a small PNG data URI, one pixel per module.

    The certificate scales it up with ``image-rendering: pixelated``, so the
    modules stay sharp; a PNG draws much faster in WeasyPrint than an SVG.
    """
    # A fixed mask pattern: any of the eight is valid for readers, and searching for the "best"
    # one costs more than drawing the whole certificate's text.
    code = qrcode.QRCode(box_size=1, border=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=2)
    code.add_data(text)
    image = code.make_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _render(html: str, target, fetcher: SafeURLFetcher | None = None):
    fetcher = fetcher or SafeURLFetcher()
    return HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf(target)


def certificates_html(awards: list[Award], template: CertificateTemplate | None = None) -> str:
    """One page per award; the awards share one decision."""
    decision = awards[0].decision
    layout = template.layout if template else CertificateTemplate.Layout.CLASSIC
    certificates = []
    for award in awards:
        url = verification_url(award)
        certificates.append({"award": award, "verify_url": url, "qr": qr_png_data_uri(url)})
    return render_to_string(CERTIFICATE_LAYOUTS[layout], {
        "certificates": certificates,
        "decision": decision,
        "issuer_upper": decision.issuer_name.upper(),
        "is_hoi": decision.organisation == "hoi",
        "colour": template.colour if template else "#b3261e",
        "accent": template.accent_colour if template else "#c9a227",
        "border": template.border if template else CertificateTemplate.Border.DOUBLE,
    })


def certificate_html(award: Award, template: CertificateTemplate | None = None) -> str:
    return certificates_html([award], template)


def certificate_pdf(award: Award, target=None, template: CertificateTemplate | None = None):
    """One certificate (A4 landscape). Returns the PDF bytes, or writes to ``target`` (path or file)."""
    template = template if template is not None else template_for(award.decision)
    return _render(certificate_html(award, template), target)


def certificates_pdf(awards: list[Award], target, template: CertificateTemplate | None = None):
    """Several certificates of one decision as one PDF, a page each.

    Rendering a handful of pages in one document costs little more per page than
    WeasyPrint's floor, where one document per certificate costs several times it.
    """
    return _render(certificates_html(awards, template), target)


def decision_html(decision: AwardDecision) -> str:
    awards = list(decision.awards.select_related("award_form").order_by("order", "pk"))
    return render_to_string("awards/documents/decision.html", {
        "decision": decision,
        "awards": awards,
        "total": sum(award.amount for award in awards),
        "issuer_upper": decision.issuer_name.upper(),
        "forms": sorted({award.award_form.name for award in awards}),
    })


def decision_pdf(decision: AwardDecision, target=None):
    """The decision (Quyết định khen thưởng), A4 portrait, Decree 30/2020 margins, page numbers from page 2."""
    return _render(decision_html(decision), target)
