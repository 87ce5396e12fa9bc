"""The scan station's words, as data (`scanners/data/messages.json`): Japanese
by default, English with `--lang en` or GBIZ_REVIEW_LANG=en."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources

LANGUAGES = ("ja", "en")


@cache
def _catalogue() -> dict[str, dict[str, str]]:
    text = resources.files("scanners.data").joinpath("messages.json").read_text(encoding="utf-8")
    return {key: value for key, value in json.loads(text).items() if not key.startswith("_")}


def resolve_language(requested: str | None = None) -> str:
    """--lang, else $GBIZ_REVIEW_LANG, else Japanese."""
    lang = (requested or os.environ.get("GBIZ_REVIEW_LANG") or "ja").lower()[:2]
    return lang if lang in LANGUAGES else "ja"


@dataclass(frozen=True)
class Messages:
    lang: str = "ja"

    def __call__(self, key: str, **values: object) -> str:
        entry = _catalogue()[key]
        return entry.get(self.lang, entry["en"]).format(**values)
