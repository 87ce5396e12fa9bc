"""Reviewers' actions on stored applications (no OCR): immediate approvals,
four-eyes proposals, corrections that re-run the match, and how human
decisions reach the export and the DENIED_BEFORE check."""

import csv
import io
from datetime import date

import pytest

from pipeline import accounts, report, review, storage
from pipeline import storage_review as store
from pipeline.domain import (
    ApplicationResult,
    Decision,
    Document,
    ExtractedField,
    FieldComparison,
    FieldName,
    Reason,
    ScanQuality,
    SourcePage,
    Status,
)

QUALITY = ScanQuality(1654, 2339, 200, 200, 200.0, "RGB", 3, 8, 200, 3.0)
NUMBER = "7000012050002"


def fields(form_name: str, cert_name: str, seq: int) -> tuple[ExtractedField, ...]:
    def f(document, name, value):
        return ExtractedField(document, name, value or "", value, 90.0, seq, None)

    return (
        f(Document.FORM, FieldName.CORPORATE_NUMBER, NUMBER), f(Document.CERTIFICATE, FieldName.CORPORATE_NUMBER, NUMBER),
        f(Document.FORM, FieldName.NAME, form_name), f(Document.CERTIFICATE, FieldName.NAME, cert_name),
        f(Document.FORM, FieldName.BIRTH_DATE, "1970-01-23"), f(Document.CERTIFICATE, FieldName.BIRTH_DATE, "1970-01-23"),
    )


def app(seq, app_id, status, reasons=(), form_name="山田 太郎", cert_name="山田 太郎", details=()):
    comparisons = (
        FieldComparison(FieldName.CORPORATE_NUMBER, NUMBER, NUMBER, "exact", 1.0, True),
        FieldComparison(FieldName.NAME, form_name, cert_name, "names", 1.0 if form_name == cert_name else 0.5, form_name == cert_name),
        FieldComparison(FieldName.BIRTH_DATE, "1970-01-23", "1970-01-23", "dates", 1.0, True),
    )
    decision = Decision(status, tuple(reasons), tuple(details), "test")
    return ApplicationResult(seq, app_id, (seq,), fields(form_name, cert_name, seq), comparisons, date(2026, 11, 1), decision)


@pytest.fixture
def db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    results = [
        app(0, "GB000000000001", Status.NEEDS_REVIEW, [Reason.LOW_CONFIDENCE], details=["application_id: no readable QR code"]),
        app(1, "GB000000000002", Status.NEEDS_REVIEW, [Reason.MISMATCH], form_name="山田 太郎", cert_name="山田 太朗",
            details=["name: form 山田 太郎 ≠ certificate 山田 太朗"]),
        app(2, "GB000000000003", Status.AUTO_APPROVED),
        app(3, "GB000000000004", Status.NEEDS_REVIEW, [Reason.COPY]),
        ApplicationResult(4, None, (4,), (), (), None, Decision(Status.NEEDS_REVIEW, (Reason.UNIDENTIFIED,), ("pages before the first form",), "test")),
    ]
    with storage.session_for(url) as session:
        pages = [(SourcePage(i, f"p{i}.png", "0" * 64, 1), QUALITY) for i in range(5)]
        storage.add_batch(session, "B1", date(2026, 11, 20), "desk-1", pages, {"0" * 64: (1, "p0.png")})
        session.commit()
        storage.save_results(session, "B1", [], results)
        session.commit()
    return url


def pk_of(session, app_id: str) -> int:
    row = session.exec(storage.select(storage.ApplicationRow).where(storage.ApplicationRow.application_id == app_id)).one()
    return row.id


def export_rows(session, out) -> tuple[list[dict], list[dict]]:
    result = report.export(session, out)
    read = lambda p: list(csv.DictReader(io.StringIO(p.read_text(encoding="utf-8"))))  # noqa: E731
    return read(result.approve_path), read(result.deny_path)


