"""Playwright driving Debian's Chromium against the live test server.

Skipped only where /usr/bin/chromium is missing (``apt-get install chromium``).

Each test that talks to the live server is transactional (its data are
flushed after it), so each builds the small world it needs, then opens
Chromium. One Chromium per test, not per module: while Playwright's sync API
lives, an asyncio loop runs in the test thread, and under a running loop
Django's connection handler hands out another connection than the test
database's own (one without the data it restores between tests).
"""

import os
from concurrent.futures import ThreadPoolExecutor
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
# Hashing a password the production way takes about a second on a busy machine,
# once per account made and once per log-in; the tests do not test the hasher.
FAST_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

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


def read_db(query):
    """``query()`` run in a thread of its own, for the ORM while the browser is up.

    Playwright's sync API keeps an asyncio loop running in the test thread for
    as long as the browser lives. Django then refuses database calls there
    (SynchronousOnlyOperation), and would use another connection than the test
    database's if told not to; a plain thread has neither problem.
    """
    from django.db import connections

    def run():
        try:
            return query()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def demo(settings, fast_passwords):
    """The small province of the dashboards' tests on 2019-12-31, a committee over
    its units, and the accounts of ``manage.py demo_accounts`` on it."""
    from accounts.management.commands.demo_accounts import (
        ADMIN,
        DEMO_PASSWORD,
        demo_role_accounts_ensure,
        demo_superuser_ensure,
    )
    from teams.models import Unit
    from tests.dashboards.conftest import TODAY, build_world
    from tests.factories import WorkCommitteeFactory
    from villages.models import Region

    settings.ZHUCUN_TODAY = TODAY
    world = build_world()
    committee = WorkCommitteeFactory(
        name="昭觉县直机关工委",
        level="county",
        region=Region.objects.get(code="513431"),
    )
    Unit.objects.update(work_committee=committee)
    demo_superuser_ensure(username=ADMIN.username, password=DEMO_PASSWORD)
    accounts = demo_role_accounts_ensure(password=DEMO_PASSWORD)
    world.accounts = [a.username for a in accounts]
    assert world.accounts == [
        "sheng",
        "liangshan",
        "zhaojue",
        "zhaojue-xiang",
        "danwei",
        "gongwei",
    ]
    return world


@pytest.fixture
def browse(live_server, settings):
    """``browse(viewport=…)`` opens a page in a fresh context of one Chromium.

    Chromium starts at the first call, so build the data before it; while it
    runs, reach the database through ``read_db``. It closes before the test's
    database is flushed.
    """
    from playwright.sync_api import sync_playwright

    settings.PASSWORD_HASHERS = FAST_HASHERS
    running = {}

    def open_page(viewport: dict | None = None) -> Session:
        if not running:
            running["playwright"] = sync_playwright().start()
            running["browser"] = running["playwright"].chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        context = running["browser"].new_context(
            viewport=viewport or {"width": 1280, "height": 900}, locale="zh-CN"
        )
        return Session(context.new_page(), live_server.url)

    try:
        yield open_page
    finally:
        if running:
            try:
                running["browser"].close()
            finally:
                running["playwright"].stop()
