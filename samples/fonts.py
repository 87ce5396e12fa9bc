"""The Japanese faces documents are printed in, and a check that a face has a glyph."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import ImageFont


@dataclass(frozen=True)
class Face:
    path: str
    index: int  # face inside a .ttc collection (0 = the JP face of Noto CJK)
    style: str  # "gothic" or "mincho"


_OPENTYPE = "/usr/share/fonts/opentype"
_ALL_FACES: tuple[Face, ...] = (
    Face(f"{_OPENTYPE}/ipaexfont-gothic/ipaexg.ttf", 0, "gothic"),
    Face(f"{_OPENTYPE}/ipafont-gothic/ipag.ttf", 0, "gothic"),
    Face(f"{_OPENTYPE}/noto/NotoSansCJK-Regular.ttc", 0, "gothic"),
    Face(f"{_OPENTYPE}/ipaexfont-mincho/ipaexm.ttf", 0, "mincho"),
    Face(f"{_OPENTYPE}/ipafont-mincho/ipam.ttf", 0, "mincho"),
    Face(f"{_OPENTYPE}/noto/NotoSerifCJK-Regular.ttc", 0, "mincho"),
)
# Big bold face for the latent 複写 and seals' strong strokes.
_BOLD_CANDIDATES: tuple[Face, ...] = (
    Face(f"{_OPENTYPE}/noto/NotoSansCJK-Bold.ttc", 0, "gothic"),
    Face(f"{_OPENTYPE}/ipaexfont-gothic/ipaexg.ttf", 0, "gothic"),
)
_SERIF_BOLD_CANDIDATES: tuple[Face, ...] = (
    Face(f"{_OPENTYPE}/noto/NotoSerifCJK-Bold.ttc", 0, "mincho"),
    Face(f"{_OPENTYPE}/ipaexfont-mincho/ipaexm.ttf", 0, "mincho"),
)


def _installed(faces: tuple[Face, ...]) -> tuple[Face, ...]:
    return tuple(f for f in faces if Path(f.path).is_file())


FACES: tuple[Face, ...] = _installed(_ALL_FACES)
GOTHIC: tuple[Face, ...] = tuple(f for f in FACES if f.style == "gothic")
MINCHO: tuple[Face, ...] = tuple(f for f in FACES if f.style == "mincho")
if not GOTHIC or not MINCHO:
    raise RuntimeError(
        "samples needs a Japanese Gothic and a Mincho face (fonts-ipaexfont or fonts-noto-cjk)"
    )
BOLD: Face = (_installed(_BOLD_CANDIDATES) or GOTHIC)[0]
SERIF_BOLD: Face = (_installed(_SERIF_BOLD_CANDIDATES) or MINCHO)[0]
# Noto CJK JP holds every variant kanji the names use; the fallback for any other face.
FALLBACK: Face = next((f for f in FACES if "Noto" in f.path), FACES[0])


@lru_cache(maxsize=512)
def font(face: Face, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(face.path, max(size_px, 4), index=face.index)


def pt_to_px(points: float, dpi: int) -> int:
    return max(1, round(points * dpi / 72.0))


def _mask_key(face: Face, ch: str) -> tuple[tuple[int, int], bytes]:
    mask = font(face, 32).getmask(ch)
    return mask.size, np.asarray(mask).tobytes()


@lru_cache(maxsize=8192)
def has_glyph(face: Face, ch: str) -> bool:
    """False when the face would draw its .notdef box for `ch`: compare with a code
    point no font maps (U+10FFFD, private use plane 16)."""
    if ch.isspace():
        return True
    return _mask_key(face, ch) != _mask_key(face, "\U0010fffd")


def face_for(text: str, preferred: Face) -> Face:
    """`preferred` when it can draw every character of `text`, else the fallback face."""
    if all(has_glyph(preferred, ch) for ch in text):
        return preferred
    return FALLBACK
