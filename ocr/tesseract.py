"""Every Tesseract call of the program goes through here; its failures become ToolError.

Tesseract runs single-threaded (OMP_THREAD_LIMIT=1): its OpenMP threads make it
several times slower on a 2-core machine, and we parallelise across pages
instead. `--dpi` is always passed because Tesseract's own guess adds junk lines,
and noise rejection is off because it drops short field lines entirely.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytesseract
from PIL import Image

from pipeline.errors import ToolError

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

DIGITS = "0123456789"
_BASE_CONFIG = "-c textord_noise_rejwords=0 -c textord_noise_rejrows=0"


@dataclass
class Usage:
    """What this process spent in Tesseract (read by `gbiz-review bench`)."""

    calls: int = 0
    crops: int = 0
    seconds: float = 0.0


usage = Usage()


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


def engine() -> str:
    """Which way Tesseract is called: "tesserocr" (its C++ API in this process,
    each model loaded once per process) when that module is installed, else
    "pytesseract" (the command line, one process per call).
    GBIZ_REVIEW_OCR_ENGINE chooses explicitly."""
    chosen = os.environ.get("GBIZ_REVIEW_OCR_ENGINE", "").strip().lower()
    if chosen in ("pytesseract", "tesserocr"):
        return chosen
    return "tesserocr" if _tesserocr_available() else "pytesseract"


def read(
    image: np.ndarray,
    *,
    dpi: int,
    lang: str = "jpn",
    psm: int = 7,
    whitelist: str | None = None,
) -> OcrResult:
    """Read a crop (grey or binary uint8, dark text on white)."""
    return read_many([image], dpi=dpi, lang=lang, psm=psm, whitelist=whitelist)[0]


def read_many(
    images: list[np.ndarray],
    *,
    dpi: int,
    lang: str = "jpn",
    psm: int = 7,
    whitelist: str | None = None,
) -> list[OcrResult]:
    """Read several crops with the same settings."""
    if not images:
        return []
    started = time.perf_counter()
    if engine() == "tesserocr":
        results = [_api_read(image, dpi, lang, psm, whitelist) for image in images]
    else:
        results = _cli_read_many(images, dpi=dpi, lang=lang, psm=psm, whitelist=whitelist)
    usage.calls += 1
    usage.crops += len(images)
    usage.seconds += time.perf_counter() - started
    return results


def read_page_text(path: str, *, dpi: int, lang: str = "jpn") -> str:
    """A whole page read the plain way (Tesseract's own layout analysis): the
    baseline `gbiz-review bench` compares the zone reader with."""
    try:
        return pytesseract.image_to_string(path, lang=lang, config=f"--psm 3 --dpi {int(dpi)}")
    except pytesseract.TesseractNotFoundError as exc:
        raise ToolError("tesseract is not installed (Debian package tesseract-ocr)") from exc
    except pytesseract.TesseractError as exc:
        raise ToolError(f"tesseract failed: {exc.message.strip()[:200]}") from exc


def _cli_read_many(
    images: list[np.ndarray], *, dpi: int, lang: str, psm: int, whitelist: str | None
) -> list[OcrResult]:
    """Several crops with one Tesseract process: it is given a list file, so
    its model is loaded once (a start costs about 0.1 s, a field crop about
    0.02 s after that)."""
    if len(images) == 1:
        return [OcrResult(_words(_run(Image.fromarray(images[0]), lang, _config(dpi, psm, whitelist))))]
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


# --- tesserocr: the same Tesseract library, called in-process ----------------------


@cache
def _tesserocr_available() -> bool:
    """tesserocr is used only when it runs the same Tesseract as the command
    line: the PyPI wheel bundles a newer Tesseract whose output differs on a
    fifth of field crops, so setup builds tesserocr against Debian's library."""
    try:
        import tesserocr
    except ImportError:
        return False
    library = tesserocr.tesseract_version().split()[1] if tesserocr.tesseract_version() else ""
    try:
        command_line = str(pytesseract.get_tesseract_version())
    except (pytesseract.TesseractNotFoundError, OSError):
        return False
    return library.split(".")[:2] == command_line.split(".")[:2]


# One API object per model and settings, per process (the workers are processes).
_APIS: dict[tuple[str, int, str | None], object] = {}


def _api(lang: str, psm: int, whitelist: str | None):  # type: ignore[no-untyped-def]
    import tesserocr

    key = (lang, psm, whitelist)
    api = _APIS.get(key)
    if api is None:
        try:
            api = tesserocr.PyTessBaseAPI(lang=lang, psm=psm)
        except RuntimeError as exc:
            raise ToolError(f"tesseract could not load the model {lang!r}: {exc}") from exc
        api.SetVariable("textord_noise_rejwords", "0")
        api.SetVariable("textord_noise_rejrows", "0")
        if whitelist:
            api.SetVariable("tessedit_char_whitelist", whitelist)
        _APIS[key] = api
    return api


def _api_read(image: np.ndarray, dpi: int, lang: str, psm: int, whitelist: str | None) -> OcrResult:
    import tesserocr

    api = _api(lang, psm, whitelist)
    # The pixels as they are: SetImage(PIL image) would write a BMP and have
    # Leptonica read it back (8-bit grey either way, so the same words).
    pixels = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = pixels.shape[:2]
    depth = 1 if pixels.ndim == 2 else pixels.shape[2]
    data = pixels.tobytes()  # Tesseract does not copy it: kept alive until Recognize is done
    api.SetImageBytes(data, width, height, depth, width * depth)
    api.SetSourceResolution(int(dpi))
    api.Recognize()
    words = []
    iterator = api.GetIterator()
    level = tesserocr.RIL.WORD
    if iterator is not None:
        for word in tesserocr.iterate_level(iterator, level):
            try:
                text = (word.GetUTF8Text(level) or "").strip()
            except RuntimeError:  # tesserocr's way of saying "an empty word"
                continue
            if not text:
                continue
            box = word.BoundingBox(level)
            if box is None:
                continue
            x0, y0, x1, y1 = box
            # The command line's TSV rounds confidences to whole numbers; so do we,
            # so that both engines give the same results.
            words.append(OcrWord(text, float(int(word.Confidence(level))), x0, y0, x1 - x0, y1 - y0))
    api.Clear()
    return OcrResult(tuple(words))
