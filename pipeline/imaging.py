"""Image operations on scanned pages (numpy and OpenCV only, no OCR).

Conventions: `rgb` is H×W×3 uint8; `grey` is H×W uint8 with the lighting
flattened (paper ≈ 255); `ink` is a boolean mask of dark, non-red marks.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Prepared:
    """A page ready for layout work: white-balanced colour, flattened grey,
    and the ink mask, all upright and deskewed. `red` (the seal ink of `rgb`)
    and `specks` (the dots taken out of `ink`; out of `grey` only those
    standing alone, stray_specks) are kept so that later steps need not
    measure the whole page again."""

    rgb: np.ndarray
    grey: np.ndarray
    ink: np.ndarray
    px_per_mm: float
    red: np.ndarray | None = None
    specks: np.ndarray | None = None


# Pages are read at 200 dpi, the scanning rules' minimum and the resolution
# every threshold of the reading was measured at. A finer scan (300 and 400 dpi
# are common scanner settings) is reduced to it first: the fields are still
# drawn by many pixels a stroke, and a 400 dpi page would otherwise cost four
# times the work (0.54 against 1.1–1.4 applications/s, measured). Scans a
# little above 200 dpi are read as they are.
WORKING_DPI = 200.0
REDUCE_ABOVE_DPI = 230.0


def working_dpi(effective_dpi: float) -> float:
    """The resolution a page of `effective_dpi` is read at."""
    return WORKING_DPI if effective_dpi > REDUCE_ABOVE_DPI else effective_dpi


def at_working_resolution(rgb: np.ndarray, effective_dpi: float) -> np.ndarray:
    """The page as it is read: reduced to WORKING_DPI when it was scanned finer
    (area averaging, as a scanner set to 200 dpi samples). Field boxes and the
    review UI's page images are in this frame."""
    target = working_dpi(effective_dpi)
    if target == effective_dpi:
        return rgb
    scale = target / effective_dpi
    height, width = rgb.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def white_balance(rgb: np.ndarray) -> np.ndarray:
    """Divide out a colour cast and uneven lighting, using each channel's local
    paper level (a large dilation, which drops text and thin pattern lines)."""
    small = cv2.resize(rgb, None, fx=0.125, fy=0.125, interpolation=cv2.INTER_AREA)
    background = cv2.dilate(small, np.ones((7, 7), np.uint8))
    background = cv2.medianBlur(background, 5)
    background = np.maximum(background, 40)
    background = cv2.resize(background, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(rgb, background, scale=255.0)


def red_mask(rgb: np.ndarray) -> np.ndarray:
    """Seal ink: clearly redder than it is green or blue."""
    r, g, b = cv2.split(rgb)
    # Saturating uint8 arithmetic: r − max(g, b) > 45 without widening the page.
    return (cv2.subtract(r, cv2.max(g, b)) > 45) & (r > 110)


def blue_ink_mask(rgb: np.ndarray) -> np.ndarray:
    """Ballpoint blue: much bluer than red and darker than paper."""
    r, g, b = cv2.split(rgb)
    return (cv2.subtract(b, r) > 45) & (cv2.subtract(b, g) > 15) & (r < 150)


def chroma(rgb: np.ndarray) -> np.ndarray:
    r, g, b = cv2.split(rgb)
    return cv2.subtract(cv2.max(cv2.max(r, g), b), cv2.min(cv2.min(r, g), b))


def grey_without_red(rgb: np.ndarray, red: np.ndarray | None = None) -> np.ndarray:
    """Luminance with red seal ink turned to paper, so seals stamped over
    printed text do not hide it. `red` is red_mask(rgb) when the caller has it."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    grey[red_mask(rgb) if red is None else red] = 255
    return grey


def ink_mask(grey: np.ndarray) -> np.ndarray:
    """Dark marks: printed text, rules, handwriting. The security pattern and the
    latent text of an original certificate are pale and stay out."""
    return grey < 135


def estimate_skew(ink: np.ndarray, limit: float = 4.0) -> float:
    """Angle in degrees that maximises the sharpness of the row profile (text
    lines and rules line up horizontally when the page is straight)."""
    small = cv2.resize(ink.view(np.uint8) * 255, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    height, width = small.shape
    ys, xs = np.nonzero(small)
    weights = small[ys, xs].astype(np.float64)
    across, down = xs - width / 2, ys - height / 2

    def score(angle: float) -> float:
        # The row each inked pixel lands on when the page is turned by `angle`
        # about its centre (as rotate() turns it), counted directly: turning
        # the whole quarter-size page 44 times cost 20 ms a page.
        radians = np.deg2rad(angle)
        rows = np.rint(np.cos(radians) * down - np.sin(radians) * across + height / 2).astype(np.int64)
        inside = (rows >= 0) & (rows < height)
        profile = np.bincount(rows[inside], weights=weights[inside], minlength=height)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-limit, limit + 1e-9, 0.25), key=score)
    fine = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=score)
    return float(round(fine, 2))


def rotate(image: np.ndarray, angle: float, fill: int | tuple[int, int, int] = 255) -> np.ndarray:
    """Rotate about the centre by `angle` degrees (counter-clockwise), same size."""
    if abs(angle) < 0.01:
        return image
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    border = fill if image.ndim == 2 else (fill if isinstance(fill, tuple) else (fill,) * 3)
    return cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )


def prepare(balanced: np.ndarray, px_per_mm: float, angle: float, upside_down: bool) -> Prepared:
    """The upright, deskewed page from a white-balanced scan."""
    turned = rotate(balanced, angle, fill=(255, 255, 255))
    if upside_down:
        turned = np.ascontiguousarray(turned[::-1, ::-1])
    red = red_mask(turned)
    grey = grey_without_red(turned, red)
    ink = ink_mask(grey)
    specks = speck_mask(ink, px_per_mm)
    # A photocopy's latent 複写 is printed as a field of tiny dots, and dust
    # settles anywhere: out of the way for layout and OCR alike. But a speck
    # next to other ink is a piece of a character (the dot of 太, a Mincho
    # serif whose thin stroke scans pale): layout does without it, reading
    # keeps it.
    grey[stray_specks(grey, specks, px_per_mm)] = 255
    ink[specks] = False
    return Prepared(rgb=turned, grey=grey, ink=ink, px_per_mm=px_per_mm, red=red, specks=specks)


def turned_over(page: Prepared) -> Prepared:
    """The same page turned 180°: exactly what prepare(…, upside_down=True)
    gives, without measuring the page again. Every step of prepare is per
    pixel, and a component's size (speck_mask) does not change when turned."""

    def flip(image: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(image[::-1, ::-1])

    return Prepared(
        rgb=flip(page.rgb), grey=flip(page.grey), ink=flip(page.ink), px_per_mm=page.px_per_mm,
        red=None if page.red is None else flip(page.red), specks=None if page.specks is None else flip(page.specks),
    )


def speck_mask(ink: np.ndarray, px_per_mm: float) -> np.ndarray:
    """Dark components far smaller than any stroke of 10 pt text (dots of a
    photocopied security pattern, scanner dust)."""
    limit = max(4, int(round(8 * (px_per_mm / (200 / 25.4)) ** 2)))
    count, labels, stats, _ = components(ink)
    small = stats[:, cv2.CC_STAT_AREA] <= limit
    small[0] = False
    found = np.flatnonzero(small)
    if found.size * limit * limit > labels.size // 8:
        return np.take(small, labels)  # the same as small[labels], about twice as fast
    # Usually a few specks: each lies within `limit` px of its box's corner (its
    # width and height are at most its area), so looking there finds every pixel.
    mask = np.zeros(ink.shape, bool)
    if found.size:
        height, width = labels.shape
        steps = np.arange(limit)
        ys = np.minimum(stats[found, cv2.CC_STAT_TOP][:, None] + steps, height - 1)[:, :, None]
        xs = np.minimum(stats[found, cv2.CC_STAT_LEFT][:, None] + steps, width - 1)[:, None, :]
        hit = labels[ys, xs] == found[:, None, None]
        mask[np.broadcast_to(ys, hit.shape)[hit], np.broadcast_to(xs, hit.shape)[hit]] = True
    return mask


# glyphs.ink_map's zero: anything darker is a mark, however pale.
PALE_MARK = 205
# How close other ink must come for a speck to be part of a character. The
# dot of a Mincho 太 sits 2–3 px from its leg at 200 dpi; the dots of a
# photocopy's latent 複写 (about 0.34 mm on a 1 mm grid) are specks
# themselves, and so never hold each other.
SPECK_REACH_MM = 0.5


def stray_specks(grey: np.ndarray, specks: np.ndarray, px_per_mm: float) -> np.ndarray:
    """The specks with no other mark near them: no ink, not even a pale
    stroke, within SPECK_REACH_MM beyond their own rims. Measured on the Mincho
    forms of a generated set: 200–360 specks a page, nearly all of them the
    dark cores of serifs, dots and dakuten whose thin strokes scan paler than
    `ink_mask`'s threshold; painted out, 太 became 大 for the OCR and the
    glyph checks alike."""
    if not specks.any():
        return specks
    # A speck's own blurred rim, 2 px around it, is not another mark; nor is
    # any other speck's.
    rims = cv2.dilate(specks.view(np.uint8), np.ones((5, 5), np.uint8))
    others = ((grey < PALE_MARK) & (rims == 0)).view(np.uint8)
    # The reach is counted from each pixel, plus 3 px, a speck's own size
    # (at most 8 px of area at 200 dpi): a speck a mark comes near is kept
    # whole. Labelling the specks to keep them whole by label cost 20–60 ms
    # a page.
    reach = max(2, int(round(SPECK_REACH_MM * px_per_mm))) + 3
    near = cv2.dilate(others, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1, 2 * reach + 1)))
    return specks & (near == 0)


