"""Where the program keeps its state, and the decision policy's settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

# Dates and times shown to people and written to the export are Japan time.
TOKYO = ZoneInfo("Asia/Tokyo")

POLICY_VERSION = "2026.11-1"


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    workers: int
    # A field read with less than this Tesseract confidence (0–100) is not
    # trusted on its own: a reading is accepted when it passes its format check
    # (check digit, valid date) and agrees with the other document.
    min_confidence: float = 40.0

    @property
    def originals_dir(self) -> Path:
        return self.home / "originals"


def resolve_settings(home: str | os.PathLike[str] | None = None) -> Settings:
    """--home, else $GBIZ_REVIEW_HOME, else ./.gbiz-review (interfaces.md)."""
    chosen = Path(home or os.environ.get("GBIZ_REVIEW_HOME") or ".gbiz-review").resolve()
    url = os.environ.get("GBIZ_REVIEW_DATABASE_URL") or f"sqlite:///{chosen / 'gbiz-review.db'}"
    workers = int(os.environ.get("GBIZ_REVIEW_WORKERS") or min(os.cpu_count() or 1, 4))
    min_conf = float(os.environ.get("GBIZ_REVIEW_MIN_CONFIDENCE") or 40.0)
    return Settings(home=chosen, database_url=url, workers=max(1, workers), min_confidence=min_conf)


def prepare_home(settings: Settings) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    settings.originals_dir.mkdir(parents=True, exist_ok=True)