def test_an_approval_that_agrees_with_the_system_takes_effect_at_once(db, tmp_path):
    with storage.session_for(db) as session:
        pk = pk_of(session, "GB000000000001")
        outcome = review.decide(session, pk, "alice", "approved", [])
        session.commit()
        assert outcome.kind == "decided"
        decisions = store.decisions_of(session, pk)
        assert [(d.status, d.decided_by) for d in decisions] == [("needs_review", "auto"), ("approved", "alice")]
        approve, _deny = export_rows(session, tmp_path / "out")
    assert ("GB000000000001", "OK", "alice") in [(r["application_id"], r["result"], r["decided_by"]) for r in approve]


def test_a_denial_waits_for_a_second_reviewer_then_reaches_the_deny_file_and_denied_before(db, tmp_path):
    with storage.session_for(db) as session:
        pk = pk_of(session, "GB000000000004")
        with pytest.raises(review.ReviewError):
            review.decide(session, pk, "alice", "denied", [])  # no reason
        with pytest.raises(review.ReviewError):
            review.decide(session, pk, "alice", "denied", ["OTHER"])  # OTHER without a note
        outcome = review.decide(session, pk, "alice", "denied", ["COPY", "OTHER", "LOW_CONFIDENCE"], "stamp smudged")
        session.commit()
        assert outcome.kind == "proposed"
        assert store.application(session, pk).status == "needs_review"
        _approve, deny = export_rows(session, tmp_path / "one")
        assert deny == []
        with pytest.raises(review.ReviewError, match="second reviewer"):
            review.settle(session, outcome.proposal_id, "alice", confirm=True)
        with pytest.raises(review.ReviewError):
            review.decide(session, pk, "bob", "approved", [])  # one open proposal at a time
        confirmed = review.settle(session, outcome.proposal_id, "bob", confirm=True)
        session.commit()
        assert confirmed.kind == "confirmed"
        assert store.application(session, pk).status == "denied"
        _approve, deny = export_rows(session, tmp_path / "two")
        # The pipeline's next batch sees the reviewer's denial.
        assert storage.known_application_ids(session, exclude_batch="B2")["GB000000000004"] == "denied"
    assert [(r["application_id"], r["result"], r["reason_codes"], r["decided_by"]) for r in deny] == [
        ("GB000000000004", "NG", "COPY;OTHER", "alice")  # LOW_CONFIDENCE is never a reason to deny
    ]


def test_a_denied_id_arriving_again_is_denied_before():
    from pipeline.decide import History, decide
    from pipeline.domain import PageAnalysis, PageKind
    from pipeline.grouping import PageGroup

    form = PageAnalysis(0, PageKind.FORM, QUALITY, False, 0.0, application_id="GB000000000004", application_id_source="qr")
    result = decide(PageGroup(0, (form,), True), date(2026, 11, 21), History({"GB000000000004": "denied"}, frozenset()), 40)
    assert Reason.DENIED_BEFORE in result.decision.reasons


def test_overriding_an_automatic_approval_needs_confirmation_and_holds_the_export(db, tmp_path):
    with storage.session_for(db) as session:
        pk = pk_of(session, "GB000000000003")
        outcome = review.decide(session, pk, "alice", "denied", ["MISMATCH"])
        session.commit()
        assert outcome.kind == "proposed"
        approve, deny = export_rows(session, tmp_path / "one")
        assert "GB000000000003" not in [r["application_id"] for r in approve + deny]
        review.settle(session, outcome.proposal_id, "bob", confirm=False)
        session.commit()
        assert store.application(session, pk).status == "auto_approved"
        approve, _ = export_rows(session, tmp_path / "two")
        assert "GB000000000003" in [r["application_id"] for r in approve]
        with pytest.raises(review.ReviewError, match="exported"):
            review.decide(session, pk, "alice", "denied", ["MISMATCH"])


