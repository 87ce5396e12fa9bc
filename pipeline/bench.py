"""`gbiz-review bench`: the pipeline's speed on a fixed generated set, with
the time of each stage, next to a plain full-page Tesseract read of the same
pages (what a user of OCRmyPDF or paperless-ngx would run)."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ocr import tesseract
from pipeline import decide, grouping, imaging, loading, process, reading
from pipeline.config import Settings

BENCH_SEED = 20261123
RECEIVED = date(2026, 11, 20)


def _stage_breakdown(folder: Path, pages: list[dict], min_confidence: float) -> dict[str, float]:
    """Single-process seconds per stage over `pages` (the end-to-end figure runs
    in parallel; this one shows where a page's time goes). analyse_page does
    the white balance and deskew itself: they are timed on their own first,
    and taken out of its time (with the reduction of a finer scan to the
    working resolution)."""
    totals = {"decode and measure": 0.0, "white balance and deskew": 0.0, "layout and reading": 0.0}
    tesseract.usage.seconds = 0.0
    analyses = []
    for index, page in enumerate(pages):
        started = time.perf_counter()
        (decoded,) = loading.decode(page["file"], (folder / page["file"]).read_bytes())
        totals["decode and measure"] += time.perf_counter() - started
        started = time.perf_counter()
        dpi = decoded.quality.effective_dpi
        balanced = imaging.white_balance(imaging.at_working_resolution(decoded.rgb, dpi))
        skew = imaging.estimate_skew(imaging.ink_mask(imaging.grey_without_red(balanced)))
        imaging.prepare(balanced, imaging.working_dpi(dpi) / 25.4, skew, False)
        balancing = time.perf_counter() - started
        totals["white balance and deskew"] += balancing
        started = time.perf_counter()
        analyses.append(reading.analyse_page(decoded.rgb, index, decoded.quality, RECEIVED))
        totals["layout and reading"] += max(0.0, time.perf_counter() - started - balancing)
    totals["  of which Tesseract"] = tesseract.usage.seconds
    started = time.perf_counter()
    decide.decide_all(grouping.split_applications(analyses), RECEIVED, {}, min_confidence)
    totals["grouping and decisions"] = time.perf_counter() - started
    return totals


@dataclass(frozen=True)
class _Round:
    ingest_seconds: float
    process_seconds: float
    baseline_seconds: float

    @property
    def seconds(self) -> float:
        return self.ingest_seconds + self.process_seconds


def _pipeline_and_baseline(folder: Path, pages: list[dict], home: Path, settings: Settings) -> _Round:
    workers = settings.workers
    run_settings = Settings(
        home=home, database_url=f"sqlite:///{home / 'gbiz-review.db'}", workers=workers,
        min_confidence=settings.min_confidence,
    )
    with process.shared_workers(run_settings.workers):
        started = time.perf_counter()
        ingested = process.ingest(run_settings, [folder], RECEIVED, read=True)
        ingest_seconds = time.perf_counter() - started
        assert ingested.batch_id is not None
        started = time.perf_counter()
        process.process_waiting(run_settings, ingested.batch_id)
        process_seconds = time.perf_counter() - started
    # The baseline reads every page of the set on the same number of worker
    # processes, so the two throughputs compare like for like.
    started = time.perf_counter()
    process._map(_full_page, [(str(folder / p["file"]), p["dpi"]) for p in pages], workers)
    return _Round(ingest_seconds, process_seconds, time.perf_counter() - started)


def _span(values: list[float], unit: str = "") -> str:
    low, high = min(values), max(values)
    return f"{low:.2f}{unit}" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f}–{high:.2f}{unit}"


def run(settings: Settings, count: int, sample_pages: int, rounds: int = 3) -> int:
    from samples.generator import BatchSpec, generate_batch

    rounds = max(1, rounds)
    with tempfile.TemporaryDirectory(prefix="gbiz-bench-") as scratch:
        folder = Path(scratch) / "scans"
        truth = generate_batch(folder, BatchSpec(count=count, seed=BENCH_SEED, received=RECEIVED))
        pages = [p for p in truth["pages"]]
        apps = len(truth["applications"])
        # Pipeline and baseline alternate, each round in a fresh home: this
        # machine's speed drifts by a fifth within an hour, and a ratio of two
        # runs an hour apart measures the drift as much as the code.
        measured = [
            _pipeline_and_baseline(folder, pages, Path(scratch) / f"home-{index}", settings)
            for index in range(rounds)
        ]
        sample = pages[:sample_pages]
        stages = _stage_breakdown(folder, sample, settings.min_confidence)

    ours = [apps / r.seconds for r in measured]
    baseline = [apps / r.baseline_seconds for r in measured]
    ratios = [o / b for o, b in zip(ours, baseline, strict=True)]
    print(f"set: {apps} applications, {len(pages)} pages (seed {BENCH_SEED}), {settings.workers} worker(s), "
          f"OCR engine {tesseract.engine()}, {rounds} round(s) of pipeline then baseline")
    for index, (r, rate, base) in enumerate(zip(measured, ours, baseline, strict=True), start=1):
        print(f"  round {index}: pipeline {rate:.2f} applications/s (ingest with the quick reading "
              f"{r.ingest_seconds:.1f} s, decisions and second look {r.process_seconds:.1f} s); "
              f"baseline {base:.2f} applications/s; {rate / base:.2f}×")
    print(f"pipeline: {_span(ours)} applications/s, {_span([len(pages) / r.seconds for r in measured])} pages/s, "
          f"{_span([r.seconds / apps for r in measured], ' s')} wall per application")
    print(f"per stage, one process, {len(sample)} pages, seconds per page:")
    for stage, seconds in stages.items():
        print(f"  {stage:28} {seconds / max(1, len(sample)):.3f}")
    per_page = [r.baseline_seconds * settings.workers / len(pages) for r in measured]
    print(f"baseline, full-page Tesseract (psm 3) on {settings.workers} worker(s): {_span(baseline)} applications/s "
          f"({_span(per_page, ' s')} per page, {_span([p * len(pages) / apps for p in per_page], ' s')} "
          f"per application on one core)")
    print(f"pipeline against the baseline, round by round: {_span(ratios, '×')}")
    print(json.dumps({
        "applications_per_second": round(statistics.median(ours), 3),
        "baseline_applications_per_second": round(statistics.median(baseline), 3),
        "speedup": round(statistics.median(ratios), 2),
        "rounds": [
            {"applications_per_second": round(o, 3), "baseline_applications_per_second": round(b, 3)}
            for o, b in zip(ours, baseline, strict=True)
        ],
    }))
    return 0


def _full_page(job: tuple[str, int]) -> str:
    path, dpi = job
    return tesseract.read_page_text(path, dpi=dpi)
