"""The deployments a floor runs, registered on a Prefect server (Python
deployments instead of prefect.yaml: the schedule's time comes from the same
setting the export flow reads).

- `process-batch/process-batch`: every minute, processes every batch waiting,
  one run at a time (deployment concurrency 1); its page reading goes to the
  pool as `read-pages` runs, so every worker takes a share.
- `read-pages/read-pages`: one chunk of a batch's pages (started by the above).
- `daily-export/daily-export`: at the cut-off, 17:30 Asia/Tokyo unless set.

Workers of the pool run the code from this checkout (`from_source` with its
folder) with their own GBIZ_REVIEW_HOME and GBIZ_REVIEW_DATABASE_URL.
"""

from __future__ import annotations

from pathlib import Path

from prefect.schedules import Cron, Interval

from flows.batch import READ_PAGES_DEPLOYMENT, process_batch_flow, read_pages_flow
from flows.export import cron_for, cutoff_setting, daily_export_flow
from pipeline.config import TOKYO

ROOT = Path(__file__).resolve().parent.parent


def deploy_all(pool: str, cutoff: str | None = None, out_dir: str | None = None, every_seconds: int = 60) -> list[str]:
    cutoff = cutoff or cutoff_setting()
    source = str(ROOT)
    created = []
    reader = read_pages_flow.from_source(source, "flows/batch.py:read_pages_flow")
    created.append(reader.deploy(name="read-pages", work_pool_name=pool, build=False, push=False, print_next_steps=False))
    batch = process_batch_flow.from_source(source, "flows/batch.py:process_batch_flow")
    created.append(batch.deploy(
        name="process-batch", work_pool_name=pool, build=False, push=False, print_next_steps=False,
        parameters={"distribute": READ_PAGES_DEPLOYMENT}, concurrency_limit=1,
        schedules=[Interval(every_seconds)],
    ))
    export = daily_export_flow.from_source(source, "flows/export.py:daily_export_flow")
    created.append(export.deploy(
        name="daily-export", work_pool_name=pool, build=False, push=False, print_next_steps=False,
        parameters={"out_dir": out_dir, "cutoff": cutoff}, schedules=[Cron(cron_for(cutoff), timezone=str(TOKYO))],
    ))
    return [f"deployment {name}" for name in ("read-pages/read-pages", "process-batch/process-batch", "daily-export/daily-export")] + [
        f"daily export at {cutoff} Asia/Tokyo (cron {cron_for(cutoff)})"
    ]
