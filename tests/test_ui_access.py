"""The review UI's gatekeeping, without a browser: every route refuses a user
without its role and every form a request without its CSRF token; headers,
sessions, throttling, the catalogue, and no personal data in the logs."""

import json
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from pipeline import accounts, storage
from pipeline import storage_review as store
from review_ui import security
from review_ui.app import create_app
from tests.conftest import UI_ACCOUNTS, UI_PASSWORD

ROLES = [role for _login, role in UI_ACCOUNTS if _login != "reviewer2"]
LOGIN_OF = {"reviewer": "reviewer", "supervisor": "supervisor", "admin": "admin", "operator": "operator"}

# (method, route pattern) → permission; "public" needs no login, "login" any account.
ROUTES = {
    ("GET", "/healthz"): "public",
    ("GET", "/"): "public",
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    ("POST", "/lang"): "public",
    ("POST", "/logout"): "login",
    ("GET", "/queue"): "review",
    ("GET", "/applications/{pk}"): "review",
    ("GET", "/applications/{pk}/pages/{seq}.jpg"): "review",
    ("GET", "/applications/{pk}/fields/{field_id}.jpg"): "review",
    ("GET", "/applications/{pk}/seals/{document}.jpg"): "review",
    ("GET", "/applications/{pk}/original/{seq}"): "review",
    ("POST", "/applications/{pk}/decide"): "review",
    ("POST", "/applications/{pk}/correct"): "review",
    ("POST", "/proposals/{proposal_id}/{verb}"): "review",
    ("GET", "/search"): "review",
    ("GET", "/dashboard"): "supervise",
    ("POST", "/export"): "supervise",
    ("GET", "/audit"): "supervise",
    ("GET", "/users"): "admin",
    ("POST", "/users/add"): "admin",
    ("POST", "/users/{login_name}/disable"): "admin",
    ("GET", "/rescan"): "rescan",
}


@pytest.fixture(scope="module")
def app(ui_home):
    return create_app(ui_home)


@pytest.fixture(scope="module")
def sample(ui_home) -> dict[str, str]:
    """Real ids for the path parameters: an application, its page and a field."""
    with storage.session_for(ui_home.database_url) as session:
        application = next(a for a in storage.applications_in_order(session) if a.status in ("needs_review", "denied"))
        pk = application.id
        field = next(f for f in store.fields_of(session, pk) if f.box_x is not None)
    return {
        "pk": str(pk), "seq": str(json.loads(application.page_seqs)[0]), "field_id": str(field.id),
        "document": "form", "proposal_id": "999999", "verb": "confirm", "login_name": "nobody",
    }


def concrete(pattern: str, sample: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: sample[m.group(1)], pattern)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def logged_in(app, login: str) -> tuple[TestClient, str]:
    client = TestClient(app, follow_redirects=False)
    page = client.get("/login")
    response = client.post("/login", data={"csrf": csrf_of(page.text), "login": login, "password": UI_PASSWORD.format(login=login)})
    assert response.status_code == 303, response.text
    return client, csrf_of(client.get("/rescan" if login == "operator" else "/users" if login == "admin" else "/dashboard" if login == "supervisor" else "/queue").text)


@pytest.fixture(scope="module")
def clients(app):
    return {role: logged_in(app, LOGIN_OF[role]) for role in ROLES}


def counts(ui_home) -> tuple[int, ...]:
    with storage.session_for(ui_home.database_url) as session:
        tables = (storage.DecisionRow, store.ProposalRow, store.CorrectionRow, storage.ExportRow, store.UserRow)
        return tuple(len(list(session.exec(storage.select(t)))) for t in tables) + (
            sum(u.disabled for u in store.all_users(session)),
        )


def test_every_route_is_listed(app):
    found = {(method, route.path) for route in app.routes if isinstance(route, APIRoute) for method in route.methods}
    assert found == set(ROUTES), "a route without a listed permission"


