"""The storage layer of the review UI (a sibling of pipeline/storage.py, the
only other module that knows SQLModel): accounts, sessions, the audit trail,
reviewers' proposals and confirmations, corrections, and the queries the UI
pages need.

Append-only by design: audit rows, corrections, proposals and confirmations
are inserted, never updated or deleted (a proposal's outcome is a new
confirmation row). Only accounts (disabled flag) and sessions (last seen,
ended) change in place: they are not part of the record.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import DDL, event, func, or_
from sqlmodel import Field, Session, SQLModel, select

from pipeline.storage import (
    ApplicationRow,
    BatchRow,
    ComparisonRow,
    DecisionRow,
    FieldRow,
    PageRow,
    utcnow,
)


class UserRow(SQLModel, table=True):
    __tablename__ = "review_user"
    login: str = Field(primary_key=True)
    role: str  # operator | reviewer | supervisor | admin
    password_hash: str
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class SessionRow(SQLModel, table=True):
    __tablename__ = "review_session"
    token_hash: str = Field(primary_key=True)  # SHA-256 of the cookie's token
    login: str = Field(index=True, foreign_key="review_user.login")
    csrf: str
    created_at: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None


class AuditRow(SQLModel, table=True):
    __tablename__ = "audit"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(index=True)  # a login, or what was typed at a failed login
    action: str = Field(index=True)  # login, login_failed, logout, view, decide, propose, confirm, reject, correct, export, …
    application_pk: int | None = Field(default=None, index=True)
    detail: str = ""  # codes and ids only: never names, numbers or dates of birth
    remote: str = ""  # client address


class ProposalRow(SQLModel, table=True):
    """A reviewer's decision that needs a second reviewer (four-eyes)."""

    __tablename__ = "review_proposal"
    id: int | None = Field(default=None, primary_key=True)
    application_pk: int = Field(index=True, foreign_key="application.id")
    status: str  # approved | denied
    reasons: str = ""  # ";"-joined denial codes
    note: str = ""  # the OTHER reason's text
    proposed_by: str
    proposed_at: datetime = Field(default_factory=utcnow)
    base_decision_id: int  # the decision it overrides or settles


class ConfirmationRow(SQLModel, table=True):
    __tablename__ = "review_confirmation"
    proposal_id: int = Field(primary_key=True, foreign_key="review_proposal.id")  # one outcome per proposal
    outcome: str  # confirmed | rejected
    by: str
    at: datetime = Field(default_factory=utcnow)
    decision_id: int | None = None  # the decision row it created


class CorrectionRow(SQLModel, table=True):
    __tablename__ = "review_correction"
    id: int | None = Field(default=None, primary_key=True)
    application_pk: int = Field(index=True, foreign_key="application.id")
    document: str  # form | certificate
    name: str  # corporate_number | name | birth_date
    old_value: str | None = None
    new_value: str
    by: str
    at: datetime = Field(default_factory=utcnow)


class RecomparisonRow(SQLModel, table=True):
    """The match re-run after a correction (the pipeline's comparison rows stay as they were)."""

    __tablename__ = "review_comparison"
    id: int | None = Field(default=None, primary_key=True)
    correction_id: int = Field(index=True, foreign_key="review_correction.id")
    application_pk: int = Field(index=True, foreign_key="application.id")
    field: str
    form_value: str | None = None
    cert_value: str | None = None
    method: str
    score: float
    equal: bool


# The record cannot be rewritten: on SQLite, triggers refuse UPDATE and DELETE
# on the append-only tables (created with the tables; PostgreSQL relies on the
# code, which only inserts).
for _table in (DecisionRow, AuditRow, ProposalRow, ConfirmationRow, CorrectionRow, RecomparisonRow):
    _name = _table.__tablename__
    for _verb in ("UPDATE", "DELETE"):
        event.listen(
            _table.__table__,  # type: ignore[attr-defined]
            "after_create",
            DDL(
                f"CREATE TRIGGER IF NOT EXISTS {_name}_no_{_verb.lower()} BEFORE {_verb} ON {_name} "
                f"BEGIN SELECT RAISE(ABORT, '{_name} is append-only'); END"
            ).execute_if(dialect="sqlite"),
        )


