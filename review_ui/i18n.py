"""The UI's two languages: Japanese by default, English one switch away. The
texts are data (catalogue/ja.json, catalogue/en.json, the same keys in both;
tests/test_ui_access.py checks that)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("ja", "en")
DEFAULT = "ja"
CATALOGUE = Path(__file__).parent / "catalogue"


@cache
def catalogue(lang: str) -> dict[str, str]:
    return json.loads((CATALOGUE / f"{lang}.json").read_text(encoding="utf-8"))


class Translator:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.texts = catalogue(lang)

    def __call__(self, key: str, **values: object) -> str:
        text = self.texts[key]  # a missing key is a bug: fail loudly in tests
        return text.format(**values) if values else text

    def other(self) -> str:
        return "en" if self.lang == "ja" else "ja"


def translator(lang: str | None) -> Translator:
    return Translator(lang if lang in LANGUAGES else DEFAULT)
