"""Journey 4: the office closes a quarter, proposes and issues the awards, prints and downloads the certificates
and the Excel standings, and anyone can verify a certificate on the public page."""

import io
import re

import openpyxl
import pypdf
import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from awards.models import Award, AwardDecision
from campaigns.models import Campaign, Period
from scoring.models import StandingSnapshot
from tests.browser.conftest import DESKTOP, Journey
from tests.celery_worker import celery_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _download(page, click) -> tuple[str, bytes]:
    with page.expect_download() as info:
        click()
    download = info.value
    with open(download.path(), "rb") as handle:
        return download.suggested_filename, handle.read()


def test_office_closes_quarter_issues_awards_prints_certificates_and_exports(desktop, browser, live_server, tmp_path):
    call_command("seed_demo")
    campaign = Campaign.objects.get(title__startswith="Phát động thi đua tổng hợp")
    period = campaign.periods.filter(deadline__lt=timezone.now()).order_by("-order").first()
    page = desktop.page
    page.on("dialog", lambda dialog: dialog.accept())

    with celery_worker(tmp_path / "worker.log", pool="solo"):
        desktop.login("reviewer", "thidua-demo")
        page.get_by_role("link", name=campaign.title).first.click()
        page.get_by_role("link", name="Xếp hạng Thứ hạng").click()
        page.get_by_role("link", name=period.name, exact=True).click()
        expect(page.locator("h1")).to_contain_text(f"Xếp hạng các cụm · {period.name}")
        desktop.shot("1-standings-open")

        # Close the quarter (khóa sổ) from the standings page; the confirm dialog is accepted.
        with page.expect_navigation():
            page.get_by_role("button", name="Khóa sổ và chốt xếp hạng").click()
        expect(page.locator(".alert-success")).to_contain_text(f"{period.name} đã khóa sổ")
        expect(page.get_by_role("button", name="Mở lại đợt")).to_be_visible()
        period.refresh_from_db()
        assert period.status == Period.Status.CLOSED
        snapshot = StandingSnapshot.objects.get(period=period, reopened_at__isnull=True)
        leading = next(c for c in snapshot.data["clusters"] if c["rank"] == 1)
        desktop.shot("2-standings-closed")

        # Propose the awards from the frozen standings (Đoàn issuer), check the draft, issue it.
        page.get_by_role("link", name=campaign.title[:30]).first.click()  # the breadcrumb
        page.get_by_role("link", name="Khen thưởng Quy tắc").click()
        page.get_by_label("Xếp hạng").select_option(label=period.name)
        page.get_by_label("Cơ quan khen thưởng").select_option(index=0)
        with page.expect_navigation():
            page.get_by_role("button", name="Đề xuất khen thưởng").click()
        expect(page.locator(".alert-success")).to_contain_text("Đã lập dự thảo quyết định với 2 đề xuất")
        decision = AwardDecision.objects.get(campaign=campaign, period=period, status=AwardDecision.Status.DRAFT)
        awards = list(decision.awards.select_related("cluster", "unit").order_by("id"))
        assert [a.cluster_id for a in awards if a.cluster_id] == [leading["cluster_id"]]
        expect(page.locator("table")).to_contain_text(leading["name"])
        expect(page.locator("table tfoot")).to_contain_text("1.500.000 đ")
        desktop.shot("3-draft")

        issue = page.locator(".card", has=page.locator(".card-header", has_text="Ban hành quyết định"))
        issue.get_by_label("Số").fill("45-QĐ/ĐTN")
        issue.get_by_label("Ngày").fill(timezone.localdate().isoformat())
        with page.expect_navigation():
            issue.get_by_role("button", name="Ban hành quyết định").click()
        expect(page.locator(".alert-success")).to_contain_text("Đã ban hành Quyết định số 45-QĐ/ĐTN")
        decision.refresh_from_db()
        assert decision.is_issued and decision.number == "45-QĐ/ĐTN"
        assert sum(decision.awards.values_list("amount", flat=True)) == 1_500_000
        desktop.shot("4-issued")

        # Print every certificate: the progress bar follows the worker's batch to the end.
        with page.expect_navigation():
            page.get_by_role("button", name="In toàn bộ giấy khen").click()
        bar = page.get_by_role("progressbar", name="Tiến độ")
        expect(bar).to_be_visible()
        expect(bar).to_have_attribute("aria-valuenow", "100", timeout=60000)
        expect(page.locator("#job-status")).to_contain_text("Hoàn tất · 2/2 giấy khen")
        desktop.shot("5-printed")
        name, pdf = _download(page, page.get_by_role("link", name="Tất cả giấy khen (một tệp PDF)").click)
        assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == len(awards)
        first_page = reader.pages[0].extract_text()
        assert "TẶNG GIẤY KHEN" in first_page and "Số QĐ: 45-QĐ/ĐTN" in first_page
        code = re.search(r"Mã xác thực: (\w+)", first_page).group(1)
        award = Award.objects.get(code=code)
        assert award.decision_id == decision.pk

    # The Excel standings of the quarter, from the campaign's Excel page.
    page.get_by_role("link", name="← Quyết định 45-QĐ/ĐTN").click()
    page.get_by_role("link", name="Khen thưởng ·").click()
    page.get_by_role("link", name=campaign.title[:30]).first.click()
    page.get_by_role("link", name="Nhập, xuất Excel").click()
    card = page.locator(".card", has=page.get_by_text("Xếp hạng theo đợt", exact=True))
    card.get_by_label("Đợt").select_option(label=period.name)
    name, xlsx = _download(page, card.get_by_role("button", name="Xuất Excel").click)
    assert name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    cells = [str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for value in row if value is not None]
    assert leading["name"] in cells and period.name in " ".join(cells)
    desktop.shot("6-excel-page")

    # Anyone, logged out, scans the certificate's QR code: the public page says it is genuine.
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    public = Journey(context.new_page(), live_server.url, desktop.folder)
    public.goto(f"/verify/{code}")
    expect(public.page.locator(".alert-success")).to_contain_text("Giấy khen hợp lệ và đang có hiệu lực.")
    expect(public.page.locator("dl")).to_contain_text(award.recipient_name)
    expect(public.page.locator("dl")).to_contain_text("45-QĐ/ĐTN")
    expect(public.page.get_by_role("link", name="Đăng xuất")).to_have_count(0)
    public.shot("7-verified")
    context.close()
    assert public.problems == []