# --- accounts and sessions ----------------------------------------------------


def get_user(session: Session, login: str) -> UserRow | None:
    return session.get(UserRow, login)


def all_users(session: Session) -> list[UserRow]:
    return list(session.exec(select(UserRow).order_by(UserRow.login)))


def end_sessions(session: Session, login: str) -> int:
    rows = list(session.exec(select(SessionRow).where(SessionRow.login == login, SessionRow.ended_at.is_(None))))  # type: ignore[union-attr]
    for row in rows:
        row.ended_at = utcnow()
        session.add(row)
    return len(rows)


def audit(session: Session, actor: str, action: str, application_pk: int | None = None, detail: str = "", remote: str = "") -> None:
    session.add(AuditRow(actor=actor, action=action, application_pk=application_pk, detail=detail, remote=remote))


def failures_since(session: Session, since: datetime, login: str | None = None, remote: str | None = None) -> int:
    query = select(func.count()).select_from(AuditRow).where(AuditRow.action == "login_failed", AuditRow.at >= since)
    if login is not None:
        query = query.where(AuditRow.actor == login)
    if remote is not None:
        query = query.where(AuditRow.remote == remote)
    return int(session.exec(query).one())


def audit_page(session: Session, actor: str = "", action: str = "", application_pk: int | None = None, limit: int = 200, before: int | None = None) -> list[AuditRow]:
    query = select(AuditRow)
    if actor:
        query = query.where(AuditRow.actor == actor)
    if action:
        query = query.where(AuditRow.action == action)
    if application_pk is not None:
        query = query.where(AuditRow.application_pk == application_pk)
    if before is not None:
        query = query.where(AuditRow.id < before)  # type: ignore[operator]
    return list(session.exec(query.order_by(AuditRow.id.desc()).limit(limit)))  # type: ignore[union-attr]


# --- the queue, an application, proposals --------------------------------------


@dataclass(frozen=True)
class QueueItem:
    pk: int
    application_id: str | None
    batch_id: str
    station: str | None
    received: date
    reasons: tuple[str, ...]
    pending: bool  # a proposal waits for a second reviewer


def pending_proposals(session: Session) -> dict[int, ProposalRow]:
    """application pk → its open proposal (no confirmation row yet)."""
    query = (
        select(ProposalRow)
        .outerjoin(ConfirmationRow, ConfirmationRow.proposal_id == ProposalRow.id)  # type: ignore[arg-type]
        .where(ConfirmationRow.proposal_id.is_(None))  # type: ignore[union-attr]
    )
    return {row.application_pk: row for row in session.exec(query)}


def queue(
    session: Session, reason: str = "", batch: str = "", station: str = "", received_from: date | None = None,
    received_to: date | None = None,
) -> tuple[list[QueueItem], Counter[str]]:
    """Held applications oldest first (received date, then scan order), and the
    count per reason over the whole held set before the reason filter."""
    query = (
        select(ApplicationRow.id, ApplicationRow.application_id, ApplicationRow.batch_id, BatchRow.station, BatchRow.received, ApplicationRow.reasons)
        .join(BatchRow, BatchRow.id == ApplicationRow.batch_id)  # type: ignore[arg-type]
        .where(ApplicationRow.status == "needs_review")
        .order_by(BatchRow.received, BatchRow.created_at, ApplicationRow.batch_id, ApplicationRow.seq)
    )
    if batch:
        query = query.where(ApplicationRow.batch_id == batch)
    if station:
        query = query.where(BatchRow.station == station)
    if received_from:
        query = query.where(BatchRow.received >= received_from)
    if received_to:
        query = query.where(BatchRow.received <= received_to)
    pending = set(pending_proposals(session))
    items = [
        QueueItem(pk, app_id, batch_id, st, received, tuple(r for r in reasons.split(";") if r), pk in pending)
        for pk, app_id, batch_id, st, received, reasons in session.exec(query)
    ]
    counts: Counter[str] = Counter(code for item in items for code in item.reasons)
    if reason:
        items = [item for item in items if reason in item.reasons]
    return items, counts


