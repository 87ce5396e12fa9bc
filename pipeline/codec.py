"""PageAnalysis to JSON and back, so that the flows' steps can pass ids and
keep what reading a page found in the database instead of in memory."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

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
    return json.dumps(dataclasses.asdict(analysis), ensure_ascii=False)


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
    )