@pytest.mark.parametrize(("method", "pattern"), sorted(ROUTES))
def test_every_route_refuses_a_user_without_the_role(app, clients, sample, ui_home, method, pattern):
    permission = ROUTES[(method, pattern)]
    if permission == "public":
        return
    path = concrete(pattern, sample)
    before = counts(ui_home)
    anonymous = TestClient(app, follow_redirects=False)
    response = anonymous.request(method, path, data={"csrf": "x"} if method == "POST" else None)
    assert response.status_code in (401, 403) or (response.status_code == 303 and response.headers["location"].startswith("/login"))
    if permission == "login":
        return
    for role, (client, csrf) in clients.items():
        data = {"csrf": csrf, "decision": "approved", "document": "form", "field": "name", "value": "山田 太郎",
                "login": "intruder", "role": "admin", "password": "intruder-password"} if method == "POST" else None
        allowed = role in security.PERMISSIONS[permission]
        if allowed and method == "POST":
            continue  # an allowed action would really happen; the browser tests do those
        response = client.request(method, path, data=data)
        if allowed:
            assert response.status_code == 200, (role, path)
        else:
            assert response.status_code == 403, (role, path, response.status_code)
    assert counts(ui_home) == before


def test_refused_posts_change_nothing(app, clients, sample, ui_home):
    before = counts(ui_home)
    for (method, pattern), permission in ROUTES.items():
        if method != "POST" or permission in ("public", "login"):
            continue
        for role, (client, csrf) in clients.items():
            if role not in security.PERMISSIONS[permission]:
                client.post(concrete(pattern, sample), data={"csrf": csrf, "decision": "denied", "reason": "OTHER", "note": "x",
                                                              "login": "intruder", "role": "admin", "password": "intruder-password"})
    assert counts(ui_home) == before


@pytest.mark.parametrize(("method", "pattern"), sorted(k for k in ROUTES if k[0] == "POST"))
def test_every_form_refuses_a_request_without_the_csrf_token(app, clients, sample, ui_home, method, pattern):
    permission = ROUTES[(method, pattern)]
    role = next(r for r in ROLES if permission in ("public", "login") or r in security.PERMISSIONS[permission])
    client, _csrf = clients[role]
    before = counts(ui_home)
    data = {"decision": "denied", "reason": "OTHER", "note": "x", "document": "form", "field": "name", "value": "山田 太郎",
            "login": LOGIN_OF[role], "password": UI_PASSWORD.format(login=LOGIN_OF[role]), "role": "admin", "lang": "en"}
    for token in (None, "forged-token"):
        response = client.post(concrete(pattern, sample), data=data if token is None else {**data, "csrf": token})
        assert response.status_code == 403, (pattern, token)
    assert counts(ui_home) == before
    assert client.get("/dashboard" if role == "supervisor" else "/queue").status_code in (200, 403)  # still logged in