def stations_and_batches(session: Session) -> tuple[list[str], list[str]]:
    stations = sorted({s for s in session.exec(select(BatchRow.station).distinct()) if s})
    batches = list(session.exec(select(BatchRow.id).order_by(BatchRow.created_at.desc()).limit(200)))  # type: ignore[attr-defined]
    return stations, batches


def application(session: Session, pk: int) -> ApplicationRow | None:
    return session.get(ApplicationRow, pk)


def batch_of(session: Session, batch_id: str) -> BatchRow | None:
    return session.get(BatchRow, batch_id)


def fields_of(session: Session, pk: int) -> list[FieldRow]:
    return list(session.exec(select(FieldRow).where(FieldRow.application_pk == pk).order_by(FieldRow.id)))


def field(session: Session, field_id: int) -> FieldRow | None:
    return session.get(FieldRow, field_id)


def page(session: Session, batch_id: str, seq: int) -> PageRow | None:
    return session.exec(select(PageRow).where(PageRow.batch_id == batch_id, PageRow.seq == seq)).first()


def comparisons_of(session: Session, pk: int) -> list[ComparisonRow | RecomparisonRow]:
    """The current comparisons: the latest re-run after a correction, else the pipeline's."""
    last = session.exec(
        select(CorrectionRow.id).where(CorrectionRow.application_pk == pk).order_by(CorrectionRow.id.desc()).limit(1)  # type: ignore[union-attr]
    ).first()
    if last is not None:
        return list(session.exec(select(RecomparisonRow).where(RecomparisonRow.correction_id == last).order_by(RecomparisonRow.id)))
    return list(session.exec(select(ComparisonRow).where(ComparisonRow.application_pk == pk).order_by(ComparisonRow.id)))


def corrections_of(session: Session, pk: int) -> list[CorrectionRow]:
    return list(session.exec(select(CorrectionRow).where(CorrectionRow.application_pk == pk).order_by(CorrectionRow.id)))


def decisions_of(session: Session, pk: int) -> list[DecisionRow]:
    return list(session.exec(select(DecisionRow).where(DecisionRow.application_pk == pk).order_by(DecisionRow.id)))


def proposals_of(session: Session, pk: int) -> list[tuple[ProposalRow, ConfirmationRow | None]]:
    rows = list(session.exec(select(ProposalRow).where(ProposalRow.application_pk == pk).order_by(ProposalRow.id)))
    return [(row, session.get(ConfirmationRow, row.id)) for row in rows]


def add_decision(session: Session, app: ApplicationRow, status: str, reasons: str, details: list[str], policy_version: str, decided_by: str) -> DecisionRow:
    """A new decision row (never an update) and the application's cached status."""
    assert app.id is not None
    row = DecisionRow(
        application_pk=app.id, status=status, reasons=reasons, details=json.dumps(details, ensure_ascii=False),
        policy_version=policy_version, decided_by=decided_by,
    )
    session.add(row)
    app.status = status
    app.reasons = reasons
    session.add(app)
    session.flush()
    return row


def add_correction(session: Session, row: CorrectionRow, comparisons: list[RecomparisonRow]) -> CorrectionRow:
    session.add(row)
    session.flush()
    for comparison in comparisons:
        comparison.correction_id = row.id  # type: ignore[assignment]
        session.add(comparison)
    return row


def add_proposal(session: Session, row: ProposalRow) -> ProposalRow:
    session.add(row)
    session.flush()
    return row


def add_confirmation(session: Session, row: ConfirmationRow) -> None:
    session.add(row)
    session.flush()


