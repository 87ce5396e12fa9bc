"""Glyph verification: does the printed character in a text line look like
character A or character B?

Tesseract's fast Japanese model misreads name kanji (本→木, 斎→斉, 瀬→芋) and
cannot read registered variants at all (國, 邉, 德 are not in its character
set). Asking a narrower question fixes both: once the readings of the two
documents propose a few candidate names, each disputed character cell is
compared with the candidates drawn in the Japanese faces installed on the
machine (the Gothic and Mincho faces official documents and printed forms
use). Two candidates that differ in a visible stroke are told apart far more
reliably than an open-vocabulary reading can.

Everything here works on an ink map of one text line (float, 0 = paper,
1 = full ink), upright, at the scan's resolution. A soft map keeps thin or
broken strokes that a binarisation drops.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.imaging import LATENT_PITCH_MM, components

# Faces a Japanese official document or a printed form is set in: Gothic and
# Mincho. The Debian packages fonts-ipaexfont, fonts-ipafont and fonts-noto-cjk
# (installed by scripts/setup.sh) provide them; Noto CJK JP also holds every
# registered variant kanji of the variant table.
_FACE_FILES = (
    ("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", 0),
    ("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf", 0),
    ("/usr/share/fonts/opentype/ipafont-mincho/ipam.ttf", 0),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 0),
)
_RENDER_PX = 64  # glyphs are drawn large once, then scaled to each cell
_CELL_PX = 32  # cells and glyphs are compared at this size
# Ink at or above this counts as a full stroke when two look-alikes are told
# apart (pair_preference).
PALE_STROKE_INK = 0.35
GROUP_GAP = 0.7  # a gap wider than this share of the line height separates words
# Faint ink (a Mincho face's thin strokes) belongs to a word while the gaps in
# it stay narrower than this share of the line height: the space between two
# characters of a word.
FAINT_STEP = 0.3


@cache
def faces() -> tuple[ImageFont.FreeTypeFont, ...]:
    return tuple(ImageFont.truetype(path, _RENDER_PX, index=index) for path, index in _FACE_FILES if Path(path).is_file())


@cache
def _notdef(face: ImageFont.FreeTypeFont) -> bytes:
    return np.asarray(face.getmask("\U0010fffd")).tobytes()


@cache
def _glyph(face: ImageFont.FreeTypeFont, ch: str) -> np.ndarray | None:
    """The character's ink, cropped to its bounding box, or None when the face
    has no glyph for it."""
    ink = _drawn(face, ch)
    return None if ink is None else _tight(ink)


def _drawn(face: ImageFont.FreeTypeFont, ch: str) -> np.ndarray | None:
    """The character's ink in a fixed box, centred as the face places it, or
    None when the face has no glyph for it. Not cached: _glyph keeps the
    cropped ink of every vocabulary character, and could_be_with_strokes_lost
    keeps its answers."""
    if np.asarray(face.getmask(ch)).tobytes() == _notdef(face):
        return None
    canvas = Image.new("L", (_RENDER_PX * 2, _RENDER_PX * 2), 0)
    ImageDraw.Draw(canvas).text((_RENDER_PX, _RENDER_PX), ch, font=face, fill=255, anchor="mm")
    return np.asarray(canvas) > 127


def ink_map(grey: np.ndarray) -> np.ndarray:
    """Ink strength of a grey crop: paper and a certificate's pale security
    pattern are 0, printed black is 1."""
    return np.clip((205.0 - grey.astype(np.float32)) / 105.0, 0.0, 1.0)


# What a photocopy's filled-in latent dots leave on a text line: pale specks of
# one or two pixels (measured on a copy's name line: 1–2 px, ink 0.33–0.42) on
# the dots' 1 mm grid. In the gap between two words they are faint ink that
# line_layout's pale-stroke rule follows across, joining 取締役 to the family
# name. Only specks with another one a grid step away are taken: a pale
# character can break into specks too (a copy's 三), not on that grid.
FAINT_SPECK_MAX_PX = 4


def without_latent_specks(ink: np.ndarray, px_per_mm: float) -> np.ndarray:
    """`ink` (ink_map) without the pale specks of a photocopy's latent dots:
    connected faint ink of at most FAINT_SPECK_MAX_PX pixels, none of it
    full ink, with another such speck one grid step to its side, above or below."""
    count, labels, stats, centres = components(ink > 0.15)
    small = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] <= FAINT_SPECK_MAX_PX)
    small = small[small > 0]
    if small.size < 2:
        return ink
    strongest = np.zeros(count, np.float32)
    np.maximum.at(strongest, labels.ravel(), ink.ravel())
    small = small[strongest[small] <= 0.5]
    if small.size < 2:
        return ink
    at = centres[small]
    dx = np.abs(at[:, None, 0] - at[None, :, 0])
    dy = np.abs(at[:, None, 1] - at[None, :, 1])
    step, slack = LATENT_PITCH_MM * px_per_mm, 1.5
    neighbour = ((np.abs(dx - step) <= slack) & (dy <= slack)) | ((np.abs(dy - step) <= slack) & (dx <= slack))
    specks = small[neighbour.any(axis=1)]
    if specks.size == 0:
        return ink
    cleaned = ink.copy()
    cleaned[np.isin(labels, specks)] = 0.0
    return cleaned


def _tight(ink: np.ndarray) -> np.ndarray | None:
    """The ink's bounding box, robust to a speck or a stray line at its edge:
    the box keeps 99 % of the ink mass in each direction."""
    mass = np.where(ink > 0.15, ink, 0).astype(np.float32)
    total = float(mass.sum())
    if total <= 0:
        return None
    spans = []
    for axis in (1, 0):
        cumulative = np.cumsum(mass.sum(axis=axis)) / total
        start = int(np.searchsorted(cumulative, 0.005))
        stop = int(np.searchsorted(cumulative, 0.995)) + 1
        spans.append((start, max(stop, start + 1)))
    (top, bottom), (left, right) = spans
    return ink[top:bottom, left:right]


def _normalised(ink: np.ndarray, aspect_of: tuple[int, int] | None = None) -> np.ndarray:
    """Ink scaled into a _CELL_PX square keeping its aspect ratio, blurred a
    little so a one-pixel shift or a thickened stroke costs little."""
    height, width = ink.shape if aspect_of is None else aspect_of
    scale = (_CELL_PX - 4) / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(ink.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    canvas = np.zeros((_CELL_PX, _CELL_PX), np.float32)
    top = (_CELL_PX - size[1]) // 2
    left = (_CELL_PX - size[0]) // 2
    canvas[top : top + size[1], left : left + size[0]] = small
    return cv2.GaussianBlur(canvas, (0, 0), 0.8)


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    denominator = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / denominator) if denominator else 0.0


def glyph_score(cell: np.ndarray, ch: str) -> float:
    """How much the ink of one character cell looks like `ch` (−1…1): the best
    correlation over the installed faces, with the glyph stretched to the
    cell's ink box (so a wrong character's other proportions count against it)."""
    target = _Target.of(cell)
    return max((_face_score(target, ch, face) for face in faces()), default=0.0)


def pair_preference(cell: np.ndarray, a: str, b: str) -> float:
    """Which of two look-alike characters a cell shows, judged only where they
    differ (本 and 木 differ in one short stroke, which a whole-glyph score
    barely notices): the cell's ink projected on the difference of the two
    glyphs, in the face that fits the pair best. About +0.5 for a clean `a`,
    −0.5 for a clean `b`, near 0 when the cell cannot tell.

    The cell's ink is saturated first: a thin Mincho horizontal scans pale
    (ink 0.2–0.4 where a vertical is 1), and the drawn glyphs have every
    stroke at full ink, so a pale bar would count as missing (大 judged 人 on
    certificates). Measured on 760 truth/look-alike pairs of a generated
    set's name cells: wrong preferences 5 → 1 (a 工 whose lower bar was lost)."""
    target = _Target.of(np.clip(cell / PALE_STROKE_INK, 0.0, 1.0))
    if target.normalised is None:
        return 0.0
    best_fit, preference = -1.0, 0.0
    for face in faces():
        glyph_a = _stretched(face, a, target.shape)
        glyph_b = _stretched(face, b, target.shape)
        if glyph_a is None or glyph_b is None:
            continue
        middle = (glyph_a + glyph_b) / 2
        fit = _correlation(target.normalised, middle)
        difference = glyph_a - glyph_b
        energy = float((difference * difference).sum())
        if fit > best_fit and energy > 0:
            # Scale the cell's ink to the glyphs' before comparing amounts of ink.
            scaled = target.normalised * (middle.sum() / max(float(target.normalised.sum()), 1e-6))
            best_fit = fit
            preference = float(((scaled - middle) * difference).sum() / energy)
    return preference


