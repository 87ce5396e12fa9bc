"""The scanning rules (電子帳簿保存法 スキャナ保存), judged from the pixels as well
as the file's metadata: at least 200 dpi, colour with 256 levels per channel
really present. A page that breaks them goes back to the operator (rescan)."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.domain import ScanQuality

MIN_DPI = 200.0
# A4 at 200 dpi is 1654 × 2339 px, but scanners truncate the millimetres
# (SANE gives 1653 × 2338), so the pixel test allows half a percent.
PIXEL_DPI_TOLERANCE = 0.995
A4_INCHES = (210 / 25.4, 297 / 25.4)
# A real 8-bit colour scan uses far more levels per channel than this; a
# black-and-white or 16-colour image, however it is stored, uses at most 16.
MIN_LEVELS = 24
# An interpolating upscale of such an image adds in-between values on edges,
# but its flat areas keep the palette's few colours. A JPEG-compressed scan
# also has exactly flat areas (smooth 8×8 blocks), but in many shades: on
# generated 200 dpi scans, 30 to 140 distinct flat colours.
MAX_FLAT_SHARE = 0.5
MAX_FLAT_COLOURS = 16
# A quiet scan of a nearly empty page (a check sheet, noise of a level or
# less) is flat too, in a few shades of its paper under smooth lighting: each
# a level or two from the next (seed 1113579: 86 % flat in 16 such shades, a
# valid page sent to rescan). A palette's colours lie far apart (an upscaled
# 16-colour page: 0, 192 and 255). Flat pixels almost all in such chained
# shades are paper, not a palette.
PAPER_SHADES_SHARE = 0.9
# Share of pixels that are clearly coloured (max − min over R, G, B above 40).
# A grey image stored as RGB has none. That alone proves nothing for a
# black-and-white page, so it is judged with the page's kind in decide: a form
# always carries its red seal (about 0.2 % of its pixels).
# (The share below which a page looks grey: ScanQuality.looks_grey.)
COLOURFUL_CHROMA = 40


def effective_dpi(width_px: int, height_px: int) -> float:
    """The resolution an A4 page of this pixel size was scanned at (either orientation)."""
    short, long = sorted((width_px, height_px))
    return min(short / A4_INCHES[0], long / A4_INCHES[1])


def count_levels(channel: np.ndarray) -> int:
    """Levels that hold a real share of the pixels, so that the few in-between
    values an interpolating upscale leaves on edges do not count."""
    histogram = np.bincount(channel.ravel(), minlength=256)
    floor = max(2, channel.size // 200_000)
    return int((histogram >= floor).sum())


def flat_areas(rgb: np.ndarray) -> tuple[float, int, float]:
    """Share of pixels whose right and lower neighbours have exactly the same
    colour, how many distinct colours those flat pixels have, and the share of
    the flat pixels whose colour lies within a level or two of another flat
    colour (shades of one paper, see PAPER_SHADES_SHARE)."""
    # One 24-bit number per pixel: a colour comparison is one integer comparison.
    packed = (rgb[..., 0].astype(np.int32) << 16) | (rgb[..., 1].astype(np.int32) << 8) | rgb[..., 2]
    corner = packed[:-1, :-1]
    same = (corner == packed[1:, :-1]) & (corner == packed[:-1, 1:])
    share = float(same.mean())
    if share == 0:
        return 0.0, 0, 0.0
    colours, counts = np.unique(corner[same], return_counts=True)
    if colours.size > MAX_FLAT_COLOURS:
        # Not a palette whatever the shades; and the pairwise distances of
        # thousands of colours would not fit in memory.
        return share, int(colours.size), 0.0
    channels = np.stack([(colours >> 16) & 255, (colours >> 8) & 255, colours & 255], axis=1)
    distance = np.abs(channels[:, None, :] - channels[None, :, :]).max(axis=2)
    np.fill_diagonal(distance, 255)
    near = (distance <= 2).any(axis=1)
    return share, int(colours.size), float(counts[near].sum() / counts.sum())


def measure(
    rgb: np.ndarray,
    *,
    mode: str,
    channels: int,
    bits_per_channel: int,
    dpi: tuple[float, float] | None,
) -> ScanQuality:
    """Measure one page. `rgb` is the page converted to 8-bit RGB; `mode`,
    `channels` and `bits_per_channel` describe the file as stored."""
    height, width = rgb.shape[:2]
    sample = rgb[::3, ::3]
    levels = min(count_levels(sample[..., c]) for c in range(3))
    r, g, b = cv2.split(np.ascontiguousarray(sample))
    chroma = cv2.subtract(cv2.max(cv2.max(r, g), b), cv2.min(cv2.min(r, g), b))
    spread = float(chroma.mean())
    colourful = float((chroma > COLOURFUL_CHROMA).mean())
    eff = effective_dpi(width, height)
    problems: list[str] = []

    if dpi is None:
        problems.append("no resolution recorded in the file")
    else:
        lowest = min(dpi)
        if lowest < MIN_DPI:
            problems.append(f"resolution {lowest:g} dpi is below {MIN_DPI:g} dpi")
        elif abs(lowest - eff) > 0.1 * eff:
            problems.append(
                f"the file says {lowest:g} dpi but its pixel size says about {eff:.0f} dpi"
            )
    if eff < MIN_DPI * PIXEL_DPI_TOLERANCE:
        problems.append(
            f"pixel size {width}×{height} is below {MIN_DPI:g} dpi for A4 (about {eff:.0f} dpi)"
        )
    if channels < 3 or mode in ("L", "LA", "1", "I", "I;16", "F"):
        kind = "black-and-white" if bits_per_channel == 1 or mode == "1" else "greyscale"
        problems.append(f"{kind} image ({mode}); the rules need colour")
    elif bits_per_channel < 8:
        problems.append(f"{bits_per_channel} bits per channel; the rules need 8 (256 levels)")
    if channels >= 3 and levels < MIN_LEVELS:
        problems.append(
            f"only {levels} levels in a colour channel; the rules need 256 levels really present"
        )
    elif channels >= 3:
        flat_share, flat_colours, paper_shades = flat_areas(sample)
        if flat_share > MAX_FLAT_SHARE and flat_colours <= MAX_FLAT_COLOURS and paper_shades < PAPER_SHADES_SHARE:
            problems.append(
                f"{flat_share:.0%} of the page is exactly flat in {flat_colours} colours: "
                "an upscaled image with few levels, not a 256-level scan"
            )

    return ScanQuality(
        width_px=width,
        height_px=height,
        dpi_x=dpi[0] if dpi else None,
        dpi_y=dpi[1] if dpi else None,
        effective_dpi=round(eff, 1),
        mode=mode,
        channels=channels,
        bits_per_channel=bits_per_channel,
        distinct_levels=levels,
        colour_spread=round(spread, 3),
        colourful_share=round(colourful, 6),
        problems=tuple(problems),
    )
