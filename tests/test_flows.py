"""The Prefect flows under prefect_test_harness: the batch flow over a
generated batch (real OCR), re-runs and an interrupted run that never
duplicate an application or a decision, a transient failure retried, and the
daily export's cut-off."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pipeline import process, storage
from pipeline.config import resolve_settings
from pipeline.domain import ApplicationResult, Decision, ScanQuality, SourcePage, Status
from pipeline.errors import StorageError

pytestmark = pytest.mark.usefixtures("prefect_harness")


def counts(settings, batch_id):
    with storage.session_for(settings.database_url) as session:
        apps = session.exec(storage.select(storage.ApplicationRow).where(storage.ApplicationRow.batch_id == batch_id)).all()
        decisions = session.exec(
            storage.select(storage.DecisionRow).where(storage.DecisionRow.application_pk.in_([a.id for a in apps]))
        ).all()
        batch = session.get(storage.BatchRow, batch_id)
        return [a.application_id for a in sorted(apps, key=lambda a: a.seq)], len(decisions), batch.state


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scans")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--home", str(tmp_path_factory.mktemp("unused")), "samples", "generate",
         str(folder), "--count", "3", "--seed", "5150", "--received", "2026-11-20", "--defect-rate", "0.3",
         "--rescan-rate", "0", "--force"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return folder, json.loads((folder / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def home(tmp_path_factory, generated):
    settings = resolve_settings(tmp_path_factory.mktemp("home"))
    folder, truth = generated
    batch_id = process.ingest(settings, [folder], date.fromisoformat(truth["received"]), "desk-1").batch_id
    return settings, batch_id


@pytest.mark.slow
def test_the_batch_flow_decides_every_application_once_and_a_rerun_adds_nothing(home, generated):
    from flows.batch import process_batch_flow

    settings, batch_id = home
    _folder, truth = generated
    summary = process_batch_flow(batch_id=batch_id, home=str(settings.home), chunk_pages=2)
    expected = [app["application_id"] for app in truth["applications"]]
    assert sum(summary[batch_id].values()) == len(expected)
    assert counts(settings, batch_id) == (expected, len(expected), "processed")
    with storage.session_for(settings.database_url) as session:
        read_at = {row.seq: row.analysed_at for row in session.exec(storage.select(storage.PageAnalysisRow))}
        pages = storage.pages_of(session, batch_id)
    assert len(read_at) == len(pages) and all(page.kind for page in pages)

    again = process_batch_flow(batch_id=batch_id, home=str(settings.home))
    assert again == summary
    assert counts(settings, batch_id) == (expected, len(expected), "processed")
    with storage.session_for(settings.database_url) as session:
        assert {row.seq: row.analysed_at for row in session.exec(storage.select(storage.PageAnalysisRow))} == read_at


@pytest.mark.slow
def test_an_interrupted_run_is_finished_once_and_a_transient_failure_is_retried(home, generated, monkeypatch):
    from flows.batch import process_batch_flow

    settings, _first = home
    folder, truth = generated
    # The same envelopes scanned again: a second batch (its applications are DUPLICATEs).
    batch_id = process.ingest(settings, [folder], date.fromisoformat(truth["received"]), "desk-2").batch_id
    # A run that died after reading half the pages and saving the first application.
    seqs = process.pages_to_read(settings, batch_id)
    process.read_pages(settings, batch_id, seqs[: len(seqs) // 2])
    process.read_pages(settings, batch_id, seqs[len(seqs) // 2 :])
    first_status = process.decide_application(settings, batch_id, process.application_plan(settings, batch_id)[0])
    # Now the database drops one connection: the task is retried.
    real = process.decide_application
    failures = []

    def flaky(settings_, batch_id_, seq):
        if not failures:
            failures.append(seq)
            raise StorageError("database: server closed the connection unexpectedly")
        return real(settings_, batch_id_, seq)

    monkeypatch.setattr(process, "decide_application", flaky)
    summary = process_batch_flow(batch_id=batch_id, home=str(settings.home))
    expected = [app["application_id"] for app in truth["applications"]]
    assert failures and sum(summary[batch_id].values()) == len(expected)
    assert counts(settings, batch_id) == (expected, len(expected), "processed")
    assert first_status == "needs_review" and set(summary[batch_id]) == {"needs_review"}


QUALITY = ScanQuality(1654, 2339, 200, 200, 200.0, "RGB", 3, 8, 200, 3.0)


def test_the_daily_export_stops_at_the_cut_off(tmp_path):
    from flows.export import daily_export_flow, last_cutoff, parse_cutoff

    settings = resolve_settings(tmp_path / "home")
    # Decided at 17:00, 17:29 and 17:45 Japan time (08:00, 08:29, 08:45 UTC);
    # decisions are append-only, so the times are given when they are written.
    results = [
        ApplicationResult(
            i, f"GB00000000000{i + 1}", (i,), (), (), None,
            Decision(Status.AUTO_APPROVED, (), (), "test", decided_at=datetime(2026, 11, 20, 8, minute, tzinfo=UTC)),
        )
        for i, minute in enumerate((0, 29, 45))
    ]
    with storage.session_for(settings.database_url) as session:
        pages = [(SourcePage(i, f"p{i}.png", "0" * 64, 1), QUALITY) for i in range(3)]
        storage.add_batch(session, "B1", date(2026, 11, 20), None, pages, {"0" * 64: (1, "p0.png")})
        storage.save_results(session, "B1", [], results)
        session.commit()
    assert last_cutoff(datetime.fromisoformat("2026-11-20T17:10:00+09:00"), parse_cutoff("17:30")).day == 19
    out = tmp_path / "out"
    # The scheduled run started late, at 17:50: it still stops at 17:30.
    first = daily_export_flow(out_dir=str(out), home=str(settings.home), now="2026-11-20T17:50:00+09:00")
    assert first["cutoff"] == "2026-11-20T17:30:00+09:00" and first["approve_rows"] == 2
    second = daily_export_flow(out_dir=str(out), home=str(settings.home), now="2026-11-21T17:31:00+09:00")
    assert second["approve_rows"] == 1
    exported = [
        row["application_id"]
        for path in sorted(out.glob("approve-*.csv"))
        for row in csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8")))
    ]
    assert sorted(exported) == ["GB000000000001", "GB000000000002", "GB000000000003"]


def test_the_command_runs_the_export_flow_locally_on_a_fresh_home(tmp_path):
    """No server: Prefect's temporary API, its database under the new home."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "GBIZ_REVIEW_DATABASE"))}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--home", str(tmp_path / "new-home"), "flows", "export", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = sorted(path.name.split("-")[0] for path in (tmp_path / "out").iterdir())
    assert names == ["approve", "deny", "manifest"]
    assert (tmp_path / "new-home" / "prefect").is_dir()
