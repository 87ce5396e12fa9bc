"""Security paper (地紋) for certificates, its latent 複写, and photocopies of it.

The latent text works like real anti-copy paper: inside the letters the pattern is
made of coarse dots, outside of fine dots of about the same average tone, so on the
original the letters barely show. A copier drops the fine dots and keeps the coarse
ones, so on a photocopy the word shows large and dark as dotted characters.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw

from samples.fonts import BOLD, font

A4_MM = (210.0, 297.0)

# (paper tint, line colour, dot colour) per tint.
TINTS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]] = {
    "green": ((247, 252, 248), (172, 218, 192), (222, 240, 228)),
    "blue": ((246, 250, 254), (170, 208, 232), (220, 235, 246)),
    "pink": ((254, 248, 249), (236, 190, 204), (246, 226, 232)),  # municipal papers
}


def page_size_px(dpi: int) -> tuple[int, int]:
    """(width, height) of an A4 page at `dpi`, rounded like scanners do (200 dpi: 1654 × 2339)."""
    return round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)


@lru_cache(maxsize=8)
def latent_mask(dpi: int) -> np.ndarray:
    """Where the hidden 複写 letters are: bool (H, W), big letters in a staggered grid."""
    width, height = page_size_px(dpi)
    px_mm = dpi / 25.4
    img = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(img)
    size = int(38 * px_mm)
    f = font(BOLD, size)
    for row, y_mm in enumerate((40.0, 118.0, 196.0, 274.0)):
        x_mm = -18.0 if row % 2 else 12.0
        while x_mm < A4_MM[0]:
            draw.text((x_mm * px_mm, y_mm * px_mm), "複写", font=f, fill=255, anchor="lm")
            x_mm += 98.0
    return np.asarray(img) > 127


def _dots(shape: tuple[int, int], period: int, dot: int, phase: int = 0) -> np.ndarray:
    h, w = shape
    ys = ((np.arange(h) + phase) % period) < dot
    xs = ((np.arange(w) + phase) % period) < dot
    return ys[:, None] & xs[None, :]


@lru_cache(maxsize=12)
def security_pattern(dpi: int, tint: str, style: int) -> np.ndarray:
    """A full-page pale pattern (H, W, 3) uint8: interlaced waves over a dot field with
    the latent 複写 hidden in it. Cached: certificates of a batch share their paper."""
    paper, line, dot_colour = TINTS[tint]
    width, height = page_size_px(dpi)
    px_mm = dpi / 25.4
    x_mm = (np.arange(width, dtype=np.float32) / px_mm)[None, :]
    y_mm = (np.arange(height, dtype=np.float32) / px_mm)[:, None]
    amplitude, wavelength, spacing = (6.0, 42.0, 10.0) if style == 0 else (4.0, 28.0, 7.0)
    half_width = max(0.08, 0.6 / px_mm)  # about a 1.2 px line at any resolution
    lines = np.zeros((height, width), dtype=bool)
    for phase in (0.0, np.pi):
        wave = amplitude * np.sin(2 * np.pi * x_mm / wavelength + phase)
        pos = np.mod(y_mm + wave, spacing)
        lines |= np.minimum(pos, spacing - pos) < half_width
    # Fine dots outside the letters and coarse dots inside, about the same tone.
    coarse_period = max(3, round(1.0 * px_mm))
    coarse_dot = max(2, round(0.34 * px_mm))
    fine_period = max(2, round(coarse_period / coarse_dot))
    latent = latent_mask(dpi)
    dots = np.where(
        latent,
        _dots((height, width), coarse_period, coarse_dot),
        _dots((height, width), fine_period, 1, phase=1),
    )
    out = np.empty((height, width, 3), dtype=np.uint8)
    out[:] = paper
    out[dots] = dot_colour
    out[lines] = line
    # Soften it as an offset print would, so it is pale rather than crisp.
    out = cv2.GaussianBlur(out, (0, 0), 0.5)
    out.setflags(write=False)
    return out


def on_security_paper(content: np.ndarray, dpi: int, tint: str, style: int) -> np.ndarray:
    """Print `content` (rendered on white) over the pattern: multiply, like ink on paper."""
    pattern = security_pattern(dpi, tint, style)
    return cv2.multiply(pattern, content, scale=1.0 / 255.0)


def photocopy(content: np.ndarray, dpi: int, rng: np.random.Generator, bilevel: bool) -> np.ndarray:
    """A copier's output of a certificate: grey, the pattern gone, the latent 複写 dark
    and dotted, red seals grey; optionally hard black-and-white. Returns RGB uint8
    (a copy scanned in colour is still an RGB file)."""
    grey = cv2.cvtColor(content, cv2.COLOR_RGB2GRAY).astype(np.float32)
    # A copier pushes contrast: light greys go to paper, dark to toner.
    grey = np.clip((grey - 40.0) * 1.25, 0, 255)
    latent = latent_mask(dpi)
    height, width = grey.shape
    px_mm = dpi / 25.4
    period = max(3, round(1.0 * px_mm))
    dot = max(2, round(0.34 * px_mm))
    latent_dots = latent & _dots((height, width), period, dot)
    level = float(rng.uniform(60, 120))
    grey = np.where(latent_dots, np.minimum(grey, level), grey)
    paper = float(rng.uniform(232, 250))
    grey = grey * (paper / 255.0)
    # Toner specks and a faint band where the drum is worn.
    specks = rng.random((height, width), dtype=np.float32) < 0.0006
    grey[specks] = np.minimum(grey[specks], float(rng.uniform(40, 120)))
    band_x = int(rng.integers(0, width))
    band_w = int(rng.integers(max(2, width // 80), max(3, width // 25)))
    grey[:, band_x : band_x + band_w] *= float(rng.uniform(0.92, 0.99))
    if bilevel:
        grey = np.where(grey < 150, 20.0, paper)
    grey = cv2.GaussianBlur(grey, (0, 0), 0.6)
    # Copier paper is never quite neutral: a slight warm or cool tint per channel.
    tint = np.array([1.0, rng.uniform(0.975, 1.0), rng.uniform(0.94, 1.0)], np.float32)
    if rng.random() < 0.5:
        tint = tint[::-1]
    return np.clip(grey[:, :, None] * tint, 0, 255).astype(np.uint8)
