"""Every call to poppler (through pdf2image and pdfimages) is here; its failures
become BadInputError or ToolError."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from pipeline.errors import BadInputError, ToolError


@dataclass(frozen=True)
class EmbeddedImage:
    """The scanned image behind a PDF page, as pdfimages lists it."""

    page: int
    width: int
    height: int
    colour: str  # "rgb", "gray", "cmyk", "index", ...
    bits_per_component: int
    x_ppi: float
    y_ppi: float


def _require(tool: str) -> None:
    if shutil.which(tool) is None:
        raise ToolError(f"{tool} is not installed (Debian package poppler-utils)")


def page_count(name: str, data: bytes) -> int:
    from pdf2image import pdfinfo_from_bytes
    from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError

    try:
        info = pdfinfo_from_bytes(data)
    except PDFInfoNotInstalledError as exc:
        raise ToolError("pdfinfo is not installed (Debian package poppler-utils)") from exc
    except (PDFPageCountError, PDFSyntaxError) as exc:
        raise BadInputError(name, "not a readable PDF") from exc
    pages = int(info.get("Pages", 0))
    if pages < 1:
        raise BadInputError(name, "the PDF has no pages")
    return pages


def embedded_images(name: str, data: bytes) -> dict[int, EmbeddedImage]:
    """The largest image on each page, by page number (1-based)."""
    _require("pdfimages")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        result = subprocess.run(
            ["pdfimages", "-list", handle.name], capture_output=True, text=True, timeout=120
        )
    if result.returncode != 0:
        raise BadInputError(name, "not a readable PDF")
    found: dict[int, EmbeddedImage] = {}
    for line in result.stdout.splitlines()[2:]:
        parts = line.split()
        if len(parts) < 14 or not parts[0].isdigit():
            continue
        try:
            image = EmbeddedImage(
                page=int(parts[0]),
                width=int(parts[3]),
                height=int(parts[4]),
                colour=parts[5],
                bits_per_component=int(parts[7]),
                x_ppi=float(parts[12]),
                y_ppi=float(parts[13]),
            )
        except ValueError:
            continue
        if parts[2] not in ("image",):  # skip masks and stencils
            continue
        best = found.get(image.page)
        if best is None or image.width * image.height > best.width * best.height:
            found[image.page] = image
    return found


def render_page(name: str, data: bytes, page: int, dpi: int) -> Image.Image:
    from pdf2image import convert_from_bytes
    from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError

    try:
        with tempfile.TemporaryDirectory() as scratch:
            images = convert_from_bytes(
                data, dpi=dpi, first_page=page, last_page=page, output_folder=Path(scratch),
                fmt="ppm",
            )
            if not images:
                raise BadInputError(f"{name}#{page}", "poppler rendered nothing for this page")
            image = images[0].convert("RGB")
            image.load()
            return image
    except PDFInfoNotInstalledError as exc:
        raise ToolError("pdftoppm is not installed (Debian package poppler-utils)") from exc
    except (PDFPageCountError, PDFSyntaxError) as exc:
        raise BadInputError(f"{name}#{page}", "not a readable PDF page") from exc