def components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """cv2.connectedComponentsWithStats of a mask, 8-connected. 16-bit labels
    take a third of the time of 32-bit ones on a page; OpenCV refuses them
    when a page has more than 65535 components, and then 32-bit labels are
    used. Either way the same components with the same stats (label numbers
    may differ, and no caller depends on them)."""
    image = mask.view(np.uint8) if mask.dtype == bool else mask
    try:
        return cv2.connectedComponentsWithStats(image, connectivity=8, ltype=cv2.CV_16U)
    except cv2.error:
        return cv2.connectedComponentsWithStats(image, connectivity=8, ltype=cv2.CV_32S)


def horizontal_rules(
    ink: np.ndarray, min_length_px: int, max_slope: float = 0.01, bridge_px: int = 15
) -> list[tuple[int, int, int]]:
    """Straight horizontal strokes at least `min_length_px` long: (y, x0, x1),
    top to bottom. `max_slope` is how far from level a stroke may run (a ruler
    line on a deskewed page is level; a hand-drawn strike-through is not);
    breaks up to `bridge_px` wide are closed first (a seal or noise across a
    ruled line)."""
    rules, _cut_first, _cut_last = _rule_strokes(ink, min_length_px, max_slope, bridge_px)
    return _merge_close(sorted(rules), gap=max(3, min_length_px // 60))


def _rule_strokes(
    ink: np.ndarray, min_length_px: int, max_slope: float, bridge_px: int = 15
) -> tuple[list[tuple[int, int, int]], bool, bool]:
    """horizontal_rules before close strokes are merged, and whether a stroke
    at least `min_length_px` long touches the first row, the last row (one
    that a crop of the page may have cut)."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, min_length_px // 4), 1))
    opened = cv2.morphologyEx(ink.view(np.uint8) if ink.dtype == bool else ink.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    # Close small breaks (a seal or noise across the line) before measuring length.
    if bridge_px > 1:
        opened = cv2.morphologyEx(opened, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (bridge_px, 1)))
    count, _labels, stats, _ = components(opened)
    rules = []
    first, last = False, False
    for i in range(1, count):
        x, y, w, h = stats[i, :4]
        if w >= min_length_px and h <= 6 + w * max_slope:
            rules.append((int(y + h // 2), int(x), int(x + w)))
        if w >= min_length_px:
            first = first or y == 0
            last = last or y + h == ink.shape[0]
    return rules, first, last


def vertical_rules(ink: np.ndarray, min_length_px: int) -> list[tuple[int, int, int]]:
    """Ruled vertical lines: (x, y0, y1), left to right."""
    transposed = np.ascontiguousarray(ink.T)
    return horizontal_rules(transposed, min_length_px)


def rules_within(
    grey: np.ndarray, below: int, min_length_px: int, span: tuple[int, int], vertical: bool = False
) -> list[tuple[int, int, int]]:
    """The rules of `grey < below` (horizontal_rules, or vertical_rules) whose
    position lies in `span`, exactly as the whole page gives them, but found
    in the rows (columns) around `span` only.

    Why that is the same: the morphology runs along rows only, so a row of the
    crop is that row of the page; a stroke well inside the crop is the page's
    stroke; and close strokes are merged in order, so a stroke-free band wider
    than the merge gap on each side of the crop's strokes keeps the strokes
    beyond the crop out of every merge. When the crop cuts a long stroke, or
    holds a stroke near a cut edge, the whole page is measured instead."""
    length = grey.shape[0] if vertical else grey.shape[1]  # of a stroke, at most
    extent = grey.shape[1] if vertical else grey.shape[0]
    gap = max(3, min_length_px // 60)
    zone = int(np.ceil(6 + length * 0.01)) + gap + 2
    lo, hi = max(0, span[0] - 2 * zone), min(extent, span[1] + 2 * zone + 1)
    if hi <= lo:
        return []  # the span lies off the page
    mask = grey[:, lo:hi] < below if vertical else grey[lo:hi] < below
    strokes, cut_first, cut_last = _rule_strokes(np.ascontiguousarray(mask.T) if vertical else mask, min_length_px, 0.01)
    near_first = lo > 0 and (cut_first or any(y < zone for y, _a, _b in strokes))
    near_last = hi < extent and (cut_last or any(y > hi - lo - 1 - zone for y, _a, _b in strokes))
    if near_first or near_last:
        whole = grey < below
        found = vertical_rules(whole, min_length_px) if vertical else horizontal_rules(whole, min_length_px)
    else:
        found = _merge_close(sorted((y + lo, a, b) for y, a, b in strokes), gap)
    return [rule for rule in found if span[0] <= rule[0] <= span[1]]


def _merge_close(rules: list[tuple[int, int, int]], gap: int) -> list[tuple[int, int, int]]:
    merged: list[tuple[int, int, int]] = []
    for y, x0, x1 in rules:
        if merged and y - merged[-1][0] <= gap:
            py, px0, px1 = merged[-1]
            merged[-1] = ((py + y) // 2, min(px0, x0), max(px1, x1))
        else:
            merged.append((y, x0, x1))
    return merged


def text_rows(ink: np.ndarray, min_height: int, min_gap: int = 2) -> list[tuple[int, int]]:
    """Runs of rows holding ink: (top, bottom) pairs, with tiny gaps bridged."""
    profile = ink.sum(axis=1)
    floor = max(2, int(ink.shape[1] * 0.002))
    filled = profile > floor
    rows: list[tuple[int, int]] = []
    start = None
    for y, on in enumerate(filled):
        if on and start is None:
            start = y
        elif not on and start is not None:
            rows.append((start, y))
            start = None
    if start is not None:
        rows.append((start, len(filled)))
    bridged: list[tuple[int, int]] = []
    for top, bottom in rows:
        if bridged and top - bridged[-1][1] <= min_gap:
            bridged[-1] = (bridged[-1][0], bottom)
        else:
            bridged.append((top, bottom))
    return [(top, bottom) for top, bottom in bridged if bottom - top >= min_height]


def ocr_crop(grey: np.ndarray, x0: int, y0: int, x1: int, y1: int, pad: int = 12) -> np.ndarray:
    """A crop binarised by Otsu at the scan's own size (the certificate's pattern
    wrecks grey input), with a white margin Tesseract likes."""
    height, width = grey.shape
    x0, x1 = max(0, x0), min(width, x1)
    y0, y1 = max(0, y0), min(height, y1)
    crop = grey[y0:y1, x0:x1]
    if crop.size == 0:
        return np.full((pad * 2 + 8, pad * 2 + 8), 255, np.uint8)
    threshold, _ = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Otsu on a crop of pale pattern and little text picks a threshold inside
    # the pattern; never let it call mid-grey ink.
    threshold = min(threshold, 160)
    binary = np.where(crop > threshold, 255, 0).astype(np.uint8)
    return cv2.copyMakeBorder(binary, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def grey_crop(grey: np.ndarray, x0: int, y0: int, x1: int, y1: int, pad: int = 12) -> np.ndarray:
    """A crop as it is, with a white margin."""
    height, width = grey.shape
    crop = grey[max(0, y0) : min(height, y1), max(0, x0) : min(width, x1)]
    if crop.size == 0:
        return np.full((pad * 2 + 8, pad * 2 + 8), 255, np.uint8)
    return cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def ink_fraction(ink: np.ndarray) -> float:
    # count_nonzero / size is ink.mean() to the bit (a count of ones divided
    # once), several times faster on a bool page.
    return np.count_nonzero(ink) / ink.size if ink.dtype == bool and ink.size else float(ink.mean())


def latent_dots(
    rgb: np.ndarray, px_per_mm: float, min_dots: int = 25, dark: np.ndarray | None = None
) -> tuple[int, np.ndarray]:
    """The latent 複写 of a photocopied certificate shows as large dotted
    characters, while an original's pattern dots are too pale to count: how
    many 10 mm tiles hold at least `min_dots` small dark dots (up to about
    0.8 mm), and a mask of the small dots (to paint out before reading the text
    they cross, on a page that shows the letters). `dark` is
    grey_without_red(rgb) < 160 when the caller has it (latent_dots_of)."""
    if dark is None:
        dark = grey_without_red(rgb) < 160
    count, labels, stats, centres = components(dark)
    area, width, height = stats[1:, cv2.CC_STAT_AREA], stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    dots = (area <= (0.6 * px_per_mm) ** 2) & (width <= 0.8 * px_per_mm) & (height <= 0.8 * px_per_mm)
    empty = np.zeros(dark.shape, bool)
    if not dots.any():
        return 0, empty
    tile = max(1, int(10 * px_per_mm))
    cells = (centres[1:] // tile).astype(int)
    keys = cells[:, 1] * 100_000 + cells[:, 0]
    found, per_tile = np.unique(keys[dots], return_counts=True)
    dotted_keys = found[per_tile >= min_dots]
    if dotted_keys.size == 0:
        return 0, empty
    # On a page that shows the latent letters, every such dot is theirs (the
    # letters' edges fall in tiles with fewer dots).
    lookup = np.concatenate([[False], dots])
    return int(dotted_keys.size), lookup[labels]


def latent_dots_of(page: Prepared, min_dots: int = 25) -> tuple[int, np.ndarray]:
    """latent_dots of a prepared page without measuring its colour again: its
    grey is grey_without_red of its rgb except where prepare painted specks
    out, and those were ink (darker than 135), so dark before painting."""
    if page.specks is None:
        return latent_dots(page.rgb, page.px_per_mm, min_dots)
    return latent_dots(page.rgb, page.px_per_mm, min_dots, dark=(page.grey < 160) | page.specks)


# The latent 複写 of a photocopy is printed as a screen of dots about 1 mm
# apart. latent_dots finds the dots standing alone; a dot touching a stroke
# joins it, and its pale ring stays around every dot (grey 135–205, where the
# glyph checks still see ink). Measured on the name and issue-date lines of
# 20 copies of seen sets: the darkest pixel of a standing-alone dot is 141
# (median; 5 % darker than 89) and a text stroke's 20th percentile 86 (95 %
# below 110), so at the screen's nodes whatever is paler than
# LATENT_NODE_CORE is dot, not stroke.
LATENT_PITCH_MM = 1.0
LATENT_NODE_CORE = 110
# The screen is fitted tile by tile: a residual skew of 0.1° shifts it by 3 px
# across a page, a third of its pitch.
LATENT_TILE_MM = 15
# A node is the screen's only within this many pitches of a dot found: the
# letters hold the dots, the rest of the page none.
LATENT_NODE_REACH = 2.5
# Around the filled-in dots, what is paler than this is taken for paper.
# Measured on the 78 copies (issue date right, names right, issue dates sure):
# none 63, 47, 35; 170: 65, 48, 43; 185 on half of them: one date and one name fewer.
LATENT_GHOST_PALER_THAN = 170


def without_latent_dots(grey: np.ndarray, dots: np.ndarray, px_per_mm: float) -> np.ndarray:
    """`grey` with the latent letters' dots taken out. The dots standing alone (`dots`, from latent_dots) and the pale
    pixels at every node of their screen near them are filled in from around
    them (inpainting), so a stroke crossing a dot stays whole where painting
    it white would cut it. On the issue-date lines of the 78 copies of six
    seen sets, cut out alone, the digit template read none of the dates with
    the dots painted white and 44 (none wrong) with a first version of this;
    read in the pipeline, see reading._line_without_dots."""
    count, _labels, _stats, centres = components(dots)
    painted = dots.copy()
    if count > 10:
        painted |= _screen_nodes(dots, centres[1:], px_per_mm) & (grey > LATENT_NODE_CORE)
    cleaned = cv2.inpaint(grey, painted.view(np.uint8), 2, cv2.INPAINT_TELEA)
    if count > 10:
        # A ring wider than the footprint leaves a faint ghost around it, ink
        # to the glyph checks; only there, what is paler than a stroke's edge goes.
        zone = cv2.dilate(painted.view(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        cleaned[zone & (cleaned > LATENT_GHOST_PALER_THAN)] = 255
    return cleaned


def _screen_nodes(dots: np.ndarray, centres: np.ndarray, px_per_mm: float) -> np.ndarray:
    """The footprint of a dot at every node of the latent screen near the dots
    found (`dots`, whose components' `centres` are given)."""
    height, width = dots.shape
    pitch_x = _screen_pitch(centres[:, 0], px_per_mm)
    pitch_y = _screen_pitch(centres[:, 1], px_per_mm)
    tile = max(8, int(LATENT_TILE_MM * px_per_mm))
    reach = int(np.ceil(LATENT_NODE_REACH * LATENT_PITCH_MM * px_per_mm))
    near = cv2.dilate(dots.view(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1)))
    nodes = np.zeros((height, width), np.uint8)
    for top in range(0, height, tile):
        for left in range(0, width, tile):
            # The phase from the dots of the tile and a quarter tile around it.
            grow = tile // 4
            inside = (
                (centres[:, 0] >= left - grow) & (centres[:, 0] < left + tile + grow)
                & (centres[:, 1] >= top - grow) & (centres[:, 1] < top + tile + grow)
            )
            if inside.sum() < 8:
                continue
            phase_x, sure_x = _screen_phase(centres[inside, 0], pitch_x)
            phase_y, sure_y = _screen_phase(centres[inside, 1], pitch_y)
            if min(sure_x, sure_y) < 0.6:
                continue  # not a screen here (the dots of a seal's rim, dust)
            xs = np.round(np.arange(phase_x + np.ceil((left - phase_x) / pitch_x) * pitch_x, min(width, left + tile), pitch_x)).astype(int)
            ys = np.round(np.arange(phase_y + np.ceil((top - phase_y) / pitch_y) * pitch_y, min(height, top + tile), pitch_y)).astype(int)
            xs, ys = xs[(xs >= 0) & (xs < width)], ys[(ys >= 0) & (ys < height)]
            if xs.size and ys.size:
                grid_y, grid_x = np.meshgrid(ys, xs, indexing="ij")
                nodes[grid_y, grid_x] = near[grid_y, grid_x]
    return cv2.dilate(nodes, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))).astype(bool)


