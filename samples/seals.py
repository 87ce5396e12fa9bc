"""Seal impressions (印影) as ink masks: the company's round registered seal, the
registrar's square official seal, and small name seals (訂正印, personal seals).

A mask is a float32 array in 0..1 (ink coverage) at the page's resolution; the page
composites it with an ink colour by multiplication, so printed text under a seal
stays visible, as it does on paper.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image, ImageChops, ImageDraw

from samples.fonts import SERIF_BOLD, Face, face_for, font

# Vermilion seal paste (朱肉) and its variations between pads.
SEAL_REDS: tuple[tuple[int, int, int], ...] = (
    (210, 40, 45),
    (200, 30, 40),
    (222, 62, 52),
    (190, 35, 55),
)


def _glyph(ch: str, size_px: int, face: Face, angle_deg: float = 0.0) -> Image.Image:
    """One character as an L image, rotated `angle_deg` counter-clockwise about its centre."""
    face = face_for(ch, face)
    box = int(size_px * 1.6) + 4
    img = Image.new("L", (box, box), 0)
    ImageDraw.Draw(img).text(
        (box / 2, box / 2),
        ch,
        fill=255,
        font=font(face, size_px),
        anchor="mm",
        stroke_width=max(0, size_px // 18),
        stroke_fill=255,
    )
    if angle_deg:
        img = img.rotate(angle_deg, resample=Image.Resampling.BILINEAR)
    return img


def _paste_max(canvas: Image.Image, piece: Image.Image, cx: float, cy: float) -> None:
    x0 = round(cx - piece.width / 2)
    y0 = round(cy - piece.height / 2)
    region = (x0, y0, x0 + piece.width, y0 + piece.height)
    canvas.paste(ImageChops.lighter(canvas.crop(region), piece), region[:2])


def _columns(text: str, per_column: int) -> list[str]:
    """Split `text` into columns of at most `per_column`, the longer columns first
    (seals read right to left, so the first column is the rightmost)."""
    n = len(text)
    count = math.ceil(n / per_column)
    base, extra = divmod(n, count)
    out, i = [], 0
    for c in range(count):
        size = base + (1 if c < extra else 0)
        out.append(text[i : i + size])
        i += size
    return out


def _draw_column_text(
    canvas: Image.Image, text: str, cx: float, cy: float, width: float, height: float, face: Face
) -> None:
    per_column = 3 if len(text) > 4 else 2
    cols = _columns(text, per_column)
    rows = max(len(c) for c in cols)
    cell_w = width / len(cols)
    cell_h = height / rows
    size = int(min(cell_w, cell_h) * 0.92)
    for ci, col in enumerate(cols):
        x = cx + width / 2 - cell_w * (ci + 0.5)
        col_h = cell_h * len(col)
        for ri, ch in enumerate(col):
            y = cy - col_h / 2 + cell_h * (ri + 0.5)
            _paste_max(canvas, _glyph(ch, size, face), x, y)


def round_seal(
    diameter_px: int, outer_text: str, inner_text: str, face: Face = SERIF_BOLD
) -> np.ndarray:
    """The company's registered seal: double ring, the name around, the title inside."""
    size = diameter_px + 4
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    c = size / 2
    r_out = diameter_px / 2
    ring = max(2, round(diameter_px * 0.035))
    r_in = r_out * 0.66
    inner_ring = max(1, round(diameter_px * 0.02))
    draw.ellipse((c - r_out, c - r_out, c + r_out, c + r_out), outline=255, width=ring)
    draw.ellipse((c - r_in, c - r_in, c + r_in, c + r_in), outline=255, width=inner_ring)
    # Name around the band between the rings, clockwise from the lower left, upright
    # towards the outside.
    band_mid = (r_out - ring + r_in) / 2
    band = r_out - ring - r_in
    n = len(outer_text)
    step = min(360.0 / (n + 1.5), 34.0)
    start = 240.0 - 0.5 * step  # compass-like angle, clockwise from the top
    glyph_size = int(min(band * 0.95, 2 * math.pi * band_mid * step / 360 * 0.95))
    for i, ch in enumerate(outer_text):
        theta = math.radians(start + i * step)
        x = c + band_mid * math.sin(theta)
        y = c - band_mid * math.cos(theta)
        _paste_max(img, _glyph(ch, glyph_size, face, -math.degrees(theta)), x, y)
    inner = r_in * 1.25
    _draw_column_text(img, inner_text, c, c, inner, inner, face)
    return np.asarray(img, dtype=np.float32) / 255.0


