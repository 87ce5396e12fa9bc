"""Turning the files a user hands us into pages: decoding, and the measurements
the scanning rules need. Bad files become BadInputError naming the file."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pyspng
from PIL import Image, ImageSequence, UnidentifiedImageError

from pipeline import pdf, quality
from pipeline.domain import ScanQuality
from pipeline.errors import BadInputError

PAGE_SUFFIXES = frozenset({".png", ".tif", ".tiff", ".jpg", ".jpeg", ".pdf"})
# A scan at 600 dpi of A4 is about 35 Mpx; anything far above is not a page.
Image.MAX_IMAGE_PIXELS = 120_000_000


@dataclass(frozen=True)
class DecodedPage:
    page_in_file: int
    source_name: str  # "p0001.png", or "batch.pdf#3" for a page of a multi-page file
    rgb: np.ndarray  # H × W × 3, uint8
    quality: ScanQuality | None  # None when the caller already has it (measure=False)


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Files in the order given; a folder contributes its page files sorted by
    name. Returns (files, skipped) — skipped are a folder's non-page files
    (e.g. a truth.json beside generated samples). Named files are never skipped."""
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.iterdir(), key=lambda p: p.name):
                if child.name.startswith(".") or not child.is_file():
                    continue
                if child.suffix.lower() in PAGE_SUFFIXES:
                    files.append(child)
                else:
                    skipped.append(child)
        else:
            files.append(path)
    return files, skipped


def decode(name: str, data: bytes) -> list[DecodedPage]:
    """All pages of one file. Raises BadInputError for an empty, corrupt or
    non-image file."""
    return list(iter_pages(name, data))


def iter_pages(name: str, data: bytes, only: int | None = None, measure: bool = True) -> Iterator[DecodedPage]:
    """The pages of one file, decoded one at a time (a 200-page PDF does not fit
    in memory as pixels); `only` picks one page (1-based). Without `measure`
    the scan measurements are skipped (processing has them from ingest)."""
    if not data:
        raise BadInputError(name, "empty file (0 bytes)")
    if data[:5] == b"%PDF-":
        return _decode_pdf(name, data, only, measure)
    return _decode_image(name, data, only, measure)


# Formats and modes whose pixels OpenCV decodes exactly as Pillow's
# convert("RGB") does, about twice as fast; anything else goes through Pillow.
_FAST_FORMATS = {"PNG", "JPEG"}
_FAST_MODES = {"RGB", "RGBA", "L", "1", "P"}


def _fast_rgb(data: bytes) -> np.ndarray | None:
    if _is_plain_rgb_png(data):
        # A scanner's usual file: libspng inflates it about a third faster than
        # OpenCV's libpng (38 against 50 ms an A4 page at 200 dpi), to the same
        # pixels. A file it cannot read goes the other ways, which name the fault.
        try:
            rgb = pyspng.load(data, "RGB")
        except Exception:  # noqa: BLE001 - pyspng raises plain RuntimeErrors
            rgb = None
        if rgb is not None and rgb.dtype == np.uint8 and rgb.ndim == 3:
            return rgb
    # Decoded straight to RGB: the same pixels as BGR then swapped, without a
    # pass over the page (PNG of every mode above and JPEG checked).
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR_RGB | cv2.IMREAD_IGNORE_ORIENTATION)


def _is_plain_rgb_png(data: bytes) -> bool:
    """A PNG of 8-bit RGB (IHDR: bit depth 8, colour type 2): no palette, alpha
    or 16 bits, whose conversion could differ from Pillow's."""
    return data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and data[24:26] == b"\x08\x02"


def _decode_image(name: str, data: bytes, only: int | None, measure: bool = True) -> Iterator[DecodedPage]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            frame_count = getattr(image, "n_frames", 1)
    except UnidentifiedImageError as exc:
        raise BadInputError(name, "not an image file (unknown format)") from exc
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as exc:
        raise BadInputError(name, f"unreadable image ({_short(exc)})") from exc
    multi = frame_count > 1
    for index, frame in enumerate(ImageSequence.Iterator(image), start=1):
        if only is not None and index != only:
            continue
        source = f"{name}#{index}" if multi else name
        mode = frame.mode
        fast = None if multi or image.format not in _FAST_FORMATS or mode not in _FAST_MODES else _fast_rgb(data)
        try:
            if fast is None:
                frame.load()
                rgb = np.asarray(frame.convert("RGB"))
            else:
                rgb = fast
        except (OSError, SyntaxError, ValueError) as exc:
            raise BadInputError(source, f"corrupt image data ({_short(exc)})") from exc
        channels, bits = _channels_and_bits(frame)
        yield DecodedPage(
            page_in_file=index,
            source_name=source,
            rgb=rgb,
            quality=quality.measure(
                rgb, mode=mode, channels=channels, bits_per_channel=bits, dpi=_dpi_of(frame)
            ) if measure else None,
        )


def _decode_pdf(name: str, data: bytes, only: int | None, measure: bool = True) -> Iterator[DecodedPage]:
    count = pdf.page_count(name, data)
    embedded = pdf.embedded_images(name, data)
    for page in range(1, count + 1):
        if only is not None and page != only:
            continue
        source = f"{name}#{page}"
        scan = embedded.get(page)
        dpi = (scan.x_ppi, scan.y_ppi) if scan else None
        render_dpi = round(min(dpi)) if dpi else 200
        rgb = np.asarray(pdf.render_page(name, data, page, render_dpi))
        if scan is None:
            mode, channels, bits = "RGB", 3, 8
        else:
            channels = {"rgb": 3, "gray": 1, "cmyk": 4, "index": 3}.get(scan.colour, 3)
            bits = scan.bits_per_component
            mode = {"rgb": "RGB", "gray": "L" if bits > 1 else "1", "cmyk": "CMYK"}.get(
                scan.colour, "P"
            )
        if not measure:
            yield DecodedPage(page_in_file=page, source_name=source, rgb=rgb, quality=None)
            continue
        page_quality = quality.measure(rgb, mode=mode, channels=channels, bits_per_channel=bits, dpi=dpi)
        if scan is None:
            page_quality = _with_problem(page_quality, "no scanned image on this PDF page")
        yield DecodedPage(page_in_file=page, source_name=source, rgb=rgb, quality=page_quality)


def _with_problem(measured: ScanQuality, problem: str) -> ScanQuality:
    from dataclasses import replace

    return replace(measured, problems=(*measured.problems, problem))


def _channels_and_bits(image: Image.Image) -> tuple[int, int]:
    mode = image.mode
    if mode == "1":
        return 1, 1
    if mode == "L":
        return 1, 8
    if mode == "P":
        return 3, 8
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        return 1, 16
    if mode == "LA":
        return 1, 8
    return len(image.getbands()), 8


def _dpi_of(image: Image.Image) -> tuple[float, float] | None:
    dpi = image.info.get("dpi")
    if not dpi:
        return None
    try:
        x, y = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        return None
    if x <= 1 or y <= 1:  # JFIF "aspect ratio only" or an unset density
        return None
    # PNG stores pixels per metre; PIL gives 199.9994 for 200.
    return round(x, 1), round(y, 1)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise BadInputError(str(path), "no such file") from exc
    except IsADirectoryError as exc:
        raise BadInputError(str(path), "is a folder") from exc
    except PermissionError as exc:
        raise BadInputError(str(path), "permission denied") from exc
    except OSError as exc:
        raise BadInputError(str(path), _short(exc)) from exc
