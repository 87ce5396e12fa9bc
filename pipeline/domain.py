"""The typed, immutable objects passed between the pipeline's stages.

Everything here is plain data: the stages are functions over these objects, and
only `pipeline.storage` turns them into database rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

import numpy as np


class PageKind(StrEnum):
    FORM = "form"
    CERTIFICATE = "certificate"
    CHECK_SHEET = "check_sheet"
    OTHER_DOCUMENT = "other_document"  # e.g. 履歴事項全部証明書 sent in place of the certificate
    BLANK = "blank"
    UNKNOWN = "unknown"


class Status(StrEnum):
    AUTO_APPROVED = "auto_approved"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    DENIED = "denied"
    RESCAN = "rescan"


class Reason(StrEnum):
    # Reasons to deny (documents.md, "What makes it wrong").
    MISMATCH = "MISMATCH"
    EXPIRED = "EXPIRED"
    MISSING = "MISSING"
    COPY = "COPY"
    CORRECTED = "CORRECTED"
    DENIED_BEFORE = "DENIED_BEFORE"
    DUPLICATE = "DUPLICATE"
    OTHER = "OTHER"
    # The system's own reasons to hold; never reasons to deny.
    LOW_CONFIDENCE = "LOW_CONFIDENCE"
    UNIDENTIFIED = "UNIDENTIFIED"


DENIAL_REASONS = frozenset(
    {
        Reason.MISMATCH,
        Reason.EXPIRED,
        Reason.MISSING,
        Reason.COPY,
        Reason.CORRECTED,
        Reason.DENIED_BEFORE,
        Reason.DUPLICATE,
        Reason.OTHER,
    }
)


class FieldName(StrEnum):
    APPLICATION_ID = "application_id"
    CORPORATE_NUMBER = "corporate_number"
    NAME = "name"
    KANA = "kana"
    BIRTH_DATE = "birth_date"
    ISSUE_DATE = "issue_date"
    COMPANY_NUMBER = "company_number"  # the certificate's 12-digit 会社法人等番号


class Document(StrEnum):
    FORM = "form"
    CERTIFICATE = "certificate"


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels of the stored original, as scanned (before any turn)."""

    x: int
    y: int
    width: int
    height: int


# A page with a smaller share of clearly coloured pixels looks grey.
MIN_COLOURFUL_SHARE = 0.0002


@dataclass(frozen=True)
class ScanQuality:
    """What the scanning rules are judged on, measured from the file and its pixels."""

    width_px: int
    height_px: int
    dpi_x: float | None  # from the file's metadata; None when it has none
    dpi_y: float | None
    effective_dpi: float  # from the pixel size, assuming an A4 page
    mode: str  # the file's own mode, e.g. "RGB", "L", "1", "P"
    channels: int
    bits_per_channel: int
    distinct_levels: int  # fewest distinct values found in any colour channel
    colour_spread: float  # mean (max − min) over R, G, B
    colourful_share: float = 1.0  # share of clearly coloured pixels; 0 for a grey image saved as RGB
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def looks_grey(self) -> bool:
        """No clearly coloured pixel at all (quality.COLOURFUL_CHROMA): under a
        tenth of a form's red seal, about 0.2 % of its pixels."""
        return self.channels >= 3 and self.colourful_share < MIN_COLOURFUL_SHARE


@dataclass(frozen=True)
class SourcePage:
    """One page as it arrived: where it came from and the stored original's hash."""

    seq: int  # 0-based position in the batch, scan order
    source_name: str  # e.g. "p0001.png" or "batch.pdf#3"
    original_sha256: str
    page_in_file: int  # 1-based for PDFs and multi-page TIFFs, else 1


@dataclass(frozen=True)
class ExtractedField:
    document: Document
    name: FieldName
    raw_text: str
    value: str | None  # normalised; None when it could not be read
    confidence: float  # 0..100
    page_seq: int
    box: Box | None
    # Other normalised readings of the same zone (other binarisation or model);
    # matching may accept one of them when it agrees with the other document.
    alternatives: tuple[str, ...] = ()

    @property
    def readings(self) -> tuple[str, ...]:
        first = (self.value,) if self.value else ()
        return first + tuple(a for a in self.alternatives if a and a != self.value)

    def led_by(self, value: str, raw_text: str | None = None, confidence: float | None = None) -> ExtractedField:
        """The same field showing `value` (one of its readings, or one agreed
        elsewhere), every other reading kept as an alternative."""
        return replace(
            self, value=value, alternatives=tuple(r for r in self.readings if r != value),
            raw_text=self.raw_text if raw_text is None else raw_text,
            confidence=self.confidence if confidence is None else confidence,
        )


@dataclass(frozen=True)
class PageAnalysis:
    """What the pipeline learnt from one page."""

    seq: int
    kind: PageKind
    quality: ScanQuality
    rotated_180: bool
    skew_deg: float
    application_id: str | None = None  # on a form: from the QR code or the printed ID
    # "qr" | "qr-conflict" (the printed ID clearly shows another ID) | "ocr+glyphs"
    # (OCR confirmed digit by digit) | "ocr"
    application_id_source: str | None = None
    fields: tuple[ExtractedField, ...] = ()
    findings: tuple[str, ...] = ()  # e.g. "photocopy: no colour", "correction: blue ink"
    copy_suspected: bool = False
    correction_suspected: bool = False
    title_text: str = ""
    # The form's rows struck through by hand (their layout names: "name",
    # "birth_date", ...): what they print is no longer what the applicant says.
    struck_rows: tuple[str, ...] = ()
    # Ink of the representative's name line (upright, binarised), kept for the
    # glyph check that settles names between the two documents.
    name_ink: np.ndarray | None = field(default=None, compare=False, repr=False)
    # Ink of the birth-date line (form or certificate): a date the other
    # document reads otherwise is checked against its printed digits
    # (matching.glyph_fields).
    date_ink: np.ndarray | None = field(default=None, compare=False, repr=False)
    # Ink of the form's 法人番号 line, for the same check.
    number_ink: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class FieldComparison:
    field: FieldName
    form_value: str | None
    cert_value: str | None
    method: str
    score: float
    equal: bool
    # Neither equal nor shown to differ: the readings could not settle it (a
    # reviewer looks; LOW_CONFIDENCE rather than MISMATCH).
    unsure: bool = False
    # How strongly an equal comparison is established, 0–100 (matching.compare):
    # the decision's confidence threshold applies to it.
    confidence: float = 100.0


@dataclass(frozen=True)
class Decision:
    status: Status
    reasons: tuple[Reason, ...]
    details: tuple[str, ...]
    policy_version: str
    decided_by: str = "auto"
    decided_at: datetime | None = None


@dataclass(frozen=True)
class ApplicationResult:
    """One envelope: its pages, what was read, and what was decided."""

    seq: int
    application_id: str | None
    page_seqs: tuple[int, ...]
    fields: tuple[ExtractedField, ...]
    comparisons: tuple[FieldComparison, ...]
    cert_issue_date: date | None
    decision: Decision
    findings: tuple[str, ...] = field(default=())

    def field_value(self, document: Document, name: FieldName) -> str | None:
        for item in self.fields:
            if item.document == document and item.name == name:
                return item.value
        return None
