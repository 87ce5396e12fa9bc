"""Export files: contract, exactly-once, and finishing an export that crashed
between writing and renaming. Uses stored decisions, no OCR."""

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from pipeline import report, storage
from pipeline.domain import ApplicationResult, Decision, Reason, ScanQuality, SourcePage, Status

QUALITY = ScanQuality(1654, 2339, 200, 200, 200.0, "RGB", 3, 8, 200, 3.0)


def decided(seq: int, app_id: str, status: Status, reasons=()) -> ApplicationResult:
    return ApplicationResult(seq, app_id, (seq,), (), (), None, Decision(status, tuple(reasons), (), "test"))


@pytest.fixture
def db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    results = [
        decided(0, "GB000000000001", Status.AUTO_APPROVED),
        decided(1, "GB000000000002", Status.NEEDS_REVIEW, [Reason.MISMATCH]),
        decided(2, "GB000000000003", Status.AUTO_APPROVED),
        decided(3, "GB000000000004", Status.RESCAN),
    ]
    with storage.session_for(url) as session:
        pages = [(SourcePage(i, f"p{i}.png", "0" * 64, 1), QUALITY) for i in range(4)]
        storage.add_batch(session, "B1", date(2026, 11, 20), None, pages, {"0" * 64: (1, "p0.png")})
        session.commit()
        storage.save_results(session, "B1", [], results)
        session.commit()
    return url


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_denied_applications_go_to_the_deny_file(db, tmp_path):
    with storage.session_for(db) as session:
        app = session.exec(storage.select(storage.ApplicationRow).where(storage.ApplicationRow.seq == 1)).one()
        # A reviewer's denial is a new decision row; the application caches it.
        session.add(storage.DecisionRow(application_pk=app.id, status="denied", reasons="MISMATCH", policy_version="test", decided_by="reviewer1"))
        app.status = "denied"
        session.add(app)
        session.commit()
        result = report.export(session, tmp_path / "out")
    deny = read_csv(result.deny_path)
    assert [(r["application_id"], r["result"], r["reason_codes"], r["decided_by"]) for r in deny] == [
        ("GB000000000002", "NG", "MISMATCH", "reviewer1")
    ]
    assert [r["application_id"] for r in read_csv(result.approve_path)] == ["GB000000000001", "GB000000000003"]


def test_an_export_that_died_before_renaming_is_finished_once(db, tmp_path, monkeypatch):
    out = tmp_path / "out"
    real_publish = report._publish

    def die(*_args, **_kwargs):
        raise KeyboardInterrupt("killed between writing and renaming")

    monkeypatch.setattr(report, "_publish", die)
    with storage.session_for(db) as session, pytest.raises(KeyboardInterrupt):
        report.export(session, out)
    # Only files aside, under names the platform's import never reads.
    assert sorted(p.name.startswith(".") for p in out.iterdir()) == [True, True, True]

    monkeypatch.setattr(report, "_publish", real_publish)
    with storage.session_for(db) as session:
        second = report.export(session, out)
    assert len(second.recovered) == 1
    crashed = second.recovered[0]
    approve = read_csv(out / f"approve-{crashed}.csv")
    assert [r["application_id"] for r in approve] == ["GB000000000001", "GB000000000003"]
    # The run that finished it found nothing new: header only.
    assert read_csv(second.approve_path) == []
    manifest = json.loads((out / f"manifest-{crashed}.json").read_text(encoding="utf-8"))
    assert manifest["files"]["approve"]["rows"] == 2
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_folder_that_cannot_be_written_is_one_clear_error(db, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with storage.session_for(db) as session, pytest.raises(report.ExportError) as caught:
        report.export(session, blocker / "out")
    assert str(caught.value).startswith(str(blocker / "out"))


def test_scan_problems_are_stored_whole(tmp_path):
    # A problem's own text may hold "; " (it did once, and came back as two problems).
    problem = "only 13 levels in a colour channel; the rules need 256 levels really present"
    measured = ScanQuality(1654, 2339, 200, 200, 200.0, "RGB", 3, 8, 13, 3.0, problems=(problem,))
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with storage.session_for(url) as session:
        storage.add_batch(session, "B2", date(2026, 11, 20), None, [(SourcePage(0, "p.png", "1" * 64, 1), measured)], {"1" * 64: (1, "p.png")})
        session.commit()
        (row,) = storage.pages_of(session, "B2")
        assert storage.quality_of(row) == measured
