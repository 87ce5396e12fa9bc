"""Every Tesseract call of the program goes through here; its failures become ToolError.

Tesseract runs single-threaded (OMP_THREAD_LIMIT=1): its OpenMP threads make it
several times slower on a 2-core machine, and we parallelise across pages
instead. `--dpi` is always passed because Tesseract's own guess adds junk lines,
and noise rejection is off because it drops short field lines entirely.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

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


def read(
    image: np.ndarray,
    *,
    dpi: int,
    lang: str = "jpn",
    psm: int = 7,
    whitelist: str | None = None,
) -> OcrResult:
    """Read a crop (grey or binary uint8, dark text on white)."""
    config = f"--psm {psm} --dpi {int(dpi)} {_BASE_CONFIG}"
    if whitelist:
        config += f" -c tessedit_char_whitelist={whitelist}"
    try:
        data = pytesseract.image_to_data(
            Image.fromarray(image), lang=lang, config=config, output_type=pytesseract.Output.DICT
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise ToolError("tesseract is not installed (Debian package tesseract-ocr)") from exc
    except pytesseract.TesseractError as exc:
        raise ToolError(f"tesseract failed: {exc.message.strip()[:200]}") from exc
    words = []
    for i, text in enumerate(data["text"]):
        text = text.strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
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
    return OcrResult(words=tuple(words))


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
