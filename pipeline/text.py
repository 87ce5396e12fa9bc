"""Text normalisation shared by the reader, the matcher and the report."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u3000]+")


def to_halfwidth(text: str) -> str:
    """NFKC: full-width digits, Latin letters and spaces become half-width;
    half-width katakana become full-width. Kanji are left alone (NFKC does not
    fold variant kanji such as 髙 or 﨑; that is matching's job)."""
    return unicodedata.normalize("NFKC", text)


def collapse_spaces(text: str) -> str:
    """Runs of any white space (including the ideographic space) become one half-width space."""
    return _SPACES.sub(" ", text).strip()


def normalise_name(text: str) -> str:
    """A person's name as the report shows it: NFKC, one half-width space
    between family and given name, no other spaces."""
    return collapse_spaces(to_halfwidth(text))


def digits_only(text: str) -> str:
    """The ASCII digits of `text` after width normalisation."""
    return "".join(ch for ch in to_halfwidth(text) if ch.isascii() and ch.isdigit())


def holds_japanese(text: str) -> bool:
    """Whether `text` holds a kanji or a kana. A name read without one (`PE:`
    for a photocopy's 齊藤 國彦 crossed by the latent 複写) is not a reading of
    a name: comparing it would claim another person."""
    return any(
        "\u3041" <= ch <= "\u3096" or "\u30a1" <= ch <= "\u30fa" or "\u3400" <= ch <= "\u4dbf"
        or "\u4e00" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0002ffff"
        for ch in text
    )