def neighbours(session: Session, pk: int) -> tuple[int | None, int | None]:
    """Previous and next application in the queue's order (held ones only)."""
    pks = list(
        session.exec(
            select(ApplicationRow.id)
            .join(BatchRow, BatchRow.id == ApplicationRow.batch_id)  # type: ignore[arg-type]
            .where(ApplicationRow.status == "needs_review")
            .order_by(BatchRow.received, BatchRow.created_at, ApplicationRow.batch_id, ApplicationRow.seq)
        )
    )
    if pk not in pks:
        return None, (pks[0] if pks else None)
    i = pks.index(pk)
    return (pks[i - 1] if i > 0 else None), (pks[i + 1] if i + 1 < len(pks) else None)


def is_exported(session: Session, pk: int) -> bool:
    from pipeline.storage import ExportItemRow

    return session.get(ExportItemRow, pk) is not None


# --- search ------------------------------------------------------------------


@dataclass(frozen=True)
class SearchCriteria:
    received_from: date | None = None
    received_to: date | None = None
    decided_from_utc: datetime | None = None
    decided_to_utc: datetime | None = None
    corporate_number: str = ""
    company_name: str = ""
    person_name: str = ""
    status: str = ""
    reason: str = ""
    blank: tuple[str, ...] = ()  # field names that must be empty: corporate_number, company_name, name, birth_date, application_id


def _has_value(name: str):  # type: ignore[no-untyped-def]
    return (
        select(FieldRow.application_pk)
        .where(FieldRow.name == name, FieldRow.value.is_not(None), FieldRow.value != "")  # type: ignore[union-attr]
    )


def search(session: Session, criteria: SearchCriteria, limit: int = 200) -> tuple[list[QueueItem], list[str], int]:
    """Applications matching every given criterion; (items, statuses, total count)."""
    query = select(ApplicationRow.id).join(BatchRow, BatchRow.id == ApplicationRow.batch_id)  # type: ignore[arg-type]
    c = criteria
    if c.received_from:
        query = query.where(BatchRow.received >= c.received_from)
    if c.received_to:
        query = query.where(BatchRow.received <= c.received_to)
    if c.decided_from_utc or c.decided_to_utc:
        decided = select(DecisionRow.application_pk)
        if c.decided_from_utc:
            decided = decided.where(DecisionRow.decided_at >= c.decided_from_utc)
        if c.decided_to_utc:
            decided = decided.where(DecisionRow.decided_at < c.decided_to_utc)
        query = query.where(ApplicationRow.id.in_(decided))  # type: ignore[union-attr]
    if c.status:
        query = query.where(ApplicationRow.status == c.status)
    if c.reason:
        query = query.where(or_(ApplicationRow.reasons == c.reason, ApplicationRow.reasons.like(f"{c.reason};%"), ApplicationRow.reasons.like(f"%;{c.reason}"), ApplicationRow.reasons.like(f"%;{c.reason};%")))  # type: ignore[attr-defined]
    for name, text in (("corporate_number", c.corporate_number), ("company_name", c.company_name), ("name", c.person_name)):
        if text:
            pattern = f"%{text.replace(' ', '').replace('　', '')}%"
            hits = select(FieldRow.application_pk).where(
                FieldRow.name == name, func.replace(func.replace(FieldRow.value, " ", ""), "　", "").like(pattern)
            )
            query = query.where(ApplicationRow.id.in_(hits))  # type: ignore[union-attr]
    for name in c.blank:
        if name == "application_id":
            query = query.where(ApplicationRow.application_id.is_(None))  # type: ignore[union-attr]
        else:
            query = query.where(ApplicationRow.id.not_in(_has_value(name)))  # type: ignore[union-attr]
    pks = list(session.exec(query.order_by(BatchRow.received.desc(), ApplicationRow.batch_id, ApplicationRow.seq)))  # type: ignore[attr-defined]
    total = len(pks)
    pks = pks[:limit]
    if not pks:
        return [], [], total
    rows = session.exec(
        select(ApplicationRow.id, ApplicationRow.application_id, ApplicationRow.batch_id, BatchRow.station, BatchRow.received, ApplicationRow.reasons, ApplicationRow.status)
        .join(BatchRow, BatchRow.id == ApplicationRow.batch_id)  # type: ignore[arg-type]
        .where(ApplicationRow.id.in_(pks))  # type: ignore[union-attr]
    )
    by_pk = {r[0]: r for r in rows}
    pending = set(pending_proposals(session))
    items, statuses = [], []
    for pk in pks:
        _, app_id, batch_id, st, received, reasons, status = by_pk[pk]
        items.append(QueueItem(pk, app_id, batch_id, st, received, tuple(r for r in reasons.split(";") if r), pk in pending))
        statuses.append(status)
    return items, statuses, total


