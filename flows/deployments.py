"""How the flows run on a floor (Python deployments instead of prefect.yaml:
the export's schedule comes from the same setting the export flow reads).

- `read-pages/read-pages`, a deployment on the work pool (`deploy_all`): one
  chunk of a batch's pages. Every worker of the pool takes such runs, one at a
  time (`prefect worker start --limit 1`), so a big batch is read by all of them.
- The coordinator (`serve_coordinator`, `gbiz-review flows serve`) serves two
  light flows on the server's machine: `process-batch` every minute (every
  batch waiting: its pages go to the pool as read-pages runs, then each
  application is decided), and `daily-export` at the cut-off, 17:30
  Asia/Tokyo unless set. They run in the coordinator's process, so they never
  hold a worker's slot while waiting for the reading they started.

Workers run the code of this checkout (`from_source` with its folder) with
their own GBIZ_REVIEW_HOME and GBIZ_REVIEW_DATABASE_URL.
"""

from __future__ import annotations

from pathlib import Path

from prefect import serve
from prefect.schedules import Cron, Interval

from flows.batch import READ_PAGES_DEPLOYMENT, process_batch_flow, read_pages_flow
from flows.export import cron_for, cutoff_setting, daily_export_flow
from pipeline.config import TOKYO

ROOT = Path(__file__).resolve().parent.parent


def deploy_all(pool: str) -> list[str]:
    reader = read_pages_flow.from_source(str(ROOT), "flows/batch.py:read_pages_flow")
    reader.deploy(name="read-pages", work_pool_name=pool, build=False, push=False, print_next_steps=False, ignore_warnings=True)
    return [f"deployment {READ_PAGES_DEPLOYMENT} on work pool {pool}"]


def serve_coordinator(
    home: str | None = None, cutoff: str | None = None, out_dir: str | None = None, every_seconds: int = 60,
) -> None:
    cutoff = cutoff or cutoff_setting()
    batches = process_batch_flow.to_deployment(
        name="process-batch", parameters={"distribute": READ_PAGES_DEPLOYMENT, "home": home},
        schedules=[Interval(every_seconds)], concurrency_limit=1,
    )
    export = daily_export_flow.to_deployment(
        name="daily-export", parameters={"out_dir": out_dir, "cutoff": cutoff, "home": home},
        schedules=[Cron(cron_for(cutoff), timezone=str(TOKYO))],
    )
    serve(batches, export)
