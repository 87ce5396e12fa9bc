"""The review UI in a real browser: Playwright driving Debian's chromium
(/usr/bin/chromium, installed by scripts/setup.sh; never `playwright install`).
One server and one browser for the module; the tests run in order over one
processed batch: log in, correct a value, review the queue with the keyboard
only, confirm the denials as a second reviewer, search, and the supervisor's
dashboard, export and audit trail.

GBIZ_REVIEW_SCREENSHOTS=DIR keeps screenshots of the main pages there."""

import csv
import io
import json
import os
import socket
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import uvicorn

from pipeline import storage
from pipeline import storage_review as store
from review_ui.app import create_app
from tests.conftest import UI_PASSWORD

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FIGURES: dict[str, float] = {}


@pytest.fixture(scope="module")
def base_url(ui_home):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(ui_home), host="127.0.0.1", port=port, access_log=False, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run scripts/setup.sh"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)  # a fresh temporary profile
        yield instance
        instance.close()
    if FIGURES:
        print("\nreview UI browser figures: " + json.dumps(FIGURES))


def open_as(browser, base_url, login: str):
    context = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 1000}, locale="ja-JP")
    page = context.new_page()
    page.goto("/login")
    page.fill("#login", login)
    page.fill("#password", UI_PASSWORD.format(login=login))
    page.click("#login-submit")
    page.wait_for_load_state("load")  # app.js listens for keys from here on
    return page


def shoot(page, name: str) -> None:
    folder = os.environ.get("GBIZ_REVIEW_SCREENSHOTS")
    if folder:
        page.wait_for_load_state("load")
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=name in ("queue", "search", "dashboard"))


def held(ui_home) -> list[store.QueueItem]:
    with storage.session_for(ui_home.database_url) as session:
        return store.queue(session)[0]


def test_login_refuses_a_wrong_password_and_speaks_both_languages(browser, base_url):
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/queue")
    assert page.url.endswith("/login?next=/queue")
    assert page.locator("h1").inner_text() == "ログイン"
    page.click("#lang-switch")
    assert page.locator("h1").inner_text() == "Log in"
    page.fill("#login", "reviewer")
    page.fill("#password", "not the password")
    page.click("#login-submit")
    assert page.locator("#login-error").inner_text() == "Wrong login or password."
    page.click("#lang-switch")
    page.fill("#login", "reviewer")
    page.fill("#password", UI_PASSWORD.format(login="reviewer"))
    page.click("#login-submit")
    assert page.url.endswith("/queue")
    assert "審査待ち一覧" in page.locator("h1").inner_text()
    context.close()


def test_a_correction_is_recorded_and_re_runs_the_match(browser, base_url, ui_home):
    # The envelope whose names differ: correct the certificate's reading to the form's.
    with storage.session_for(ui_home.database_url) as session:
        target = next(i for i in held(ui_home) if i.reasons == ("MISMATCH",)
                      and not next(c for c in store.comparisons_of(session, i.pk) if c.field == "name").equal)
        form_name = next(f.value for f in store.fields_of(session, target.pk) if (f.document, f.name) == ("form", "name"))
    page = open_as(browser, base_url, "reviewer")
    page.goto(f"/applications/{target.pk}")
    assert page.locator("#match-name").inner_text() == "不一致"
    shoot(page, "application")
    field = page.locator('#field-name td.side').nth(1)
    field.locator("input[name=value]").fill(form_name)
    field.locator("button").click()
    assert "訂正を記録し" in page.locator("#flash").inner_text()
    assert page.locator("#match-name").inner_text() == "一致"
    assert "訂正済み" in page.locator("#value-certificate-name").inner_text()
    assert "MISMATCH" not in page.locator("#reasons").inner_text()
    with storage.session_for(ui_home.database_url) as session:
        [correction] = store.corrections_of(session, target.pk)
        assert (correction.new_value, correction.by) == (form_name, "reviewer")
    page.context.close()


def test_a_review_with_the_keyboard_only(browser, base_url, ui_home):
    page = open_as(browser, base_url, "reviewer")
    assert page.url.endswith("/queue")
    shoot(page, "queue")
    todo = len(held(ui_home))
    page.keyboard.press("Enter")  # opens the oldest held application
    times = []
    for _ in range(todo):
        page.wait_for_url("**/applications/*")
        started = time.perf_counter()
        url = page.url
        reasons = page.locator("#reasons").inner_text().strip()
        if reasons and not times:
            # The first one also with OTHER (key 8, which moves to the note) and a note.
            page.keyboard.press("?")
            assert page.locator("#help").is_visible()
            page.keyboard.press("Escape")
            page.keyboard.press("d")
            page.keyboard.press("8")
            page.keyboard.type("印影が不鮮明")
            page.keyboard.press("Enter")
        elif reasons:
            page.keyboard.press("d")  # the deny panel, with the reasons found already ticked
            page.keyboard.press("Enter")
        else:
            page.keyboard.press("a")  # nothing left against it after the correction
        page.wait_for_url(lambda u, before=url: u != before)
        page.wait_for_load_state("load")
        times.append(time.perf_counter() - started)
    assert urlparse(page.url).path == "/queue"
    assert page.locator("#queue-empty").is_visible()
    assert page.locator("#pending tr").count() == todo  # all wait for a second reviewer
    with storage.session_for(ui_home.database_url) as session:
        notes = [p.note for p in session.exec(storage.select(store.ProposalRow)) if "OTHER" in p.reasons.split(";")]
    assert notes == ["印影が不鮮明"]
    FIGURES["keyboard_review_median_s"] = round(statistics.median(times), 3)
    FIGURES["keyboard_reviews"] = len(times)
    # The one who proposed cannot confirm.
    page.locator("#pending a").first.click()
    assert page.locator("#confirm").count() == 0
    assert page.locator("#proposal").is_visible()
    page.keyboard.press("y")
    assert page.locator("#confirm").count() == 0
    page.context.close()


