"""Phone layout sweep: every main page of the three roles that work on phones, at 390 × 844.

Each page must answer 200, log no console error and no failed request, and
fit the screen: nothing may stick out to the right of the 390 px viewport
except inside its own horizontally scrollable container (a wide table in a
``.table-responsive``). The offending elements are named in the failure.
One screenshot per page goes to ``test-output/browser/<test>/``.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from accounts.models import User
from awards import services as award_services
from campaigns.models import Campaign, Cluster
from campaigns.selectors import current_period, scored_criteria
from evidence.models import Evidence
from scoring import services as scoring_services
from tests.evidence.factories import pdf_bytes, png_bytes
from tests.factories import EvidenceFileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
# What a phone user really sends: a file name straight from Zalo or the camera roll, a long link.
LONG_FILE = "Bao-cao-tong-ket-cong-tac-Doan-va-phong-trao-thanh-thieu-nhi-quy-IV-Doan-xa-Thanh-Hung-ban-chinh-thuc.pdf"
LONG_IMAGE = "z5912345678901_3f9c2a7e1b4d5c6a8e9f0a1b2c3d4e5f.jpg.png"
LONG_LINK = ("https://www.facebook.com/permalink.php?story_fbid=pfbid02xYzAbCdEfGhIjKlMnOpQrStUvWxYz1234567890"
             "&id=100064512345678")
LONG_NOTE = ("Tổ chức Ngày hội thanh niên khởi nghiệp, tuyên truyền Nghị quyết Đại hội Đoàn các cấp nhiệm kỳ "
             "2022–2027 tại nhà văn hoá ấp Thạnh Hưng; biên bản: "
             "https://drive.google.com/drive/folders/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789?usp=sharing")

# The elements that stick out to the right (or left) of the viewport and are not inside a container that
# clips or scrolls them: the outermost boxes, else the innermost elements whose content overflows.
OVERFLOW_JS = """() => {
  const limit = document.documentElement.clientWidth;
  const name = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    for (const c of el.classList) s += '.' + c;
    return s;
  };
  const path = el => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) parts.unshift(name(e));
    return parts.join(' > ');
  };
  // Clipped or scrolled by an ancestor. An absolutely positioned element escapes every scroller
  // below its containing block (a visually-hidden label in a table cell, say), a fixed one all of them.
  const contained = el => {
    const position = getComputedStyle(el).position;
    if (position === 'fixed') return false;
    let p = position === 'absolute' ? el.offsetParent : el.parentElement;
    for (; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const boxes = [], contents = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const boxOut = r.right > limit + 0.5 || r.left < -0.5;
    const contentOut = getComputedStyle(el).overflowX === 'visible' && r.left + el.scrollWidth > limit + 1;
    if (!(boxOut || contentOut) || contained(el)) continue;
    if (boxOut) {
      if (!boxes.some(o => o.contains(el))) boxes.push(el);
    } else {
      contents.push(el);
    }
  }
  const innermost = contents.filter(el => !contents.some(o => o !== el && el.contains(o)));
  const report = boxes.length ? boxes : innermost;
  return {
    scrollWidth: document.documentElement.scrollWidth,
    offenders: report.slice(0, 8).map(el => path(el) + ' [' + Math.round(el.getBoundingClientRect().left) + '…'
      + Math.round(el.getBoundingClientRect().right) + 'px]'),
  };
}"""


def _world() -> dict:
    """The demo, plus what the demo lacks: closed-quarter award decisions (one issued, one draft) and
    evidence of the open quarter with a long file name, a long link and a long note."""
    call_command("seed_demo")
    campaign = Campaign.objects.get(title__startswith="Phát động thi đua tổng hợp")
    provincial = Campaign.objects.exclude(pk=campaign.pk).filter(targets__isnull=False).distinct().get()
    reviewer, staff, leader = (User.objects.get(username=name) for name in ("reviewer", "staff", "leader"))
    now = timezone.now()
    past = list(campaign.periods.filter(deadline__lt=now).order_by("order"))
    reviewed, closed = past[-1], past[0]
    period = current_period(campaign)
    cluster = Cluster.objects.get(campaign=campaign, leader_unit=leader.unit)

    scoring_services.period_close(period=closed, user=reviewer)
    closed.refresh_from_db()
    issued = award_services.decision_propose(campaign=campaign, period=closed, issuer_unit=reviewer.unit,
                                             organisation="doan", user=reviewer)
    award_services.decision_issue(decision=issued, user=reviewer, number="45-QĐ/ĐTN", date=timezone.localdate(),
                                  place="Giồng Riềng", signer_title="Bí thư", signer_name="Nguyễn Văn An")
    draft = award_services.decision_propose(campaign=campaign, period=closed, issuer_unit=reviewer.unit,
                                            organisation="hoi", user=reviewer)

    criterion = scored_criteria(campaign).filter(category="base").first()
    current = Evidence.objects.create(
        campaign=campaign, period=period, unit=staff.unit, criterion=criterion, status=Evidence.Status.SUBMITTED,
        note=LONG_NOTE, links=[LONG_LINK], self_score=criterion.max_points, created_by=staff,
        submitted_by=staff, submitted_at=now - timedelta(hours=3),
    )
    for name, data, content_type in ((LONG_FILE, pdf_bytes(), "application/pdf"),
                                     (LONG_IMAGE, png_bytes((640, 480)), "image/png")):
        EvidenceFileFactory(evidence=current, file=ContentFile(data, name=name), original_name=name, size=len(data),
                            content_type=content_type, uploaded_by=staff)
    staff_done = (Evidence.objects.filter(unit=staff.unit, period=reviewed, files__isnull=False)
                  .exclude(status=Evidence.Status.DRAFT).order_by("pk").first())
    leader_done = Evidence.objects.filter(unit=leader.unit, period=reviewed, files__isnull=False).order_by("pk").first()
    waiting = (Evidence.objects.filter(period=reviewed, status=Evidence.Status.SUBMITTED, files__isnull=False)
               .order_by("submitted_at", "pk").first())
    target = provincial.targets.order_by("pk").first()
    return {
        "campaign": campaign, "provincial": provincial, "period": period, "reviewed": reviewed, "closed": closed,
        "cluster": cluster, "criterion": criterion, "current": current, "staff_done": staff_done,
        "leader_done": leader_done, "waiting": waiting, "issued": issued, "draft": draft, "target": target,
        "staff": staff, "leader": leader, "reviewer": reviewer,
    }


def _public_pages(w: dict) -> list[tuple[str, str]]:
    """Before logging in: the login page, and the page a certificate's QR code opens."""
    code = w["issued"].awards.order_by("pk").first().code
    return [("login", reverse("login")), ("verify", reverse("award_verify", args=[code]))]


