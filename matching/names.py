"""Comparing a name on the form with the name on the certificate.

The certificate may print a registered variant kanji (髙, 﨑, 邉 …) where the
form prints the common one; they are the same person. Tesseract's Japanese
model cannot even read most variants, so comparison folds both sides to the
common form and must never depend on the variant being read as itself.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from pipeline.text import normalise_name


@cache
def variant_table() -> dict[str, str]:
    text = resources.files("matching").joinpath("data/variant_kanji.json").read_text(encoding="utf-8")
    return dict(json.loads(text)["variants"])


def fold_variants(text: str) -> str:
    table = variant_table()
    return "".join(table.get(ch, ch) for ch in text)


# OCR litter between the characters of a name; never part of a registered name.
_LITTER = str.maketrans("", "", ".,'`\"、。･:;|_")


@cache
def _confusables() -> dict[int, str]:
    text = resources.files("matching").joinpath("data/ocr_confusables.json").read_text(encoding="utf-8")
    return str.maketrans(json.loads(text)["fold"])


def comparable_name(text: str) -> str:
    """NFKC, no spaces or OCR litter, registered variants and OCR look-alikes
    folded (both data files): the form in which two names are equal."""
    return fold_variants(normalise_name(text)).replace(" ", "").translate(_LITTER).translate(_confusables())


def display_char(ch: str) -> str:
    """A character as a name shows it: an OCR look-alike that names never use
    (了 for 子, a dash for 一) becomes the name character it stands for."""
    return ch.translate(_confusables())
