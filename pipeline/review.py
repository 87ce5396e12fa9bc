"""What reviewers do to a held application, as plain functions over the
storage layer: decide (approve / deny), confirm or reject a colleague's
decision (four-eyes), and correct a misread value (which re-runs the match).

Four-eyes: a decision takes effect at once only when it agrees with what the
system found — approving an application held solely for the system's own
reasons (LOW_CONFIDENCE, UNIDENTIFIED) with no corrected value. A denial, an
approval against a reason to deny or resting on a corrected value, and any
change to an automatic approval are proposals until a second reviewer
confirms them. Decisions, corrections, proposals and confirmations are new
rows; nothing is updated in place except the application's cached status.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from matching.compare import compare_readings
from pipeline import storage
from pipeline import storage_review as store
from pipeline.config import POLICY_VERSION
from pipeline.domain import DENIAL_REASONS, FieldName, Reason
from pipeline.errors import UsageError
from pipeline.identifiers import is_valid_corporate_number
from pipeline.text import digits_only, normalise_name

CHECKED_FIELDS = (FieldName.CORPORATE_NUMBER, FieldName.NAME, FieldName.BIRTH_DATE)
DENY_CODES = tuple(reason.value for reason in Reason if reason in DENIAL_REASONS)
ALL_CODES = tuple(reason.value for reason in Reason)
_FIELD_DETAIL = re.compile(r"^(corporate_number|name|birth_date): ")


class ReviewError(UsageError):
    """An action that does not apply (wrong state, same reviewer twice, bad
    value); `key` names its message in the UI's catalogue."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Outcome:
    kind: str  # decided | proposed | confirmed | rejected | corrected
    decision_id: int | None = None
    proposal_id: int | None = None


def _auto_decision(session: Session, pk: int) -> storage.DecisionRow | None:
    """The pipeline's own (first) decision."""
    return next((d for d in store.decisions_of(session, pk) if d.decided_by == "auto"), None)


def needs_second_reviewer(session: Session, app: storage.ApplicationRow, status: str) -> bool:
    if status == "denied" or app.status == "auto_approved":
        return True
    assert app.id is not None
    auto = _auto_decision(session, app.id)
    found = {r for r in (auto.reasons if auto else app.reasons).split(";") if r}
    return bool(found & set(DENY_CODES)) or bool(store.corrections_of(session, app.id))


def _open_application(session: Session, pk: int) -> storage.ApplicationRow:
    app = store.application(session, pk)
    if app is None:
        raise ReviewError("not_found", "no such application")
    if pk in store.pending_proposals(session):
        raise ReviewError("pending", "a decision on this application waits for a second reviewer")
    return app


def decide(session: Session, pk: int, actor: str, status: str, reasons: list[str], note: str = "") -> Outcome:
    app = _open_application(session, pk)
    if status not in ("approved", "denied"):
        raise ReviewError("unknown_decision", f"unknown decision {status!r}")
    if app.status == "needs_review":
        pass
    elif app.status == "auto_approved" and status == "denied":
        if store.is_exported(session, pk):
            raise ReviewError("exported", "already exported as approved; it cannot be changed here")
    else:
        raise ReviewError("not_open", f"an application that is {app.status} cannot be decided")
    note = note.strip()
    if status == "denied":
        reasons = [code for code in DENY_CODES if code in set(reasons)]
        if not reasons:
            raise ReviewError("no_reason", "a denial needs at least one reason code")
        if "OTHER" in reasons and not note:
            raise ReviewError("other_note", "the reason OTHER needs a note")
    else:
        reasons, note = [], ""
    latest = storage.latest_decision(session, pk)
    assert latest is not None and latest.id is not None
    joined = ";".join(reasons)
    if needs_second_reviewer(session, app, status):
        proposal = store.add_proposal(
            session,
            store.ProposalRow(application_pk=pk, status=status, reasons=joined, note=note, proposed_by=actor, base_decision_id=latest.id),
        )
        store.audit(session, actor, "propose", pk, f"{status} {joined}".strip())
        return Outcome("proposed", proposal_id=proposal.id)
    row = store.add_decision(session, app, status, joined, [note] if note else [], POLICY_VERSION, actor)
    store.audit(session, actor, "decide", pk, f"{status} {joined}".strip())
    return Outcome("decided", decision_id=row.id)


def settle(session: Session, proposal_id: int, actor: str, confirm: bool) -> Outcome:
    """A second reviewer confirms (the decision takes effect) or rejects (the
    application goes back to the queue) a proposal."""
    proposal = session.get(store.ProposalRow, proposal_id)
    if proposal is None or session.get(store.ConfirmationRow, proposal_id) is not None:
        raise ReviewError("no_proposal", "no open proposal with that number")
    if proposal.proposed_by == actor:
        raise ReviewError("same_reviewer", "a second reviewer must confirm: not the one who proposed it")
    app = store.application(session, proposal.application_pk)
    latest = storage.latest_decision(session, proposal.application_pk)
    assert app is not None and latest is not None
    if latest.id != proposal.base_decision_id:
        raise ReviewError("stale", "the application changed since the proposal; it is no longer valid")
    if not confirm:
        store.add_confirmation(session, store.ConfirmationRow(proposal_id=proposal_id, outcome="rejected", by=actor))
        store.audit(session, actor, "reject", app.id, f"proposal={proposal_id}")
        return Outcome("rejected", proposal_id=proposal_id)
    details = [f"proposed by {proposal.proposed_by}, confirmed by {actor}"] + ([proposal.note] if proposal.note else [])
    row = store.add_decision(session, app, proposal.status, proposal.reasons, details, POLICY_VERSION, proposal.proposed_by)
    store.add_confirmation(session, store.ConfirmationRow(proposal_id=proposal_id, outcome="confirmed", by=actor, decision_id=row.id))
    store.audit(session, actor, "confirm", app.id, f"proposal={proposal_id} {proposal.status} {proposal.reasons}".strip())
    return Outcome("confirmed", decision_id=row.id, proposal_id=proposal_id)