# A photocopy loses strokes (a dot, a short bar, a thin horizontal) and never
# gains one: the character the copy shows could be the printed one with
# strokes missing when that character's ink covers this share of the shown
# one's (both drawn in the same face and box, the printed one's strokes
# widened by 2 px of 64) and the shown one keeps this share of its ink.
# Measured on the installed faces: 大 in 太 1.00, 木 in 本 0.93–1.00, 山 in
# 由 1.00, 光 in 亮 0.88–0.95; 人 in 一 0.09–0.16, 一 in 太 0.21–0.32, 昌 in
# 田 0.45–0.69, 子 in 字 0.57–0.78.
LOST_STROKES_COVER = 0.9
LOST_STROKES_KEEP = 0.5


@cache
def could_be_with_strokes_lost(printed: str, shown: str) -> bool:
    """Whether `shown` could be `printed` with some of its strokes lost (太
    that lost its dot shows 大): in the mean over the faces that have both,
    `printed`'s widened ink covers LOST_STROKES_COVER of `shown`'s, and
    `shown` has less ink than `printed` but at least LOST_STROKES_KEEP of it."""
    covers, keeps = [], []
    widen = np.ones((5, 5), np.uint8)
    for face in faces():
        inner, outer = _drawn(face, shown), _drawn(face, printed)
        if inner is None or outer is None or not inner.any() or not outer.any():
            continue
        widened = cv2.dilate(outer.astype(np.uint8), widen) > 0
        covers.append((inner & widened).sum() / inner.sum())
        keeps.append(inner.sum() / outer.sum())
    if not covers:
        return False
    return float(np.mean(covers)) >= LOST_STROKES_COVER and LOST_STROKES_KEEP <= float(np.mean(keeps)) < 1.0


