"""Page images for people: a stored page turned the way the reader turned it
(white balance, deskew, 180°), so that the boxes stored with the fields —
which are in that registered frame — crop the right place."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline import imaging, loading, originals

# The seal impressions' regions in the registered page, in mm, generous enough
# for the ±10 mm shift and 97–103 % scale a scan may add (documents.md).
SEAL_REGIONS_MM = {"form": (135.0, 212.0, 200.0, 273.0), "certificate": (12.0, 28.0, 88.0, 102.0)}


@lru_cache(maxsize=6)
def registered_page(root: str, sha256: str, source_name: str, page_in_file: int, skew_deg: float, rotated_180: bool) -> np.ndarray:
    data = originals.read(Path(root), sha256)
    page = next(loading.iter_pages(source_name.split("#")[0], data, only=page_in_file))
    turned = imaging.rotate(imaging.white_balance(page.rgb), skew_deg, fill=(255, 255, 255))
    if rotated_180:
        turned = np.ascontiguousarray(turned[::-1, ::-1])
    return turned


def crop(rgb: np.ndarray, x: int, y: int, width: int, height: int, pad: int = 8) -> np.ndarray:
    h, w = rgb.shape[:2]
    return rgb[max(0, y - pad) : min(h, y + height + pad), max(0, x - pad) : min(w, x + width + pad)]


def seal_crop(rgb: np.ndarray, document: str, dpi: float) -> np.ndarray:
    x0, y0, x1, y1 = SEAL_REGIONS_MM[document]
    px = dpi / 25.4
    return crop(rgb, int(x0 * px), int(y0 * px), int((x1 - x0) * px), int((y1 - y0) * px), pad=0)


def encode(rgb: np.ndarray, fmt: str = "JPEG", max_width: int | None = None) -> bytes:
    image = Image.fromarray(rgb)
    if max_width and image.width > max_width:
        image = image.resize((max_width, round(image.height * max_width / image.width)), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return buffer.getvalue()
