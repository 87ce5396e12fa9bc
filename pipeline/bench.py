"""`gbiz-review bench`: the pipeline's speed on a fixed generated set, with
the time of each stage, next to a plain full-page Tesseract read of the same
pages (what a user of OCRmyPDF or paperless-ngx would run)."""

from __future__ import annotations

import json
import tempfile
import time
from datetime import date
from pathlib import Path

from ocr import tesseract
from pipeline import imaging, loading, process, reading
from pipeline.config import Settings

BENCH_SEED = 20261123
RECEIVED = date(2026, 11, 20)


def _stage_breakdown(folder: Path, pages: list[dict]) -> dict[str, float]:
    """Single-process seconds per stage over `pages` (the end-to-end figure runs
    in parallel; this one shows where a page's time goes)."""
    totals = {"decode and measure": 0.0, "white balance and deskew": 0.0, "read (layout + OCR)": 0.0}
    tesseract.usage.seconds = 0.0
    for page in pages:
        started = time.perf_counter()
        (decoded,) = loading.decode(page["file"], (folder / page["file"]).read_bytes())
        totals["decode and measure"] += time.perf_counter() - started
        started = time.perf_counter()
        balanced = imaging.white_balance(decoded.rgb)
        skew = imaging.estimate_skew(imaging.ink_mask(imaging.grey_without_red(balanced)))
        imaging.prepare(balanced, decoded.quality.effective_dpi / 25.4, skew, False)
        totals["white balance and deskew"] += time.perf_counter() - started
        started = time.perf_counter()
        reading.analyse_page(decoded.rgb, 0, decoded.quality, RECEIVED)
        totals["read (layout + OCR)"] += time.perf_counter() - started
    totals["  of which Tesseract"] = tesseract.usage.seconds
    return totals


def run(settings: Settings, count: int, sample_pages: int) -> int:
    from samples.generator import BatchSpec, generate_batch

    with tempfile.TemporaryDirectory(prefix="gbiz-bench-") as scratch:
        folder = Path(scratch) / "scans"
        truth = generate_batch(folder, BatchSpec(count=count, seed=BENCH_SEED, received=RECEIVED))
        pages = [p for p in truth["pages"]]
        apps = len(truth["applications"])
        home = Path(scratch) / "home"
        run_settings = Settings(home=home, database_url=f"sqlite:///{home / 'gbiz-review.db'}", workers=settings.workers)

        with process.shared_workers(run_settings.workers):
            started = time.perf_counter()
            ingested = process.ingest(run_settings, [folder], RECEIVED, read=True)
            ingest_seconds = time.perf_counter() - started
            assert ingested.batch_id is not None
            started = time.perf_counter()
            process.process_waiting(run_settings, ingested.batch_id)
            process_seconds = time.perf_counter() - started
        total = ingest_seconds + process_seconds

        sample = pages[:sample_pages]
        stages = _stage_breakdown(folder, sample)

        # The baseline reads every page of the set on the same number of
        # worker processes, so the two throughputs compare like for like.
        started = time.perf_counter()
        process._map(_full_page, [(str(folder / p["file"]), p["dpi"]) for p in pages], settings.workers)
        baseline_total = time.perf_counter() - started

    baseline_per_page = baseline_total * settings.workers / len(pages)
    baseline_per_app = baseline_per_page * len(pages) / apps
    baseline_rate = apps / baseline_total
    ours_per_app = total / apps
    print(f"set: {apps} applications, {len(pages)} pages (seed {BENCH_SEED}), {settings.workers} worker(s), "
          f"OCR engine {tesseract.engine()}")
    print(f"pipeline: {apps / total:.2f} applications/s, {len(pages) / total:.2f} pages/s "
          f"(ingest with the quick reading {ingest_seconds:.1f} s, decisions and second look {process_seconds:.1f} s)")
    print(f"per stage, one process, {len(sample)} pages, seconds per page:")
    for stage, seconds in stages.items():
        print(f"  {stage:28} {seconds / max(1, len(sample)):.3f}")
    print(f"baseline, full-page Tesseract (psm 3) on {settings.workers} worker(s): {baseline_rate:.2f} applications/s "
          f"({baseline_per_page:.2f} s per page, {baseline_per_app:.2f} s per application on one core)")
    print(f"pipeline: {ours_per_app:.2f} s wall per application; {apps / total / baseline_rate:.1f}× the baseline")
    print(json.dumps({
        "applications_per_second": round(apps / total, 3),
        "baseline_applications_per_second": round(baseline_rate, 3),
        "speedup": round(apps / total / baseline_rate, 2),
    }))
    return 0


def _full_page(job: tuple[str, int]) -> str:
    path, dpi = job
    return tesseract.read_page_text(path, dpi=dpi)
