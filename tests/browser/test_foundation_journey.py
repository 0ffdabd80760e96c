import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_on_a_phone_logs_in_and_sees_the_quarter_countdown(phone):
    call_command("seed_demo")
    phone.login("staff", "thidua-demo")
    page = phone.page
    assert page.locator("h1").inner_text() == "Xin chào, Trần Văn Bình"
    card = page.locator(".card", has_text="Phát động thi đua tổng hợp").first
    assert card.is_visible()
    countdown = card.locator("[data-countdown]").first
    assert countdown.inner_text().startswith("Còn ")
    # Nothing overflows the 390 px screen horizontally.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("home-staff")
    page.get_by_role("link", name="Phát động thi đua tổng hợp").first.click()
    page.wait_for_load_state("networkidle")
    assert "Bộ tiêu chí" in page.content()
    phone.shot("campaign-detail")


def test_a_wrong_password_gets_a_vietnamese_message(phone):
    call_command("seed_demo")
    phone.goto("/dang-nhap/")
    phone.page.get_by_label("Tên đăng nhập").fill("staff")
    phone.page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    phone.page.get_by_role("button", name="Đăng nhập").click()
    assert "Vui lòng điền vào Tên đăng nhập và mật khẩu chính xác" in phone.page.locator(".alert-danger").inner_text()
