"""Journey 3: a reviewer works through the queue, the standings follow the recompute, the quarter is closed."""

import time

import pytest
from django.core.management import call_command

from campaigns.models import Cluster, Period
from core.templatetags.formatting import score as score_format
from evidence.models import Evidence
from scoring.models import ClusterScore, DirtyCluster
from tests.celery_worker import celery_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_reviewer_saves_and_moves_on_returns_one_accepts_the_rest_and_closes_the_quarter(desktop, tmp_path):
    call_command("seed_demo")
    period = Period.objects.get(campaign__number__startswith="05-KHPH", name="Quý III")
    cluster = Cluster.objects.get(campaign=period.campaign, name="Cụm thi đua số 1")
    waiting = list(Evidence.objects.filter(period=period, status="submitted",
                                           unit__cluster_memberships__cluster=cluster).order_by("submitted_at", "pk"))
    assert len(waiting) >= 3
    score_before = ClusterScore.objects.get(period=period, cluster=cluster).score
    page = desktop.page
    page.on("dialog", lambda dialog: dialog.accept())

    with celery_worker(tmp_path / "worker.log", pool="solo"):
        desktop.login("reviewer", "thidua-demo")
        page.get_by_role("link", name="Thẩm định").first.click()
        page.wait_for_load_state("networkidle")
        page.locator("details summary").click()
        page.select_option("#id_campaign", str(period.campaign_id))
        page.select_option("#id_period", str(period.pk))
        page.select_option("#id_cluster", str(cluster.pk))
        with page.expect_navigation():
            page.get_by_role("button", name="Lọc").click()
        rows = page.locator("table.review-queue tbody tr")
        assert rows.count() == len(waiting)
        desktop.shot("1-queue")

        with page.expect_navigation():
            rows.first.get_by_role("link", name="Thẩm định").click()
        assert f"Thứ 1 / {len(waiting)} đang chờ" in page.content()
        desktop.shot("2-review")
        page.get_by_text("Trả lại để bổ sung", exact=True).click()
        page.get_by_label("Nhận xét gửi đơn vị").fill("Bổ sung biên bản có chữ ký của Bí thư")
        with page.expect_navigation():
            page.get_by_role("button", name="Lưu và chuyển tiếp").click()
        assert "Đã trả lại" in page.locator(".alert-success").inner_text()

        for _ in waiting[1:]:
            page.get_by_text("Chấp nhận", exact=True).click()
            score = page.get_by_label("Điểm", exact=True)
            if not score.input_value():
                score.fill("1,5")
            with page.expect_navigation():
                page.get_by_role("button", name="Lưu và chuyển tiếp").click()
            assert "Đã chấp nhận" in page.locator(".alert-success").inner_text()
        assert "Hàng đợi này đã hết minh chứng chờ thẩm định." in page.content()
        desktop.shot("3-queue-done")

        statuses = [Evidence.objects.get(pk=e.pk).status for e in waiting]
        assert statuses == ["returned"] + ["accepted"] * (len(waiting) - 1)
        _wait_for(lambda: not DirtyCluster.objects.filter(period=period).exists())
        score_after = ClusterScore.objects.get(period=period, cluster=cluster).score
        assert score_after > score_before

        desktop.goto(f"/cham-diem/phong-trao/{period.campaign_id}/xep-hang/?period={period.pk}")
        row = page.locator("tr", has_text="Cụm thi đua số 1").first
        assert score_format(score_after) in row.inner_text()
        desktop.shot("4-standings")
        with page.expect_navigation():
            page.get_by_role("button", name="Khóa sổ và chốt xếp hạng").click()
        period.refresh_from_db()
        assert period.is_closed
        assert "đã khóa sổ" in page.content().lower()
        desktop.shot("5-closed")
