"""The representative's name confirmed from the printed glyphs of both documents.

OCR proposes readings; where the readings of the form and the certificate do
not settle a character (they disagree, or agree only through a minority
reading, or the character has a different-name look-alike), each document's
character cell is compared with the proposed characters drawn in the
installed faces (pipeline.glyphs). A registered variant (國 for 国) is
proposed for every common character that has one, so a variant Tesseract
cannot read is still recognised as itself, on the page, and folded only then.

Per disputed position the outcome is:
- both documents show the same character (after folding registered variants):
  confirmed;
- both clearly show characters that are not the same: a mismatch, with the two
  characters as evidence;
- otherwise the glyphs cannot settle it: OCR agreement still counts where it
  exists and no look-alike of another name is involved; else the name is
  unsure (LOW_CONFIDENCE for a person).
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from matching.compare import EQUAL_BY_GLYPHS
from matching.names import comparable_name, display_char, variant_table
from pipeline import glyphs
from pipeline.domain import FieldComparison, FieldName
from pipeline.text import normalise_name

# A cell is taken to show a character when its correlation with the drawn
# glyph is at least MIN_SCORE and beats every candidate of another character by
# MIN_MARGIN. Measured on generated scans at 200 dpi: the right character scores
# 0.8–0.98; a different character that merely looks alike scores 0.05–0.15 less
# (斎 against 斉 on a form: 0.87 against 0.80; 齊 against 齋 on a certificate:
# 0.93 against 0.82); unrelated characters score below 0.5.
MIN_SCORE = 0.6
MIN_MARGIN = 0.03
# Two close candidates are told apart where their glyphs differ
# (glyphs.pair_preference). Measured on cells of 大/太, 本/木, 斎/斉, 齋/齊
# and 由/山: right answers came at 0.04–0.46, wrong ones (damaged cells) at
# up to 0.11 — only a clear preference counts.
MIN_PAIR_PREFERENCE = 0.15
# Candidates within this of the best score are look-alikes to be told apart
# by their differences (measured: a printed 大 on a certificate scored 0.80
# against 人 0.87 and 入 0.82).
CLOSE_BAND = 0.1
METHOD = "glyphs compared on both documents"
# An unclear cell is shown as its best candidate rather than what the
# readings agree on only when the best fits far better: a photocopy's 誠
# scored 0.57 against 0.29 for the 牙 both readings gave (latent dots kept it
# under MIN_SCORE).
SHOWN_MIN_SCORE = 0.5
SHOWN_LEAD = 0.2
# How many of the vocabulary's likeliest characters per cell are rivals, and by
# how much one must beat the proposals to stop them (measured: 浩 printed, 清
# proposed: 0.17–0.25; a damaged 工 against 上: 0.05).
SHORTLIST = 3
RIVAL_MARGIN = 0.08
# One document's name, for display: the vocabulary joins only when no proposal
# fits a cell (right characters score 0.8–0.98; misreads such as 千 on a
# printed 浩 about 0.4–0.5).
PROPOSALS_FIT = 0.7


@cache
def _lookalikes() -> dict[str, frozenset[str]]:
    text = resources.files("matching").joinpath("data/lookalike_kanji.json").read_text(encoding="utf-8")
    found: dict[str, set[str]] = {}
    for left, right in json.loads(text)["pairs"]:
        found.setdefault(left, set()).add(right)
        found.setdefault(right, set()).add(left)
    return {ch: frozenset(others) for ch, others in found.items()}


@cache
def _misread_proposals() -> dict[str, frozenset[str]]:
    """Character the model prints → the name characters it may stand for."""
    text = resources.files("matching").joinpath("data/ocr_misreads.json").read_text(encoding="utf-8")
    return {ch: frozenset(meant) for ch, meant in json.loads(text)["proposals"].items()}


@cache
def _variants_of() -> dict[str, frozenset[str]]:
    """Common character → its registered variants (the variant table reversed)."""
    found: dict[str, set[str]] = {}
    for variant, common in variant_table().items():
        found.setdefault(common, set()).add(variant)
    return {ch: frozenset(vs) for ch, vs in found.items()}


def _family(ch: str) -> str:
    """The class a character counts as for equality: its common form."""
    return comparable_name(ch) or ch


def _split(reading: str) -> tuple[str, str] | None:
    parts = normalise_name(reading).split(" ")
    return (parts[0], parts[1]) if len(parts) == 2 and parts[0] and parts[1] else None


@dataclass(frozen=True)
class _Cell:
    best: str  # the best-scoring candidate
    score: float
    runner_up: str | None  # the best candidate of another character
    runner_up_score: float
    clear: bool

    @property
    def winner(self) -> str | None:
        """The character the cell clearly shows, or None."""
        return self.best if self.clear else None


def _judge(cell: np.ndarray, candidates: set[str], rivals: AbstractSet[str] = frozenset()) -> _Cell:
    """The character a cell shows among `candidates`. `rivals` (what the cell
    looks like most, from the vocabulary) can only stop a candidate: one that
    fits the cell clearly better than every candidate means none of them is
    what is printed."""
    judged = _judge_among(cell, candidates)
    others = {ch for ch in rivals if _family(ch) not in {_family(c) for c in candidates}}
    if judged.clear and others:
        rival_score, rival = max((glyphs.glyph_score(cell, ch), ch) for ch in others)
        if rival_score >= judged.score + RIVAL_MARGIN:
            return _Cell(judged.best, judged.score, rival, rival_score, False)
    return judged


def _judge_among(cell: np.ndarray, candidates: set[str]) -> _Cell:
    # In code point order: a tie (two characters drawn alike) goes the same
    # way in every process, not by where string hashing puts them in the set.
    scores = {ch: glyphs.glyph_score(cell, ch) for ch in sorted(candidates)}
    best = max(scores, key=lambda ch: scores[ch])
    others = [ch for ch in scores if _family(ch) != _family(best)]
    second = max(others, key=lambda ch: scores[ch]) if others else None
    second_score = scores[second] if second else 0.0
    if scores[best] < MIN_SCORE:
        return _Cell(best, scores[best], second, second_score, False)
    # Candidates of other characters that score near the best are look-alikes
    # the whole-glyph score cannot rank (大, 人 and 入 in Mincho): they are
    # judged where their glyphs differ, each against each.
    close = [ch for ch in others if scores[ch] >= max(MIN_SCORE - 0.1, scores[best] - CLOSE_BAND)]
    if not close:
        return _Cell(best, scores[best], second, second_score, scores[best] - second_score >= MIN_MARGIN)
    contenders = _one_per_family([best, *close], scores)
    for winner in contenders:
        rivals = [ch for ch in contenders if ch != winner]
        if all(_beats(cell, winner, rival, scores) for rival in rivals):
            runner_up = max(rivals, key=lambda ch: scores[ch])
            return _Cell(winner, scores[winner], runner_up, scores[runner_up], True)
    return _Cell(best, scores[best], second, second_score, False)


def _beats(cell: np.ndarray, winner: str, rival: str, scores: dict[str, float]) -> bool:
    """`winner` is told apart from `rival`: clearly by where their glyphs
    differ, or by the whole-glyph score where the differences do not speak
    against it."""
    preference = glyphs.pair_preference(cell, winner, rival)
    return preference >= MIN_PAIR_PREFERENCE or (preference >= 0 and scores[winner] - scores[rival] >= MIN_MARGIN)


def _one_per_family(chars: list[str], scores: dict[str, float]) -> list[str]:
    """The best-scoring candidate of each character family, best first."""
    kept: dict[str, str] = {}
    for ch in sorted(chars, key=lambda c: (-scores[c], c)):
        kept.setdefault(_family(ch), ch)
    return list(kept.values())


def _supported(families: set[str]) -> set[str]:
    """What a document's readings support: what they read, and what the model
    is known to print those characters for."""
    out = set(families)
    for ch in families:
        out |= {_family(meant) for meant in _misread_proposals().get(ch, frozenset())}
    return out


def _expand(chars: set[str]) -> set[str]:
    """Proposed characters plus their registered variants, their common forms
    and their different-name look-alikes: the cell must beat all of these.
    Only characters a name's cell can hold: kanji, kana and marks such as 々
    and ー. A Latin letter or a digit Tesseract printed (工 read as T) is never
    a name's character: judged against the cell it can only win where the
    printed character is damaged (a form's 工 scored T 0.74, 工 0.59)."""
    table = variant_table()
    out = set(chars)
    for ch in chars:
        out |= _misread_proposals().get(ch, frozenset())
    for ch in list(out):
        common = table.get(ch, ch)
        out.add(common)
        out |= _variants_of().get(common, frozenset())
    for ch in list(out):
        out |= _lookalikes().get(ch, frozenset())
    kept = {ch for ch in out if unicodedata.category(ch) in ("Lo", "Lm")}
    return kept or {ch for ch in out if ch.strip()}


def verify_names(
    form_readings: tuple[str, ...],
    cert_readings: tuple[str, ...],
    form_ink: np.ndarray | None,
    cert_ink: np.ndarray | None,
    spelled: str | None = None,
) -> FieldComparison | None:
    """The name comparison settled by glyphs, or None when the lines cannot be
    cut into the name's characters (the caller then compares readings only).
    `spelled`: the form's reading its フリガナ spells (kana.choose_by_kana),
    whose length is tried first when the readings disagree on the name's
    length; it counts only where the glyphs settle it."""
    if form_ink is None or cert_ink is None or not form_readings or not cert_readings:
        return None
    shapes = Counter(
        (len(s[0]), len(s[1])) for s in map(_split, form_readings + cert_readings) if s is not None
    )
    verified: dict[tuple[int, int], FieldComparison | None] = {}

    def verify(shape: tuple[int, int]) -> FieldComparison | None:
        if shape not in verified:
            verified[shape] = _verify_shape(shape, form_readings, cert_readings, form_ink, cert_ink)
        return verified[shape]

    spelled_split = _split(spelled) if spelled else None
    if spelled_split is not None and len(shapes) > 1:
        # The readings count a misread's length as often as the right one's
        # (広瀬 さくら read twice on the form, 広瀬 さくぐら once there and
        # twice on the certificate): the length the kana spells goes first.
        spelled_shape = (len(spelled_split[0]), len(spelled_split[1]))
        if spelled_shape in shapes:
            result = verify(spelled_shape)
            if result is not None and not result.unsure:
                return result
    for shape, _count in shapes.most_common():
        result = verify(shape)
        if result is None:
            continue
        if result.unsure and not _read_on_both(shape, form_readings, cert_readings):
            # One document never read a name of this length. Its cells cut to
            # the other's length show nothing clearly, so its own readings
            # speak (小沢 健太 read four times, 小沢 由美子 on the form: a
            # mismatch, not an unsure 小沢 由美子 on both).
            continue
        return result
    return None


def _read_on_both(shape: tuple[int, int], form_readings: tuple[str, ...], cert_readings: tuple[str, ...]) -> bool:
    def read(readings: tuple[str, ...]) -> bool:
        return any(s is not None and (len(s[0]), len(s[1])) == shape for s in map(_split, readings))

    return read(form_readings) and read(cert_readings)


def _verify_shape(
    shape: tuple[int, int],
    form_readings: tuple[str, ...],
    cert_readings: tuple[str, ...],
    form_ink: np.ndarray,
    cert_ink: np.ndarray,
) -> FieldComparison | None:
    family_len, given_len = shape
    fitting = {
        side: [s[0] + s[1] for s in map(_split, readings) if s is not None and (len(s[0]), len(s[1])) == shape]
        for side, readings in (("form", form_readings), ("cert", cert_readings))
    }
    if not fitting["form"] and not fitting["cert"]:
        return None
    proposals = fitting["form"] + fitting["cert"]
    placeholder = "〇" * (family_len + given_len)
    form_cells = glyphs.name_cells(form_ink, placeholder[:family_len], placeholder[family_len:])
    cert_cells = glyphs.name_cells(cert_ink, placeholder[:family_len], placeholder[family_len:])
    if form_cells is None or cert_cells is None:
        return None

    form_chars: list[str] = []
    cert_chars: list[str] = []
    notes: list[str] = []
    verdict = "equal"
    for i in range(family_len + given_len):
        proposed = {p[i] for p in proposals}
        by_side = {side: {_family(p[i]) for p in fitting[side]} for side in fitting}
        # Readings that propose both characters of a look-alike pair (斎 and 斉)
        # are evidence of exactly the confusion that makes two people one.
        conflict = any(_lookalikes().get(ch, frozenset()) & proposed for ch in proposed)
        # A character the model is known to print for another is checked even
        # when every reading agrees: both documents misread alike.
        suspect = any(ch in _misread_proposals() for ch in proposed)
        if len({_family(ch) for ch in proposed}) == 1 and by_side["form"] and by_side["cert"] and not conflict and not suspect:
            # Every reading of both documents says the same: nothing to dispute.
            form_chars.append(display_char(fitting["form"][0][i]))
            cert_chars.append(display_char(fitting["cert"][0][i]))
            continue
        # The right character may be one no reading proposed (浩 read as 千 on
        # the form, where the certificate prints 清): each cell's likeliest
        # vocabulary characters are rivals, so a proposal wins a cell only if
        # nothing else fits it clearly better. They stop a proposal, never
        # win themselves: near a proposal that fits, the scores cannot always
        # tell look-alikes apart (大 and 人 in Mincho).
        candidates = _expand(proposed)
        on_form = _judge(form_cells[i], candidates, set(glyphs.likely_characters(form_cells[i], SHORTLIST)))
        on_cert = _judge(cert_cells[i], candidates, set(glyphs.likely_characters(cert_cells[i], SHORTLIST)))
        if on_form.winner and on_cert.winner:
            form_chars.append(on_form.winner)
            cert_chars.append(on_cert.winner)
            if _family(on_form.winner) == _family(on_cert.winner):
                continue
            # Different characters: a mismatch only when each document's OCR
            # also read what its glyphs show (a damaged cell can look like
            # another character: 上 with a broken top reads as 土).
            if _family(on_form.winner) in _supported(by_side["form"]) and _family(on_cert.winner) in _supported(
                by_side["cert"]
            ):
                verdict = "mismatch"
                notes.append(f"character {i + 1}: form {on_form.winner}, certificate {on_cert.winner}")
            else:
                if verdict == "equal":
                    verdict = "unsure"
                notes.append(
                    f"character {i + 1}: form {on_form.winner}, certificate {on_cert.winner} by the glyphs,"
                    " which the readings do not confirm"
                )
            continue
        # One side or neither is clear from the glyphs: the OCR readings may
        # still agree, but never across a look-alike of another name.
        shown = on_form.winner or on_cert.winner
        shared = by_side["form"] & by_side["cert"]
        if shown is not None:
            other = by_side["cert"] if on_form.winner else by_side["form"]
            agreed = _family(shown) in other and not conflict
        else:
            agreed = len(shared) == 1 and not conflict
            shown = next(iter(shared)) if agreed else None
        if agreed and shown is not None:
            form_chars.append(on_form.winner or display_char(shown))
            cert_chars.append(on_cert.winner or display_char(shown))
            notes.append(f"character {i + 1}: {shown} by OCR agreement, the glyphs alone were not clear")
        else:
            # The value shown is what the glyphs clearly see, else what that
            # document's readings agree on, else the glyphs' best guess.
            form_chars.append(on_form.winner or _shown_unclear(on_form, form_cells[i], _agreed(fitting["form"], i)))
            cert_chars.append(on_cert.winner or _shown_unclear(on_cert, cert_cells[i], _agreed(fitting["cert"], i)))
            if verdict == "equal":
                verdict = "unsure"
            notes.append(
                f"character {i + 1}: unclear (form {on_form.best} {on_form.score:.2f}"
                f" vs {on_form.runner_up} {on_form.runner_up_score:.2f}; certificate {on_cert.best}"
                f" {on_cert.score:.2f} vs {on_cert.runner_up} {on_cert.runner_up_score:.2f})"
            )

    form_chars = [display_char(ch) for ch in form_chars]
    cert_chars = [display_char(ch) for ch in cert_chars]
    form_value = f"{''.join(form_chars[:family_len])} {''.join(form_chars[family_len:])}"
    cert_value = f"{''.join(cert_chars[:family_len])} {''.join(cert_chars[family_len:])}"
    method = METHOD + (f" ({'; '.join(notes)})" if notes else "")
    equal = verdict == "equal" and comparable_name(form_value) == comparable_name(cert_value)
    if verdict == "unsure":
        # Not a mismatch and not a match: the caller holds the name as unsure.
        return FieldComparison(FieldName.NAME, form_value, cert_value, method, 0.0, False, unsure=True)
    score = 1.0 if equal else 0.0
    return FieldComparison(FieldName.NAME, form_value, cert_value, method, score, equal, confidence=EQUAL_BY_GLYPHS)


def _agreed(readings: list[str], position: int) -> str | None:
    """The character every reading of one document has at `position`, or None."""
    found = {reading[position] for reading in readings}
    return found.pop() if len(found) == 1 else None


def _shown_unclear(judged: _Cell, cell: np.ndarray, agreed: str | None) -> str:
    """What a cell the glyphs do not clearly judge is shown as: what the
    document's readings agree on, unless the glyphs' best candidate fits the
    cell far better than it (display only: the name stays unsure)."""
    if agreed is None:
        return judged.best
    if (
        judged.best != agreed
        and judged.score >= SHOWN_MIN_SCORE
        and judged.score - glyphs.glyph_score(cell, agreed) >= SHOWN_LEAD
    ):
        return judged.best
    return agreed


def _form_shown(cell: np.ndarray, forms: Counter[str]) -> str:
    """Which of one character's forms, read `forms` times, a cell shows."""
    if len(forms) > 1:
        scores = {ch: glyphs.glyph_score(cell, ch) for ch in forms}
        ranked = sorted(forms, key=lambda ch: -scores[ch])
        if scores[ranked[0]] - scores[ranked[1]] >= MIN_MARGIN:
            return ranked[0]
    return forms.most_common(1)[0][0]


def settle_single(readings: tuple[str, ...], ink: np.ndarray | None) -> str | None:
    """One document's name from its glyphs, where its readings disagree (or
    hold a character the model is known to misprint) and there is nothing to
    compare with (the certificate is missing, or another
    document stands in its place): each position the readings dispute is
    judged among the proposed characters (and the vocabulary's likeliest when
    none fits). The name as the reviewer should see it, or None when a
    disputed cell is not clear. For display only: it is not a reading."""
    # A character the model is known to print for another (朗 for 郎) is
    # checked even when every reading agrees, as verify_names does: a form's
    # 徳永 太郎 read 太朗 three times, 和也 read 和志.
    suspect = any(ch in _misread_proposals() for reading in readings for ch in reading)
    if ink is None or not readings or (len(readings) < 2 and not suspect):
        return None
    shapes = Counter((len(s[0]), len(s[1])) for s in map(_split, readings) if s is not None)
    if not shapes:
        return None
    (family_len, given_len), _count = shapes.most_common(1)[0]
    # The shape the printed words have, where some reading has it: two
    # settings read 山崎 徳 and two 山崎 徳之 on a certificate (seed 2628527),
    # and a tie went to the first.
    layout = glyphs.line_layout(ink)
    printed = layout.chars_per_word()[-2:] if layout is not None and len(layout.groups) >= 2 else None
    if printed in shapes:
        family_len, given_len = printed
    fitting = [s[0] + s[1] for s in map(_split, readings) if s is not None and (len(s[0]), len(s[1])) == (family_len, given_len)]
    cells = glyphs.name_cells(ink, "〇" * family_len, "〇" * given_len)
    if cells is None:
        return None
    chars = []
    for i, cell in enumerate(cells):
        proposed = {reading[i] for reading in fitting}
        if len({_family(ch) for ch in proposed}) == 1 and not proposed & _misread_proposals().keys():
            # One character in its forms (斎, 齋): the form the glyphs clearly
            # prefer, else the one most readings have (the first reading's on
            # a tie). Taken from the set, it was whichever the process's
            # string hashing put first: the same application showed 斎藤 in
            # one run and 齋藤 in the next.
            chars.append(display_char(_form_shown(cell, Counter(reading[i] for reading in fitting))))
            continue
        judged = _judge(cell, _expand(proposed))
        if judged.score < PROPOSALS_FIT:
            judged = _judge(cell, _expand(proposed | set(glyphs.likely_characters(cell, SHORTLIST))))
        if judged.winner is None:
            return None
        chars.append(display_char(judged.winner))
    return f"{''.join(chars[:family_len])} {''.join(chars[family_len:])}"
