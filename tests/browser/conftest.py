"""Headless Chromium (the Debian package, never a Playwright download) driving the real stack's
front door. One browser per session; a fresh context (own sessionStorage) per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from stack.launcher import Stack

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

expect.set_options(timeout=10_000)


# Module scope, not session: while sync Playwright runs, its event loop is the running loop of
# the main thread, and the asyncio tests that come after would fail to start their own.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        # Never skipped: a missing browser must turn the run red, not quietly shrink it.
        pytest.fail(
            f"{CHROMIUM} not found: install the Debian package with `apt-get install -y chromium` "
            "(the browser tests do not download browsers)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    """The UI's start page in a fresh context; fails the test if the page throws an uncaught
    error or asks for anything outside the front door (the UI must work in a closed network)."""
    context = browser.new_context(
        base_url=stack.web_url, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    foreign: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "request",
        lambda req: (
            None
            if req.url.startswith((stack.web_url, "data:", "blob:"))
            else foreign.append(req.url)
        ),
    )
    page.goto("/")
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
    assert not foreign, f"the page fetched from outside the front door: {foreign}"


@pytest.fixture
def sign_in(page: Page, stack: Stack) -> Callable[..., None]:
    """sign_in("agent.it") fills and submits the sign-in form (demo password unless given)."""

    def submit(username: str, password: str | None = None) -> None:
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(stack.demo_password if password is None else password)
        page.get_by_role("button", name="Sign in").click()

    return submit


@pytest.fixture
def signed_in(page: Page, sign_in: Callable[..., None]) -> Callable[[str], Page]:
    """signed_in("employee") -> the page once that user's requests have loaded."""

    def open_as(username: str) -> Page:
        sign_in(username)
        expect(page.get_by_test_id("tickets")).to_have_attribute("data-loaded", "true")
        return page

    return open_as
