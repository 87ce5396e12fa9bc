"""The hot folder: a file is taken only once it stopped changing, once by its
content, and moved only after its batch is committed. No OCR (--no-process)."""

import hashlib
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import date

import pytest
from conftest import encode, scan_like
from PIL import Image

from pipeline import hotfolder, process, storage
from pipeline.config import resolve_settings

RECEIVED = date(2026, 11, 20)


@pytest.fixture(scope="module")
def page_bytes() -> list[bytes]:
    return [encode(Image.fromarray(scan_like(seed=seed)), "PNG", dpi=(200, 200)) for seed in range(3)]


def batches(settings):
    with storage.session_for(settings.database_url) as session:
        rows = session.exec(storage.select(storage.BatchRow)).all()
        return {row.id: (row.station, [p.original_sha256 for p in storage.pages_of(session, row.id)]) for row in rows}


def test_an_entry_is_ready_only_after_it_stopped_changing(tmp_path, page_bytes):
    folder = tmp_path / "in"
    folder.mkdir()
    state = hotfolder.WatchState()
    target = folder / "batch.png"
    target.write_bytes(page_bytes[0][:1000])
    (folder / ".hidden.png").write_bytes(page_bytes[1])
    (folder / "upload.png.part").write_bytes(page_bytes[1])
    assert hotfolder.stable_entries(folder, state, settle=5, now=0) == []
    with open(target, "ab") as handle:  # still being written
        handle.write(page_bytes[0][1000:])
    assert hotfolder.stable_entries(folder, state, settle=5, now=4) == []
    assert hotfolder.stable_entries(folder, state, settle=5, now=8) == []  # changed at 4: 4 s unchanged
    assert hotfolder.stable_entries(folder, state, settle=5, now=9.5) == [target]


def test_a_file_is_ingested_once_by_content_and_moved_after_the_commit(tmp_path, page_bytes):
    settings = resolve_settings(tmp_path / "home")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.png").write_bytes(page_bytes[0])
    lines = []
    first = hotfolder.take(settings, folder, folder / "a.png", RECEIVED, "desk-7", lines.append)
    assert first.outcome == "ingested" and first.pages == 1
    assert (folder / "_done" / "a.png").exists() and not (folder / "a.png").exists()
    # The same bytes dropped again, under another name: no second batch.
    (folder / "a-again.png").write_bytes(page_bytes[0])
    second = hotfolder.take(settings, folder, folder / "a-again.png", RECEIVED, "desk-7", lines.append)
    assert second.outcome == "already" and second.batch_id == first.batch_id
    assert (folder / "_done" / "a-again.png").exists()
    assert list(batches(settings)) == [first.batch_id]
    assert batches(settings)[first.batch_id][0] == "desk-7"


def test_a_crash_between_commit_and_move_leaves_one_batch(tmp_path, page_bytes, monkeypatch):
    settings = resolve_settings(tmp_path / "home")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "b.png").write_bytes(page_bytes[1])
    real_move = hotfolder._move

    def die(*_args):
        raise KeyboardInterrupt("killed after the commit, before the move")

    monkeypatch.setattr(hotfolder, "_move", die)
    with pytest.raises(KeyboardInterrupt):
        hotfolder.take(settings, folder, folder / "b.png", RECEIVED, "desk-7", print)
    assert (folder / "b.png").exists()  # not touched
    monkeypatch.setattr(hotfolder, "_move", real_move)
    again = hotfolder.take(settings, folder, folder / "b.png", RECEIVED, "desk-7", print)
    assert again.outcome == "already"
    assert len(batches(settings)) == 1


def test_a_folder_of_pages_is_one_batch_and_a_bad_file_goes_aside(tmp_path, page_bytes):
    settings = resolve_settings(tmp_path / "home")
    folder = tmp_path / "in"
    pages = folder / "envelopes-0900"
    pages.mkdir(parents=True)
    for index, data in enumerate(page_bytes):
        (pages / f"p{index + 1:04d}.png").write_bytes(data)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    lines = []
    taken = hotfolder.watch(settings, folder, "desk-8", lambda: RECEIVED, settle=0, interval=0.05, process_after=False, say=lines.append, once=True)
    outcomes = {item.name: item.outcome for item in taken}
    assert outcomes == {"envelopes-0900": "ingested", "broken.pdf": "failed"}
    (batch,) = batches(settings).values()
    assert batch[1] == [hashlib.sha256(data).hexdigest() for data in page_bytes]
    assert (folder / "_failed" / "broken.pdf").exists()
    reason = (folder / "_failed" / "broken.pdf.reason.txt").read_text(encoding="utf-8")
    assert reason.startswith(str(folder / "broken.pdf"))
    assert any(line.startswith(str(folder / "broken.pdf") + ": ") for line in lines)


def test_the_command_never_takes_a_half_written_file(tmp_path, page_bytes):
    """A writer appends a page file slowly while `gbiz-review watch` polls."""
    folder = tmp_path / "in"
    folder.mkdir()
    data = page_bytes[2]
    target = folder / "slow.png"

    def writer():
        with open(target, "wb") as handle:
            for start in range(0, len(data), len(data) // 8 + 1):
                handle.write(data[start : start + len(data) // 8 + 1])
                handle.flush()
                time.sleep(0.3)

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.1)
    env = {**os.environ, "GBIZ_REVIEW_WORKERS": "1"}
    env.pop("GBIZ_REVIEW_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--home", str(tmp_path / "home"), "watch", str(folder), "--station", "desk-9",
         "--settle", "1", "--interval", "0.1", "--once", "--no-process", "--received", RECEIVED.isoformat()],
        capture_output=True, text=True, timeout=120, env=env,
    )
    thread.join()
    assert result.returncode == 0, result.stderr
    settings = resolve_settings(tmp_path / "home")
    (batch,) = batches(settings).values()
    assert batch == ("desk-9", [hashlib.sha256(data).hexdigest()])
    assert result.stdout.strip() in batches(settings)
    assert (folder / "_done" / "slow.png").read_bytes() == data


def _measured_where(args):  # a worker's job: _measure_file, and which process ran it
    return process._measure_file(args), os.getpid()


def test_a_watcher_keeps_one_set_of_workers_for_all_its_batches(tmp_path, page_bytes, monkeypatch):
    # Each envelope is a batch: without shared workers, each stage of each
    # batch would start processes (and load Tesseract's models) again.
    settings = replace(resolve_settings(tmp_path / "home"), workers=2)
    folder = tmp_path / "in"
    folder.mkdir()
    for index in range(3):
        envelope = folder / f"envelope-{index}"
        envelope.mkdir()
        for page in range(3):
            (envelope / f"p{page}.png").write_bytes(page_bytes[(index + page) % 3])
    real_map, measuring = process._map, process._measure_file
    processes = []

    def noting_processes(function, jobs, workers):
        if function is not measuring:
            return real_map(function, jobs, workers)
        results = real_map(_measured_where, jobs, workers)
        processes.extend(pid for _measured, pid in results)
        return [measured for measured, _pid in results]

    monkeypatch.setattr(process, "_map", noting_processes)
    taken = hotfolder.watch(
        settings, folder, "desk-7", lambda: RECEIVED, settle=0, interval=0, process_after=False,
        say=lambda _line: None, once=True,
    )
    assert [item.outcome for item in taken] == ["ingested"] * 3
    assert len(processes) == 9 and os.getpid() not in processes
    assert len(set(processes)) <= 2  # the same two workers, batch after batch
