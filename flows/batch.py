"""The batch-processing flow: pages → applications → decisions, thin over
pipeline.process's steps. Tasks pass ids (batch id, page and application
seqs), never images: every step reads what it needs from the database and the
originals store, and writes its result there, so that a re-run or a crashed
run picks up where it stopped and never duplicates an application or a
decision (each is saved once, in its own transaction, under a unique key).

Page reading is the heavy part. Locally it runs as tasks, at most
GBIZ_REVIEW_WORKERS at a time; tagged `gbiz-ocr`, so a tag concurrency limit
on the server caps it for the whole floor. With `distribute` naming the
`read-pages` deployment, each chunk of pages is a flow run of its own on the
work pool, so every worker of the pool takes a share of one big batch.
"""

from __future__ import annotations

from collections import Counter

from prefect import flow, get_run_logger, task
from prefect.deployments import run_deployment
from prefect.task_runners import ThreadPoolTaskRunner

from flows.common import settings_for, transient, workers
from pipeline import process, storage
from pipeline.errors import GbizReviewError

OCR_TAG = "gbiz-ocr"
READ_PAGES_DEPLOYMENT = "read-pages/read-pages"


@task(name="read-pages", tags=[OCR_TAG], retries=2, retry_delay_seconds=3, retry_condition_fn=transient)
def read_pages_task(batch_id: str, seqs: list[int], home: str | None = None) -> int:
    return process.read_pages(settings_for(home), batch_id, seqs)


@task(name="read-pages-on-the-pool", retries=1, retry_delay_seconds=3)
def read_pages_remote(batch_id: str, seqs: list[int], deployment: str, home: str | None = None) -> str:
    run = run_deployment(
        deployment, parameters={"batch_id": batch_id, "seqs": seqs, "home": home}, timeout=None, poll_interval=1,
    )
    if run.state is None or not run.state.is_completed():
        raise GbizReviewError(f"batch {batch_id}: pages {seqs[0] + 1}–{seqs[-1] + 1} not read (run {run.name}: {run.state})")
    return run.name


@task(name="plan-applications")
def plan_task(batch_id: str, home: str | None = None) -> list[int]:
    return process.application_plan(settings_for(home), batch_id)


@task(name="decide-application", retries=2, retry_delay_seconds=2, retry_condition_fn=transient)
def decide_task(batch_id: str, seq: int, home: str | None = None) -> str:
    return process.decide_application(settings_for(home), batch_id, seq)


@task(name="finish-batch")
def finish_task(batch_id: str, home: str | None = None) -> bool:
    return process.finish_batch(settings_for(home), batch_id)


def _chunks(seqs: list[int], size: int) -> list[list[int]]:
    return [seqs[i : i + size] for i in range(0, len(seqs), max(1, size))]


@flow(name="read-pages")
def read_pages_flow(batch_id: str, seqs: list[int], home: str | None = None) -> int:
    """One chunk of a batch's pages, as a flow run a worker of the pool takes
    (with one core, GBIZ_REVIEW_WORKERS=1, read in the run's own process)."""
    settings = settings_for(home)
    return process.read_pages(settings, batch_id, seqs, in_process=settings.workers == 1)


@flow(name="process-batch", task_runner=ThreadPoolTaskRunner(max_workers=workers()))
def process_batch_flow(
    batch_id: str | None = None, home: str | None = None, chunk_pages: int = 6, distribute: str | None = None,
) -> dict[str, dict[str, int]]:
    """Process one batch, or every batch waiting. Returns status counts per batch."""
    logger = get_run_logger()
    settings = settings_for(home)
    if batch_id is None:
        with storage.session_for(settings.database_url) as session:
            batch_ids = [batch.id for batch in storage.batches_waiting(session)]
    else:
        batch_ids = [batch_id]
    summary: dict[str, dict[str, int]] = {}
    for current in batch_ids:
        chunks = _chunks(process.pages_to_read(settings, current), chunk_pages)
        if distribute:
            reads = [read_pages_remote.submit(current, chunk, distribute, home) for chunk in chunks]
        else:
            reads = [read_pages_task.submit(current, chunk, home) for chunk in chunks]
        for future in reads:
            future.result()
        seqs = plan_task(current, home)
        decided = decide_task.map(current, seqs, home)
        statuses = Counter(future.result() for future in decided)
        finish_task(current, home)
        summary[current] = dict(statuses)
        logger.info("batch %s: %d application(s): %s", current, len(seqs), dict(statuses))
    return summary
