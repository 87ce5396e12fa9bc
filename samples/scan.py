"""What a scanner does to a printed page, and writing the result as PNG, TIFF, JPEG or PDF.

documents.md, "What a scan does to a page": rotation up to ±3°, upside-down pages,
shift up to ±10 mm, scale 97–103 %, JPEG compression (quality 60–95), sensor noise,
slight blur, uneven lighting and a colour cast.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image


@dataclass(frozen=True)
class ScanParams:
    upside_down: bool
    rotation_deg: float  # skew, counter-clockwise, not counting the 180° of upside_down
    shift_mm: tuple[float, float]
    scale: float
    blur_sigma: float
    noise_sigma: float
    jpeg_quality: int
    light_falloff: float  # how much darker the dimmest corner is (0 = even)
    cast: tuple[float, float, float]  # per-channel gain, the scanner's colour cast
    backing: int  # grey level of the scanner lid / ADF backing around a moved page


CLEAN = ScanParams(False, 0.0, (0.0, 0.0), 1.0, 0.0, 0.0, 95, 0.0, (1.0, 1.0, 1.0), 255)


def draw_params(rng: random.Random, damage: bool, upside_down_rate: float = 0.07) -> ScanParams:
    """Random scan conditions for one page; CLEAN (quality 95 for lossy formats) without damage."""
    if not damage:
        return CLEAN
    # Most feeds are nearly straight; a few pages go in badly skewed.
    skew = rng.gauss(0.0, 0.8) if rng.random() < 0.8 else rng.uniform(-3.0, 3.0)
    rotation = max(-3.0, min(3.0, skew))
    cast_r = rng.uniform(0.96, 1.0)
    cast_g = rng.uniform(0.96, 1.0)
    cast_b = rng.uniform(0.92, 1.0)
    return ScanParams(
        upside_down=rng.random() < upside_down_rate,
        rotation_deg=round(rotation, 3),
        # Guides keep most pages within a few millimetres; a few drift up to 10 mm.
        shift_mm=(_clipped_gauss(rng, 3.5, 10.0), _clipped_gauss(rng, 3.5, 10.0)),
        scale=round(rng.uniform(0.97, 1.03), 4),
        blur_sigma=rng.uniform(0.3, 0.9),
        noise_sigma=rng.uniform(1.0, 4.0),
        jpeg_quality=rng.randint(60, 95),
        light_falloff=rng.uniform(0.0, 0.1),
        cast=(cast_r, cast_g, cast_b),
        backing=rng.randint(225, 250),
    )


def _clipped_gauss(rng: random.Random, sigma: float, limit: float) -> float:
    return round(max(-limit, min(limit, rng.gauss(0.0, sigma))), 2)


@lru_cache(maxsize=4)
def _noise_field(height: int, width: int, seed: int) -> np.ndarray:
    """Unit sensor noise centred on 128 (σ = 16 levels), larger than a page so each page
    takes its own window of it: one draw per batch instead of one per page."""
    rng = np.random.default_rng([seed & 0xFFFFFFFFFFFFFFFF, 0x5CA9])
    field = rng.normal(128.0, 16.0, (height + 97, width + 97, 3)).astype(np.float32)
    out = np.clip(field, 0, 255).astype(np.uint8)
    out.setflags(write=False)
    return out


def scan(
    page: np.ndarray, params: ScanParams, dpi: int, nrng: np.random.Generator, noise_seed: int
) -> np.ndarray:
    """Apply the scan damage in `params` to a clean RGB page; returns RGB uint8 of the same size."""
    if params == CLEAN:
        return page
    height, width = page.shape[:2]
    k = dpi / 25.4
    angle = params.rotation_deg + (180.0 if params.upside_down else 0.0)
    m = cv2.getRotationMatrix2D((width / 2, height / 2), angle, params.scale)
    m[0, 2] += params.shift_mm[0] * k
    m[1, 2] += params.shift_mm[1] * k
    backing = (params.backing,) * 3
    out = cv2.warpAffine(
        page,
        m,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=backing,
    )
    # Uneven lighting and colour cast as one smooth per-channel gain.
    coarse = 1.0 - params.light_falloff * nrng.random((3, 4), dtype=np.float32)
    gain = np.stack([coarse * c for c in params.cast], axis=-1)
    gain_u8 = np.clip(gain * 255.0, 0, 255).astype(np.uint8)
    gain_full = cv2.resize(gain_u8, (width, height), interpolation=cv2.INTER_LINEAR)
    out = cv2.multiply(out, gain_full, scale=1.0 / 255.0)
    out = cv2.GaussianBlur(out, (0, 0), params.blur_sigma)
    noise = _noise_field(height, width, noise_seed)
    oy, ox = (int(v) for v in nrng.integers(0, 97, 2))
    window = noise[oy : oy + height, ox : ox + width]
    s = params.noise_sigma / 16.0
    out = cv2.addWeighted(out, 1.0, window, s, -128.0 * s)
    return out


def jpeg_roundtrip(page: np.ndarray, quality: int) -> np.ndarray:
    """The scanner's own JPEG compression, kept even when the file is saved losslessly."""
    bgr = cv2.cvtColor(page, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def convert_colour(page: np.ndarray, colour: str) -> Image.Image:
    """The stored image for a colour mode: RGB, grey (L), bilevel (1), or an RGB file
    that holds only 16 colours."""
    if colour == "rgb":
        return Image.fromarray(np.ascontiguousarray(page), "RGB")
    grey = cv2.cvtColor(np.ascontiguousarray(page), cv2.COLOR_RGB2GRAY)
    if colour == "grey":
        return Image.fromarray(grey, "L")
    if colour == "bilevel":
        binary = np.where(grey > 150, 255, 0).astype(np.uint8)
        return Image.fromarray(binary, "L").convert("1", dither=Image.Dither.NONE)
    if colour == "rgb16":
        rgb = Image.fromarray(np.ascontiguousarray(page), "RGB")
        quantized = rgb.quantize(16, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        return quantized.convert("RGB")
    raise ValueError(f"unknown colour mode {colour!r}")


def save_image(image: Image.Image, path: Path, image_format: str, dpi: int, quality: int) -> None:
    """Write one page with fixed options, so the same image gives the same bytes."""
    if image_format == "png":
        if image.mode == "1":
            image.save(path, "PNG", dpi=(dpi, dpi), compress_level=6)
        else:
            path.write_bytes(_png_bytes(np.asarray(image), dpi))
    elif image_format == "tiff":
        compression = "group4" if image.mode == "1" else "tiff_lzw"
        image.save(path, "TIFF", dpi=(dpi, dpi), compression=compression)
    elif image_format == "jpeg":
        image.save(
            path,
            "JPEG",
            dpi=(dpi, dpi),
            quality=quality,
            subsampling=2,
            optimize=False,
            progressive=False,
        )
    else:
        raise ValueError(f"not a single-page format: {image_format!r}")


def _png_bytes(pixels: np.ndarray, dpi: int) -> bytes:
    """PNG through OpenCV, about twice as fast as PIL on noisy scans (one fixed row
    filter instead of PIL's per-row search), with the pHYs chunk OpenCV does not write."""
    if pixels.ndim == 3:
        pixels = cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(
        ".png",
        pixels,
        [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP],
    )
    if not ok:
        raise RuntimeError("PNG encoding failed")
    data = buf.tobytes()
    ppm = round(dpi / 0.0254)  # pixels per metre, as PNG states resolution
    body = b"pHYs" + struct.pack(">IIB", ppm, ppm, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    ihdr_end = 8 + 25  # signature, then the IHDR chunk (length, type, 13 bytes, CRC)
    return data[:ihdr_end] + chunk + data[ihdr_end:]


class PdfWriter:
    """A minimal multi-page PDF of page images, one image per page at its own resolution.

    Written by hand rather than with PIL because PIL stamps the current time into the
    file and gives every page the same resolution; here the bytes depend only on the
    pages. Colour and grey pages are stored as JPEG (as scanners do), 16-colour and
    bilevel pages losslessly so what breaks the scanning rules survives.
    """

    def __init__(self, path: Path) -> None:
        self._file = path.open("wb")
        self._offsets: dict[int, int] = {}
        self._pages: list[int] = []
        self._next = 3  # 1 = catalog, 2 = page tree, written at the end
        self._file.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _obj(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self._offsets[number] = self._file.tell()
        self._file.write(b"%d 0 obj\n" % number)
        self._file.write(body)
        if stream is not None:
            self._file.write(b"\nstream\n" + stream + b"\nendstream")
        self._file.write(b"\nendobj\n")

    def _new(self) -> int:
        number = self._next
        self._next += 1
        return number

    def add_page(self, image: Image.Image, dpi: int, quality: int, lossless: bool) -> None:
        width, height = image.size
        if image.mode == "1":
            data = zlib.compress(image.tobytes(), 6)
            params = b"/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode"
        elif lossless:
            data = zlib.compress(image.tobytes(), 6)
            space = b"/DeviceGray" if image.mode == "L" else b"/DeviceRGB"
            params = b"/ColorSpace " + space + b" /BitsPerComponent 8 /Filter /FlateDecode"
        else:
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=quality, subsampling=2, optimize=False)
            data = buf.getvalue()
            space = b"/DeviceGray" if image.mode == "L" else b"/DeviceRGB"
            params = b"/ColorSpace " + space + b" /BitsPerComponent 8 /Filter /DCTDecode"
        image_obj = self._new()
        self._obj(
            image_obj,
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d %s "
            b"/Length %d >>" % (width, height, params, len(data)),
            data,
        )
        w_pt = width * 72.0 / dpi
        h_pt = height * 72.0 / dpi
        content = b"q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q" % (w_pt, h_pt)
        content_obj = self._new()
        self._obj(content_obj, b"<< /Length %d >>" % len(content), content)
        page_obj = self._new()
        self._obj(
            page_obj,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] "
            b"/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
            % (w_pt, h_pt, image_obj, content_obj),
        )
        self._pages.append(page_obj)

    def close(self) -> None:
        kids = b" ".join(b"%d 0 R" % p for p in self._pages)
        self._obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        self._obj(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self._pages)))
        info = self._new()
        self._obj(info, b"<< /Producer (gbiz-review samples) >>")
        xref = self._file.tell()
        count = self._next
        self._file.write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
        for number in range(1, count):
            self._file.write(b"%010d 00000 n \n" % self._offsets[number])
        self._file.write(
            b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (count, info, xref)
        )
        self._file.close()
