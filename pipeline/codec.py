"""PageAnalysis to JSON and back, so that the flows' steps can pass ids and
keep what reading a page found in the database instead of in memory."""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Any

import cv2
import numpy as np

from pipeline.domain import (
    Box,
    Document,
    ExtractedField,
    FieldName,
    PageAnalysis,
    PageKind,
    ScanQuality,
)


def analysis_to_json(analysis: PageAnalysis) -> str:
    data = dataclasses.asdict(dataclasses.replace(analysis, name_ink=None, date_ink=None, number_ink=None))
    # The name and date lines' ink (for the glyph checks) as small PNGs, not lists of floats.
    data["name_ink"] = _ink_to_text(analysis.name_ink)
    data["date_ink"] = _ink_to_text(analysis.date_ink)
    data["number_ink"] = _ink_to_text(analysis.number_ink)
    return json.dumps(data, ensure_ascii=False)


def _ink_to_text(ink: np.ndarray | None) -> str | None:
    if ink is None:
        return None
    ok, png = cv2.imencode(".png", np.clip(ink * 255.0 + 0.5, 0, 255).astype(np.uint8))
    return base64.b64encode(png.tobytes()).decode("ascii") if ok else None


def _ink_from_text(text: str | None) -> np.ndarray | None:
    if not text:
        return None
    grey = cv2.imdecode(np.frombuffer(base64.b64decode(text), np.uint8), cv2.IMREAD_GRAYSCALE)
    return None if grey is None else grey.astype(np.float32) / 255.0


def _field(data: dict[str, Any]) -> ExtractedField:
    box = data.get("box")
    return ExtractedField(
        document=Document(data["document"]), name=FieldName(data["name"]), raw_text=data["raw_text"],
        value=data["value"], confidence=data["confidence"], page_seq=data["page_seq"],
        box=Box(**box) if box else None, alternatives=tuple(data.get("alternatives", ())),
    )


def analysis_from_json(text: str) -> PageAnalysis:
    data = json.loads(text)
    quality = dict(data["quality"])
    quality["problems"] = tuple(quality.get("problems", ()))
    return PageAnalysis(
        seq=data["seq"], kind=PageKind(data["kind"]), quality=ScanQuality(**quality),
        rotated_180=data["rotated_180"], skew_deg=data["skew_deg"], application_id=data["application_id"],
        application_id_source=data["application_id_source"], fields=tuple(_field(f) for f in data["fields"]),
        findings=tuple(data["findings"]), copy_suspected=data["copy_suspected"],
        correction_suspected=data["correction_suspected"], title_text=data["title_text"],
        struck_rows=tuple(data.get("struck_rows", ())),
        name_ink=_ink_from_text(data.get("name_ink")),
        date_ink=_ink_from_text(data.get("date_ink")),
        number_ink=_ink_from_text(data.get("number_ink")),
    )