def test_a_correction_is_recorded_re_runs_the_match_and_needs_a_second_reviewer(db):
    with storage.session_for(db) as session:
        pk = pk_of(session, "GB000000000002")
        with pytest.raises(review.ReviewError):
            review.correct(session, pk, "alice", "certificate", "corporate_number", "1234567890123")  # bad check digit
        review.correct(session, pk, "alice", "certificate", "name", "山田　太郎")
        session.commit()
        comparisons = {c.field: c for c in store.comparisons_of(session, pk)}
        assert comparisons["name"].equal and comparisons["name"].cert_value == "山田 太郎"
        # What the pipeline read stays as it was; the correction is a row of its own.
        cert_name = next(f for f in store.fields_of(session, pk) if f.document == "certificate" and f.name == "name")
        assert cert_name.value == "山田 太朗"
        [correction] = store.corrections_of(session, pk)
        assert (correction.old_value, correction.new_value, correction.by) == ("山田 太朗", "山田 太郎", "alice")
        app_row = store.application(session, pk)
        assert (app_row.status, app_row.reasons) == ("needs_review", "")
        assert len(store.decisions_of(session, pk)) == 2
        assert review.decide(session, pk, "alice", "approved", []).kind == "proposed"


def test_correction_values_are_checked_and_normalised():
    assert review.normalise_value("corporate_number", "７０００ ０１２０ ５０００２") == NUMBER
    assert review.normalise_value("birth_date", "1970/1/23") == "1970-01-23"
    assert review.normalise_value("name", "山田　 太郎") == "山田 太郎"
    with pytest.raises(review.ReviewError):
        review.normalise_value("birth_date", "1970-02-30")


def test_accounts_hash_passwords_and_disabling_ends_sessions(db):
    from review_ui import security

    with storage.session_for(db) as session:
        accounts.add_user(session, "alice", "reviewer", "correct horse battery")
        with pytest.raises(review.UsageError):
            accounts.add_user(session, "alice", "reviewer", "correct horse battery")
        with pytest.raises(review.UsageError):
            accounts.add_user(session, "bob", "boss", "correct horse battery")
        session.commit()
        row = store.get_user(session, "alice")
        assert row.password_hash.startswith("$argon2id$") and "horse" not in row.password_hash
        assert accounts.verify(session, "alice", "wrong password!") is None
        assert accounts.verify(session, "alice", "correct horse battery").login == "alice"
        security.new_session(session, "alice")
        session.commit()
        assert accounts.disable_user(session, "alice") == 1
        session.commit()
        assert accounts.verify(session, "alice", "correct horse battery") is None


def test_the_record_cannot_be_rewritten(db):
    from sqlalchemy import delete, update
    from sqlalchemy.exc import IntegrityError

    with storage.session_for(db) as session:
        store.audit(session, "alice", "view", 1)
        session.commit()
        for statement in (update(storage.DecisionRow).values(status="approved"), delete(storage.DecisionRow),
                          update(store.AuditRow).values(actor="mallory"), delete(store.AuditRow)):
            with pytest.raises(IntegrityError, match="append-only"):
                session.execute(statement)
            session.rollback()


def test_every_kind_of_application_page_renders_and_unidentified_pages_can_be_approved(db, tmp_path):
    import re

    from fastapi.testclient import TestClient

    from pipeline.config import Settings
    from review_ui.app import create_app

    with storage.session_for(db) as session:
        accounts.add_user(session, "alice", "reviewer", "alice-password")
        session.commit()
        pks = [a.id for a in storage.applications_in_order(session)]
        unidentified = next(a.id for a in storage.applications_in_order(session) if a.application_id is None)
    client = TestClient(create_app(Settings(home=tmp_path, database_url=db, workers=1)), follow_redirects=False)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"csrf": csrf, "login": "alice", "password": "alice-password"}).status_code == 303
    for pk in pks:
        page = client.get(f"/applications/{pk}")
        assert page.status_code == 200 and "Traceback" not in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/queue").text).group(1)
    response = client.post(f"/applications/{unidentified}/decide", data={"csrf": csrf, "decision": "approved"})
    assert response.status_code == 303
    with storage.session_for(db) as session:
        assert store.application(session, unidentified).status == "approved"
