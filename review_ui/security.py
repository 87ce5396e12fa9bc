"""Sessions, roles, CSRF and security headers of the review UI.

Sessions: a random token in an HttpOnly, SameSite=Strict cookie; the database
keeps only its SHA-256. A session ends after 30 minutes idle or 12 hours, and
a login always starts a new one. Every route names the permission it needs
(`PERMISSIONS`); the roles holding each are data here, checked server-side.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from fastapi import Request
from sqlmodel import Session

from pipeline import storage_review as store
from pipeline.storage import utcnow

SESSION_COOKIE = "gbr_session"
PRE_COOKIE = "gbr_pre"  # CSRF token for forms shown before login (login, language)
LANG_COOKIE = "gbr_lang"
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_ADDRESS = 20

# permission → roles holding it
PERMISSIONS: dict[str, frozenset[str]] = {
    "review": frozenset({"reviewer", "supervisor"}),
    "supervise": frozenset({"supervisor"}),
    "admin": frozenset({"admin"}),
    "rescan": frozenset({"operator", "supervisor"}),
}
HOME_OF_ROLE = {"reviewer": "/queue", "supervisor": "/dashboard", "admin": "/users", "operator": "/rescan"}

CSP = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class Actor:
    login: str
    role: str
    csrf: str
    token_hash: str

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]


class NotLoggedIn(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, actor: Actor | None = None) -> None:
        super().__init__("forbidden")
        self.actor = actor


class BadCsrf(Exception):
    pass


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def actor_of(request: Request, session: Session) -> Actor | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    digest = token_hash(token)
    row = session.get(store.SessionRow, digest)
    if row is None or row.ended_at is not None:
        return None
    now = utcnow()
    if now - aware(row.last_seen) > IDLE or now - aware(row.created_at) > ABSOLUTE:
        row.ended_at = now
        session.add(row)
        session.commit()
        return None
    user = store.get_user(session, row.login)
    if user is None or user.disabled:
        return None
    if now - aware(row.last_seen) > timedelta(seconds=60):
        row.last_seen = now
        session.add(row)
        session.commit()
    return Actor(user.login, user.role, row.csrf, digest)


def require(actor: Actor | None, permission: str) -> Actor:
    if actor is None:
        raise NotLoggedIn
    if not actor.can(permission):
        raise Forbidden(actor)
    return actor


def new_session(session: Session, login: str) -> str:
    """A fresh session (and token) for a login; returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    session.add(store.SessionRow(token_hash=token_hash(token), login=login, csrf=secrets.token_urlsafe(24)))
    return token


def end_session(session: Session, digest: str) -> None:
    row = session.get(store.SessionRow, digest)
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        session.add(row)


def throttled(session: Session, login: str, remote: str) -> bool:
    since = utcnow() - THROTTLE_WINDOW
    return (
        store.failures_since(session, since, login=login) >= MAX_FAILURES_PER_LOGIN
        or store.failures_since(session, since, remote=remote) >= MAX_FAILURES_PER_ADDRESS
    )


async def form_of(request: Request) -> dict[str, list[str]]:
    """The urlencoded body of a POST (forms here carry no files)."""
    body = await request.body()
    if len(body) > 65536:
        return {}
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def first(form: dict[str, list[str]], key: str) -> str:
    values = form.get(key)
    return values[0] if values else ""


def check_csrf(request: Request, form: dict[str, list[str]], actor: Actor | None) -> None:
    """The form's token must equal the session's (or, before login, the pre-login cookie's)."""
    sent = first(form, "csrf")
    expected = actor.csrf if actor else request.cookies.get(PRE_COOKIE, "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise BadCsrf


def remote_of(request: Request) -> str:
    return request.client.host if request.client else ""
