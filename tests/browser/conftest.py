"""Browser journeys: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Each test gets a page that records console errors and failed requests; the
test fails if any occurred. Screenshots go to ``test-output/browser/<test>/``.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class Journey:
    """A browser page plus the problems it saw and a screenshot helper."""

    def __init__(self, page, base_url: str, folder: Path):
        self.page = page
        self.base_url = base_url
        self.folder = folder
        self.problems: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _on_request_failed(self, request):
        # A download the page hands to the browser is not a failure.
        if request.failure and "ERR_ABORTED" in request.failure and request.resource_type == "document":
            return
        self.problems.append(f"request failed: {request.method} {request.url} {request.failure}")

    def _on_response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def login(self, username: str, password: str):
        self.goto("/dang-nhap/")
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(password)
        self.page.get_by_role("button", name="Đăng nhập").click()
        self.page.wait_for_load_state("networkidle")

    def shot(self, name: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _journey(browser, live_server, request, viewport):
    context = browser.new_context(viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(15000)
    folder = OUTPUT / re.sub(r"[^\w.-]+", "_", request.node.name)
    journey = Journey(page, live_server.url, folder)
    yield journey
    context.close()
    assert journey.problems == []


@pytest.fixture
def phone(browser, live_server, request):
    yield from _journey(browser, live_server, request, PHONE)


@pytest.fixture
def desktop(browser, live_server, request):
    yield from _journey(browser, live_server, request, DESKTOP)
