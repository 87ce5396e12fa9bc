"""The pipeline's own work-saving paths: pages read while they are ingested,
a second decision that keeps what did not change, corners with no QR code not
searched, one pool of workers for a run. Each must give what the plain path
gives (real Tesseract, real generated pages)."""

from dataclasses import replace
from datetime import date

import pytest

from pipeline import imaging, process, reading, storage
from pipeline.config import Settings
from pipeline.loading import decode
from samples.generator import BatchSpec, generate_batch

RECEIVED = date(2026, 11, 20)


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scans")
    truth = generate_batch(folder, BatchSpec(count=4, seed=73, received=RECEIVED, defect_rate=0.5, duplex=True))
    return folder, truth


def _settings(home) -> Settings:
    return Settings(home=home, database_url=f"sqlite:///{home / 'gbiz-review.db'}", workers=1)


def _outcome(results):
    return [
        (
            r.application_id, r.decision.status, r.decision.reasons,
            sorted((f.document, f.name, f.value, f.page_seq, f.box) for f in r.fields),
        )
        for r in results
    ]


def test_pages_read_at_ingest_are_stored_and_not_read_again(scans, tmp_path, monkeypatch):
    folder, truth = scans
    plain, reading_home = _settings(tmp_path / "plain"), _settings(tmp_path / "read")

    plain_batch = process.ingest(plain, [folder], RECEIVED)
    with storage.session_for(plain.database_url) as session:
        assert storage.stored_analyses(session, plain_batch.batch_id) == {}
    plain_results = process.process_batch(plain, plain_batch.batch_id)

    read_batch = process.ingest(reading_home, [folder], RECEIVED, read=True)
    with storage.session_for(reading_home.database_url) as session:
        stored = storage.stored_analyses(session, read_batch.batch_id)
    assert sorted(stored) == list(range(read_batch.page_count)) == list(range(len(truth["pages"])))

    # Processing reads a page again only for the thorough second look.
    reread = []
    real = process._analyse_stored_page
    monkeypatch.setattr(process, "_analyse_stored_page", lambda job: reread.append(job) or real(job))
    read_results = process.process_batch(reading_home, read_batch.batch_id)
    assert all(job.thorough for job in reread)
    assert _outcome(read_results) == _outcome(plain_results)


def test_a_second_decision_keeps_the_applications_whose_pages_did_not_change(scans, tmp_path):
    folder, _truth = scans
    settings = _settings(tmp_path)
    batch = process.ingest(settings, [folder], RECEIVED, read=True)
    analyses = process.analyse_batch_pages(settings, batch.batch_id)
    results = process.decide_batch(settings, batch.batch_id, analyses)
    touched = results[1]
    # One page of the second application read again (here: the same reading, a new object).
    changed = [replace(a) if a.seq == touched.page_seqs[0] else a for a in analyses]
    again = process.decide_batch(settings, batch.batch_id, changed, before=(analyses, results))
    assert [r is old for r, old in zip(again, results, strict=True)] == [i != 1 for i in range(len(results))]
    assert _outcome([again[1]]) == _outcome([touched])


