"""Scan stations through real SANE: the `test` backend for ADF batches and
device failures, the `pnm` backend to push generated application pages through
a scanner into the pipeline. The SANE configuration is written by the
project's own script (scripts/sane-test-config.sh)."""

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from pipeline import storage
from pipeline.config import resolve_settings
from pipeline.errors import ScannerError
from scanners import station
from scanners.device import ScanSetup, list_devices
from scanners.messages import Messages

ROOT = Path(__file__).resolve().parent.parent
RECEIVED = date(2026, 11, 20)


@pytest.fixture(scope="module", autouse=True)
def sane_config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sane")
    subprocess.run(["bash", str(ROOT / "scripts" / "sane-test-config.sh"), str(folder)], check=True, capture_output=True)
    before = os.environ.get("SANE_CONFIG_DIR")
    os.environ["SANE_CONFIG_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("SANE_CONFIG_DIR", None)
    else:
        os.environ["SANE_CONFIG_DIR"] = before


def answers(*lines):
    """An operator who answers these lines, then nothing more (end of input)."""
    queue = list(lines)
    asked = []

    def ask(prompt):
        asked.append(prompt)
        return queue.pop(0) if queue else "q"

    ask.asked = asked
    return ask


def run(tmp_path, device="test:0", lang="ja", **kwargs):
    lines = []
    settings = resolve_settings(tmp_path / "home")
    kwargs.setdefault("ask", answers())
    kwargs.setdefault("process_after", False)
    result = station.run(settings, device, "desk-1", received=RECEIVED, msg=Messages(lang), say=lines.append, timeout=30, **kwargs)
    return settings, result, lines


def stored_pages(settings, batch_id):
    with storage.session_for(settings.database_url) as session:
        batch = session.get(storage.BatchRow, batch_id)
        return batch, storage.pages_of(session, batch_id)


def test_devices_are_listed():
    names = [device.name for device in list_devices()]
    assert {"test:0", "pnm:0"} <= set(names)


def test_an_adf_batch_is_scanned_until_the_feeder_is_empty(tmp_path):
    setup = ScanSetup(options={"test_picture": "Color pattern"})
    settings, result, lines = run(tmp_path, setup=setup)
    # The test backend's feeder holds 10 sheets, then says "Document feeder out of documents".
    assert result.pages == 10 and result.failure is None and result.bad_pages == ()
    assert "ADF" in lines[1] and "210×297 mm" in lines[1]
    assert sum("走査規則 OK" in line for line in lines) == 10
    batch, pages = stored_pages(settings, result.batch_id)
    assert batch.station == "desk-1" and batch.received == RECEIVED and batch.page_count == 10
    # A4 at 200 dpi from SANE (millimetres truncated), the resolution recorded with every page.
    assert {(p.width_px, p.height_px, p.dpi_x, p.mode) for p in pages} == {(1653, 2338, 200.0, "RGB")}
    assert not any(json.loads(p.quality_problems) for p in pages)
    assert not list((settings.home / "spool" / "desk-1").iterdir())


def test_pages_that_break_the_rules_are_flagged_at_once_and_kept_when_not_rescanned(tmp_path):
    setup = ScanSetup(options={"test_picture": "Solid black"})
    ask = answers()  # end of input: every rescan prompt is skipped
    settings, result, lines = run(tmp_path, setup=setup, ask=ask, lang="en")
    assert result.pages == 10 and result.bad_pages == tuple(range(1, 11))
    assert "page 1: scanned 1653×2338 px 200 dpi — breaks the scanning rules: only 1 levels" in lines[2]
    assert sum("Rescanning page" in prompt for prompt in ask.asked) == 10
    _batch, pages = stored_pages(settings, result.batch_id)
    assert len(pages) == 10 and all(json.loads(p.quality_problems) for p in pages)


def test_a_paper_jam_keeps_the_pages_already_scanned(tmp_path):
    jam = {4: {"read_return_value": "SANE_STATUS_JAMMED"}}
    setup = ScanSetup(options={"test_picture": "Color pattern"})
    settings, result, lines = run(tmp_path, setup=setup, options_before_read=jam)  # then "q": stop here
    assert result.failure == "jammed" and result.pages == 3
    assert "紙詰まりです (ページ 4 の読み取り中)。詰まった紙を取り除いてください。" in lines
    assert "読み取り済みの 3 ページは保存されます。" in lines
    _batch, pages = stored_pages(settings, result.batch_id)
    assert [p.source_name for p in pages] == ["p0001.png", "p0002.png", "p0003.png"]


def test_after_a_jam_the_operator_goes_on_in_the_same_batch(tmp_path):
    faults = {4: {"read_return_value": "SANE_STATUS_JAMMED"}, 5: {"read_return_value": "Default"}}
    setup = ScanSetup(options={"test_picture": "Color pattern"})
    ask = answers("")  # Enter: the jam is cleared
    settings, result, _lines = run(tmp_path, setup=setup, options_before_read=faults, ask=ask)
    assert result.failure is None and result.pages > 3
    _batch, pages = stored_pages(settings, result.batch_id)
    assert len(pages) == result.pages


def test_an_empty_feeder_at_the_start_is_one_clear_message(tmp_path):
    empty = {1: {"read_return_value": "SANE_STATUS_NO_DOCS"}}
    settings, result, lines = run(tmp_path, options_before_read=empty, lang="en")
    assert result.batch_id is None and result.failure == "no_docs"
    assert "The document feeder is empty. Put the pages in and start again." in lines


def test_a_hung_scanner_is_stopped_by_the_watchdog(tmp_path):
    # 1 byte per read and 200 ms between reads: an A4 page would take days.
    slow = {2: {"read_limit": True, "read_limit_size": 1, "read_delay": True, "read_delay_duration": 200000}}
    settings = resolve_settings(tmp_path / "home")
    lines = []
    result = station.run(
        settings, "test:0", "desk-1", received=RECEIVED, msg=Messages("en"), say=lines.append, ask=answers(),
        timeout=3, process_after=False, setup=ScanSetup(options={"test_picture": "Color pattern"}),
        options_before_read=slow,
    )
    assert result.failure == "hung" and result.pages == 1
    assert any(line.startswith("The scanner has not answered for 3 s (page 2)") for line in lines)


def test_a_clamped_scan_area_is_read_back_and_reported(tmp_path, monkeypatch):
    # Without geometry_max 300 the test backend clamps the area to 200 mm, silently.
    clamped = tmp_path / "sane"
    clamped.mkdir()
    (clamped / "dll.conf").write_text("test\n")
    monkeypatch.setenv("SANE_CONFIG_DIR", str(clamped))
    setup = ScanSetup(options={"test_picture": "Color pattern"})
    _settings, result, lines = run(tmp_path, setup=setup, options_before_read={2: {"read_return_value": "SANE_STATUS_NO_DOCS"}}, lang="en")
    assert "Warning: the scan area is only 200×200 mm (A4 is 210×297 mm)." in lines
    assert "breaks the scanning rules" in lines[3] and result.bad_pages == (1,)


def gbiz(home, *args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--home", str(home), *args],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})},
    )


def test_the_command_names_a_missing_scanner_in_japanese_and_english(tmp_path):
    ja = gbiz(tmp_path / "home", "scan", "--device", "nosuch:0", "--station", "desk-1")
    assert ja.returncode == ScannerError.exit_code
    assert ja.stderr.strip().splitlines()[-1] == (
        "gbiz-review: スキャナ nosuch:0 が見つかりません。電源とケーブルを確認し、gbiz-review scan --list で名前を確かめてください。"
    )
    en = gbiz(tmp_path / "home", "scan", "--device", "nosuch:0", env={"GBIZ_REVIEW_LANG": "en"})
    assert en.stderr.strip().splitlines()[-1].startswith("gbiz-review: Scanner nosuch:0 not found.")
    listed = gbiz(tmp_path / "home", "scan", "--list")
    assert listed.returncode == 0 and "test:0\t" in listed.stdout


@pytest.mark.parametrize(("status", "line"), [
    ("SANE_STATUS_COVER_OPEN", "The scanner cover is open (while reading page 1). Close it."),
    ("SANE_STATUS_DEVICE_BUSY", "Scanner test:0 is busy. Close the other program using it and try again."),
])
def test_the_command_reports_what_the_device_says(tmp_path, status, line):
    result = gbiz(
        tmp_path / "home", "scan", "--device", "test:0", "--station", "desk-2", "--lang", "en", "--no-process",
        "--option", f"read_return_value={status}",
    )
    assert result.returncode == ScannerError.exit_code
    assert line in result.stderr.splitlines()


@pytest.mark.slow
def test_generated_applications_go_through_a_scanner_into_the_pipeline(tmp_path):
    """pnm backend: each generated page is loaded as the scanned page (its
    `filename` option), scanned at 200 dpi, checked, stored and processed."""
    scans = tmp_path / "scans"
    generated = gbiz(
        tmp_path / "unused", "samples", "generate", str(scans), "--count", "2", "--seed", "77",
        "--received", RECEIVED.isoformat(), "--defect-rate", "0", "--rescan-rate", "0",
    )
    assert generated.returncode == 0, generated.stderr
    truth = json.loads((scans / "truth.json").read_text(encoding="utf-8"))
    ppm = []
    for page in sorted(scans.glob("p*.png")):
        target = tmp_path / f"{page.stem}.ppm"
        Image.open(page).convert("RGB").save(target)
        ppm.append(target)
    grey = tmp_path / "grey.pgm"
    Image.open(ppm[0]).convert("L").save(grey)
    # Read 1: the first page comes out grey (breaks the rules); then one read
    # per page; the operator stops (q) and rescans page 1 in colour.
    reads = {1: {"filename": str(grey)}}
    for index, path in enumerate(ppm[1:], start=2):
        reads[index] = {"filename": str(path)}
    reads[len(ppm) + 1] = {"filename": str(ppm[0])}
    ask = answers(*([""] * len(ppm)), "q", "")
    settings, result, lines = run(
        tmp_path, device="pnm:0", setup=ScanSetup(adf=False), options_before_read=reads, ask=ask, process_after=True,
    )
    assert "原稿台" in lines[1]
    assert any("ページ 1:" in line and "走査規則違反" in line for line in lines)
    assert "ページ 1 を差し替えました。" in lines
    assert result.pages == len(ppm) and result.bad_pages == ()
    from pipeline import report

    with storage.session_for(settings.database_url) as session:
        rows = report.report_rows(session)
    assert [row["application_id"] for row in rows] == [app["application_id"] for app in truth["applications"]]
    assert {row["status"] for row in rows} == {"auto_approved"}, rows
