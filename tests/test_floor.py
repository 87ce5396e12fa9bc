"""The floor on this machine, started by the project's scripts: PostgreSQL on
loopback, a Prefect server, two workers of one process work pool; two stations
ingest at the same time, one batch is read by both workers, and every
application is decided exactly once. The slowest test (about a minute)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def sh(*args, env, timeout=300):
    result = subprocess.run(["bash", *args], capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout


SETS = (("desk-1", 4, 41), ("desk-2", 2, 42))


@pytest.fixture(scope="module")
def floor(tmp_path_factory):
    base = tmp_path_factory.mktemp("floor")
    # The stations' envelopes are generated while the floor starts.
    generators = [
        subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "--home", str(base / "unused"), "samples", "generate", str(base / name),
             "--count", str(count), "--seed", str(seed), "--received", "2026-11-20", "--rescan-rate", "0", "--force"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        for name, count, seed in SETS
    ]
    env = {
        **os.environ, "GBIZ_FLOOR_DIR": str(base), "GBIZ_FLOOR_PREFECT_PORT": "4291", "GBIZ_FLOOR_POOL": "gbiz-floor-test",
        "GBIZ_FLOOR_PREFECT_DB": f"prefect_test_{os.getpid()}",
    }
    env.pop("GBIZ_REVIEW_DATABASE_URL", None)
    try:
        sh("scripts/postgres.sh", "createdb", env["GBIZ_FLOOR_PREFECT_DB"], env=env)  # a Prefect of its own
        sh("scripts/floor.sh", "up", env=env)
        url = sh("scripts/postgres.sh", "createdb", f"floor_test_{os.getpid()}", env=env).strip().splitlines()[-1]
        sh("scripts/floor.sh", "workers", "2", url, env=env)
        for generator in generators:
            assert generator.wait(timeout=300) == 0, generator.stderr.read()
        yield base, {
            **env, "GBIZ_REVIEW_DATABASE_URL": url, "GBIZ_REVIEW_HOME": str(base / "home"), "PREFECT_HOME": str(base / "prefect"),
            "PREFECT_API_URL": "http://127.0.0.1:4291/api", "DO_NOT_TRACK": "1",
        }
    finally:
        subprocess.run(["bash", "scripts/floor.sh", "down"], env=env, cwd=ROOT, timeout=120)
        for database in (env["GBIZ_FLOOR_PREFECT_DB"], f"floor_test_{os.getpid()}"):
            subprocess.run(["bash", "scripts/postgres.sh", "dropdb", database], env=env, cwd=ROOT, timeout=60, capture_output=True)


def gbiz(env, *args):
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_two_stations_two_workers_every_application_decided_once(floor):
    base, env = floor
    sets = {name: json.loads((base / name / "truth.json").read_text(encoding="utf-8")) for name, _count, _seed in SETS}
    # Two stations store their batches at the same time, into one database and one originals store.
    stations = {
        name: subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "ingest", str(base / name), "--station", name, "--received", "2026-11-20", "--no-process"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        for name in sets
    }
    batches = {}
    for name, station in stations.items():
        out, err = station.communicate(timeout=300)
        assert station.returncode == 0, err
        batches[name] = out.strip()

    # Two chunks: one read-pages run for each worker.
    half = str(-(-len(list((base / "desk-1").glob("p*.png"))) // 2))
    started = time.monotonic()
    gbiz(env, "flows", "process", batches["desk-1"], "--chunk-pages", half, "--distribute", "read-pages/read-pages")
    seconds = time.monotonic() - started
    gbiz(env, "flows", "process", batches["desk-2"], "--chunk-pages", "10", "--distribute", "read-pages/read-pages")
    for name, batch_id in batches.items():
        check = subprocess.run(
            [sys.executable, "-m", "pipeline.floorcheck", batch_id, "0", str(seconds), "2"],
            capture_output=True, text=True, env=env, timeout=60,
        )
        result = json.loads(check.stdout)
        assert check.returncode == 0, result
        assert result["applications"] == len(sets[name]["applications"])
        assert result["duplicated_applications"] == 0 and result["applications_not_decided_once"] == 0
        if name == "desk-1":
            # The big batch's pages were read by both workers.
            assert set(result["pages_read_by"]) == {"worker-1", "worker-2"}, result
    report = gbiz(env, "report").splitlines()
    assert len(report) == 1 + sum(len(s["applications"]) for s in sets.values())


def test_the_coordinator_serves_the_schedules_and_processes_what_stations_store(floor):
    base, env = floor
    coordinator = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "flows", "serve", "--every", "5", "--cutoff", "17:30"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )
    try:
        batch_id = gbiz(env, "ingest", str(base / "desk-2"), "--station", "desk-3", "--received", "2026-11-20", "--no-process")
        deadline = time.monotonic() + 240
        result = {}
        while time.monotonic() < deadline:
            check = subprocess.run([sys.executable, "-m", "pipeline.floorcheck", batch_id, "0", "1", "2"],
                                   capture_output=True, text=True, env=env, timeout=60)
            result = json.loads(check.stdout)
            if result["state"] == "processed":
                break
            assert coordinator.poll() is None, coordinator.stderr.read()
            time.sleep(2)
        assert result["state"] == "processed" and result["applications_not_decided_once"] == 0, result
        schedules = subprocess.run(
            [sys.executable, "-c", SCHEDULES], capture_output=True, text=True, env=env, timeout=60,
        )
        assert json.loads(schedules.stdout) == {
            "daily-export/daily-export": [["30 17 * * *", "Asia/Tokyo"]],
            "process-batch/process-batch": [[5.0, None]],
        }, schedules.stderr
    finally:
        os.killpg(coordinator.pid, signal.SIGTERM)
        coordinator.wait(timeout=60)


SCHEDULES = """
import asyncio, json
from prefect.client.orchestration import get_client
async def main():
    async with get_client() as client:
        found = {}
        for name in ("daily-export/daily-export", "process-batch/process-batch"):
            deployment = await client.read_deployment_by_name(name)
            found[name] = [
                [getattr(s.schedule, "cron", None) or getattr(s.schedule, "interval").total_seconds(), getattr(s.schedule, "timezone", None) if hasattr(s.schedule, "cron") else None]
                for s in deployment.schedules
            ]
        print(json.dumps(found))
asyncio.run(main())
"""