def test_only_a_corner_dark_enough_for_a_qr_code_is_searched(scans):
    folder, truth = scans
    seen = set()
    for page in truth["pages"]:
        (decoded,) = decode(page["file"], (folder / page["file"]).read_bytes())
        grey = imaging.grey_without_red(decoded.rgb)
        height, width = grey.shape
        corner = grey[height - height // 4 :, : width // 2] if page["upside_down"] else grey[: height // 4, width // 2 :]
        holds = imaging.may_hold_qr(corner, decoded.quality.effective_dpi / 25.4)
        assert holds == (page["kind"] == "form"), page
        seen.add(page["kind"])
    assert {"form", "certificate", "blank"} <= seen


def _worker_pid(_job: int) -> int:
    import os
    import time

    time.sleep(0.2)  # long enough that both workers take jobs, even on a busy machine
    return os.getpid()


def test_stages_run_inside_shared_workers_use_the_same_processes():
    with process.shared_workers(2):
        first = set(process._map(_worker_pid, list(range(6)), 2))
        second = set(process._map(_worker_pid, list(range(6)), 2))
    assert first == second and len(first) == 2
    # Without them each stage starts its own processes.
    assert set(process._map(_worker_pid, list(range(6)), 2)).isdisjoint(first)


def _dies(_job: int) -> int:
    import os

    os._exit(3)  # a worker killed mid-job (out of memory, a crash in a C library)


def test_a_worker_that_died_fails_its_run_and_the_next_run_gets_new_workers():
    from pipeline.errors import GbizReviewError

    with process.shared_workers(2):
        before = set(process._map(_worker_pid, list(range(4)), 2))
        with pytest.raises(GbizReviewError, match="worker process died"):
            process._map(_dies, list(range(4)), 2)
        after = set(process._map(_worker_pid, list(range(4)), 2))
    assert len(after) == 2 and after.isdisjoint(before)


def test_a_broken_ocr_install_keeps_the_scans_stored_unread(scans, tmp_path, monkeypatch):
    from pipeline.errors import ToolError

    folder, truth = scans

    def broken(*_args, **_kwargs):
        raise ToolError("tesseract could not load the model 'jpn'")

    monkeypatch.setattr(reading, "analyse_page", broken)
    settings = _settings(tmp_path)
    batch = process.ingest(settings, [folder], RECEIVED, read=True)
    assert batch.page_count == len(truth["pages"]) and not batch.errors
    with storage.session_for(settings.database_url) as session:
        assert storage.stored_analyses(session, batch.batch_id) == {}
    with pytest.raises(ToolError):
        process.process_batch(settings, batch.batch_id)


def test_a_second_look_reads_again_only_the_fields_in_doubt(scans, tmp_path):
    """A held application's pages are read again with every OCR variant only
    for the fields whose comparison failed; the settled fields read as the
    first time did."""
    from pipeline.domain import (
        Decision,
        Document,
        FieldComparison,
        FieldName,
        PageKind,
        Reason,
        Status,
    )

    folder, truth = scans
    settings = _settings(tmp_path)
    batch = process.ingest(settings, [folder], RECEIVED, read=True)
    analyses = process.analyse_batch_pages(settings, batch.batch_id)
    results = process.decide_batch(settings, batch.batch_id, analyses)
    result = next(r for r in results if any(a.kind is PageKind.CERTIFICATE for a in analyses if a.seq in r.page_seqs))
    settled_apart = replace(
        result,
        decision=replace(result.decision, status=Status.NEEDS_REVIEW, reasons=(Reason.MISMATCH,)),
        comparisons=(FieldComparison(FieldName.BIRTH_DATE, "1970-01-23", "1970-01-28", "ISO date", 0.0, False),),
    )
    births = [f for f in result.fields if f.name is FieldName.BIRTH_DATE]
    assert len(births) == 2 and all(f.confidence >= 100 and not f.alternatives for f in births)
    # Both documents read their date one way, by two agreeing readers (and the
    # decision drew each on the other's line): different, not read again.
    assert process.needs_second_look([settled_apart], analyses) == {}
    # One document unsure of its date: both are read again.
    unsure = tuple(
        replace(f, confidence=39.0, alternatives=("1970-01-23",))
        if f.name is FieldName.BIRTH_DATE and f.document is Document.CERTIFICATE else f
        for f in result.fields
    )
    held = replace(settled_apart, fields=unsure)
    again = process.needs_second_look([held], analyses)
    pages = {a.seq: a for a in analyses if a.seq in held.page_seqs and a.kind in (PageKind.FORM, PageKind.CERTIFICATE)}
    assert again == {seq: frozenset({FieldName.BIRTH_DATE}) for seq in pages}
    # Held for something a reading cannot change: not read again.
    expired = replace(held, decision=Decision(Status.NEEDS_REVIEW, (Reason.EXPIRED, Reason.MISMATCH), (), "test"))
    assert process.needs_second_look([expired], analyses) == {}

    def tesseract_readings(item) -> int:
        return len([part for part in item.raw_text.split("|") if not part.strip().startswith("template")])

    closer = {a.seq: a for a in process.analyse_batch_pages(settings, batch.batch_id, thorough_seqs=again)}
    for seq, first in pages.items():
        readings = {f.name: tesseract_readings(f) for f in first.fields}
        looked = {f.name: f for f in closer[seq].fields}
        # Every variant of the page's kind read the birth date …
        variants = reading.CERTIFICATE_VARIANTS if first.kind is PageKind.CERTIFICATE else reading.FORM_VARIANTS
        assert tesseract_readings(looked[FieldName.BIRTH_DATE]) == len(variants)
        # … and the settled fields are what the first reading found.
        for item in first.fields:
            if item.name is not FieldName.BIRTH_DATE:
                assert looked[item.name] == item, item.name
        assert readings[FieldName.BIRTH_DATE] < len(variants)
