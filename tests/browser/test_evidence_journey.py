"""Journey 1: unit staff on a phone upload and submit evidence; the reviewer returns it; the staff amend it."""

import pytest
from django.core.management import call_command

from evidence.models import Evidence
from tests.celery_worker import celery_worker
from tests.evidence.factories import jpeg_bytes, pdf_bytes, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _files(tmp_path):
    paths = []
    for name, data in (("le-ra-quan.jpg", jpeg_bytes((800, 600))), ("tuyen-truyen.png", png_bytes((640, 480))),
                       ("bien-ban.pdf", pdf_bytes())):
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    return paths


def test_staff_upload_submit_get_returned_amend_and_resubmit(phone, browser, live_server, tmp_path):
    call_command("seed_demo")
    with celery_worker(tmp_path / "worker.log", pool="solo"):
        page = phone.page
        phone.login("staff", "thidua-demo")
        page.get_by_role("link", name="Phát động thi đua tổng hợp").first.click()
        page.get_by_role("link", name="Minh chứng của đơn vị").first.click()
        page.wait_for_load_state("networkidle")
        assert "Quý IV" in page.locator("h1").inner_text()
        assert page.locator("[data-countdown]").first.inner_text().startswith("Còn ")
        phone.shot("1-period")
        row = page.locator("tr", has_text="I.1").first
        code = row.locator("td").first.inner_text()
        row.get_by_role("link", name="Mở").click()
        page.wait_for_load_state("networkidle")

        page.locator("#id_files").set_input_files(_files(tmp_path))
        assert "bien-ban.pdf" in page.locator("[data-selected-files]").inner_text()
        page.get_by_label("Ghi chú").fill("Ảnh lễ ra quân và biên bản sinh hoạt chi đoàn")
        page.get_by_label("Điểm tự chấm").fill("2")
        phone.shot("2-form")
        with page.expect_navigation():
            page.get_by_role("button", name="Gửi").click()
        evidence = Evidence.objects.get(period__name="Quý IV", unit__code="GR-02", criterion__code=code)
        assert evidence.status == "submitted" and evidence.files.count() == 3
        assert page.locator(".status-submitted").first.is_visible()
        phone.shot("3-submitted")

        # The reviewer returns it from the review page.
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        reviewer = context.new_page()
        reviewer.goto(live_server.url + "/dang-nhap/")
        reviewer.get_by_label("Tên đăng nhập").fill("reviewer")
        reviewer.get_by_label("Mật khẩu").fill("thidua-demo")
        reviewer.get_by_role("button", name="Đăng nhập").click()
        reviewer.goto(live_server.url + f"/cham-diem/minh-chung/{evidence.pk}/")
        assert "Ảnh lễ ra quân và biên bản sinh hoạt chi đoàn" in reviewer.content()
        reviewer.get_by_text("Trả lại để bổ sung", exact=True).click()
        reviewer.get_by_label("Nhận xét gửi đơn vị").fill("Bổ sung kế hoạch có chữ ký, đóng dấu")
        with reviewer.expect_navigation():
            reviewer.get_by_role("button", name="Lưu", exact=True).click()
        assert "Đã trả lại" in reviewer.locator(".alert-success").inner_text()
        context.close()

        # Back on the phone: the remark is shown, the staff amend and submit again.
        page.reload()
        assert "Bổ sung kế hoạch có chữ ký, đóng dấu" in page.content()
        phone.shot("4-returned")
        page.goto(live_server.url + f"/minh-chung/ky/{evidence.period_id}/tieu-chi/{evidence.criterion_id}/")
        assert "Bổ sung kế hoạch có chữ ký, đóng dấu" in page.locator(".alert-warning").first.inner_text()
        extra = tmp_path / "ke-hoach.pdf"
        extra.write_bytes(pdf_bytes())
        page.locator("#id_files").set_input_files([str(extra)])
        with page.expect_navigation():
            page.get_by_role("button", name="Gửi lại").click()
        evidence.refresh_from_db()
        assert evidence.status == "submitted" and evidence.files.count() == 4
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        phone.shot("5-resubmitted")