def _pages(role: str, w: dict) -> list[tuple[str, str]]:
    """(name, path) of the pages the role reaches from the menu and the campaign page."""
    c, p, r = w["campaign"], w["period"], w["reviewed"]
    common = [
        ("home", reverse("home")),
        ("campaign-list", reverse("campaign_list")),
        ("campaign", reverse("campaign_detail", args=[c.pk])),
    ]
    account = [("password-change", reverse("password_change"))]
    own_evidence = [  # a unit's own pages, for staff and leaders alike
        ("evidence-campaign", reverse("evidence_campaign", args=[c.pk])),
        ("evidence-quarter", reverse("evidence_period", args=[p.pk])),
        ("evidence-form", reverse("evidence_edit", args=[p.pk, w["criterion"].pk])),
    ]
    if role == "staff":
        unit = w["staff"].unit
        return common + own_evidence + [
            ("evidence-detail-current", reverse("evidence_detail", args=[w["current"].pk])),
            ("evidence-past-quarter", reverse("evidence_period", args=[r.pk])),
            ("evidence-detail-reviewed", reverse("evidence_detail", args=[w["staff_done"].pk])),
            ("standings-campaign", reverse("scoring_campaign", args=[c.pk])),
            ("standings-unit", reverse("scoring_unit", args=[unit.pk, r.pk])),
            ("targets", reverse("targets:home")),
        ] + account
    if role == "leader":
        cluster, unit = w["cluster"], w["leader"].unit
        return common + own_evidence + [
            ("evidence-detail", reverse("evidence_detail", args=[w["leader_done"].pk])),
            ("matrix-campaign", reverse("cluster_matrix_campaign", args=[c.pk])),
            ("matrix", reverse("cluster_matrix", args=[cluster.pk, p.pk])),
            ("matrix-past-quarter", reverse("cluster_matrix", args=[cluster.pk, r.pk])),
            ("standings-campaign", reverse("scoring_campaign", args=[c.pk])),
            ("standings-cluster", reverse("scoring_cluster", args=[cluster.pk]) + f"?period={r.pk}"),
            ("standings-unit", reverse("scoring_unit", args=[unit.pk, r.pk])),
            ("excel", reverse("reports_campaign", args=[c.pk])),
            ("targets", reverse("targets:home")),
        ] + account
    cluster, office = w["cluster"], w["reviewer"].unit
    provincial = w["provincial"]
    return common + [
        ("review-queue", reverse("scoring_queue")),
        ("review-queue-campaign", reverse("scoring_campaign_queue", args=[c.pk])),
        ("review", reverse("scoring_review", args=[w["waiting"].pk])),
        ("evidence-detail", reverse("evidence_detail", args=[w["current"].pk])),
        ("matrix-campaign", reverse("cluster_matrix_campaign", args=[c.pk])),
        ("matrix", reverse("cluster_matrix", args=[cluster.pk, p.pk])),
        ("late-windows", reverse("late_windows", args=[c.pk])),
        ("dossiers", reverse("dossier_overview", args=[c.pk])),
        ("standings-campaign", reverse("scoring_campaign", args=[c.pk])),
        ("standings-all", reverse("scoring_standings", args=[c.pk]) + f"?period={r.pk}"),
        ("standings-cluster", reverse("scoring_cluster", args=[cluster.pk]) + f"?period={r.pk}"),
        ("standings-unit", reverse("scoring_unit", args=[cluster.leader_unit_id, r.pk])),
        ("awards", reverse("campaign_awards", args=[c.pk])),
        ("award-decision-issued", reverse("decision_detail", args=[w["issued"].pk])),
        ("award-decision-draft", reverse("decision_detail", args=[w["draft"].pk])),
        ("award-decision-edit", reverse("decision_edit", args=[w["draft"].pk])),
        ("award-forms", reverse("award_form_list")),
        ("base-salaries", reverse("base_salary_list")),
        ("certificate-templates", reverse("certificate_template_list")),
        ("excel-home", reverse("reports_home")),
        ("excel-campaign", reverse("reports_campaign", args=[c.pk])),
        ("targets", reverse("targets:home")),
        ("targets-district", reverse("targets:dashboard", args=[c.pk])),
        ("targets-provincial", reverse("targets:dashboard", args=[provincial.pk])),
        ("targets-unit", reverse("targets:unit", args=[provincial.pk, office.pk])),
        ("targets-report", reverse("targets:progress", args=[provincial.pk, office.pk])),
        ("target-detail", reverse("targets:detail", args=[w["target"].pk])),
        ("targets-reporting", reverse("targets:reporting", args=[provincial.pk])),
        ("audit-trail", reverse("audit_trail")),
        ("campaign-setup", reverse("campaign_setup", args=[c.pk])),
        ("users", reverse("user_list")),
        ("user-edit", reverse("user_edit", args=[w["staff"].pk])),
    ] + account