def values_for(session: Session, pks: list[int]) -> dict[int, dict[str, str]]:
    """(document.name) → value for the listed applications, e.g. 'form.name'."""
    out: dict[int, dict[str, str]] = {pk: {} for pk in pks}
    if pks:
        for row in session.exec(select(FieldRow).where(FieldRow.application_pk.in_(pks))):  # type: ignore[attr-defined]
            if row.value:
                out[row.application_pk][f"{row.document}.{row.name}"] = row.value
    return out


# --- the dashboard -------------------------------------------------------------


def applications_created_between(session: Session, start: datetime, end: datetime) -> list[tuple[datetime, str, str | None, str]]:
    """(created_at, status the pipeline gave, station, reasons it found) of applications stored in [start, end)."""
    query = (
        select(ApplicationRow.created_at, DecisionRow.status, BatchRow.station, DecisionRow.reasons)
        .join(BatchRow, BatchRow.id == ApplicationRow.batch_id)  # type: ignore[arg-type]
        .join(DecisionRow, DecisionRow.application_pk == ApplicationRow.id)  # type: ignore[arg-type]
        .where(DecisionRow.decided_by == "auto")
        .where(ApplicationRow.created_at >= start, ApplicationRow.created_at < end)
    )
    return list(session.exec(query))


def first_decisions_between(session: Session, start: datetime, end: datetime) -> list[tuple[datetime, str, str, str]]:
    """(decided_at, status, decided_by, reasons) of every decision made in [start, end)."""
    query = select(DecisionRow.decided_at, DecisionRow.status, DecisionRow.decided_by, DecisionRow.reasons).where(
        DecisionRow.decided_at >= start, DecisionRow.decided_at < end
    )
    return list(session.exec(query))


def audit_since(session: Session, action: str, since: datetime) -> list[AuditRow]:
    return list(session.exec(select(AuditRow).where(AuditRow.action == action, AuditRow.at >= since)))


def rescans(session: Session, limit: int = 500) -> list[ApplicationRow]:
    query = (
        select(ApplicationRow).join(BatchRow, BatchRow.id == ApplicationRow.batch_id)  # type: ignore[arg-type]
        .where(ApplicationRow.status == "rescan").order_by(BatchRow.created_at.desc(), ApplicationRow.seq).limit(limit)  # type: ignore[attr-defined]
    )
    return list(session.exec(query))


def count_waiting(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(ApplicationRow).where(ApplicationRow.status == "needs_review")).one())


def first_auto_decisions_since(session: Session, since: datetime) -> list[tuple[datetime, str]]:
    """(decided_at, reasons) of the pipeline's decisions since a moment: the reasons the system found."""
    query = select(DecisionRow.decided_at, DecisionRow.reasons).where(DecisionRow.decided_by == "auto", DecisionRow.decided_at >= since)
    return list(session.exec(query))


# --- load testing ---------------------------------------------------------------


