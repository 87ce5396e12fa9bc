"""Comparing a name on the form with the name on the certificate.

The certificate may print a registered variant kanji (髙, 﨑, 邉 …) where the
form prints the common one; they are the same person. Tesseract's Japanese
model cannot even read most variants, so comparison folds both sides to the
common form and must never depend on the variant being read as itself.
"""

from __future__ import annotations

import json
import unicodedata
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


def display_name(text: str) -> str:
    """A name as the reviewer and the export see it: an OCR look-alike kanji
    (了 for 子) becomes the name character it stands for; a katakana or dash
    look-alike (浩ニ, a katakana ニ) only in a word of kanji, since in a kana
    name a ー is a long vowel."""
    return " ".join(_display_word(word) for word in text.split(" "))


def _display_word(word: str) -> str:
    plain = [ch for ch in word if display_char(ch) == ch]
    among_kanji = any(_is_kanji(ch) for ch in plain) and not any(_is_kana(ch) for ch in plain)
    return "".join(display_char(ch) if _is_kanji(ch) or among_kanji else ch for ch in word)


def holds_name_characters(text: str) -> bool:
    """Whether `text` holds a kanji or a kana. A name read without one (`PE:`
    for a photocopy's 齊藤 國彦 crossed by the latent 複写) is not a reading of
    a name: comparing it would claim another person."""
    return any(_is_kanji(ch) or _is_kana(ch) for ch in text)


def _is_kanji(ch: str) -> bool:
    # Unified, extension and compatibility ideographs (髙, 﨑, 𠮷) and 々.
    return unicodedata.name(ch, "").startswith("CJK ") or ch == "々"


def _is_kana(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("HIRAGANA", "KATAKANA"))
