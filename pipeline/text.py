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
