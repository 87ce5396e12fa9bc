"""Crash safety with real SIGKILLs: processing killed mid-batch and run
again (the command and the flow), export killed between writing and renaming
(tests/test_export.py covers the same step with an exception in-process), and
the originals store killed mid-write."""

import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from pipeline import originals, storage
from pipeline.config import resolve_settings
from pipeline.domain import ApplicationResult, Decision, ScanQuality, SourcePage, Status

ROOT = Path(__file__).resolve().parent.parent


def env_for(home: Path, **extra) -> dict[str, str]:
    env = {**os.environ, "GBIZ_REVIEW_HOME": str(home), "GBIZ_REVIEW_WORKERS": "2", "DO_NOT_TRACK": "1", **extra}
    env.pop("GBIZ_REVIEW_DATABASE_URL", None)
    env.pop("PREFECT_API_URL", None)
    return env


def start(args, env) -> subprocess.Popen:
    # Its own process group: the kill takes its page readers (and Prefect's server) with it.
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def wait_until(condition, timeout=240.0, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"finished before the kill: {proc.communicate()}")
        time.sleep(0.1)
    raise AssertionError("condition not reached")


def session_processes(session_id: int) -> int:
    """How many processes run in a session (the command started in its own,
    and its page readers): read from /proc, Linux only like the rest here."""
    count = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        count += int(fields[3]) == session_id and fields[0] != "Z"
    return count


