"""Page images for people: a stored page turned the way the reader turned it
(reduced to the working resolution, white balance, deskew, 180°), so that
the boxes stored with the fields — which are in that registered frame — crop
the right place."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from pipeline import imaging, loading, originals

# The seal impressions' regions in the registered page, in mm, generous enough
# for the ±10 mm shift and 97–103 % scale a scan may add (documents.md).
SEAL_REGIONS_MM = {"form": (135.0, 212.0, 200.0, 273.0), "certificate": (12.0, 28.0, 88.0, 102.0)}


_CACHE: OrderedDict[tuple, np.ndarray] = OrderedDict()
_CACHE_SIZE = 12  # a few applications' pages: the one on screen and the next one, warmed ahead
_LOCKS: dict[tuple, threading.Lock] = {}
_GUARD = threading.Lock()


def registered_page(
    root: str, sha256: str, source_name: str, page_in_file: int, skew_deg: float, rotated_180: bool, effective_dpi: float
) -> np.ndarray:
    """The page as the reader saw it, computed once even when several crops of
    it are asked for at the same moment. `effective_dpi` is the scan's own
    (ScanQuality.effective_dpi): a finer scan is read, and shown, at
    imaging.WORKING_DPI."""
    key = (root, sha256, page_in_file, skew_deg, rotated_180, effective_dpi)
    with _GUARD:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        lock = _LOCKS.setdefault(key, threading.Lock())
    with lock:
        with _GUARD:
            if key in _CACHE:
                return _CACHE[key]
        pixels = imaging.at_working_resolution(_pixels(root, sha256, source_name, page_in_file), effective_dpi)
        turned = imaging.rotate(imaging.white_balance(pixels), skew_deg, fill=(255, 255, 255))
        if rotated_180:
            turned = np.ascontiguousarray(turned[::-1, ::-1])
        with _GUARD:
            _CACHE[key] = turned
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
            _LOCKS.pop(key, None)
    return turned


def _pixels(root: str, sha256: str, source_name: str, page_in_file: int) -> np.ndarray:
    """The page's RGB pixels, decoded as pipeline.loading decodes them (without
    measuring the page again)."""
    data = originals.read(Path(root), sha256)
    name = source_name.split("#")[0]
    if data[:5] == b"%PDF-":
        return next(loading.iter_pages(name, data, only=page_in_file)).rgb
    image = Image.open(io.BytesIO(data))
    if getattr(image, "n_frames", 1) > 1:
        image.seek(page_in_file - 1)
    return np.asarray(image.convert("RGB"))


def crop(rgb: np.ndarray, x: int, y: int, width: int, height: int, pad: int = 8) -> np.ndarray:
    h, w = rgb.shape[:2]
    return rgb[max(0, y - pad) : min(h, y + height + pad), max(0, x - pad) : min(w, x + width + pad)]


def seal_crop(rgb: np.ndarray, document: str, effective_dpi: float) -> np.ndarray:
    """The seal's region of a registered page of a scan at `effective_dpi`."""
    x0, y0, x1, y1 = SEAL_REGIONS_MM[document]
    px = imaging.working_dpi(effective_dpi) / 25.4
    return crop(rgb, int(x0 * px), int(y0 * px), int((x1 - x0) * px), int((y1 - y0) * px), pad=0)


_PREVIEWS: OrderedDict[tuple, bytes] = OrderedDict()


def preview(
    root: str, sha256: str, source_name: str, page_in_file: int, skew_deg: float, rotated_180: bool,
    effective_dpi: float, max_width: int,
) -> bytes:
    """The registered page as a JPEG of at most `max_width` pixels, kept for the next asking."""
    key = (root, sha256, page_in_file, skew_deg, rotated_180, effective_dpi, max_width)
    with _GUARD:
        if key in _PREVIEWS:
            return _PREVIEWS[key]
    page = registered_page(root, sha256, source_name, page_in_file, skew_deg, rotated_180, effective_dpi)
    body = encode(page, "JPEG", max_width)
    with _GUARD:
        _PREVIEWS[key] = body
        while len(_PREVIEWS) > 3 * _CACHE_SIZE:
            _PREVIEWS.popitem(last=False)
    return body


def encode(rgb: np.ndarray, fmt: str = "JPEG", max_width: int | None = None) -> bytes:
    if max_width and rgb.shape[1] > max_width:
        rgb = cv2.resize(rgb, (max_width, round(rgb.shape[0] * max_width / rgb.shape[1])), interpolation=cv2.INTER_AREA)
    image = Image.fromarray(rgb)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": 88} if fmt == "JPEG" else {}))
    return buffer.getvalue()