def normalise_value(name: str, text: str) -> str:
    """A typed value in the form the pipeline stores, or ReviewError."""
    text = text.strip()
    if name == FieldName.CORPORATE_NUMBER:
        value = digits_only(text)
        if len(value) != 13 or not is_valid_corporate_number(value):
            raise ReviewError("bad_number", "a corporate number is 13 digits with a valid check digit")
        return value
    if name == FieldName.BIRTH_DATE:
        match = re.fullmatch(r"(\d{4})\D(\d{1,2})\D(\d{1,2})\D?", digits_or_text(text))
        try:
            if not match:
                raise ValueError
            return date(*(int(g) for g in match.groups())).isoformat()
        except ValueError:
            raise ReviewError("bad_date", "a date of birth is written YYYY-MM-DD") from None
    if name == FieldName.NAME:
        value = normalise_name(text)
        if not value:
            raise ReviewError("empty_name", "a name cannot be empty")
        return value
    raise ReviewError("not_correctable", f"{name!r} cannot be corrected")


def digits_or_text(text: str) -> str:
    from pipeline.text import to_halfwidth

    return to_halfwidth(text)


def current_readings(session: Session, pk: int) -> dict[tuple[str, str], tuple[str, ...]]:
    """(document, field) → readings, a corrected value replacing what was read."""
    readings: dict[tuple[str, str], tuple[str, ...]] = {}
    for row in store.fields_of(session, pk):
        alternatives = tuple(a for a in json.loads(row.alternatives) if a and a != row.value)
        readings[(row.document, row.name)] = ((row.value,) if row.value else ()) + alternatives
    for correction in store.corrections_of(session, pk):
        readings[(correction.document, correction.name)] = (correction.new_value,)
    return readings


def correct(session: Session, pk: int, actor: str, document: str, name: str, text: str) -> Outcome:
    """Record a corrected value, re-run the match of the three fields, and
    record the re-matched reasons as a new (still held) decision."""
    app = _open_application(session, pk)
    if app.status != "needs_review":
        raise ReviewError("not_held", "only a held application can be corrected")
    if document not in ("form", "certificate") or name not in CHECKED_FIELDS:
        raise ReviewError("not_correctable", "only the corporate number, name and date of birth can be corrected")
    value = normalise_value(name, text)
    before = current_readings(session, pk)
    old = before.get((document, name), ())
    readings = {**before, (document, name): (value,)}
    comparisons = [
        compare_readings(field, readings.get(("form", field.value), ()), readings.get(("certificate", field.value), ()))
        for field in CHECKED_FIELDS
    ]
    correction = store.add_correction(
        session,
        store.CorrectionRow(application_pk=pk, document=document, name=name, old_value=old[0] if old else None, new_value=value, by=actor),
        [
            store.RecomparisonRow(
                correction_id=0, application_pk=pk, field=c.field.value, form_value=c.form_value, cert_value=c.cert_value,
                method=c.method, score=c.score, equal=c.equal,
            )
            for c in comparisons
        ],
    )
    # The reasons again: what the pipeline found apart from the three fields, and what the new match finds.
    auto = _auto_decision(session, pk)
    auto_reasons = [r for r in (auto.reasons if auto else app.reasons).split(";") if r]
    other_details = [d for d in json.loads(auto.details if auto else "[]") if not _FIELD_DETAIL.match(d)]
    reasons = [r for r in auto_reasons if r not in ("MISMATCH", "LOW_CONFIDENCE")]
    if any(d.startswith(("application_id:", "issue_date:")) for d in other_details) and "LOW_CONFIDENCE" in auto_reasons:
        reasons.append("LOW_CONFIDENCE")
    details = [f"re-matched after correction {correction.id} of {document} {name} by {actor}"]
    for c in comparisons:
        if c.form_value is None or c.cert_value is None:
            reasons.append("LOW_CONFIDENCE")
            details.append(f"{c.field.value}: could not be read on the {'form' if c.form_value is None else 'certificate'}")
        elif not c.equal:
            reasons.append("MISMATCH")
            details.append(f"{c.field.value}: form {c.form_value} ≠ certificate {c.cert_value}")
    order = [reason.value for reason in Reason]
    joined = ";".join(sorted(set(reasons), key=order.index))
    store.add_decision(session, app, "needs_review", joined, details + other_details, POLICY_VERSION, actor)
    store.audit(session, actor, "correct", pk, f"{document}.{name} correction={correction.id}")
    return Outcome("corrected")