def rows_of(settings, model, **where):
    with storage.session_for(settings.database_url) as session:
        query = storage.select(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return session.exec(query).all()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scans")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--home", str(tmp_path_factory.mktemp("unused")), "samples", "generate",
         str(folder), "--count", "4", "--seed", "911", "--received", "2026-11-20", "--rescan-rate", "0", "--force"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return folder, json.loads((folder / "truth.json").read_text(encoding="utf-8"))


def ingest(home: Path, folder: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "ingest", str(folder), "--no-process", "--received", "2026-11-20"],
                            capture_output=True, text=True, env=env_for(home), timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def exactly_once(settings, batch_id, truth) -> tuple[int, int, int]:
    """(expected, found, duplicated) applications, after checking one decision each."""
    apps = rows_of(settings, storage.ApplicationRow, batch_id=batch_id)
    expected = [app["application_id"] for app in truth["applications"]]
    found = Counter(app.application_id for app in apps)
    with storage.session_for(settings.database_url) as session:
        decisions = Counter(
            d.application_pk for d in session.exec(storage.select(storage.DecisionRow)) if d.application_pk in {a.id for a in apps}
        )
    assert all(decisions[app.id] == 1 for app in apps)
    print(f"applications expected {len(expected)}, found {len(apps)}, duplicated {sum(n - 1 for n in found.values())}")
    assert sorted(found) == sorted(expected)
    return len(expected), len(apps), sum(n - 1 for n in found.values())


@pytest.mark.slow
def test_processing_killed_mid_batch_then_run_again_decides_each_application_once(tmp_path, generated):
    folder, truth = generated
    home = tmp_path / "home"
    batch_id = ingest(home, folder)
    settings = resolve_settings(home)
    proc = start(["process", batch_id], env_for(home))
    # Killed once its two page readers run: reading the batch's pages takes
    # seconds more, and nothing is saved until the batch is decided. (A fixed
    # sleep raced the command once reading got faster.)
    wait_until(lambda: session_processes(proc.pid) >= 3, proc=proc)
    kill_group(proc)
    assert rows_of(settings, storage.ApplicationRow) == []
    again = subprocess.run([sys.executable, "-m", "pipeline.cli", "process", batch_id], capture_output=True, text=True,
                           env=env_for(home), timeout=600)
    assert again.returncode == 0, again.stderr
    assert exactly_once(settings, batch_id, truth)[2] == 0
    assert rows_of(settings, storage.BatchRow)[0].state == "processed"


@pytest.mark.slow
def test_the_flow_killed_mid_batch_resumes_and_decides_each_application_once(tmp_path, generated):
    folder, truth = generated
    home = tmp_path / "home"
    batch_id = ingest(home, folder)
    settings = resolve_settings(home)
    env = env_for(home, PREFECT_HOME=str(tmp_path / "prefect"))
    proc = start(["flows", "process", batch_id, "--chunk-pages", "1"], env)
    # Killed once some pages are read and stored, before the batch is done.
    wait_until(lambda: len(rows_of(settings, storage.PageAnalysisRow)) >= 2, proc=proc)
    kill_group(proc)
    kept = {row.seq: row.analysed_at for row in rows_of(settings, storage.PageAnalysisRow)}
    assert rows_of(settings, storage.BatchRow)[0].state != "processed"
    again = subprocess.run([sys.executable, "-m", "pipeline.cli", "flows", "process", batch_id], capture_output=True,
                           text=True, env=env, timeout=600)
    assert again.returncode == 0, again.stderr
    assert exactly_once(settings, batch_id, truth)[2] == 0
    assert rows_of(settings, storage.BatchRow)[0].state == "processed"
    # What was read before the kill was not read again.
    after = {row.seq: row.analysed_at for row in rows_of(settings, storage.PageAnalysisRow)}
    assert all(after[seq] == moment for seq, moment in kept.items())


QUALITY = ScanQuality(1654, 2339, 200, 200, 200.0, "RGB", 3, 8, 200, 3.0)


def decided_home(home: Path, count: int) -> None:
    settings = resolve_settings(home)
    results = [
        ApplicationResult(i, f"GB{i + 1:012d}", (i,), (), (), None, Decision(Status.AUTO_APPROVED, (), (), "test"))
        for i in range(count)
    ]
    with storage.session_for(settings.database_url) as session:
        pages = [(SourcePage(i, f"p{i}.png", "0" * 64, 1), QUALITY) for i in range(count)]
        storage.add_batch(session, "B1", date(2026, 11, 20), None, pages, {"0" * 64: (1, "p0.png")})
        storage.save_results(session, "B1", [], results)
        session.commit()


KILLED_EXPORT = """
import os, signal, sys
from pipeline import cli, report
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
report.{step} = die
sys.exit(cli.main(["export", "--out", sys.argv[1]]))
"""


@pytest.mark.parametrize("step", ["_publish", "_fsync_dir"])
def test_export_killed_between_writing_and_renaming_exports_each_application_once(tmp_path, step):
    # _publish: killed after the commit, before any rename; _fsync_dir: after
    # the renames, before the export is marked done.
    home = tmp_path / "home"
    decided_home(home, 5)
    out = tmp_path / "out"
    killed = subprocess.run([sys.executable, "-c", textwrap.dedent(KILLED_EXPORT.format(step=step)), str(out)],
                            env=env_for(home), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    for _ in range(2):
        again = subprocess.run([sys.executable, "-m", "pipeline.cli", "export", "--out", str(out)],
                               env=env_for(home), capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
    exported = Counter(
        row["application_id"]
        for path in out.glob("approve-*.csv")
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    )
    print(f"applications expected 5, found {len(exported)}, duplicated {sum(n - 1 for n in exported.values())}")
    assert exported == Counter({f"GB{i:012d}": 1 for i in range(1, 6)})
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    for manifest in out.glob("manifest-*.json"):
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        for entry in files.values():
            assert hashlib.sha256((out / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]


STORE_BIG = """
import os, sys
from pathlib import Path
from pipeline import originals
originals.store(Path(sys.argv[1]), os.urandom(256 * 1024 * 1024))
"""


def test_the_originals_store_never_holds_a_half_written_file(tmp_path):
    root = tmp_path / "originals"
    root.mkdir()
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", STORE_BIG, str(root)], cwd=ROOT, start_new_session=True)
        wait_until(lambda: any(p.name.startswith(".incoming-") and p.stat().st_size > 0 for p in root.rglob("*")), timeout=60, proc=proc)
        kill_group(proc)
    leftovers = [p for p in root.rglob("*") if p.is_file()]
    assert leftovers and all(p.name.startswith(".incoming-") for p in leftovers)  # only hidden temporaries
    # What is stored afterwards is whole, under its hash.
    digest, path = originals.store(root, b"a page")
    assert originals.read(root, digest) == b"a page" and path.name == digest
    named = [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert all(hashlib.sha256(p.read_bytes()).hexdigest() == p.name for p in named)