def test_healthz_and_security_headers(app, clients, sample):
    anonymous = TestClient(app)
    response = anonymous.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")
    client, _ = clients["reviewer"]
    for path in (f"/applications/{sample['pk']}", f"/applications/{sample['pk']}/fields/{sample['field_id']}.jpg", "/queue"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
    cookie = client.cookies.jar
    assert any(c.name == security.SESSION_COOKIE and c.has_nonstandard_attr("HttpOnly") for c in cookie)


def test_sessions_expire_and_a_login_starts_a_new_one(app, ui_home):
    client, _ = logged_in(app, "reviewer2")
    first = client.cookies.get(security.SESSION_COOKIE)
    assert client.get("/queue").status_code == 200
    # A new login gives a new token; the old one stops working.
    page = client.get("/login")
    client.post("/login", data={"csrf": csrf_of(page.text), "login": "reviewer2", "password": UI_PASSWORD.format(login="reviewer2")})
    second = client.cookies.get(security.SESSION_COOKIE)
    assert second != first
    stale = TestClient(app, follow_redirects=False, cookies={security.SESSION_COOKIE: first})
    assert stale.get("/queue").status_code == 303
    with storage.session_for(ui_home.database_url) as session:
        row = session.get(store.SessionRow, security.token_hash(second))
        row.last_seen = storage.utcnow() - security.IDLE - timedelta(minutes=1)
        session.add(row)
        session.commit()
    response = client.get("/queue")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_logins_are_throttled_and_disabled_accounts_refused(app, ui_home):
    with storage.session_for(ui_home.database_url) as session:
        accounts.add_user(session, "throttled", "reviewer", "the-right-password")
        accounts.add_user(session, "leaver", "reviewer", "the-right-password")
        session.commit()
    client = TestClient(app, follow_redirects=False)
    csrf = csrf_of(client.get("/login").text)
    for _ in range(security.MAX_FAILURES_PER_LOGIN):
        assert client.post("/login", data={"csrf": csrf, "login": "throttled", "password": "wrong"}).status_code == 401
    response = client.post("/login", data={"csrf": csrf, "login": "throttled", "password": "the-right-password"})
    assert response.status_code == 429
    leaver = TestClient(app, follow_redirects=False)
    csrf = csrf_of(leaver.get("/login").text)
    assert leaver.post("/login", data={"csrf": csrf, "login": "leaver", "password": "the-right-password"}).status_code == 303
    assert leaver.get("/queue").status_code == 200
    with storage.session_for(ui_home.database_url) as session:
        accounts.disable_user(session, "leaver")
        session.commit()
    assert leaver.get("/queue").status_code == 303
    assert leaver.post("/login", data={"csrf": csrf, "login": "leaver", "password": "the-right-password"}).status_code == 401
    with storage.session_for(ui_home.database_url) as session:
        actions = [(r.actor, r.action) for r in store.audit_page(session, limit=1000)]
    assert ("leaver", "login") in actions and ("throttled", "login_failed") in actions


def test_searches_and_views_leave_no_personal_data_in_the_logs(app, clients, sample, ui_home, caplog):
    client, _ = clients["reviewer"]
    with storage.session_for(ui_home.database_url) as session:
        name = next(f.value for f in store.fields_of(session, int(sample["pk"])) if f.name == "name" and f.value)
    caplog.set_level(logging.DEBUG)
    page = client.get("/search", params={"person_name": name.split(" ")[0]})
    assert page.status_code == 200 and name.split(" ")[0] in page.text
    client.get(f"/applications/{sample['pk']}")
    # The server's own records (the test's HTTP client logs its URLs on its side).
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))
    assert name.split(" ")[0] not in logged
    assert "/applications/{pk}" in logged and "person_name" not in logged
    with storage.session_for(ui_home.database_url) as session:
        audit = store.audit_page(session, action="search", limit=5)
    assert audit and all(name.split(" ")[0] not in row.detail for row in audit)


def test_the_catalogue_is_complete_in_both_languages():
    folder = Path(__file__).parents[1] / "review_ui"
    ja = json.loads((folder / "catalogue/ja.json").read_text(encoding="utf-8"))
    en = json.loads((folder / "catalogue/en.json").read_text(encoding="utf-8"))
    assert set(ja) == set(en)
    used = set()
    for path in [*folder.glob("templates/*.html"), folder / "app.py"]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z_.]+)["']""", path.read_text(encoding="utf-8")))
    used = {key for key in used if not key.endswith(".")}  # prefixes of computed keys
    assert used and used <= set(ja), used - set(ja)
    prefixes = {"status.", "reason.", "field.", "doc.", "role.", "action.", "kind."}
    assert all(any(k.startswith(p) for k in ja) for p in prefixes)
    assert all(v.strip() for v in [*ja.values(), *en.values()])


def test_pages_speak_japanese_by_default_and_english_on_request(app, clients):
    client, csrf = clients["reviewer"]
    assert "審査待ち一覧" in client.get("/queue").text
    client.post("/lang", data={"csrf": csrf, "lang": "en", "next": "/queue"})
    english = client.get("/queue").text
    assert "Applications to review" in english and "審査待ち一覧" not in english
    client.post("/lang", data={"csrf": csrf, "lang": "ja", "next": "/queue"})