def test_denials_take_effect_when_a_second_reviewer_confirms(browser, base_url, ui_home):
    page = open_as(browser, base_url, "reviewer2")
    pending = page.locator("#pending a")
    count = pending.count()
    assert count >= 3
    for _ in range(count):
        page.goto(base_url + "/queue")
        page.locator("#pending a").first.click()
        assert page.locator("#proposal").is_visible()
        if _ == 0:
            shoot(page, "confirmation")
        title = page.locator("#app-title").inner_text()
        page.keyboard.press("y")
        page.wait_for_url("**/queue*")
        assert title.split()[-1] in page.locator("#flash").inner_text()
    assert page.locator("#queue-empty").is_visible() and page.locator("#pending").count() == 0
    with storage.session_for(ui_home.database_url) as session:
        statuses = {}
        for app_row in storage.applications_in_order(session):
            statuses[app_row.status] = statuses.get(app_row.status, 0) + 1
            if app_row.status == "denied":
                last = storage.latest_decision(session, app_row.id)
                assert last.decided_by == "reviewer" and last.reasons
                assert [c.by for p, c in store.proposals_of(session, app_row.id)] == ["reviewer2"]
    assert statuses.get("needs_review", 0) == 0 and statuses["denied"] == count - 1 and statuses["approved"] == 1
    page.context.close()


def test_search_combines_criteria_and_finds_blanks(browser, base_url, ui_home):
    with storage.session_for(ui_home.database_url) as session:
        denied = [a for a in storage.applications_in_order(session) if a.status == "denied"]
        name = next(f.value for f in store.fields_of(session, denied[0].id) if (f.document, f.name) == ("form", "name"))
        no_cert = [a for a in storage.applications_in_order(session)
                   if not any(f.document == "certificate" and f.name == "name" and f.value for f in store.fields_of(session, a.id))]
        blank_names = [a for a in storage.applications_in_order(session)
                       if not any(f.name == "name" and f.value for f in store.fields_of(session, a.id))]
    page = open_as(browser, base_url, "reviewer2")
    page.goto("/search")
    page.select_option("#q-status", "denied")
    page.click("#search-submit")
    assert page.locator("#search-total").inner_text().startswith(f"{len(denied)}件")
    page.fill("#q-person", name.split(" ")[0])
    page.click("#search-submit")
    assert page.locator("#results tbody tr").count() >= 1
    assert denied[0].application_id in page.locator("#results").inner_text()
    shoot(page, "search")
    page.goto("/search?blank=name")
    assert page.locator("#search-total").inner_text().startswith(f"{len(blank_names)}件")
    assert len(no_cert) >= len(blank_names)
    page.context.close()


def test_the_dashboard_export_and_audit_trail(browser, base_url, ui_home):
    page = open_as(browser, base_url, "supervisor")
    assert page.url.endswith("/dashboard")
    assert page.locator("#tile-received b").inner_text() == "8"
    assert page.locator("#tile-waiting b").inner_text() == "0"
    assert page.locator("#tile-held b").inner_text() == "4"
    assert [c.inner_text() for c in page.locator("#per-station td").all()] == ["desk-1", "8", "3", "4", "1"]
    reviewers = page.locator("#per-reviewer").inner_text()
    assert "reviewer" in reviewers and "reviewer2" in reviewers
    assert page.locator("svg.chart").count() == 2
    shoot(page, "dashboard")
    page.click("#export-button")
    flash = page.locator("#flash").inner_text()
    assert "承認" in flash and "否認" in flash
    exports = ui_home.home / "exports"
    [deny_file] = exports.glob("deny-*.csv")
    [approve_file] = exports.glob("approve-*.csv")
    deny = list(csv.DictReader(io.StringIO(deny_file.read_text(encoding="utf-8"))))
    approve = list(csv.DictReader(io.StringIO(approve_file.read_text(encoding="utf-8"))))
    assert len(deny) == 3 and all(r["result"] == "NG" and r["reason_codes"] and r["decided_by"] == "reviewer" for r in deny)
    assert sorted(r["decided_by"] for r in approve) == ["auto", "auto", "auto", "reviewer"]
    page.click("#export-button")  # nothing new: header-only files, nothing exported twice
    assert len(list(exports.glob("deny-*.csv"))) == 2
    page.goto("/audit?action=confirm")
    assert page.locator("#audit tbody tr").count() == 4
    assert "reviewer2" in page.locator("#audit").inner_text()
    page.goto("/audit")
    text = page.locator("#audit").inner_text()
    for action in ("ログイン", "閲覧", "訂正", "判定の提案", "確認", "エクスポート"):
        assert action in text
    shoot(page, "audit")
    page.goto("/queue")  # the supervisor can review too; the admin cannot
    assert page.locator("h1").count() == 1
    page.context.close()
    admin = open_as(browser, base_url, "admin")
    admin.goto("/queue")
    assert "権限がありません" in admin.locator("main").inner_text()
    admin.context.close()