def _screen_pitch(positions: np.ndarray, px_per_mm: float) -> float:
    """The screen's pitch along one axis: the period (within 7 % of 1 mm) at
    which the dots' positions line up best."""
    sample = positions[:: max(1, positions.size // 4000)]
    nominal = LATENT_PITCH_MM * px_per_mm
    periods = np.arange(0.93 * nominal, 1.07 * nominal, 0.005)
    alignment = np.abs(np.exp(2j * np.pi * sample[None, :] / periods[:, None]).mean(axis=1))
    return float(periods[int(np.argmax(alignment))])


def _screen_phase(positions: np.ndarray, pitch: float) -> tuple[float, float]:
    """Where the screen's nodes fall along one axis (0 ≤ phase < pitch), and how
    well the dots line up on them (1: exactly)."""
    mean = np.exp(2j * np.pi * positions / pitch).mean()
    return float((np.angle(mean) / (2 * np.pi)) * pitch % pitch), float(abs(mean))


# Measured on 483 generated pages (grey < 180): the darkest 8 mm square of a
# form's QR code is 0.59–0.74 dark; of the same corners of certificates, check
# sheets and blank pages at most 0.39 (text, rules, a stamp). A corner below the threshold is
# not searched; a form whose code is missed so is still found by its title and
# table, and its code is then searched harder.
QR_MIN_DARK_SHARE = 0.5
QR_WINDOW_MM = 8


def may_hold_qr(grey: np.ndarray, px_per_mm: float) -> bool:
    """Whether a region could hold a QR code: some window of QR_WINDOW_MM is
    dark enough (the detector costs 25 ms a corner; this 1 ms)."""
    if grey.size == 0:
        return False
    # At 1 px per mm, each pixel the share of dark (greyer than pale print) under it.
    dark = (grey < 180).astype(np.float32)
    dark = cv2.resize(dark, None, fx=1 / px_per_mm, fy=1 / px_per_mm, interpolation=cv2.INTER_AREA)
    if min(dark.shape) < QR_WINDOW_MM:
        return True
    shares = cv2.blur(dark, (QR_WINDOW_MM, QR_WINDOW_MM))
    return bool(shares.max() >= QR_MIN_DARK_SHARE)


def find_qr(rgb: np.ndarray) -> tuple[str, np.ndarray] | None:
    """Decode a QR code: (payload, corner points) or None."""
    detector = cv2.QRCodeDetector()
    try:
        payload, points, _ = detector.detectAndDecode(rgb)
    except cv2.error:
        return None
    if not payload or points is None:
        return None
    return payload, points.reshape(-1, 2)


# A ruler's strike-through is a thin straight stroke running on through the gaps
# between characters; no printed stroke of a 10.5–12 pt field character is
# 5 mm long (一 measures about 3.5 mm), so a horizontal opening this long keeps
# the strike and drops the print.
STRIKE_KERNEL_MM = 5.0
# What the strike alone looks like at a pixel is taken from the pixels beside it
# along the strike: the brighter quarter of those within 8 mm (the print the
# strike crosses, digits' stems and 年's bars, darkens fewer than half of them).
STRIKE_BACKGROUND_MM = 8.0
STRIKE_BACKGROUND_PERCENTILE = 75
# The pen's blurred edges and the band either side of it that it darkens.
STRIKE_REACH_MM = 0.4
# Divided out, the strike over paper is paper give or take the wobble of its
# anti-aliased edge along the row (up to a fifth darker: faint dashes that
# Tesseract read as 一 and -); print under it is far darker (0.1–0.5).
STRIKE_PAPER_ABOVE = 0.75


def without_strike_lines(
    rgb: np.ndarray, grey: np.ndarray, ink: np.ndarray, min_length_px: int, px_per_mm: float
) -> tuple[np.ndarray, int | None]:
    """A struck-through line of text with its strike lines taken out, and where
    the strike ends (its right end in `grey`'s columns, None when there is no
    stroke at least `min_length_px` long).

    Pen ink darkens what it covers by multiplication: print under the strike
    is still darker than the strike over paper. So the strike is divided out:
    each pixel near it is divided by what the strike alone looks like there
    (its brighter neighbours along the strike), in the colour channel in which
    the pen is palest (blue for a blue pen). The print comes back whole where
    it crossed the strike. Filling the strike in from around it (inpainting)
    cut every character in two: of 39 struck birth dates on two sets of
    corrected forms, 14 read right that way, 39 this way."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, round(STRIKE_KERNEL_MM * px_per_mm)), 1))
    opened = cv2.morphologyEx(ink.view(np.uint8) if ink.dtype == bool else ink.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    count, labels, stats, _ = components(opened)
    long_ones = [i for i in range(1, count) if stats[i, cv2.CC_STAT_WIDTH] >= min_length_px]
    if not long_ones:
        return grey, None
    left = min(int(stats[i, cv2.CC_STAT_LEFT]) for i in long_ones)
    right = max(int(stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH]) for i in long_ones)
    core = np.isin(labels, long_ones)
    reach = max(1, round(STRIKE_REACH_MM * px_per_mm))
    near = cv2.dilate(core.view(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)).view(bool)
    rows = np.flatnonzero(near.any(axis=1))
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    # The strike's blurred ends reach past the opened stroke: the band does
    # too, and there the strike alone looks as at its last column.
    start, stop = max(0, left - reach), min(grey.shape[1], right + reach)
    # The channel in which the pen is palest over its own stroke (blue for a
    # blue pen; for black, any): the least noise once divided out.
    channel = max((grey, rgb[..., 0], rgb[..., 1], rgb[..., 2]), key=lambda c: float(np.median(c[core])))
    window = max(3, round(STRIKE_BACKGROUND_MM * px_per_mm)) | 1
    values = channel[top:bottom, start:stop].astype(np.float32)
    alone = _along_rows_percentile(channel[top:bottom, left:right].astype(np.float32), window, STRIKE_BACKGROUND_PERCENTILE)
    alone = np.pad(alone, ((0, 0), (left - start, stop - right)), mode="edge")
    clear = ~near
    paper = float(np.median(grey[clear])) if clear.any() else 255.0
    ratio = values / np.maximum(alone, 1.0)
    ratio[ratio > STRIKE_PAPER_ABOVE] = 1.0
    # The whole band near the strike, in grey, from the chosen channel: its
    # blurred edge may darken grey where the channel is still paper.
    cleaned = grey.copy()
    band = cleaned[top:bottom, start:stop]
    inside = near[top:bottom, start:stop]
    band[inside] = np.clip(ratio[inside] * paper, 0, 255).astype(np.uint8)
    return cleaned, right


def _along_rows_percentile(values: np.ndarray, window: int, percentile: float) -> np.ndarray:
    """Each pixel's `percentile` over the `window` pixels centred on it in its
    row, the row mirrored at its ends."""
    half = window // 2
    padded = np.pad(values, ((0, 0), (half, half)), mode="reflect")
    return np.percentile(np.lib.stride_tricks.sliding_window_view(padded, window, axis=1), percentile, axis=-1)
