"""Page load times of the review UI with 5,000 applications in the database.

    .venv/bin/python scripts/ui_load.py [--from HOME] [--total 5000] [--samples 60]

Copies a processed home (default: generates and processes 8 applications) to
a scratch home, synthesises rows up to --total applications (copies of the
real ones, pointing at the same originals: no OCR), starts the UI, and times
the queue and application pages: the HTML over HTTP, and in chromium up to the
page's load event (crops, seals and page previews included). Prints p50/p95.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from pipeline import accounts, process, storage  # noqa: E402
from pipeline import storage_review as store  # noqa: E402
from pipeline.config import Settings, prepare_home  # noqa: E402
from review_ui.app import create_app  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "load-test-password"


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (n={len(ordered)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", help="a processed home to copy (default: generate 8 applications)")
    parser.add_argument("--total", type=int, default=5000)
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="gbiz-ui-load-"))
    settings = Settings(home=scratch, database_url=f"sqlite:///{scratch / 'gbiz-review.db'}", workers=2)
    prepare_home(settings)
    if args.source:
        source = Path(args.source)
        import sqlite3

        with sqlite3.connect(source / "gbiz-review.db") as src, sqlite3.connect(scratch / "gbiz-review.db") as dst:
            src.backup(dst)  # WAL-safe copy
        os.rmdir(settings.originals_dir)
        os.symlink((source / "originals").resolve(), settings.originals_dir)
    else:
        from samples.generator import BatchSpec, generate_batch

        received = date(2026, 11, 20)
        generate_batch(scratch / "scans", BatchSpec(count=8, seed=11, received=received, defect_rate=0.6))
        batch = process.ingest(settings, [scratch / "scans"], received, station="desk-1")
        process.process_waiting(settings, batch.batch_id)
    started = time.perf_counter()
    with storage.session_for(settings.database_url) as session:
        added = store.synthesise_applications(session, args.total)
        accounts.add_user(session, "loadtest", "reviewer", PASSWORD)
        session.commit()
        held = [item.pk for item in store.queue(session)[0]]
        total = len(storage.applications_in_order(session))
    print(f"database: {total} applications ({added} synthesised in {time.perf_counter() - started:.1f} s), {len(held)} held")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, access_log=False, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=base, timeout=60)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"csrf": csrf, "login": "loadtest", "password": PASSWORD})
    rng = random.Random(1)
    sample = [rng.choice(held) for _ in range(args.samples)]
    queue_times, app_times = [], []
    client.get("/queue")
    for pk in sample:
        t0 = time.perf_counter()
        assert client.get("/queue").status_code == 200
        queue_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        assert client.get(f"/applications/{pk}").status_code == 200
        app_times.append(time.perf_counter() - t0)
    print(f"queue page (HTML):       {percentiles(queue_times)}")
    print(f"application page (HTML): {percentiles(app_times)}")

    if Path("/usr/bin/chromium").exists():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page()
            page.goto(base + "/login")
            page.fill("#login", "loadtest")
            page.fill("#password", PASSWORD)
            page.click("#login-submit")
            page.wait_for_load_state("load")
            loads_queue, loads_app = [], []
            # In queue order, as a reviewer moves: each page's images are warmed by the one before.
            for pk in held[: args.samples]:
                t0 = time.perf_counter()
                page.goto(base + "/queue", wait_until="load")
                loads_queue.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                page.goto(f"{base}/applications/{pk}", wait_until="load")
                loads_app.append(time.perf_counter() - t0)
            browser.close()
        print(f"queue page (chromium, to load event):       {percentiles(loads_queue)}")
        print(f"application page (chromium, to load event): {percentiles(loads_app)}; first (cold) {loads_app[0] * 1000:.0f} ms")
    server.should_exit = True
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