def synthesise_applications(session: Session, total: int, stations: tuple[str, ...] = ("desk-1", "desk-2", "desk-3", "desk-4"), per_batch: int = 200) -> int:
    """Copies of the stored applications (rows only: pages point at the same
    originals) until the database holds `total`, in new batches spread over
    the last four weeks: for measuring the UI at a realistic size without
    reading 5,000 envelopes. Returns how many were added."""
    import random
    from datetime import timedelta

    from sqlalchemy import insert


    sources = list(session.exec(select(ApplicationRow).where(ApplicationRow.application_id.is_not(None))))  # type: ignore[union-attr]
    existing = int(session.exec(select(func.count()).select_from(ApplicationRow)).one())
    if not sources or existing >= total:
        return 0
    pages = {(p.batch_id, p.seq): p for p in session.exec(select(PageRow))}
    fields: dict[int, list[FieldRow]] = {}
    for row in session.exec(select(FieldRow)):
        fields.setdefault(row.application_pk, []).append(row)
    comparisons: dict[int, list[ComparisonRow]] = {}
    for row in session.exec(select(ComparisonRow)):
        comparisons.setdefault(row.application_pk, []).append(row)
    decisions = {row.application_pk: row for row in session.exec(select(DecisionRow).where(DecisionRow.decided_by == "auto"))}
    rng = random.Random(5000)
    today = utcnow()
    next_pk = int(session.exec(select(func.max(ApplicationRow.id))).one() or 0) + 1
    added = 0
    batch_no = 0
    while existing + added < total:
        batch_no += 1
        count = min(per_batch, total - existing - added)
        created = today - timedelta(days=rng.randrange(0, 28), hours=rng.randrange(0, 9))
        batch_id = f"L{created:%Y%m%d}-{batch_no:05d}"
        batch_rows, page_rows, app_rows, field_rows, comparison_rows, decision_rows = [], [], [], [], [], []
        batch_rows.append({"id": batch_id, "received": created.date(), "station": stations[batch_no % len(stations)],
                           "created_at": created, "state": "processed", "page_count": 0, "processed_at": created})
        seq = 0
        for position in range(count):
            source = sources[rng.randrange(len(sources))]
            assert source.id is not None
            new_seqs = []
            for old_seq in json.loads(source.page_seqs):
                page = pages[(source.batch_id, old_seq)]
                values = page.model_dump(exclude={"id"})
                values.update(batch_id=batch_id, seq=seq)
                page_rows.append(values)
                new_seqs.append(seq)
                seq += 1
            moment = created + timedelta(seconds=position * 7)
            decision = decisions.get(source.id)
            app_rows.append({**source.model_dump(exclude={"id"}), "id": next_pk, "batch_id": batch_id, "seq": position,
                             "application_id": f"GB{rng.randrange(10**12):012d}", "page_seqs": json.dumps(new_seqs), "created_at": moment,
                             # as the pipeline left it: held ones wait in the queue again
                             **({"status": decision.status, "reasons": decision.reasons} if decision else {})})
            renumbered = dict(zip(json.loads(source.page_seqs), new_seqs, strict=True))
            for row in fields.get(source.id, []):
                field_rows.append({**row.model_dump(exclude={"id"}), "application_pk": next_pk, "page_seq": renumbered.get(row.page_seq, row.page_seq)})
            for row in comparisons.get(source.id, []):
                comparison_rows.append({**row.model_dump(exclude={"id"}), "application_pk": next_pk})
            if decision is not None:
                decision_rows.append({**decision.model_dump(exclude={"id"}), "application_pk": next_pk, "decided_at": moment})
            next_pk += 1
        batch_rows[0]["page_count"] = seq
        for table, rows in ((BatchRow, batch_rows), (PageRow, page_rows), (ApplicationRow, app_rows), (FieldRow, field_rows),
                            (ComparisonRow, comparison_rows), (DecisionRow, decision_rows)):
            if rows:
                session.execute(insert(table), rows)  # type: ignore[call-overload]
        added += count
    session.commit()
    return added