def square_seal(size_px: int, text: str, face: Face = SERIF_BOLD) -> np.ndarray:
    """An official square seal (登記官印, 市長印): a heavy border and text in columns."""
    size = size_px + 4
    img = Image.new("L", (size, size), 0)
    border = max(2, round(size_px * 0.06))
    ImageDraw.Draw(img).rectangle((2, 2, size - 3, size - 3), outline=255, width=border)
    inner = size_px - 2 * border - size_px * 0.08
    _draw_column_text(img, text, size / 2, size / 2, inner, inner, face)
    return np.asarray(img, dtype=np.float32) / 255.0


def name_seal(diameter_px: int, text: str, face: Face = SERIF_BOLD) -> np.ndarray:
    """A small round personal seal: one ring, the name in one vertical column."""
    size = diameter_px + 4
    img = Image.new("L", (size, size), 0)
    c = size / 2
    r = diameter_px / 2
    ring = max(1, round(diameter_px * 0.06))
    ImageDraw.Draw(img).ellipse((c - r, c - r, c + r, c + r), outline=255, width=ring)
    cell = (diameter_px - 2 * ring) * 0.74 / max(len(text), 1)
    size_px = int(min(cell, (diameter_px - 2 * ring) * 0.62))
    for i, ch in enumerate(text):
        y = c - cell * len(text) / 2 + cell * (i + 0.5)
        _paste_max(img, _glyph(ch, size_px, face), c, y)
    return np.asarray(img, dtype=np.float32) / 255.0


def rotate_mask(mask: np.ndarray, angle_deg: float) -> np.ndarray:
    if abs(angle_deg) < 0.01:
        return mask
    h, w = mask.shape
    diag = int(math.ceil(math.hypot(h, w))) + 2
    pad_y, pad_x = (diag - h) // 2, (diag - w) // 2
    padded = np.zeros((diag, diag), np.float32)
    padded[pad_y : pad_y + h, pad_x : pad_x + w] = mask
    m = cv2.getRotationMatrix2D((diag / 2, diag / 2), angle_deg, 1.0)
    return cv2.warpAffine(padded, m, (diag, diag), flags=cv2.INTER_LINEAR)


def uneven_ink(mask: np.ndarray, rng: np.random.Generator, strength: float = 0.5) -> np.ndarray:
    """A hand-stamped impression: pressure varies across the seal, paste is patchy,
    some fine spots stay blank and the edges bleed a little."""
    h, w = mask.shape
    coarse = rng.random((5, 5)).astype(np.float32)
    # A pressure gradient: one side of the seal pressed harder than the other.
    gx, gy = rng.normal(0, 0.6, 2)
    field = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    field = field + (gx * (xx / w - 0.5) + gy * (yy / h - 0.5))
    field = (field - field.min()) / max(float(np.ptp(field)), 1e-6)
    pressure = 1.0 - strength * (1.0 - field)
    speckle = rng.random((h, w)).astype(np.float32)
    holes = np.where(speckle < 0.08 * strength, 0.35, 1.0).astype(np.float32)
    out = cv2.GaussianBlur(mask, (0, 0), max(0.4, w / 260)) * pressure * holes
    return np.clip(out * 1.15, 0.0, 1.0)
