"""The UI in headless Chromium against the real stack: sign in, file a request, see the queue."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, Request, Route, expect

SCREENSHOT = Path("/tmp/ui.png")
HD_NUMBER = re.compile(r"^HD-\d{6}$")


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


def rows_titled(page: Page, title: str) -> Any:
    return page.get_by_test_id("ticket-row").filter(
        has=page.get_by_test_id("ticket-title").get_by_text(title, exact=True)
    )


def fill_request(page: Page, *, category: str, title: str, description: str) -> None:
    page.get_by_label("Category").select_option(label=category)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill(description)


def is_ticket_post(request: Request) -> bool:
    return request.method == "POST" and request.url.endswith("/api/v1/tickets")


def titles_on_server(api: httpx.Client, headers: dict[str, str]) -> list[str]:
    resp = api.get("/tickets", params={"limit": 200}, headers=headers)
    assert resp.status_code == 200, resp.text
    return [t["title"] for t in resp.json()["items"]]


def test_employee_files_a_request_and_sees_it_listed(
    signed_in: Callable[[str], Page],
) -> None:
    page = signed_in("employee")
    expect(page.get_by_test_id("user-name")).to_have_text("Employee")
    expect(page.get_by_test_id("user-roles")).to_contain_text("requester")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()
    expect(page.get_by_label("Priority")).to_have_value("normal")
    # The category list names the owning group.
    expect(page.locator("#ticket-category optgroup[label='Supply']")).to_contain_text(
        "Office supplies"
    )
    page.evaluate("window.__sameDocument = true")

    title = unique("Paper for the printer")
    fill_request(page, category="Office supplies", title=title, description="Two boxes of A4.")
    page.get_by_role("button", name="File request").click()

    row = rows_titled(page, title)
    expect(row).to_have_count(1)
    expect(page.get_by_test_id("ticket-row").first).to_have_attribute(
        "data-ticket-id", row.get_attribute("data-ticket-id") or "?"
    )
    expect(row.get_by_test_id("ticket-number")).to_have_text(HD_NUMBER)
    expect(row.get_by_test_id("ticket-category")).to_have_text("Office supplies")
    expect(row.get_by_test_id("ticket-group")).to_have_text("Supply")
    expect(row.get_by_test_id("ticket-priority")).to_have_text("normal")
    expect(row.get_by_test_id("ticket-status")).to_have_text("new")
    expect(page.get_by_test_id("messages")).to_contain_text("filed")
    expect(page.get_by_label("Title")).to_have_value("")
    # The SLA clock starts from the ticket-created event; its due time arrives without a reload.
    expect(row.get_by_test_id("ticket-sla-due").locator("time")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    assert page.evaluate("sessionStorage.getItem('helpdesk.token')")

    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_wrong_password_shows_an_error_and_stores_no_token(
    page: Page, sign_in: Callable[..., None]
) -> None:
    with page.expect_response(lambda r: r.url.endswith("/api/v1/auth/token")) as answer:
        sign_in("employee", "not-the-password")
    assert answer.value.status == 401
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(page.get_by_label("Password")).to_be_focused()
    expect(page.get_by_test_id("app-view")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0


def test_empty_title_shows_the_servers_field_error_and_files_nothing(
    signed_in: Callable[[str], Page], api: httpx.Client, login: Any
) -> None:
    page = signed_in("employee")
    rows_before = page.get_by_test_id("ticket-row").count()
    marker = unique("No title given")
    fill_request(page, category="Office supplies", title="", description=marker)
    with page.expect_response(lambda r: is_ticket_post(r.request)) as answer:
        page.get_by_role("button", name="File request").click()

    assert answer.value.status == 422
    problem = answer.value.json()
    server_says = next(e["msg"] for e in problem["errors"] if e["loc"] == ["body", "title"])
    title = page.get_by_label("Title")
    expect(page.get_by_test_id("error-title")).to_have_text(server_says)
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description(server_says)
    expect(title).to_be_focused()
    expect(page.get_by_test_id("error-description")).to_be_hidden()
    expect(page.get_by_test_id("ticket-form-error")).to_contain_text("not filed")
    expect(page.get_by_test_id("ticket-row")).to_have_count(rows_before)
    # The draft is kept for correcting, and nothing reached the server.
    expect(page.get_by_label("Description")).to_have_value(marker)
    resp = api.get("/tickets", params={"limit": 200}, headers=login("employee"))
    assert marker not in [t["description"] for t in resp.json()["items"]]


def test_each_agent_sees_only_their_groups_queue(
    page: Page, signed_in: Callable[[str], Page], api: httpx.Client, login: Any
) -> None:
    categories = {
        c["name"]: c["id"]
        for c in api.get("/categories", headers=login("employee")).json()["items"]
    }
    filed = {}
    for category in ("Computer not working", "Office supplies"):
        title = unique(f"Queue check: {category}")
        body = {
            "title": title,
            "description": "Filed by the browser test",
            "category_id": categories[category],
            "priority": "high",
        }
        resp = api.post("/tickets", json=body, headers=login("employee"))
        assert resp.status_code == 201, resp.text
        filed[category] = title

    signed_in("agent.it")
    expect(page.get_by_role("heading", name="Queue: IT")).to_be_visible()
    it_row = rows_titled(page, filed["Computer not working"])
    expect(it_row).to_have_count(1)
    expect(it_row.get_by_test_id("ticket-group")).to_have_text("IT")
    expect(it_row.get_by_test_id("ticket-priority")).to_have_text("high")
    expect(rows_titled(page, filed["Office supplies"])).to_have_count(0)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_test_id("login-view")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    expect(page.get_by_test_id("ticket-row")).to_have_count(0)

    signed_in("agent.supply")
    expect(page.get_by_role("heading", name="Queue: Supply")).to_be_visible()
    expect(rows_titled(page, filed["Office supplies"])).to_have_count(1)
    expect(rows_titled(page, filed["Computer not working"])).to_have_count(0)


def assert_every_control_is_labelled(page: Page, labels: list[str]) -> None:
    """Each visible form control is found by get_by_label under exactly one of `labels`, and
    every one of `labels` finds exactly one control: a new unlabelled input fails here."""
    controls = page.locator("input:visible, select:visible, textarea:visible")
    visible_ids = sorted(controls.evaluate_all("els => els.map(e => e.id)"))
    labelled_ids = []
    for name in labels:
        control = page.get_by_label(name, exact=True)
        expect(control).to_have_count(1)
        expect(control).to_be_visible()
        expect(control).to_have_accessible_name(name)
        labelled_ids.append(control.get_attribute("id") or "")
    assert sorted(labelled_ids) == visible_ids


def assert_focus_is_visible(page: Page, label: str) -> None:
    control = page.get_by_label(label, exact=True)
    control.focus()
    outline = control.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none" and outline[1] != "0px", f"{label}: no focus outline {outline}"


def test_accessibility_smoke(page: Page, signed_in: Callable[[str], Page]) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.locator("[aria-live]")).to_have_count(1)
    expect(page.get_by_role("heading", level=2, name="Sign in")).to_be_visible()
    assert_every_control_is_labelled(page, ["Username", "Password"])
    assert_focus_is_visible(page, "Username")

    signed_in("employee")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("heading", level=2, name="New request")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="My requests")).to_be_visible()
    assert_every_control_is_labelled(page, ["Category", "Title", "Description", "Priority"])
    assert_focus_is_visible(page, "Title")


def test_double_click_files_one_request(
    signed_in: Callable[[str], Page], api: httpx.Client, login: Any
) -> None:
    page = signed_in("employee")
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if is_ticket_post(r) else None)
    title = unique("Double clicked")
    fill_request(page, category="Office supplies", title=title, description="Pens, please.")
    page.get_by_role("button", name="File request").dblclick()

    expect(rows_titled(page, title)).to_have_count(1)
    keys = {r.headers.get("idempotency-key") for r in posts}
    assert len(keys) == 1 and None not in keys, keys
    assert titles_on_server(api, login("employee")).count(title) == 1


def test_retry_after_a_lost_answer_files_one_request(
    signed_in: Callable[[str], Page], api: httpx.Client, login: Any
) -> None:
    page = signed_in("employee")
    keys: list[str | None] = []

    def file_then_drop_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        keys.append(route.request.headers.get("idempotency-key"))
        route.fetch()  # the server files the ticket ...
        route.abort("connectionreset")  # ... and the answer never reaches the browser

    page.route(lambda url: url.endswith("/api/v1/tickets"), file_then_drop_answer, times=1)
    title = unique("Answer lost")
    fill_request(page, category="Furniture and equipment", title=title, description="A chair.")
    page.get_by_role("button", name="File request").click()
    expect(page.get_by_test_id("ticket-form-error")).to_contain_text("will not file it twice")

    with page.expect_request(is_ticket_post) as retry:
        page.get_by_role("button", name="File request").click()
    expect(rows_titled(page, title)).to_have_count(1)
    assert keys == [retry.value.headers.get("idempotency-key")], "the retry used another key"
    assert titles_on_server(api, login("employee")).count(title) == 1


def test_layout_fits_1024_and_a_phone(signed_in: Callable[[str], Page], tmp_path: Path) -> None:
    page = signed_in("employee")
    for width, height in ((1024, 768), (375, 740)):
        page.set_viewport_size({"width": width, "height": height})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"at {width}px the page scrolls sideways by {overflow}px"
        for label in ("Category", "Title", "Description", "Priority"):
            box = page.get_by_label(label, exact=True).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, label
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        page.screenshot(path=str(tmp_path / f"ui-{width}.png"), full_page=True)