@dataclass(frozen=True)
class LineLayout:
    """Where the words of a text line are: (x0, x1) column ranges, and the
    rows the line's ink occupies."""

    groups: tuple[tuple[int, int], ...]
    top: int
    bottom: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def chars_per_word(self) -> tuple[int, ...]:
        """How many characters each printed word holds, by the ink: printed
        Japanese sits on a square grid, a word of n characters about n line
        heights wide."""
        return tuple(max(1, round((x1 - x0) / max(1, self.height))) for x0, x1 in self.groups)


def line_layout(ink_strength: np.ndarray) -> LineLayout | None:
    """Words of one printed line, split at gaps wider than GROUP_GAP × the line
    height (a full-width space is about one line height; the gaps inside and
    between characters are far narrower)."""
    ink = ink_strength > 0.5
    row_ink = ink.sum(axis=1)
    if not row_ink.any():
        return None
    # The line is the tallest run of rows with ink; specks above or below are not.
    rows = row_ink >= max(2, int(0.02 * ink.shape[1] * 0.05))
    best, start = (0, 0), None
    for y, on in enumerate([*rows, False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start > best[1] - best[0]:
                best = (start, y)
            start = None
    top, bottom = best
    if bottom - top < 6:
        return None
    band = ink[top:bottom]
    columns = band.sum(axis=0) > 0
    xs = np.flatnonzero(columns)
    if xs.size == 0:
        return None
    min_gap = GROUP_GAP * (bottom - top)
    groups: list[list[int]] = [[int(xs[0]), int(xs[0]) + 1]]
    for x in xs[1:]:
        if x - groups[-1][1] >= min_gap:
            groups.append([int(x), int(x) + 1])
        else:
            groups[-1][1] = int(x) + 1
    # Specks make narrow groups of their own: a character is at least a third
    # of the line height wide.
    kept = [(a, b) for a, b in groups if b - a >= 0.3 * (bottom - top)]
    if not kept:
        return None
    # A Mincho face's thin horizontal strokes scan pale (the left arm of 大 at a
    # third of full ink): the word runs on as long as columns hold faint ink.
    # A whole character can be that pale (the two strokes of 二): the run of
    # faint columns may cross a gap as narrow as the space between two
    # characters of a word.
    faint = (ink_strength[top:bottom] > 0.15).any(axis=0)
    step = max(1, int(FAINT_STEP * (bottom - top)))
    for i, (a, b) in enumerate(kept):
        floor = kept[i - 1][1] + 1 if i else 0
        ceiling = kept[i + 1][0] - 1 if i + 1 < len(kept) else faint.size
        while a > floor:
            near = np.flatnonzero(faint[max(floor, a - step) : a])
            if near.size == 0:
                break
            a = max(floor, a - step) + int(near[0])
        while b < ceiling:
            near = np.flatnonzero(faint[b : min(ceiling, b + step)])
            if near.size == 0:
                break
            b = b + int(near[-1]) + 1
        kept[i] = (a, b)
    # Two words that faint ink joins are one: a word's pale character stood
    # between them, not a space.
    merged = [kept[0]]
    for a, b in kept[1:]:
        if a - merged[-1][1] < step:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return LineLayout(tuple(merged), top, bottom)


def cells(ink: np.ndarray, layout: LineLayout, group: int, count: int) -> list[np.ndarray]:
    """The `count` character cells of one word. Printed Japanese is set on a
    square grid, so the word's width divides about evenly; each cut then moves
    to the emptiest column near it (glyphs have uneven side bearings)."""
    x0, x1 = layout.groups[group]
    pitch = (x1 - x0) / count
    band = ink[layout.top : layout.bottom]
    profile = band.sum(axis=0)
    cuts = [x0]
    for i in range(1, count):
        nominal = x0 + i * pitch
        lo, hi = int(nominal - 0.2 * pitch), int(nominal + 0.2 * pitch) + 1
        window = profile[lo:hi]
        # The emptiest column, the one nearest the nominal cut among equals.
        order = np.lexsort((np.abs(np.arange(lo, hi) - nominal), window))
        cuts.append(lo + int(order[0]))
    cuts.append(x1)
    return [band[:, cuts[i] : cuts[i + 1]] for i in range(count)]


# A pale character the words do not hold (the thin strokes of 二 scanned
# faint: 浩二 looked like 浩, and 高橋 浩 on a form matched 高橋 浩二): faint
# ink, side by side over at least this share of a line height, in the wide
# spaces before, between or after a name's two words means they do not hold
# the whole name.
UNHELD_INK_MIN_WIDTH = 0.3
UNHELD_INK_MIN_ROWS = 2


def _unheld_ink(ink: np.ndarray, layout: LineLayout) -> bool:
    """Whether faint ink that no word holds lies next to a name's two words
    (the line's last two): after the word before them (or the line's start),
    between them, or within a character and a half after them."""
    height = layout.bottom - layout.top
    groups = layout.groups
    before = groups[-3][1] if len(groups) >= 3 else 0
    gaps = [(before, groups[-2][0]), (groups[-2][1], groups[-1][0]), (groups[-1][1], groups[-1][1] + int(1.5 * height))]
    band = ink[layout.top : layout.bottom] > 0.15
    for start, stop in gaps:
        stop = min(band.shape[1], stop)
        if stop > start and _longest_run(band[:, start:stop].sum(axis=0) >= UNHELD_INK_MIN_ROWS) >= UNHELD_INK_MIN_WIDTH * height:
            return True
    return False


def _longest_run(columns: np.ndarray) -> int:
    """The most consecutive True columns: a character's strokes are side by
    side; the specks a photocopy's painted-out dots leave are not."""
    longest = current = 0
    for on in columns:
        current = current + 1 if on else 0
        longest = max(longest, current)
    return longest


def name_cells(ink: np.ndarray, family: str, given: str) -> list[np.ndarray] | None:
    """The cells of a 'family given' name at the end of a line (a certificate
    prints the 資格 first), or None when the line's words do not fit the
    name's shape (then the name cannot be checked this way)."""
    layout = line_layout(ink)
    if layout is None or len(layout.groups) < 2 or _unheld_ink(ink, layout):
        return None
    family_group, given_group = len(layout.groups) - 2, len(layout.groups) - 1
    found = []
    for group, text in ((family_group, family), (given_group, given)):
        x0, x1 = layout.groups[group]
        pitch = (x1 - x0) / len(text)
        # A word's characters are about one line height wide; a word that
        # would need much narrower or wider cells is some other number of characters.
        if not 0.7 * layout.height <= pitch <= 1.5 * layout.height:
            return None
        found += cells(ink, layout, group, len(text))
    return found


# --- reading a printed pattern's digits by template --------------------------------

_FULLWIDTH_DIGITS = "０１２３４５６７８９"


@dataclass(frozen=True)
class TemplateReading:
    """A line read against a printed pattern: the pattern's digits replaced by
    the digits the cells show."""

    text: str
    fit: float  # mean score of the pattern's fixed characters (年, 月, era …): is this the layout?
    digit_margin: float  # the smallest lead of a digit cell's best digit over its second
    overall: float = 0.0  # mean best score over every printed cell, digits included


class PrintedLine:
    """One printed line's ink, prepared once for the many questions asked of
    it: its layout, its band of rows, and each cell's normalised ink by the
    columns it spans. A certificate date's template reading tries up to 18
    patterns and its date line is asked about a dozen dates, all over much
    the same cells (two thirds of the cells worked out were repeats)."""

    def __init__(self, ink: np.ndarray) -> None:
        self.ink = ink
        self.layout = line_layout(ink)
        self.band = ink[self.layout.top : self.layout.bottom] if self.layout is not None else ink[:0]
        self.profile = self.band.sum(axis=0)
        self.runs = _ink_runs(self.band)
        # The runs standing TALL_STROKE_SHARE of the band: a character's
        # strokes, not specks (_strokes_in_spaces asks for every face and text).
        self.tall_runs = [
            (a, b) for a, b in self.runs
            if (rows := np.flatnonzero((self.band[:, a:b] > 0.3).any(axis=1))).size
            and rows[-1] - rows[0] + 1 >= TALL_STROKE_SHARE * self.band.shape[0]
        ]
        self._targets: dict[tuple[int, int], _Target] = {}
        # _placed's answer per text: check_line and inked_spaces ask alike.
        self.placements: dict[str, tuple[ImageFont.FreeTypeFont, list[tuple[int, int]], int] | None] = {}

    def target(self, a: int, b: int) -> _Target:
        """The cell spanning columns a..b of the band (at least one column)."""
        span = (max(0, a), max(a + 1, b))
        found = self._targets.get(span)
        if found is None:
            found = self._targets[span] = _Target.of(self.band[:, span[0] : span[1]])
        return found


def _line(ink: np.ndarray | PrintedLine) -> PrintedLine:
    return ink if isinstance(ink, PrintedLine) else PrintedLine(ink)


@lru_cache(maxsize=512)
def _pattern_geometry(face: ImageFont.FreeTypeFont, pattern: str) -> tuple[tuple[float, ...], float, float]:
    """Each character's start along the line and the ink's two ends, in the
    face's drawing units (the same for every line printed in this pattern)."""
    advances = [face.getlength(ch) for ch in pattern]
    starts = tuple(float(x) for x in np.concatenate([[0.0], np.cumsum(advances)]))
    ink_left, _top, ink_right, _bottom = face.getbbox(pattern)
    return starts, float(ink_left), float(ink_right)


def _cell_bounds(face: ImageFont.FreeTypeFont, pattern: str, x0: int, x1: int) -> list[tuple[int, int]] | None:
    """Where each character of `pattern` sits on a line whose ink spans x0..x1,
    from the face's advances (the rendered ink's ends are matched to x0 and x1)."""
    starts, ink_left, ink_right = _pattern_geometry(face, pattern)
    if ink_right <= ink_left:
        return None
    scale = (x1 - x0) / (ink_right - ink_left)
    edges = [x0 + (s - ink_left) * scale for s in starts]
    return [(int(round(a)), int(round(b))) for a, b in zip(edges, edges[1:], strict=False)]


def _snap(bounds: list[tuple[int, int]], profile: np.ndarray) -> list[tuple[int, int]]:
    """Each cut between two cells moved to the emptiest column near it (the
    advances place cuts to a pixel or two; a narrow digit's cell must not take
    in its neighbour's ink)."""
    cuts = [bounds[0][0]] + [b for _a, b in bounds]
    for i in range(1, len(cuts) - 1):
        reach = max(1, int(0.2 * min(cuts[i] - cuts[i - 1], cuts[i + 1] - cuts[i])))
        lo, hi = max(0, cuts[i] - reach), min(len(profile), cuts[i] + reach + 1)
        if hi > lo:
            window = profile[lo:hi]
            order = np.lexsort((np.abs(np.arange(lo, hi) - cuts[i]), window))
            cuts[i] = lo + int(order[0])
    return list(zip(cuts, cuts[1:], strict=False))


# A cell holding less ink than this share of the line's mean per character is
# empty (a padding space); one holding more is not.
EMPTY_CELL_MASS = 0.08


def read_pattern(ink: np.ndarray | PrintedLine, pattern: str) -> TemplateReading | None:
    """Read the digits of a line printed as `pattern` on a grid of full-width
    cells (e.g. 昭和００年００月００日生, the certificate's padded era dates):
    the pattern's fixed characters must show where they should, and each digit
    cell is matched against the ten digits (an empty cell is the padding
    space). The face whose fixed characters fit best is used for the digits."""
    line = _line(ink)
    layout = line.layout
    if layout is None:
        return None
    x0, x1 = layout.groups[0][0], layout.groups[-1][1]
    band = line.band
    best: tuple[float, ImageFont.FreeTypeFont, list[tuple[int, int]]] | None = None
    for face in faces():
        bounds = _cell_bounds(face, pattern, x0, x1)
        if bounds is None:
            continue
        bounds = _snap(bounds, line.profile)
        fixed = [
            _face_score(line.target(a, b), ch, face)
            for ch, (a, b) in zip(pattern, bounds, strict=True)
            if not ch.isspace() and not ch.isdigit()
        ]
        fit = float(np.mean(fixed)) if fixed else 0.0
        if best is None or fit > best[0]:
            best = (fit, face, bounds)
    if best is None:
        return None
    fit, face, bounds = best
    text: list[str] = []
    margin = 1.0
    cell_scores: list[float] = []
    line_mass = float(band.sum()) / max(1, len(pattern))
    for ch, (a, b) in zip(pattern, bounds, strict=True):
        if not ch.isdigit():
            text.append(ch)
            continue
        cell = band[:, max(0, a) : max(a + 1, b)]
        if float(cell.sum()) < EMPTY_CELL_MASS * line_mass:
            text.append("\u3000")  # the padding before a single digit
            continue
        target = line.target(a, b)
        digits = _FULLWIDTH_DIGITS if ch in _FULLWIDTH_DIGITS else "0123456789"
        scores = sorted(((_face_score(target, d, face), d) for d in digits), reverse=True)
        text.append(scores[0][1])
        cell_scores.append(scores[0][0])
        margin = min(margin, scores[0][0] - scores[1][0])
    overall = float(np.mean(cell_scores + [fit])) if cell_scores else fit
    return TemplateReading("".join(text), fit, margin, overall)


@dataclass(frozen=True)
class _Target:
    """A cell's ink box, normalised once for comparison with many glyphs."""

    shape: tuple[int, int]
    normalised: np.ndarray | None

    @classmethod
    def of(cls, cell: np.ndarray) -> _Target:
        tight = _tight(cell)
        if tight is None or min(tight.shape) < 2:
            return cls((0, 0), None)
        return cls(tight.shape, _normalised(tight))

    @property
    def centred(self) -> tuple[np.ndarray, np.float32]:
        """The cell's half of _correlation (ink minus its mean, and its energy),
        worked out once for the many glyphs it is compared with."""
        if "_centred" not in self.__dict__:
            self.__dict__["_centred"] = _centred(self.normalised)  # frozen: set in the instance's dict
        return self.__dict__["_centred"]


@lru_cache(maxsize=20000)
def _centred_glyph(face: ImageFont.FreeTypeFont, ch: str, shape: tuple[int, int]) -> tuple[np.ndarray, np.float32] | None:
    glyph = _stretched(face, ch, shape)
    return None if glyph is None else _centred(glyph)


def _centred(ink: np.ndarray) -> tuple[np.ndarray, np.float32]:
    centred = ink - ink.mean()
    return centred, (centred * centred).sum()


def _correlation_of_halves(a: tuple[np.ndarray, np.float32], b: tuple[np.ndarray, np.float32]) -> float:
    """_correlation from both arrays' halves: the same arithmetic, to the bit."""
    (a_centred, a_energy), (b_centred, b_energy) = a, b
    denominator = float(np.sqrt(a_energy * b_energy))
    return float((a_centred * b_centred).sum() / denominator) if denominator else 0.0


@lru_cache(maxsize=20000)
def _stretched(face: ImageFont.FreeTypeFont, ch: str, shape: tuple[int, int]) -> np.ndarray | None:
    glyph = _glyph(face, ch)
    if glyph is None:
        return None
    resized = cv2.resize(glyph.astype(np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    return _normalised(resized)


def _face_score(target: _Target, ch: str, face: ImageFont.FreeTypeFont) -> float:
    if target.normalised is None:
        return 0.0
    # A cell of a PrintedLine is asked about the same glyph by several patterns.
    scores = target.__dict__.setdefault("_scores", {})  # frozen: kept in the instance's dict
    key = (ch, face)
    if key not in scores:
        halves = _centred_glyph(face, ch, target.shape)
        if halves is not None:
            # A cell meets dozens of glyphs, a glyph many cells: their halves are cached.
            scores[key] = _correlation_of_halves(target.centred, halves)
        else:
            glyph = _stretched(face, ch, target.shape)
            scores[key] = 0.0 if glyph is None else _correlation(target.normalised, glyph)
    return scores[key]



_HALFWIDTH_DIGITS = "0123456789"


def check_line(ink: np.ndarray | PrintedLine, text: str) -> list[tuple[float, float]] | None:
    """How well `text`, drawn in the face that suits it best, matches a printed
    line: per non-space character of `text`, its cell's score and, for a
    digit, the best score of any other digit in that cell (−1 for other
    characters). The cells are placed by the face's advances across the line's
    ink, then each may slide a little (a printer's or a renderer's rounding
    adds up along a line of 14 digits): every candidate character is scored
    at the position that suits it best, the hypothesis's and its rivals'
    alike. This checks a hypothesis (is this line 1948年8月17日?) where an
    open reading of narrow half-width digits is not clear. None when the line
    has no ink.

    A space of `text` (a certificate date's padding, 昭和　４年) must be
    empty on the line: each inked one scores 0. Otherwise the ink there went
    to the neighbouring cells, and 昭和　４年 was clearly shown on a printed
    昭和４４年 (seed 2325224: a valid application held as MISMATCH). A space
    is inked when its middle third holds ink, or when it is the nearest cell
    to a tall stroke (_strokes_in_spaces: a photocopy's hairline １); only a
    space no face puts on paper counts (_placed)."""
    line = _line(ink)
    placed = _placed(line, text)
    if placed is None:
        return None
    face, kept, inked = placed
    chars = [ch for ch in text if not ch.isspace()]
    out = [(0.0, -1.0)] * inked
    for ch, (a, b) in zip(chars, kept, strict=True):
        reach = max(1, int(0.15 * (b - a)))
        targets = [line.target(a + shift, b + shift) for shift in range(-reach, reach + 1)]
        score = max(_face_score(t, ch, face) for t in targets)
        digits = _FULLWIDTH_DIGITS if ch in _FULLWIDTH_DIGITS else _HALFWIDTH_DIGITS
        other = -1.0
        if ch in digits:
            other = max(_face_score(t, d, face) for t in targets for d in digits if d != ch)
        out.append((score, other))
    return out


def inked_spaces(ink: np.ndarray | PrintedLine, text: str) -> int:
    """How many spaces of `text` fall on ink when it is placed on the line as
    check_line places it (0 when the line has no ink)."""
    placed = _placed(_line(ink), text)
    return placed[2] if placed is not None else 0


def _placed(line: PrintedLine, text: str) -> tuple[ImageFont.FreeTypeFont, list[tuple[int, int]], int] | None:
    """check_line's placing of `text`: the face whose characters fit best,
    the cells of its non-space characters, and how many of its spaces hold ink
    in every face. Only where no face puts a space on paper is it counted as
    inked: the faces' half-width digits differ in width, and so does where a
    space falls (on seed 2426325 the best-fitting face put a right date's
    padding on ink, and another face on paper). Worked out once per line."""
    if text not in line.placements:
        line.placements[text] = _place(line, text)
    return line.placements[text]


def _place(line: PrintedLine, text: str) -> tuple[ImageFont.FreeTypeFont, list[tuple[int, int]], int] | None:
    layout = line.layout
    if layout is None:
        return None
    x0, x1 = layout.groups[0][0], layout.groups[-1][1]
    band, profile = line.band, line.profile
    chars = [ch for ch in text if not ch.isspace()]
    empty_below = EMPTY_CELL_MASS * float(band.sum()) / max(1, len(text))
    tried: list[tuple[float, ImageFont.FreeTypeFont, list[tuple[int, int]], int]] = []
    for face in faces():
        bounds = _cell_bounds(face, text, x0, x1)
        if bounds is None:
            continue
        snapped = _snap(bounds, profile)
        kept = _blob_cells(line.runs, [b for ch, b in zip(text, snapped, strict=True) if not ch.isspace()])
        mean = float(np.mean([_face_score(line.target(*b), ch, face) for ch, b in zip(chars, kept, strict=True)]))
        # A space's middle third: a face's rounding may bring a neighbour's edge into the rest.
        inked = sum(
            float(band[:, a + (b - a) // 3 : max(a + (b - a) // 3 + 1, b - (b - a) // 3)].sum()) >= empty_below
            for ch, (a, b) in zip(text, snapped, strict=True) if ch.isspace()
        )
        inked += _strokes_in_spaces(line.tall_runs, text, snapped)
        tried.append((mean, face, kept, inked))
    if not tried:
        return None
    _mean, face, kept, _inked = max(tried, key=lambda placing: placing[0])
    return face, kept, min(placing[3] for placing in tried)


# A stroke standing this share of the line's height is a character's, not a
# speck of the latent 複写 or of dust.
TALL_STROKE_SHARE = 0.6


def _strokes_in_spaces(tall_runs: list[tuple[int, int]], text: str, cells: list[tuple[int, int]]) -> int:
    """How many spaces of `text` (placed as `cells`, spaces included) are the
    nearest cell to a tall stroke of the line (PrintedLine.tall_runs): a
    character printed where the date has its padding. A hairline's ink is
    too little for the mass test of a space's middle third: a black-and-white
    copy thins a Mincho １ to one, and 令和8年 1月 8日, drawn with half-width
    digits, was shown on a printed 令和８年１１月　８日 (photocopy set 777003
    #1, a current certificate held as EXPIRED), its first １ left in the
    padding."""
    centres = np.array([(a + b) / 2 for a, b in cells])
    nearest = {
        int(np.argmin(np.abs(centres - (a + b) / 2)))
        for a, b in tall_runs if b > cells[0][0] and a < cells[-1][1]
    }
    return sum(text[index].isspace() for index in nearest)


def _ink_runs(band: np.ndarray) -> list[tuple[int, int]]:
    """The runs of inked columns of a line's band, as (first, end) columns."""
    inked = np.concatenate([[False], (band > 0.3).any(axis=0), [False]])
    changes = np.flatnonzero(np.diff(inked.astype(np.int8)))
    return list(zip(changes[::2].tolist(), changes[1::2].tolist(), strict=True))


def _blob_cells(runs: list[tuple[int, int]], cells: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cells placed by advances, corrected by the ink: each run of inked columns
    goes to the cell whose centre is nearest its own, and a cell becomes the
    span of its runs (a face's advances, scaled from another size, drift by
    half a digit over a 14-digit line). A cell no run went to keeps its place.
    A run holding the centres of several cells and wider than each of them
    is characters that touch (the ６４ of a tightly set 1964年, seed 3436335
    #120: the run went whole to the ４, which then showed no digit, and a
    valid application's birth date was held as contradicted): it is cut
    where those cells meet. (A run narrower than one of them is one wide
    character under the narrower cells of another layout: 年 under the
    half-width cells of a full-width date, which must not be cut.)"""
    centres = np.array([(a + b) / 2 for a, b in cells])
    spans: dict[int, tuple[int, int]] = {}

    def add(i: int, a: int, b: int) -> None:
        lo, hi = spans.get(i, (a, b))
        spans[i] = (min(lo, int(a)), max(hi, int(b)))

    for a, b in runs:
        inside = np.flatnonzero((centres >= a) & (centres < b))
        if inside.size >= 2 and b - a > max(cells[i][1] - cells[i][0] for i in inside):
            for k, i in enumerate(inside):
                add(int(i), a if k == 0 else max(a, cells[i][0]), b if k == inside.size - 1 else min(b, cells[i][1]))
            continue
        add(int(np.argmin(np.abs(centres - (a + b) / 2))), a, b)
    return [spans.get(i, cell) for i, cell in enumerate(cells)]


# A hypothesis line is clearly shown when every cell scores at least this and
# every digit leads every other digit by MIN_DIGIT_LEAD. Measured on generated
# forms at 200 dpi: right hypotheses score 0.75–0.98 per cell with leads of
# 0.10 or more; a wrong digit scores below its rival (a negative lead).
MIN_CELL_SCORE = 0.6
MIN_DIGIT_LEAD = 0.05


def clearly_shows(ink: np.ndarray | PrintedLine | None, text: str, min_lead: float = MIN_DIGIT_LEAD) -> bool:
    """Whether a printed line clearly shows `text`, cell by cell (check_line)."""
    return hypothesis_fit(ink, text, min_lead)[0]


def hypothesis_fit(
    ink: np.ndarray | PrintedLine | None, text: str, min_lead: float = MIN_DIGIT_LEAD
) -> tuple[bool, float]:
    """(whether the line clearly shows `text`, the mean score of its cells)."""
    return fit_of_cells(check_line(ink, text) if ink is not None else None, min_lead)


def fit_of_cells(cells: list[tuple[float, float]] | None, min_lead: float = MIN_DIGIT_LEAD) -> tuple[bool, float]:
    """hypothesis_fit from check_line's cells."""
    if not cells:
        return False, 0.0
    shown = all(score >= MIN_CELL_SCORE and (other < 0 or score - other >= min_lead) for score, other in cells)
    return shown, float(np.mean([score for score, _other in cells]))


def other_digit_shown(cells: list[tuple[float, float]] | None, min_lead: float = MIN_DIGIT_LEAD) -> bool:
    """Whether some digit cell of check_line's `cells` shows another digit
    better than the hypothesis's by `min_lead`: the line positively shows a
    different number, which a cell that is merely unclear does not."""
    return any(other >= 0 and other - score >= min_lead for score, other in cells or ())


# --- likely characters of a cell, from a fixed vocabulary ---------------------------

_VOCABULARY_PX = 24


@cache
def vocabulary() -> tuple[str, ...]:
    """The kanji a cell is compared with when OCR's proposals may not hold the
    right one: JIS X 0208 level 1 (2,965 characters, the everyday set in which
    nearly every name is written), enumerated from Python's EUC-JP codec
    (rows 16–47), so no list has to be shipped; plus the registered variants
    of the variant table (澤, 邉 …: certificates print them)."""
    found = []
    for row in range(0xB0, 0xD0):
        for column in range(0xA1, 0xFF):
            try:
                found.append(bytes([row, column]).decode("euc_jp"))
            except UnicodeDecodeError:
                continue
    table = json.loads(resources.files("matching").joinpath("data/variant_kanji.json").read_text(encoding="utf-8"))
    found += list(dict(table["variants"]))
    return tuple(dict.fromkeys(found))


def _square(ink: np.ndarray) -> np.ndarray:
    """Ink stretched to a small square, blurred, zero-mean and unit length: a
    cheap first comparison of one cell with thousands of glyphs."""
    small = cv2.resize(ink.astype(np.float32), (_VOCABULARY_PX, _VOCABULARY_PX), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 0.8).ravel()
    small -= small.mean()
    norm = float(np.linalg.norm(small))
    return small / norm if norm else small


@cache
def _vocabulary_matrix() -> tuple[np.ndarray, tuple[str, ...]]:
    """Every vocabulary glyph in every face, as rows of _square vectors. Drawing
    them takes about a second per face, so they are kept in the user's cache
    folder, named by the faces and the vocabulary (a changed font file or list
    makes a new one); written aside and renamed, so a reader never sees half a file."""
    key = hashlib.sha256(
        repr(([(face.path, Path(face.path).stat().st_mtime_ns) for face in faces()], vocabulary(), _VOCABULARY_PX)).encode()
    ).hexdigest()[:16]
    cache_file = _cache_dir() / f"glyph-vocabulary-{key}.npz"
    try:
        with np.load(cache_file) as stored:
            return stored["matrix"].astype(np.float32), tuple(str(ch) for ch in stored["owners"])
    except (OSError, ValueError, KeyError):
        pass
    rows, owners = [], []
    for face in faces():
        for ch in vocabulary():
            glyph = _glyph.__wrapped__(face, ch)  # not kept in _glyph's cache: thousands of them
            if glyph is None:
                continue
            rows.append(_square(glyph))
            owners.append(ch)
    matrix = np.stack(rows).astype(np.float32)
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        partial = cache_file.with_name(f".{cache_file.name}.{os.getpid()}.part")
        with open(partial, "wb") as out:
            np.savez(out, matrix=matrix.astype(np.float16), owners=np.array(owners))
        os.replace(partial, cache_file)
    except OSError:
        pass  # an unwritable cache only costs the drawing next time
    # Rounded as the cache stores it: a fresh build and a cached one shortlist alike.
    return matrix.astype(np.float16).astype(np.float32), tuple(owners)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gbiz-review"


def likely_characters(cell: np.ndarray, count: int = 6) -> list[str]:
    """The `count` vocabulary characters a cell looks most like (a shortlist
    for glyph_score, which compares more carefully)."""
    tight = _tight(cell)
    if tight is None or min(tight.shape) < 2:
        return []
    matrix, owners = _vocabulary_matrix()
    scores = matrix @ _square(tight)
    found: list[str] = []
    for index in np.argsort(-scores):
        if owners[index] not in found:
            found.append(owners[index])
            if len(found) == count:
                break
    return found
