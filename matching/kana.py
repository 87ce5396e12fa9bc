"""The フリガナ as a tie-breaker for the form's name.

When Tesseract's readings of the form's name disagree (宮本 and 宮木), the
katakana printed under it says which one the applicant wrote: ミヤモト splits
into readings of 宮 and 本, not of 宮 and 木. The readings of each kanji come
from KANJIDIC (Debian's `kanjidic` package): its on and kun readings, and its
nanori, the readings found only in names. Nanori lists are generous (木 may be
read もと in a name), so a candidate that needs fewer of them fits better; a
tie stays a tie, and the readings' own order stands.

Voicing and small kana are folded on both sides: a family name's second part is
often voiced (山崎 やまざき, 崎 さき), and Tesseract drops a dakuten or reads a small
ャ as ヤ now and then. Both only loosen the fit, and a looser fit can only make
two candidates fit alike, which decides nothing.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from pipeline.errors import ToolError

DEFAULT_KANJIDIC = "/usr/share/edict/kanjidic"

# Cost of a character read through a name-only reading (nanori); an on or kun
# reading costs nothing. A candidate that fits with fewer nanori wins.
_NANORI_COST = 1
# Cost of a kana the name does not account for. Tesseract repeats a kana at a
# word break now and then (ミウ フラ ヒデ アキ for ミウラ ヒデアキ, サワ タダ タ ミホ
# for サワダ ミホ), so a few stray kana are allowed; any number of nanori costs
# less than one of them, and more than _MAX_STRAYS spell nothing (a short
# reading would otherwise "fit" a long kana by skipping most of it).
_STRAY_COST = 100
_MAX_STRAYS = 2
_UNFIT = 10**6

_SMALL = str.maketrans("ぁぃぅぇぉっゃゅょゎ", "あいうえおつやゆよわ")
# Voiced and half-voiced kana to their plain forms (が→か, ぱ→は).
_VOICED = {
    chr(code): unicodedata.normalize("NFC", unicodedata.normalize("NFD", chr(code))[0])
    for code in range(ord("ぁ"), ord("ゖ") + 1)
}


def fold(kana: str) -> str:
    """Katakana or hiragana as plain hiragana: small kana large, voicing dropped,
    spaces and the long-vowel mark kept out."""
    text = unicodedata.normalize("NFKC", kana)
    hiragana = "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in text)
    plain = "".join(_VOICED.get(ch, ch) for ch in hiragana).translate(_SMALL)
    return "".join(ch for ch in plain if "ぁ" <= ch <= "ゖ")


def kanjidic_path() -> Path:
    return Path(os.environ.get("GBIZ_REVIEW_KANJIDIC", DEFAULT_KANJIDIC))


@cache
def _kanjidic_lines(path: str) -> dict[str, str]:
    """Each kanji's KANJIDIC line, by the kanji. Its readings are parsed only
    when a name asks for them (_kanji_readings): parsing all 6,355 lines took
    0.2–0.3 s, paid by every worker process at its first name; indexing them
    takes 0.03 s."""
    try:
        text = Path(path).read_bytes().decode("euc_jp", errors="replace")
    except OSError as exc:
        raise ToolError(f"{path}: kanji readings not found (Debian package kanjidic): {exc.strerror}") from exc
    # A kanji listed twice keeps its last line, as the whole-file table did.
    return {line.split(" ", 1)[0]: line for line in text.splitlines() if line and not line.startswith("#")}


@cache
def _kanji_readings(path: str, char: str) -> dict[str, int]:
    """One kanji's readings (folded) with their cost: 0 for on and kun, 1 for nanori."""
    line = _kanjidic_lines(path).get(char)
    if line is None:
        return {}
    readings: dict[str, int] = {}
    cost = 0
    for field in line.split(" ")[1:]:
        if field.startswith("{"):
            break  # the English meanings follow the readings
        if field == "T1":
            cost = _NANORI_COST
            continue
        if field.startswith("T"):
            cost = _UNFIT  # T2: the radical's name, not a reading
            continue
        if not any("ぁ" <= ch <= "ヶ" for ch in field) or cost >= _UNFIT:
            continue
        stem = field.replace("-", "").split(".")[0]
        for reading in {fold(stem), fold(field.replace("-", "").replace(".", ""))}:
            if reading and readings.get(reading, _UNFIT) > cost:
                readings[reading] = cost
    return readings


def readings_of(char: str, previous: str | None = None) -> dict[str, int]:
    """The folded readings of one character of a name: a kanji's from KANJIDIC,
    a kana as itself, 々 as the character before it."""
    if char == "々" and previous is not None:
        return readings_of(previous)
    if char in "ヶケヵ":  # 竹ヶ原: the small ke of place and family names
        return {"か": 0, "け": 0}
    folded = fold(char)
    if folded:
        return {folded: 0}
    return _kanji_readings(str(kanjidic_path()), char)


def fit_cost(name: str, kana: str) -> int | None:
    """How well the kana spells `name` character by character: the number of
    characters read only by a nanori, plus _STRAY_COST for each stray kana;
    None when it does not spell it."""
    chars = [ch for ch in unicodedata.normalize("NFKC", name) if not ch.isspace()]
    target = fold(kana)
    if not chars or not target:
        return None
    options = [readings_of(ch, chars[i - 1] if i else None) for i, ch in enumerate(chars)]

    def spans(reading: str, j: int) -> Iterator[tuple[int, int]]:
        """Where `reading` ends when spelled from `j`, with the stray kana
        inside it (at most one: a repeated kana, not a different word)."""
        if target.startswith(reading, j):
            yield j + len(reading), 0
        for cut in range(1, len(reading)):
            if target.startswith(reading[:cut], j) and target.startswith(reading[cut:], j + cut + 1):
                yield j + len(reading) + 1, 1

    @cache
    def best(i: int, j: int) -> int:
        if i == len(chars):
            return _STRAY_COST * (len(target) - j)
        found = _STRAY_COST + best(i, j + 1) if j < len(target) else _UNFIT
        for reading, cost in options[i].items():
            for end, strays in spans(reading, j):
                found = min(found, cost + _STRAY_COST * strays + best(i + 1, end))
        return found

    result = best(0, 0)
    return result if result <= _STRAY_COST * _MAX_STRAYS + len(chars) * _NANORI_COST else None


def choose_by_kana(candidates: Iterable[str], kana: str) -> str | None:
    """The one candidate the kana spells best, or None when none fits or the
    best fit is shared."""
    costs = {name: cost for name in dict.fromkeys(candidates) if (cost := fit_cost(name, kana)) is not None}
    if not costs:
        return None
    lowest = min(costs.values())
    best = [name for name, cost in costs.items() if cost == lowest]
    return best[0] if len(best) == 1 else None
