"""Accounts of the review UI: roles, Argon2id password hashes, and the
`gbiz-review users add/disable` commands' logic."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from pipeline import storage_review as store
from pipeline.errors import UsageError

ROLES = ("operator", "reviewer", "supervisor", "admin")
MIN_PASSWORD = 10
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
_HASHER = PasswordHasher()  # Argon2id, the library's current parameters
# Verified when the login does not exist, so that a wrong login costs as long as a wrong password.
_DUMMY = _HASHER.hash("not a password of anyone")


class AccountError(UsageError):
    """A refused account change; `key` names its message in the UI's catalogue."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def add_user(session: Session, login: str, role: str, password: str) -> store.UserRow:
    if not _LOGIN.match(login):
        raise AccountError("bad_login", f"{login!r}: a login is 2–32 lower-case letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError("bad_role", f"{role!r}: the role is one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError("short_password", f"the password needs at least {MIN_PASSWORD} characters")
    if store.get_user(session, login) is not None:
        raise AccountError("exists", f"{login}: the account exists already")
    row = store.UserRow(login=login, role=role, password_hash=_HASHER.hash(password))
    session.add(row)
    store.audit(session, "cli", "user_add", detail=f"{login} role={role}")
    return row


def disable_user(session: Session, login: str, actor: str = "cli") -> int:
    """Refuses the account's logins and ends its sessions; returns how many ended."""
    row = store.get_user(session, login)
    if row is None:
        raise AccountError("no_account", f"{login}: no such account")
    row.disabled = True
    session.add(row)
    ended = store.end_sessions(session, login)
    store.audit(session, actor, "user_disable", detail=f"{login} sessions_ended={ended}")
    return ended


def verify(session: Session, login: str, password: str) -> store.UserRow | None:
    """The account when the password is right and the account enabled, else None."""
    row = store.get_user(session, login)
    try:
        _HASHER.verify(row.password_hash if row else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled:
        return None
    if _HASHER.check_needs_rehash(row.password_hash):
        row.password_hash = _HASHER.hash(password)
        session.add(row)
    return row