def test_the_queue_filters_and_counts_what_the_database_holds(clients, ui_home):
    client, _ = clients["reviewer"]
    with storage.session_for(ui_home.database_url) as session:
        items, counts = store.queue(session)
    ids = lambda html: set(re.findall(r"GB\d{12}", html.split('id="pending"')[0]))  # noqa: E731
    page = client.get("/queue").text
    assert ids(page) == {i.application_id for i in items if not i.pending}
    for code, count in counts.items():
        assert f'href="/queue?reason={code}">' in page and f"<b>{count}</b>" in page
        filtered = client.get("/queue", params={"reason": code}).text
        assert ids(filtered) == {i.application_id for i in items if code in i.reasons and not i.pending}
    assert ids(client.get("/queue", params={"station": "desk-1", "received_from": "2026-11-20", "received_to": "2026-11-20"}).text) == ids(page)
    assert ids(client.get("/queue", params={"station": "elsewhere"}).text) == set()
    assert ids(client.get("/queue", params={"received_from": "2026-11-21"}).text) == set()
    # Oldest first: received, then scan order within the batch.
    assert re.findall(r"GB\d{12}", page.split('id="pending"')[0].split("<tbody>")[1]) == [i.application_id for i in items if not i.pending]


def test_the_rescan_list_shows_each_page_measured_figures(clients, ui_home):
    """An operator sees why each page must be scanned again, with the figures
    the scanning rules measured (pixel size, dpi, mode, levels)."""
    with storage.session_for(ui_home.database_url) as session:
        (rescan,) = [a for a in storage.applications_in_order(session) if a.status == "rescan"]
        pages = [store.page(session, rescan.batch_id, seq) for seq in json.loads(rescan.page_seqs)]
    bad = [p for p in pages if json.loads(p.quality_problems)]
    assert bad
    client, _csrf = clients["operator"]
    html = client.get("/rescan", headers={"accept-language": "en"}).text
    for page in bad:
        assert page.source_name in html
        assert f"{page.width_px}×{page.height_px} px" in html
        assert f"{page.distinct_levels} levels" in html
        for problem in json.loads(page.quality_problems):
            assert problem.replace("'", "&#39;") in html


def test_the_application_page_shows_the_printed_id_crop(clients, sample):
    """The 申請書ID is an extracted field too: the reviewer sees its printed
    crop and how it was read (QR code, OCR)."""
    client, _csrf = clients["reviewer"]
    html = client.get(f"/applications/{sample['pk']}", headers={"accept-language": "en"}).text
    found = re.search(r'<dd id="printed-id"><img class="crop" src="(/applications/\d+/fields/\d+\.jpg)"', html)
    assert found, html
    assert "QR code: GB" in html
    crop = client.get(found.group(1))
    assert crop.status_code == 200 and crop.headers["content-type"] == "image/jpeg"


def test_the_application_page_shows_the_kana_that_broke_a_name_tie(clients, sample, ui_home):
    """Where the form's name was read more than one way, the reading stage reads
    the フリガナ row and stores it as a field: the reviewer sees its crop and
    text beside the form's name."""
    with storage.session_for(ui_home.database_url) as session:
        name = next(f for f in store.fields_of(session, int(sample["pk"])) if (f.document, f.name) == ("form", "name"))
        session.add(storage.FieldRow(
            application_pk=name.application_pk, document="form", name="kana", raw_text="ミヤモト クニヒコ",
            value="ミヤモト クニヒコ", confidence=91.0, page_seq=name.page_seq,
            box_x=name.box_x, box_y=name.box_y + name.box_height, box_width=name.box_width, box_height=name.box_height,
        ))
        session.commit()
    client, _csrf = clients["reviewer"]
    html = client.get(f"/applications/{sample['pk']}", headers={"accept-language": "ja"}).text
    found = re.search(r'id="kana-form">フリガナ:\s*<img class="crop" src="(/applications/\d+/fields/\d+\.jpg)"[^>]*>\s*ミヤモト クニヒコ', html)
    assert found, html
    assert client.get(found.group(1)).headers["content-type"] == "image/jpeg"
