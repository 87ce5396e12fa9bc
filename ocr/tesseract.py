"""Every Tesseract call of the program goes through here; its failures become ToolError.

Tesseract runs single-threaded (OMP_THREAD_LIMIT=1): its OpenMP threads make it
several times slower on a 2-core machine, and we parallelise across pages
instead. `--dpi` is always passed because Tesseract's own guess adds junk lines,
and noise rejection is off because it drops short field lines entirely.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytesseract
from PIL import Image

from pipeline.errors import ToolError

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

DIGITS = "0123456789"
_BASE_CONFIG = "-c textord_noise_rejwords=0 -c textord_noise_rejrows=0"


@dataclass(frozen=True)
class OcrWord:
    text: str
    confidence: float
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True)
class OcrResult:
    """Words of one read, left to right, with Tesseract's confidence (0–100)."""

    words: tuple[OcrWord, ...]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def confidence(self) -> float:
        if not self.words:
            return 0.0
        return float(min(word.confidence for word in self.words))


def _config(dpi: int, psm: int, whitelist: str | None) -> str:
    config = f"--psm {psm} --dpi {int(dpi)} {_BASE_CONFIG}"
    if whitelist:
        config += f" -c tessedit_char_whitelist={whitelist}"
    return config


def _run(source: str | Image.Image, lang: str, config: str) -> dict:
    try:
        return pytesseract.image_to_data(source, lang=lang, config=config, output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractNotFoundError as exc:
        raise ToolError("tesseract is not installed (Debian package tesseract-ocr)") from exc
    except pytesseract.TesseractError as exc:
        raise ToolError(f"tesseract failed: {exc.message.strip()[:200]}") from exc


def _words(data: dict, page: int | None = None) -> tuple[OcrWord, ...]:
    words = []
    for i, text in enumerate(data["text"]):
        text = text.strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        if page is not None and int(data["page_num"][i]) != page:
            continue
        words.append(
            OcrWord(
                text=text,
                confidence=conf,
                left=int(data["left"][i]),
                top=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
            )
        )
    return tuple(words)


def read(
    image: np.ndarray,
    *,
    dpi: int,
    lang: str = "jpn",
    psm: int = 7,
    whitelist: str | None = None,
) -> OcrResult:
    """Read a crop (grey or binary uint8, dark text on white)."""
    return OcrResult(_words(_run(Image.fromarray(image), lang, _config(dpi, psm, whitelist))))


def read_many(
    images: list[np.ndarray],
    *,
    dpi: int,
    lang: str = "jpn",
    psm: int = 7,
    whitelist: str | None = None,
) -> list[OcrResult]:
    """Read several crops with one Tesseract process: it is given a list file,
    so its model is loaded once (a start costs about 0.1 s, a field crop about
    0.02 s after that)."""
    if not images:
        return []
    if len(images) == 1:
        return [read(images[0], dpi=dpi, lang=lang, psm=psm, whitelist=whitelist)]
    with tempfile.TemporaryDirectory(prefix="gbiz-ocr-") as scratch:
        names = []
        for index, image in enumerate(images):
            name = str(Path(scratch) / f"crop{index:03d}.png")
            # PNG level 1: these are small crops, and speed matters more than size.
            cv2.imwrite(name, image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
            names.append(name)
        listing = Path(scratch) / "crops.txt"
        listing.write_text("\n".join(names) + "\n", encoding="utf-8")
        data = _run(str(listing), lang, _config(dpi, psm, whitelist))
    return [OcrResult(_words(data, page=index + 1)) for index in range(len(images))]


def version() -> str:
    try:
        return str(pytesseract.get_tesseract_version())
    except pytesseract.TesseractNotFoundError as exc:
        raise ToolError("tesseract is not installed (Debian package tesseract-ocr)") from exc


def languages() -> list[str]:
    try:
        return list(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError as exc:
        raise ToolError("tesseract is not installed (Debian package tesseract-ocr)") from exc
