"""The review UI: FastAPI routes rendering Jinja2 pages (see docs/design.md).

Every route but /healthz, /login and /static needs a session; each names the
permission it needs (security.PERMISSIONS) and checks it before touching data.
Every POST checks the CSRF token first. Views of personal data, decisions,
corrections, confirmations, exports and logins go to the audit trail.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel import Session

from pipeline import accounts, originals, page_images, report, review, storage
from pipeline import storage_review as store
from pipeline.config import TOKYO, Settings
from pipeline.eras import certificate_is_current
from pipeline.errors import GbizReviewError
from review_ui import charts, security
from review_ui.i18n import LANGUAGES, Translator, catalogue, translator
from review_ui.security import (
    Actor,
    BadCsrf,
    Forbidden,
    NotLoggedIn,
    check_csrf,
    first,
    form_of,
    require,
)

HERE = Path(__file__).parent
LOG = logging.getLogger("gbiz_review.ui")
DAILY_TARGET = 5000
QUEUE_PAGE = 200
PREVIEW_WIDTH = 900
FIELD_ORDER = ("corporate_number", "name", "birth_date")


def db(request: Request) -> Any:
    with storage.session_for(request.app.state.database_url) as session:
        yield session


DB = Annotated[Session, Depends(db)]
FormData = Annotated[dict, Depends(form_of)]


class NotFound(Exception):
    pass


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    url = settings.database_url
    storage.engine_for(url)  # create the tables before the first request
    app.state.database_url = url


    # --- plumbing -------------------------------------------------------------

    @app.middleware("http")
    async def headers_and_log(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = security.CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        # The route's pattern, never the query string or ids' values: no personal data in logs.
        route = request.scope.get("route")
        LOG.info("%s %s %s %.0fms", request.method, getattr(route, "path", "-"), response.status_code, (time.perf_counter() - started) * 1000)
        return response

    def tr(request: Request) -> Translator:
        return translator(request.cookies.get(security.LANG_COOKIE))

    def render(request: Request, actor: Actor | None, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        t = tr(request)
        pre = request.cookies.get(security.PRE_COOKIE) or secrets.token_urlsafe(24)
        html = env.get_template(template).render(
            t=t, lang=t.lang, actor=actor, csrf=actor.csrf if actor else pre, path=request.url.path,
            flash=request.query_params.get("flash", ""), flash_kind=request.query_params.get("kind", "ok"),
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        if actor is None and not request.cookies.get(security.PRE_COOKIE):
            response.set_cookie(security.PRE_COOKIE, pre, httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    def error_page(request: Request, actor: Actor | None, key: str, status: int) -> HTMLResponse:
        return render(request, actor, "error.html", status=status, message=tr(request)(key))

    @app.exception_handler(NotLoggedIn)
    async def _not_logged_in(request: Request, _exc: NotLoggedIn) -> Response:
        if request.method == "GET" and not request.url.path.endswith(".jpg") and "/original/" not in request.url.path:
            return RedirectResponse("/login?next=" + quote(request.url.path), status_code=303)
        return PlainTextResponse("login required", status_code=401)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return error_page(request, exc.actor, "error.forbidden", 403)

    @app.exception_handler(BadCsrf)
    async def _bad_csrf(request: Request, _exc: BadCsrf) -> Response:
        return error_page(request, None, "error.csrf", 403)

    def actor(request: Request, session: Session, permission: str | None) -> Actor:
        who = security.actor_of(request, session)
        if permission is None:
            if who is None:
                raise NotLoggedIn
            return who
        return require(who, permission)

    def posted(request: Request, session: Session, form: dict[str, list[str]], permission: str | None) -> Actor:
        """A POST: the role first, then the CSRF token."""
        who = actor(request, session, permission)
        check_csrf(request, form, who)
        return who

    def back(path: str, message: str = "", kind: str = "ok") -> RedirectResponse:
        if message:
            path += ("&" if "?" in path else "?") + urlencode({"flash": message, "kind": kind})
        return RedirectResponse(path, status_code=303)

    def remote(request: Request) -> str:
        return security.remote_of(request)

    # --- public ---------------------------------------------------------------

    @app.get("/healthz")
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.get("/")
    def home(request: Request, session: DB) -> Response:
        who = security.actor_of(request, session)
        return RedirectResponse(security.HOME_OF_ROLE[who.role] if who else "/login", status_code=303)

    @app.get("/login")
    def login_page(request: Request, session: DB) -> Response:
        return render(request, None, "login.html", next=request.query_params.get("next", ""), error="")

    @app.post("/login")
    def login(request: Request, form: FormData, session: DB) -> Response:
        check_csrf(request, form, None)
        t = tr(request)
        login_name, password = first(form, "login").strip().lower()[:64], first(form, "password")
        where = remote(request)
        next_path = first(form, "next")
        if security.throttled(session, login_name, where):
            store.audit(session, login_name, "login_failed", detail="throttled", remote=where)
            session.commit()
            minutes = int(security.THROTTLE_WINDOW.total_seconds() // 60)
            return render(request, None, "login.html", status=429, next=next_path, error=t("login.throttled", minutes=minutes))
        user = accounts.verify(session, login_name, password)
        if user is None:
            store.audit(session, login_name, "login_failed", remote=where)
            session.commit()
            return render(request, None, "login.html", status=401, next=next_path, error=t("login.failed"))
        old = request.cookies.get(security.SESSION_COOKIE)
        if old:
            security.end_session(session, security.token_hash(old))
        token = security.new_session(session, user.login)
        store.audit(session, user.login, "login", remote=where)
        session.commit()
        target = next_path if next_path.startswith("/") and not next_path.startswith("//") else security.HOME_OF_ROLE[user.role]
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(security.SESSION_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    @app.post("/logout")
    def logout(request: Request, form: FormData, session: DB) -> Response:
        who = posted(request, session, form, None)
        security.end_session(session, who.token_hash)
        store.audit(session, who.login, "logout", remote=remote(request))
        session.commit()
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(security.SESSION_COOKIE)
        return response

    @app.post("/lang")
    def language(request: Request, form: FormData, session: DB) -> Response:
        who = security.actor_of(request, session)
        check_csrf(request, form, who)
        lang = first(form, "lang")
        target = first(form, "next") or "/"
        response = RedirectResponse(target if target.startswith("/") and not target.startswith("//") else "/", status_code=303)
        if lang in LANGUAGES:
            response.set_cookie(security.LANG_COOKIE, lang, max_age=3600 * 24 * 365, samesite="strict")
        return response

    # --- the queue ------------------------------------------------------------

    def _date_param(text: str | None) -> date | None:
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            return None

    @app.get("/queue")
    def queue_page(request: Request, session: DB) -> Response:
        who = actor(request, session, "review")
        q = request.query_params
        filters = {
            "reason": q.get("reason", ""), "batch": q.get("batch", ""), "station": q.get("station", ""),
            "received_from": q.get("received_from", ""), "received_to": q.get("received_to", ""),
        }
        items, counts = store.queue(
            session, reason=filters["reason"], batch=filters["batch"], station=filters["station"],
            received_from=_date_param(filters["received_from"]), received_to=_date_param(filters["received_to"]),
        )
        stations, batches = store.stations_and_batches(session)
        open_items = [item for item in items if not item.pending]
        pending_items = [item for item in items if item.pending]
        return render(
            request, who, "queue.html", items=open_items[:QUEUE_PAGE], more=max(0, len(open_items) - QUEUE_PAGE),
            pending=pending_items[:QUEUE_PAGE], total=len(open_items), counts=counts, filters=filters,
            stations=stations, batches=batches, reasons=[r for r in review.DENY_CODES] + ["LOW_CONFIDENCE", "UNIDENTIFIED"],
            query=urlencode({k: v for k, v in filters.items() if v}),
        )

    # --- an application -------------------------------------------------------

    def _application(session: Session, pk: int) -> storage.ApplicationRow:
        app_row = store.application(session, pk)
        if app_row is None:
            raise NotFound
        return app_row

    @app.get("/applications/{pk}")
    def application_page(pk: int, request: Request, session: DB) -> Response:
        who = actor(request, session, "review")
        app_row = store.application(session, pk)
        if app_row is None:
            return error_page(request, who, "error.not_found", 404)
        batch = store.batch_of(session, app_row.batch_id)
        assert batch is not None
        fields = store.fields_of(session, pk)
        by_key = {(f.document, f.name): f for f in fields}
        corrections = store.corrections_of(session, pk)
        corrected = {(c.document, c.name): c for c in corrections}
        comparisons = {c.field: c for c in store.comparisons_of(session, pk)}
        rows = []
        for name in FIELD_ORDER:
            sides = {}
            for document in ("form", "certificate"):
                row = by_key.get((document, name))
                if document == "certificate" and name == "corporate_number" and row is not None and row.box_x is None:
                    row = by_key.get((document, "company_number"), row)
                fix = corrected.get((document, name))
                sides[document] = {
                    "field": row, "value": fix.new_value if fix else (row.value if row else None),
                    "corrected": fix is not None, "original": row.value if row else None,
                    "alternatives": [a for a in json.loads(row.alternatives) if a and a != row.value] if row else [],
                    "crop": f"/applications/{pk}/fields/{row.id}.jpg" if row is not None and row.box_x is not None else None,
                }
            if name == "name" and (kana_row := by_key.get(("form", "kana"))) is not None:
                # The フリガナ, read where the name's readings disagreed: what broke the tie.
                sides["form"]["kana"] = {
                    "field": kana_row,
                    "crop": f"/applications/{pk}/fields/{kana_row.id}.jpg" if kana_row.box_x is not None else None,
                }
            rows.append({"name": name, "sides": sides, "comparison": comparisons.get(name)})
        # The 申請書ID's printed crop, with how it was read (QR code, OCR).
        id_row = by_key.get(("form", "application_id"))
        printed_id = None
        if id_row is not None:
            printed_id = {
                "field": id_row,
                "crop": f"/applications/{pk}/fields/{id_row.id}.jpg" if id_row.box_x is not None else None,
                "alternatives": [a for a in json.loads(id_row.alternatives) if a and a != id_row.value],
            }
        issue = app_row.cert_issue_date
        today = datetime.now(TOKYO).date()
        issue_info = None
        if issue:
            issue_info = {
                "date": issue, "age": (batch.received - issue).days, "today_age": (today - issue).days,
                "valid": certificate_is_current(issue, batch.received),
            }
        decisions = store.decisions_of(session, pk)
        proposals = store.proposals_of(session, pk)
        open_proposal = next((p for p, c in proposals if c is None), None)
        prev_pk, next_pk = store.neighbours(session, pk)
        pages = [store.page(session, app_row.batch_id, seq) for seq in json.loads(app_row.page_seqs)]
        pages = [p for p in pages if p is not None and p.kind != "blank"]
        form_page = by_key.get(("form", "corporate_number"))
        cert_page = by_key.get(("certificate", "name"))
        reviewable = app_row.status == "needs_review" or (app_row.status == "auto_approved" and not store.is_exported(session, pk))
        store.audit(session, who.login, "view", pk, remote=remote(request))
        session.commit()
        if next_pk is not None:
            _warm(session, next_pk)
        latest = decisions[-1] if decisions else None
        t = tr(request)
        when = lambda moment: report._iso_tokyo(moment)[:16].replace("T", " ")  # noqa: E731
        history = sorted(
            [(d.decided_at, t("app.decided_by", at=when(d.decided_at), by=d.decided_by, status=t(f"status.{d.status}"), reasons=d.reasons)) for d in decisions]
            + [(c.at, t("app.correction_by", at=when(c.at), by=c.by, document=t(f"doc.{c.document}"), field=t(f"field.{c.name}"))) for c in corrections]
            + [
                (p.proposed_at, t("app.proposal_by", at=when(p.proposed_at), by=p.proposed_by, status=t(f"status.{p.status}"),
                                  outcome=t(f"app.outcome.{c.outcome}", by=c.by) if c else t("app.outcome.open")))
                for p, c in proposals
            ],
            key=lambda entry: security.aware(entry[0]),
        )
        return render(
            request, who, "application.html", app=app_row, batch=batch, rows=rows, issue=issue_info, printed_id=printed_id,
            reasons=[r for r in app_row.reasons.split(";") if r], decisions=decisions, proposals=proposals,
            history=[text for _at, text in history], open_proposal=open_proposal, prev_pk=prev_pk, next_pk=next_pk, pages=pages,
            seals={"form": form_page is not None, "certificate": cert_page is not None},
            reviewable=reviewable and open_proposal is None,
            four_eyes_deny=True,
            four_eyes_approve=review.needs_second_reviewer(session, app_row, "approved") if app_row.status == "needs_review" else True,
            deny_codes=review.DENY_CODES, reason_ja={c: catalogue("ja")[f"reason.{c}"] for c in review.ALL_CODES},
            reason_en={c: catalogue("en")[f"reason.{c}"] for c in review.ALL_CODES}, details=json.loads(latest.details) if latest else [],
            tokyo=lambda moment: report._iso_tokyo(moment)[:16].replace("T", " "),
        )

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, _exc: NotFound) -> Response:
        return PlainTextResponse("not found", status_code=404)

    def _image_page(session: Session, settings: Settings, page: storage.PageRow) -> Any:
        return page_images.registered_page(
            str(settings.originals_dir), page.original_sha256, page.source_name, page.page_in_file,
            float(page.skew_deg or 0.0), bool(page.rotated_180), page.effective_dpi,
        )

    def _warm(session: Session, pk: int) -> None:
        """Register the next application's pages in the background, so that the
        reviewer's next page shows at once."""
        nxt = store.application(session, pk)
        if nxt is None:
            return
        pages = [store.page(session, nxt.batch_id, seq) for seq in json.loads(nxt.page_seqs)]
        jobs = [p for p in pages if p is not None and p.kind != "blank"]

        def work() -> None:
            try:
                for page in jobs:
                    _preview(page)
            except Exception as exc:  # noqa: BLE001 - only a head start; the request itself reports a real problem
                LOG.warning("could not prepare the next application's pages: %s", type(exc).__name__)

        threading.Thread(target=work, daemon=True).start()

    def _preview(page: storage.PageRow) -> bytes:
        return page_images.preview(
            str(settings.originals_dir), page.original_sha256, page.source_name, page.page_in_file,
            float(page.skew_deg or 0.0), bool(page.rotated_180), page.effective_dpi, PREVIEW_WIDTH,
        )

    def _image(body: bytes, media: str) -> Response:
        return Response(body, media_type=media, headers={"Cache-Control": "no-store"})

    @app.get("/applications/{pk}/pages/{seq}.jpg")
    def page_image(pk: int, seq: int, request: Request, session: DB) -> Response:
        who = actor(request, session, "review")
        app_row = _application(session, pk)
        if seq not in json.loads(app_row.page_seqs):  # only the application's own pages
            raise NotFound
        page = store.page(session, app_row.batch_id, seq)
        if page is None:
            raise NotFound
        full = request.query_params.get("full") == "1"
        body = page_images.encode(_image_page(session, settings, page), "JPEG") if full else _preview(page)
        store.audit(session, who.login, "view_image", pk, f"page {seq}{' full' if full else ''}", remote(request))
        session.commit()
        return _image(body, "image/jpeg")

    @app.get("/applications/{pk}/fields/{field_id}.jpg")
    def field_image(pk: int, field_id: int, request: Request, session: DB) -> Response:
        who = actor(request, session, "review")
        app_row = _application(session, pk)
        row = store.field(session, field_id)
        if row is None or row.application_pk != pk or row.box_x is None:
            raise NotFound
        page = store.page(session, app_row.batch_id, row.page_seq)
        if page is None:
            raise NotFound
        rgb = _image_page(session, settings, page)
        body = page_images.encode(page_images.crop(rgb, row.box_x, row.box_y or 0, row.box_width or 0, row.box_height or 0), "JPEG")
        store.audit(session, who.login, "view_image", pk, f"field {row.document}.{row.name}", remote(request))
        session.commit()
        return _image(body, "image/jpeg")

    @app.get("/applications/{pk}/seals/{document}.jpg")
    def seal_image(pk: int, document: str, request: Request, session: DB) -> Response:
        who = actor(request, session, "review")
        _application(session, pk)
        if document not in page_images.SEAL_REGIONS_MM:
            raise NotFound
        anchor = next((f for f in store.fields_of(session, pk) if f.document == document), None)
        app_row = _application(session, pk)
        page = store.page(session, app_row.batch_id, anchor.page_seq) if anchor else None
        if page is None:
            raise NotFound
        rgb = _image_page(session, settings, page)
        body = page_images.encode(page_images.seal_crop(rgb, document, page.effective_dpi), "JPEG")
        store.audit(session, who.login, "view_image", pk, f"seal {document}", remote(request))
        session.commit()
        return _image(body, "image/jpeg")

    @app.get("/applications/{pk}/original/{seq}")
    def original_file(pk: int, seq: int, request: Request, session: DB) -> Response:
        who = actor(request, session, "review")
        app_row = _application(session, pk)
        if seq not in json.loads(app_row.page_seqs):
            raise NotFound
        page = store.page(session, app_row.batch_id, seq)
        if page is None:
            raise NotFound
        data = originals.read(settings.originals_dir, page.original_sha256)
        name = page.source_name.split("#")[0]
        media = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "tif": "image/tiff", "tiff": "image/tiff", "pdf": "application/pdf"}
        store.audit(session, who.login, "view_image", pk, f"original {seq}", remote(request))
        session.commit()
        return Response(
            data, media_type=media.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream"),
            headers={"Content-Disposition": f'attachment; filename="{quote(name)}"', "Cache-Control": "no-store"},
        )

    # --- actions --------------------------------------------------------------

    def _after(session: Session, pk: int, outcome: review.Outcome) -> str:
        """Where a reviewer goes next: the next held application, else the queue."""
        if outcome.kind == "corrected":
            return f"/applications/{pk}"
        items, _ = store.queue(session)
        remaining = [item.pk for item in items if not item.pending and item.pk != pk]
        return f"/applications/{remaining[0]}" if remaining else "/queue"

    def _act(request: Request, session: Session, who: Actor, pk: int, action: Any) -> Response:
        t = tr(request)
        app_row = store.application(session, pk)
        label = (app_row.application_id if app_row else None) or t("app.no_id")
        try:
            outcome = action()
            session.commit()
        except review.ReviewError as exc:
            session.rollback()
            return back(f"/applications/{pk}", t("flash.error", message=t(f"review_error.{exc.key}")), "error")
        status = t(f"status.{app_row.status}") if app_row else ""
        if outcome.kind == "proposed":
            proposal = session.get(store.ProposalRow, outcome.proposal_id)
            status = t(f"status.{proposal.status}") if proposal else ""
        message = t(f"flash.{outcome.kind}", id=label, status=status)
        return back(_after(session, pk, outcome), message)

    @app.post("/applications/{pk}/decide")
    def decide(pk: int, request: Request, form: FormData, session: DB) -> Response:
        who = posted(request, session, form, "review")
        _application(session, pk)
        status = first(form, "decision")
        return _act(request, session, who, pk, lambda: review.decide(session, pk, who.login, status, form.get("reason", []), first(form, "note")))

    @app.post("/applications/{pk}/correct")
    def correct(pk: int, request: Request, form: FormData, session: DB) -> Response:
        who = posted(request, session, form, "review")
        _application(session, pk)
        return _act(
            request, session, who, pk,
            lambda: review.correct(session, pk, who.login, first(form, "document"), first(form, "field"), first(form, "value")),
        )

    @app.post("/proposals/{proposal_id}/{verb}")
    def settle(proposal_id: int, verb: str, request: Request, form: FormData, session: DB) -> Response:
        who = posted(request, session, form, "review")
        proposal = session.get(store.ProposalRow, proposal_id)
        if proposal is None or verb not in ("confirm", "reject"):
            raise NotFound
        return _act(request, session, who, proposal.application_pk, lambda: review.settle(session, proposal_id, who.login, verb == "confirm"))

    # --- search ---------------------------------------------------------------

    @app.get("/search")
    def search_page(request: Request, session: DB) -> Response:
        who = actor(request, session, "review")
        q = request.query_params
        keys = ("received_from", "received_to", "decided_from", "decided_to", "corporate_number", "company_name", "person_name", "status", "reason")
        values = {k: q.get(k, "").strip()[:100] for k in keys}
        blank = tuple(b for b in q.getlist("blank") if b in ("application_id", "corporate_number", "company_name", "name", "birth_date"))
        asked = any(values.values()) or bool(blank)
        results: list[tuple[store.QueueItem, str, dict[str, str]]] = []
        total = 0
        if asked:
            def day_start(text: str, plus: int = 0) -> datetime | None:
                day = _date_param(text)
                return datetime(day.year, day.month, day.day, tzinfo=TOKYO) + timedelta(days=plus) if day else None

            criteria = store.SearchCriteria(
                received_from=_date_param(values["received_from"]), received_to=_date_param(values["received_to"]),
                decided_from_utc=day_start(values["decided_from"]), decided_to_utc=day_start(values["decided_to"], 1),
                corporate_number=values["corporate_number"], company_name=values["company_name"],
                person_name=values["person_name"], status=values["status"], reason=values["reason"], blank=blank,
            )
            items, statuses, total = store.search(session, criteria)
            shown = store.values_for(session, [item.pk for item in items])
            results = [(item, status, shown[item.pk]) for item, status in zip(items, statuses, strict=True)]
            used = ",".join([k for k, v in values.items() if v] + [f"blank:{b}" for b in blank])
            store.audit(session, who.login, "search", detail=f"criteria={used} results={total}", remote=remote(request))
            session.commit()
        return render(
            request, who, "search.html", values=values, blank=blank, asked=asked, results=results, total=total,
            statuses=("auto_approved", "needs_review", "approved", "denied", "rescan"),
            reasons=[*review.DENY_CODES, "LOW_CONFIDENCE", "UNIDENTIFIED"],
        )

    # --- supervisor -----------------------------------------------------------

    @app.get("/dashboard")
    def dashboard(request: Request, session: DB) -> Response:
        who = actor(request, session, "supervise")
        t = tr(request)
        now = datetime.now(TOKYO)
        start = datetime(now.year, now.month, now.day, tzinfo=TOKYO)
        end = start + timedelta(days=1)
        created = store.applications_created_between(session, start, end)
        decisions = store.first_decisions_between(session, start, end)
        received_by_hour = [0] * 24
        for moment, _status, _station, _reasons in created:
            received_by_hour[_tokyo(moment).hour] += 1
        decided_by_hour = [0] * 24
        final = ("auto_approved", "approved", "denied")
        reviewer: dict[str, Counter[str]] = defaultdict(Counter)
        for moment, status, by, _reasons in decisions:
            if status in final:
                decided_by_hour[_tokyo(moment).hour] += 1
            if by != "auto" and status in ("approved", "denied"):
                reviewer[by][status] += 1
        for action in ("propose", "confirm"):
            for row in store.audit_since(session, action, start):
                reviewer[row.actor][action] += 1
        station: dict[str, Counter[str]] = defaultdict(Counter)
        for _moment, status, st, _reasons in created:
            station[st or "—"]["received"] += 1
            station[st or "—"][status] += 1
        counts = {
            "received": len(created),
            "decided": sum(decided_by_hour),
            "auto_approved": sum(1 for _m, s, by, _r in decisions if by == "auto" and s == "auto_approved"),
            "held": sum(1 for _m, s, by, _r in decisions if by == "auto" and s == "needs_review"),
            "waiting": store.count_waiting(session),
        }
        weeks = 8
        monday = (start - timedelta(days=start.weekday())) - timedelta(weeks=weeks - 1)
        week_labels = [(monday + timedelta(weeks=i)).strftime("%m/%d") for i in range(weeks)]
        series: dict[str, list[int]] = {}
        for moment, reasons in store.first_auto_decisions_since(session, monday):
            index = (_tokyo(moment) - monday).days // 7
            if 0 <= index < weeks:
                for code in filter(None, reasons.split(";")):
                    series.setdefault(code, [0] * weeks)[index] += 1
        order = [*review.DENY_CODES, "LOW_CONFIDENCE", "UNIDENTIFIED"]
        series = {code: series[code] for code in order if code in series}
        hour_chart = charts.bars_by_hour(received_by_hour, decided_by_hour, (t("dash.received"), t("dash.decided")))
        week_chart = charts.stacked_weeks(week_labels, series, {code: t(f"reason.{code}") for code in series})
        return render(
            request, who, "dashboard.html", counts=counts, target=DAILY_TARGET, today=start.date(), station=dict(sorted(station.items())),
            reviewer=dict(sorted(reviewer.items())), hour_chart=hour_chart, week_chart=week_chart, weeks=weeks,
            export_folder=str(settings.home / "exports"),
        )

    @app.post("/export")
    def export(request: Request, form: FormData, session: DB) -> Response:
        who = posted(request, session, form, "supervise")
        t = tr(request)
        try:
            result = report.export(session, settings.home / "exports")  # the CLI's export, same rules
        except GbizReviewError as exc:
            session.rollback()
            LOG.error("export failed: %s", exc)  # a folder and an OS reason, no personal data
            return back("/dashboard", t("error.export"), "error")
        store.audit(session, who.login, "export", detail=f"export={result.export_id} approve={result.approve_rows} deny={result.deny_rows}", remote=remote(request))
        session.commit()
        message = t("dash.exported", id=result.export_id, approve=result.approve_rows, deny=result.deny_rows, folder=str(result.approve_path.parent))
        return back("/dashboard", message)

    @app.get("/audit")
    def audit_page(request: Request, session: DB) -> Response:
        who = actor(request, session, "supervise")
        q = request.query_params
        pk = q.get("application")
        before = q.get("before")
        rows = store.audit_page(
            session, actor=q.get("actor", ""), action=q.get("action", ""),
            application_pk=int(pk) if pk and pk.isdigit() else None, before=int(before) if before and before.isdigit() else None,
        )
        filters = {"actor": q.get("actor", ""), "action": q.get("action", ""), "application": pk or ""}
        older = urlencode({**{k: v for k, v in filters.items() if v}, "before": rows[-1].id}) if len(rows) == 200 else ""
        return render(
            request, who, "audit.html", rows=rows, filters=filters, older=older,
            tokyo=lambda moment: report._iso_tokyo(moment)[:19].replace("T", " "),
            actions=("login", "login_failed", "logout", "view", "view_image", "search", "decide", "propose", "confirm", "reject", "correct", "export", "user_add", "user_disable"),
        )

    # --- admin and operator -----------------------------------------------------

    @app.get("/users")
    def users_page(request: Request, session: DB) -> Response:
        who = actor(request, session, "admin")
        return render(request, who, "users.html", users=store.all_users(session), roles=accounts.ROLES)

    @app.post("/users/add")
    def users_add(request: Request, form: FormData, session: DB) -> Response:
        who = posted(request, session, form, "admin")
        t = tr(request)
        login_name = first(form, "login").strip().lower()
        try:
            accounts.add_user(session, login_name, first(form, "role"), first(form, "password"))
            session.commit()
        except accounts.AccountError as exc:
            session.rollback()
            return back("/users", t("flash.error", message=t(f"account_error.{exc.key}")), "error")
        store.audit(session, who.login, "user_add", detail=f"{login_name}", remote=remote(request))
        session.commit()
        return back("/users", t("users.created", login=login_name))

    @app.post("/users/{login_name}/disable")
    def users_disable(login_name: str, request: Request, form: FormData, session: DB) -> Response:
        who = posted(request, session, form, "admin")
        t = tr(request)
        try:
            ended = accounts.disable_user(session, login_name, actor=who.login)
            session.commit()
        except accounts.AccountError as exc:
            session.rollback()
            return back("/users", t("flash.error", message=t(f"account_error.{exc.key}")), "error")
        return back("/users", t("users.disabled_done", login=login_name, count=ended))

    @app.get("/rescan")
    def rescan_page(request: Request, session: DB) -> Response:
        who = actor(request, session, "rescan")
        rows = []
        for app_row in store.rescans(session):
            # The decision's own list: besides each page's stored problems it
            # holds what only the application shows (a greyscale form stored as
            # colour), each as "page N: …".
            sent_back = [d for d in store.decisions_of(session, app_row.id) if d.status == "rescan"]
            decided = json.loads(sent_back[-1].details) if sent_back else []
            pages = []
            for seq in json.loads(app_row.page_seqs):
                page = store.page(session, app_row.batch_id, seq)
                if page is None:
                    continue
                prefix = f"page {seq + 1}: "
                problems = list(json.loads(page.quality_problems))
                problems += [d.removeprefix(prefix) for d in decided if d.startswith(prefix) and d.removeprefix(prefix) not in problems]
                if problems:
                    pages.append((page, _measured(page), problems))
            rows.append((app_row, pages))
        return render(request, who, "rescan.html", rows=rows)

    return app


def _measured(page: storage.PageRow) -> str:
    """A stored page's scanning figures, as the scanning rules judge them."""
    in_file = "no dpi in the file" if page.dpi_x is None else f"{min(page.dpi_x, page.dpi_y or page.dpi_x):g} dpi in the file"
    return (
        f"{page.width_px}×{page.height_px} px, about {page.effective_dpi:.0f} dpi by pixel size, {in_file}; "
        f"{page.mode}, {page.channels} channel(s) × {page.bits_per_channel} bit, {page.distinct_levels} levels"
    )


def _tokyo(moment: datetime) -> datetime:
    from datetime import UTC

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TOKYO)
