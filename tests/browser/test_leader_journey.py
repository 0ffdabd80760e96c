"""Journey 2: the cluster leader chases the gaps, submits the dossier and drills from the standing to one evidence."""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Campaign, Cluster
from campaigns.selectors import current_period, scored_criteria
from evidence.models import DossierSubmission, Evidence, Reminder
from tests.celery_worker import celery_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _send_current_evidence(cluster: Cluster, period) -> dict[str, int]:
    """Before the journey: the deputy unit has sent everything for the open quarter, the leader's unit three items."""
    criteria = list(scored_criteria(cluster.campaign))
    sent = {cluster.deputy_unit: criteria, cluster.leader_unit: criteria[:3]}
    now = timezone.now()
    Evidence.objects.bulk_create(
        Evidence(campaign=cluster.campaign, period=period, unit=unit, criterion=criterion,
                 status=Evidence.Status.SUBMITTED, note=f"Minh chứng {criterion.code} của {unit.name}.",
                 self_score=criterion.max_points, submitted_at=now - timedelta(hours=2))
        for unit, items in sent.items() for criterion in items
    )
    return {unit.code: len(items) for unit, items in sent.items()}


def _reload_until(page, locator, count: int, timeout: float = 30):
    """Reload until the locator matches ``count`` elements: the page shows work a Celery worker finishes."""
    deadline = time.monotonic() + timeout
    while True:
        page.reload()
        try:
            expect(locator).to_have_count(count, timeout=1000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise


def test_leader_reminds_submits_dossier_and_drills_from_rank_to_evidence(desktop, tmp_path):
    call_command("seed_demo")
    campaign = Campaign.objects.get(title__startswith="Phát động thi đua tổng hợp")
    cluster = Cluster.objects.select_related("leader_unit", "deputy_unit").get(campaign=campaign,
                                                                                 name="Cụm thi đua số 1")
    period = current_period(campaign)
    past = campaign.periods.filter(deadline__lt=timezone.now()).order_by("-order").first()
    sent = _send_current_evidence(cluster, period)
    members = list(cluster.memberships.values_list("unit__code", flat=True))
    with_gaps = sorted(code for code in members if code != cluster.deputy_unit.code)
    log = tmp_path / "worker.log"
    page = desktop.page
    page.on("dialog", lambda dialog: dialog.accept())

    with celery_worker(log, pool="solo"):
        desktop.login("leader", "thidua-demo")
        page.get_by_role("link", name=campaign.title).first.click()
        page.get_by_role("link", name="Tiến độ minh chứng của cụm").click()
        expect(page.locator("h1")).to_contain_text(f"{cluster.name} · {period.name}")
        matrix = page.locator("table.matrix-table")
        deputy_row = matrix.locator("tbody tr", has_text=cluster.deputy_unit.name)
        expect(deputy_row.get_by_role("button")).to_have_count(0)  # nothing missing: no reminder button
        base = scored_criteria(campaign).filter(category="base").count()  # bonus and penalty are no gaps
        expect(deputy_row).to_contain_text(f"{base}/{base}")
        expect(matrix.locator("tbody tr", has_text=cluster.leader_unit.name)).to_contain_text(f"3/{base}")
        desktop.shot("1-matrix")

        # Remind every unit with gaps, with a message; the worker e-mails them.
        page.get_by_label("Lời nhắn gửi các đơn vị").fill("Đề nghị các đơn vị bổ sung minh chứng trước hạn.")
        with page.expect_navigation():
            page.get_by_role("button", name="Gửi lời nhắc").click()
        expect(page.locator(".alert-success")).to_contain_text(f"Đã xếp {len(with_gaps)} lời nhắc")
        reminders = Reminder.objects.filter(cluster=cluster, period=period)
        assert sorted(reminders.values_list("unit__code", flat=True)) == with_gaps
        leader_reminder = reminders.get(unit=cluster.leader_unit)
        assert len(leader_reminder.missing) == base - 3
        assert leader_reminder.message == "Đề nghị các đơn vị bổ sung minh chứng trước hạn."
        _reload_until(page, page.locator("li", has_text="đã gửi thư"), len(with_gaps))
        assert not reminders.filter(sent_at__isnull=True).exists()
        leader_reminder.refresh_from_db()
        assert "leader@example.org" in leader_reminder.recipients
        # The worker uses the console e-mail backend, whose output goes to its log.
        mail = log.read_text()
        assert mail.count("Content-Type: text/plain") == len(with_gaps)
        assert "To: gr01@example.org, leader@example.org" in mail
        assert "Đề nghị các đơn vị bổ sung minh chứng trước hạn." in mail
        desktop.shot("2-reminded")

        # Submit the cluster dossier (a confirm dialog, accepted).
        with page.expect_navigation():
            page.get_by_role("button", name="Nộp hồ sơ cụm").click()
        total = sum(sent.values())
        expect(page.locator(".alert-success")).to_contain_text(f"Đã nộp hồ sơ cụm: {total} minh chứng")
        dossier = DossierSubmission.objects.get(cluster=cluster, period=period)
        assert dossier.on_time and dossier.evidence_count == total and dossier.submitted_by.username == "leader"
        expect(page.get_by_text("đúng hạn")).to_be_visible()
        expect(page.get_by_role("button", name="Nộp lại hồ sơ cụm")).to_be_visible()
        desktop.shot("3-dossier")

    # The standings: from the campaign page to the cluster, then the last quarter with scores.
    page.get_by_role("link", name=campaign.title[:30]).first.click()  # the breadcrumb
    page.get_by_role("link", name="Xếp hạng").click()
    page.get_by_role("link", name=past.name, exact=True).click()
    expect(page.locator("h1")).to_contain_text(f"Xếp hạng của {cluster.name} · {past.name}")
    expect(page.locator("#period-rank")).to_contain_text("Hạng ")
    chart = page.locator("svg").first
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 100
    desktop.shot("4-standing")

    # Drill down: the leader's own unit among the members, then one of its evidence.
    page.locator("#member-table").get_by_role("link", name=cluster.leader_unit.name).click()
    expect(page.locator("h1")).to_contain_text(f"Điểm của {cluster.leader_unit.name} · {past.name}")
    desktop.shot("5-unit")
    page.get_by_role("link", name="Đã chấp nhận").first.click()
    evidence = Evidence.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert evidence.unit == cluster.leader_unit and evidence.period == past
    expect(page.locator("h1")).to_contain_text(evidence.criterion.code)
    expect(page.get_by_text(evidence.note)).to_be_visible()
    for item in evidence.files.all():
        expect(page.get_by_text(item.original_name).first).to_be_visible()
    desktop.shot("6-evidence")
