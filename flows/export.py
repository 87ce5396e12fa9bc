"""The daily export flow: at the cut-off (default 17:30 Asia/Tokyo) write the
approve and deny files for everything decided up to the cut-off and not yet
exported (pipeline.report.export does the writing, crash-safe and once per
application). A run that starts late still stops at the cut-off; what was
decided after it goes out with the next day's files."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from pathlib import Path

from prefect import flow, get_run_logger

from flows.common import settings_for
from pipeline import report, storage
from pipeline.config import TOKYO

DEFAULT_CUTOFF = "17:30"


def cutoff_setting() -> str:
    return os.environ.get("GBIZ_REVIEW_EXPORT_CUTOFF") or DEFAULT_CUTOFF


def parse_cutoff(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0))


def last_cutoff(now: datetime, cutoff: time) -> datetime:
    """The latest cut-off moment (Japan time) not after `now`."""
    local = now.astimezone(TOKYO)
    moment = datetime.combine(local.date(), cutoff, tzinfo=TOKYO)
    return moment if moment <= local else moment - timedelta(days=1)


def cron_for(cutoff: str) -> str:
    moment = parse_cutoff(cutoff)
    return f"{moment.minute} {moment.hour} * * *"


@flow(name="daily-export")
def daily_export_flow(
    out_dir: str | None = None, cutoff: str | None = None, home: str | None = None, now: str | None = None,
) -> dict[str, object]:
    logger = get_run_logger()
    settings = settings_for(home)
    moment = datetime.fromisoformat(now) if now else datetime.now(TOKYO)
    until = last_cutoff(moment, parse_cutoff(cutoff or cutoff_setting()))
    target = Path(out_dir) if out_dir else settings.home / "exports"
    with storage.session_for(settings.database_url) as session:
        result = report.export(session, target, decided_before=until)
    logger.info(
        "export %s (decided up to %s): %d to approve, %d to deny", result.export_id, until.isoformat(),
        result.approve_rows, result.deny_rows,
    )
    return {
        "export_id": result.export_id, "cutoff": until.isoformat(), "approve": str(result.approve_path),
        "deny": str(result.deny_path), "manifest": str(result.manifest_path), "approve_rows": result.approve_rows,
        "deny_rows": result.deny_rows, "recovered": list(result.recovered),
    }
