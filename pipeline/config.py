"""Where the program keeps its state, and the decision policy's settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.errors import UsageError

# Dates and times shown to people and written to the export are Japan time.
TOKYO = ZoneInfo("Asia/Tokyo")

# The decision rules' version; each decision records it with the confidence
# threshold it was made under (policy_version). 2026.12-3: a photocopy's
# unsure issue date shows the month its glyphs alone show, and is unsure
# (at most 39) whatever its readings' confidence; touching characters are cut
# apart for the glyph checks (an agreed date is no longer contradicted by a
# cell holding two digits). 2026.12-4: a name character both documents read
# as H is checked against 田 by the glyphs (ocr_misreads.json). 2026.12-5:
# a certificate date whose padding holds a tall stroke (a copy's hairline
# １ of １１月) is not shown by the glyphs (glyphs._strokes_in_spaces).
# 2026.12-6: where the name's readings disagree on its length, the length the
# form's フリガナ spells is compared by the glyphs first (verify_names).
# 2026.12-7: a form date's wider layout whose extra digit cell is paper does
# not stop the date being shown (glyph_fields.form_date_fit). 2026.12-8: a
# name character read as 水 is checked against 永 by the glyphs (ocr_misreads.json).
# 2026.12-9: a name reading with no kanji or kana is no reading of the name
# (decide._name_readings): unread (LOW_CONFIDENCE), never another person.
# 2026.12-10: an issue date needs the glyphs' proof as expired when it is
# older than three calendar months (documents.md), no longer 89 days.
# 2026.12-11: on a photocopied certificate, a name character that could be
# the form's with strokes lost is unsure, not MISMATCH (decide._strokes_lost_on_copy).
# 2026.12-12: an issue date read with confidence and not current is EXPIRED
# whatever another reading says; an exact era date outside the plausible
# range is no reading (eras.parse_era_date_near).
POLICY_VERSION = "2026.12-12"
# Below this the readings' own marks of doubt (39 for readings that disagree,
# 30 for a date guessed from scattered numbers) would pass as sure.
LOWEST_MIN_CONFIDENCE = 40.0


def policy_version(min_confidence: float) -> str:
    return f"{POLICY_VERSION}; min confidence {min_confidence:g}"


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    workers: int
    # Every check must pass with at least this confidence (0–100) for an
    # automatic approval: a value read only once (the issue date), and each
    # comparison between the documents (matching.compare: 100 when the leading
    # readings agree, 90 through a minority reading or the glyph checks).
    min_confidence: float = 40.0

    @property
    def originals_dir(self) -> Path:
        return self.home / "originals"


def resolve_settings(home: str | os.PathLike[str] | None = None) -> Settings:
    """--home, else $GBIZ_REVIEW_HOME, else ./.gbiz-review (interfaces.md)."""
    chosen = Path(home or os.environ.get("GBIZ_REVIEW_HOME") or ".gbiz-review").resolve()
    url = os.environ.get("GBIZ_REVIEW_DATABASE_URL") or f"sqlite:///{chosen / 'gbiz-review.db'}"
    workers = int(os.environ.get("GBIZ_REVIEW_WORKERS") or min(os.cpu_count() or 1, 4))
    min_conf = _min_confidence(os.environ.get("GBIZ_REVIEW_MIN_CONFIDENCE"))
    return Settings(home=chosen, database_url=url, workers=max(1, workers), min_confidence=min_conf)


def _min_confidence(text: str | None) -> float:
    if not text:
        return 40.0
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not LOWEST_MIN_CONFIDENCE <= value <= 100:
        raise UsageError(
            f"GBIZ_REVIEW_MIN_CONFIDENCE={text!r}: a confidence from {LOWEST_MIN_CONFIDENCE:g} to 100 is needed "
            "(below that the readings' own marks of doubt would pass as sure)"
        )
    return value


def prepare_home(settings: Settings) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    settings.originals_dir.mkdir(parents=True, exist_ok=True)
