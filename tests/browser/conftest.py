"""Playwright driving Debian's Chromium against the live test server.

Skipped only where /usr/bin/chromium is missing (``apt-get install chromium``).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Zhucun-browser-2019"

if not os.path.exists(CHROMIUM):
    pytest.skip(
        f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests",
        allow_module_level=True,
    )


def screenshots_dir() -> Path:
    path = Path(settings.VAR_DIR) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Session:
    """One page with every request, console error and page error it saw."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and self.errors.append(f"{message.text} @ {message.location}")
            ),
        )
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def go(self, path: str):
        return self.page.goto(self.base_url + path)

    def log_in(self, username: str, password: str = PASSWORD):
        self.go("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation():
            self.page.click("form [type=submit]")

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def shot(self, name: str) -> Path:
        target = screenshots_dir() / f"{name}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def assert_clean(self):
        """No request left the test server; nothing went wrong in the console."""
        foreign = [u for u in self.requests if not u.startswith(self.base_url + "/")]
        assert foreign == []
        assert self.errors == []


@pytest.fixture
def browse(live_server):
    """``browse(viewport=…)`` opens a page; the browser closes after the test.

    Build the data before the first call: Playwright's sync API runs an event
    loop in this thread, and Django refuses database calls while it runs.
    """
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )

    def open_page(viewport: dict | None = None) -> Session:
        context = browser.new_context(
            viewport=viewport or {"width": 1280, "height": 900}, locale="zh-CN"
        )
        return Session(context.new_page(), live_server.url)

    try:
        yield open_page
    finally:
        browser.close()
        playwright.stop()