def _check(phone, shot: str, path: str) -> list[str]:
    """Open one page and return what is wrong with it on a phone; save its screenshot."""
    phone.problems.clear()
    try:
        response = phone.goto(path)
        phone.page.wait_for_load_state("networkidle")
    except PlaywrightError as exc:
        return [exc.message.splitlines()[0]]
    layout = phone.page.evaluate(OVERFLOW_JS)
    phone.shot(shot)
    found = list(phone.problems)
    phone.problems.clear()
    if response is None or response.status != 200:
        found.append(f"status {response.status if response else 'none'}")
    if layout["scrollWidth"] > WIDTH or layout["offenders"]:
        found.append(f"scrollWidth {layout['scrollWidth']}; sticking out: {layout['offenders']}")
    return found


@pytest.mark.parametrize("role", ["staff", "leader", "reviewer"])
def test_phone_pages_fit_390px_without_errors(phone, role):
    world = _world()
    public = _public_pages(world) if role == "staff" else []  # once is enough
    failures = []
    for index, (name, path) in enumerate(public, start=1):
        failures += [f"{name} {path}: {problem}" for problem in _check(phone, f"0{index}-{name}", path)]
    phone.login(role, "thidua-demo")
    for index, (name, path) in enumerate(_pages(role, world), start=10):
        failures += [f"{name} {path}: {problem}" for problem in _check(phone, f"{index:02d}-{name}", path)]
    assert not failures, f"{role}: {len(failures)} problem(s) on a phone:\n" + "\n".join(failures)
