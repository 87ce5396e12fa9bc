"""Reading one page: blank or not, which way up, what document, and its fields.

Each page is read on its own (pages are analysed in parallel); tying pages into
applications and judging them happens later, in `grouping` and `decide`.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from importlib import resources

import cv2
import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from matching import glyph_fields, kana
from matching.names import comparable_name
from ocr import tesseract
from pipeline import eras, glyphs, identifiers, imaging
from pipeline.domain import (
    Box,
    Document,
    ExtractedField,
    FieldName,
    PageAnalysis,
    PageKind,
    ScanQuality,
)
from pipeline.text import digits_only, normalise_name, to_halfwidth

# Punctuation Tesseract puts between the characters of a name.
_LITTER = str.maketrans("", "", ".,'`\"、。･:;|_")
APPLICATION_ID = re.compile(r"GB\d{12}")
# 資格 printed before the representative's name (documents.md, and the forms of
# company the generator knows: 合資会社 prints 無限責任社員).
QUALIFICATIONS = (
    "代表取締役", "代表執行役", "代表社員", "代表理事", "無限責任社員", "取締役", "理事", "代表清算人", "清算人",
)
BLANK_INK_FRACTION = 0.0015


@cache
def layouts() -> dict:
    text = resources.files("pipeline").joinpath("data/layouts.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class _Frame:
    """Maps millimetres on the printed page to pixels of the prepared page."""

    px_per_mm: float
    dx: float = 0.0  # pixel offset of the printed page's origin
    dy: float = 0.0

    def x(self, mm: float) -> int:
        return int(round(self.dx + mm * self.px_per_mm))

    def y(self, mm: float) -> int:
        return int(round(self.dy + mm * self.px_per_mm))

    def mm(self, value: float) -> int:
        return int(round(value * self.px_per_mm))


def analyse_page(
    rgb: np.ndarray, seq: int, quality: ScanQuality, received: date, thorough: frozenset[FieldName] = frozenset()
) -> PageAnalysis:
    """Everything one page tells; `received` bounds the dates that can be meant
    when an era name is misread. `thorough`: the fields whose zones a second
    look (at an application the quick reading could not settle) reads with
    every variant; the others are read as quickly as the first time, and so
    read the same."""
    token = _THOROUGH_FIELDS.set(thorough)
    try:
        return _analyse_page(rgb, seq, quality, received)
    finally:
        _THOROUGH_FIELDS.reset(token)


def _analyse_page(rgb: np.ndarray, seq: int, quality: ScanQuality, received: date) -> PageAnalysis:
    rgb = imaging.at_working_resolution(rgb, quality.effective_dpi)
    working_dpi = imaging.working_dpi(quality.effective_dpi)
    px_per_mm = working_dpi / 25.4
    dpi = int(round(working_dpi))
    balanced = imaging.white_balance(rgb)
    red = imaging.red_mask(balanced)
    grey = imaging.grey_without_red(balanced, red)
    ink = imaging.ink_mask(grey)
    # Edges of the scan (shadows of the feeder) are not content.
    margin = int(5 * px_per_mm)
    inner = ink[margin:-margin, margin:-margin]
    if imaging.ink_fraction(inner) < BLANK_INK_FRACTION and not red.any():
        return PageAnalysis(seq=seq, kind=PageKind.BLANK, quality=quality, rotated_180=False, skew_deg=0.0)

    skew = imaging.estimate_skew(ink)
    upright = imaging.prepare(balanced, px_per_mm, skew, upside_down=False)
    flipped: imaging.Prepared | None = None

    def turned() -> imaging.Prepared:
        nonlocal flipped
        if flipped is None:
            # The upright page turned over: the same as preparing it upside down.
            flipped = imaging.turned_over(upright)
        return flipped

    def certificate_page(
        page: imaging.Prepared, upside_down: bool
    ) -> tuple[imaging.Prepared, float, tuple[int, int] | None]:
        """The page to read as a certificate, the angle the scan was turned
        by, and its seal box's corner (None: not found). A photocopy's latent 複写 is a grid of dots 1 mm apart, which can
        mislead the skew estimate (aliased at its quarter size, it set three
        seen copies at the mirror angle: −1.15° where +1.14° was right); the
        seal box's rules then slant too much to be found, every row is cut
        aslant, and the copy was held as MISSING. The prepared ink has the
        dots taken out: its own angle is measured (a straight page measures
        0.45° at most) and the scan prepared again, twice at most."""
        corner = _seal_box(page, layouts()["certificate"])
        if corner is not None or imaging.latent_dots_of(page)[0] < LATENT_COPY_TILES:
            return page, skew, corner
        angle = skew
        for least in COPY_RESKEW_MIN_DEG:
            residual = imaging.estimate_skew(page.ink)
            if abs(residual) < least:
                break
            angle += residual
            page = imaging.prepare(balanced, px_per_mm, angle, upside_down)
        return page, angle, _seal_box(page, layouts()["certificate"]) if angle != skew else None

    # The form carries a QR code in its top-right corner: cheap and decisive.
    qr = _find_form_qr(upright)
    if qr is not None:
        return _read_form(upright, seq, quality, skew, False, dpi, qr)
    # Turned pages show the code bottom-left; the turned page is prepared only then.
    payload = _qr_bottom_left(rgb, grey, px_per_mm)
    if payload is not None:
        qr = _find_form_qr(turned())
        if qr is None and APPLICATION_ID.fullmatch(payload):
            # The scan's own pixels held the code but the deskewed copy lost it
            # (a code at the very edge): its payload still names the form, and
            # the table's rules place the page.
            return _read_form(turned(), seq, quality, skew, True, dpi, None, qr_payload=payload)
        if qr is not None:
            return _read_form(turned(), seq, quality, skew, True, dpi, qr)
    for upside_down in (False, True):
        page = turned() if upside_down else upright
        kind, score, title = _classify_by_title(page, dpi)
        if kind is PageKind.FORM and _has_form_table(page):
            return _read_form(page, seq, quality, skew, upside_down, dpi, None, title)
        if kind is PageKind.FORM:
            continue  # a title alone is weak evidence for a form without its QR code
        if kind is PageKind.CERTIFICATE or (kind is PageKind.OTHER_DOCUMENT and score < 80):
            # A garbled title is settled by the content: only the company's
            # certificate carries a 会社法人等番号 where its layout puts it.
            page, angle, corner = certificate_page(page, upside_down)
            analysis = _read_certificate(page, corner, seq, quality, angle, upside_down, dpi, title, received)
            if score >= 80 or _has_company_number(analysis):
                return analysis
            kind = PageKind.OTHER_DOCUMENT if kind is PageKind.OTHER_DOCUMENT else PageKind.UNKNOWN
        if kind is not PageKind.UNKNOWN:
            return PageAnalysis(
                seq=seq, kind=kind, quality=quality, rotated_180=upside_down, skew_deg=skew,
                title_text=title,
            )
    # No title read (a photocopy's latent 複写 can swamp it): a page with the
    # certificate's seal box and a 会社法人等番号 where the layout puts it is one.
    for upside_down in (False, True):
        page, angle, corner = certificate_page(turned() if upside_down else upright, upside_down)
        if corner is not None:
            analysis = _read_certificate(page, corner, seq, quality, angle, upside_down, dpi, "", received)
            if _has_company_number(analysis):
                return replace(analysis, findings=(*analysis.findings, "title unreadable; known by its layout"))
    return PageAnalysis(
        seq=seq, kind=PageKind.UNKNOWN, quality=quality, rotated_180=False, skew_deg=skew,
        findings=("no known document title found",),
    )


# --- classification ----------------------------------------------------------


def _find_form_qr(page: imaging.Prepared) -> tuple[str, np.ndarray] | None:
    """The form's QR code sits in the top-right corner of an upright page."""
    height, width = page.grey.shape
    if not imaging.may_hold_qr(page.grey[: height // 4, width // 2 :], page.px_per_mm):
        return None
    corner = page.rgb[: height // 4, width // 2 :]
    found = imaging.find_qr(corner)
    if found is None:
        return None
    payload, points = found
    return payload.strip(), points + np.array([width // 2, 0])


def _qr_bottom_left(rgb: np.ndarray, grey: np.ndarray, px_per_mm: float) -> str | None:
    """The payload of a QR code where an upside-down form has it (bottom-left
    of the scan as it came), or None."""
    height, width = rgb.shape[:2]
    if not imaging.may_hold_qr(grey[height - height // 4 :, : width // 2], px_per_mm):
        return None
    found = imaging.find_qr(np.ascontiguousarray(rgb[height - height // 4 :, : width // 2]))
    return found[0].strip() if found else None


def _has_company_number(analysis: PageAnalysis) -> bool:
    return any(f.name is FieldName.COMPANY_NUMBER and f.value for f in analysis.fields)


def _has_form_table(page: imaging.Prepared) -> bool:
    """The form's two tables give at least six long horizontal rules in its upper part."""
    frame = _Frame(page.px_per_mm)
    long_rules = imaging.horizontal_rules(page.grey[: frame.y(230)] < 190, frame.mm(layouts()["form"]["table_rules_min_length_mm"]))
    return len(long_rules) >= 6


def _classify_by_title(page: imaging.Prepared, dpi: int) -> tuple[PageKind, float, str]:
    """Read the title band (y 5–45 mm): the tallest text row in it is the title;
    it is read on its own as one line, the band as a block as a second opinion."""
    frame = _Frame(page.px_per_mm)
    # Titles are centred; the QR code (x 170–195) and check boxes stay out.
    x0, x1, y0, y1 = frame.x(20), frame.x(165), frame.y(5), frame.y(45)
    texts = []
    rows = [
        row for row in imaging.text_rows(page.ink[y0:y1, x0:x1], min_height=frame.mm(2))
        if row[1] < (y1 - y0) - 2  # a row cut by the band's edge is the next line, not the title
    ]
    if rows:
        top, bottom = max(rows, key=lambda r: r[1] - r[0])
        pad = frame.mm(1.5)
        crop = imaging.ocr_crop(page.grey, x0, y0 + top - pad, x1, y0 + bottom + pad)
        texts.append(tesseract.read(crop, dpi=dpi, psm=7).text)
        kind, score = title_match(texts[-1])
        if kind is not PageKind.UNKNOWN:
            return kind, score, texts[-1]
    crop = imaging.ocr_crop(page.grey, x0, y0, x1, y1)
    texts.append(tesseract.read(crop, dpi=dpi, psm=6).text)
    kind, score = title_match(texts[-1])
    return kind, score, " / ".join(texts)


# Titles as printed; letter-spacing is dropped before matching.
TITLES: tuple[tuple[str, PageKind], ...] = (
    ("履歴事項全部証明書", PageKind.OTHER_DOCUMENT),
    ("印鑑登録証明書", PageKind.OTHER_DOCUMENT),  # a person's, not the company's
    ("チェックシート", PageKind.CHECK_SHEET),
    ("gBizIDプライム登録申請書", PageKind.FORM),
    ("印鑑証明書", PageKind.CERTIFICATE),
)
TITLE_MIN_SCORE = 60.0


def title_kind(text: str) -> PageKind:
    return title_match(text)[0]


def title_match(text: str) -> tuple[PageKind, float]:
    """Which document a title belongs to, and how sure (0–100): the known title
    that the text holds most of (Tesseract misreads a character or two of a
    title now and then)."""
    squeezed = re.sub(r"\s+", "", to_halfwidth(text))
    if not squeezed:
        return PageKind.UNKNOWN, 0.0
    # Unambiguous fragments first: a 履歴事項 certificate also ends in 証明書.
    if any(word in squeezed for word in ("履歴", "事項", "全部証明", "登記簿", "印鑑登録", "登録証明")):
        return PageKind.OTHER_DOCUMENT, 100.0
    if "gBiz" in squeezed or "登録申請" in squeezed:
        return PageKind.FORM, 100.0
    scores = [(fuzz.partial_ratio(title, squeezed), -rank, kind) for rank, (title, kind) in enumerate(TITLES)]
    # Ties go to the later, shorter titles (印鑑証明書 before 印鑑登録証明書 when
    # only 証明書 was read); the caller checks a weak certificate match by its content.
    best, _, kind = max(scores, key=lambda item: (item[0], -item[1]))
    return (kind, best) if best >= TITLE_MIN_SCORE else (PageKind.UNKNOWN, best)


# --- the application form -----------------------------------------------------


def _read_form(
    page: imaging.Prepared,
    seq: int,
    quality: ScanQuality,
    skew: float,
    upside_down: bool,
    dpi: int,
    qr: tuple[str, np.ndarray] | None,
    title: str = "",
    qr_payload: str | None = None,
) -> PageAnalysis:
    layout = layouts()["form"]
    findings: list[str] = []
    if qr is not None:
        # The QR's top-left corner is printed at (170, 10) mm: that places the page.
        corner = qr[1].min(axis=0)
        frame = _Frame(page.px_per_mm, corner[0] - 170 * page.px_per_mm, corner[1] - 10 * page.px_per_mm)
    else:
        frame = _frame_from_table(page, layout)

    if qr is not None:
        qr_payload = qr[0]
    if not qr_payload:
        # A form found by its title and table: its code may still decode with
        # more effort (spent only on these few pages).
        qr_payload = _harder_qr(page, frame)
    qr_id = qr_payload if qr_payload and APPLICATION_ID.fullmatch(qr_payload) else None
    # The printed ID is read either way: without a QR code it is the ID; with
    # one, the cross-check. A QR payload carries its own error correction and
    # OCR of 14 characters does not (a misread digit now and then), so only a
    # different ID that the printed digits clearly show, where they do not
    # show the code's, is a conflict; a damaged or misread print is not.
    printed_id = _read_printed_id(page, frame, dpi, layout)
    conflict = bool(
        qr_id and printed_id and printed_id != qr_id
        and _printed_id_shown(page, frame, layout, printed_id)
        and not _printed_id_shown(page, frame, layout, qr_id)
    )
    if conflict:
        findings.append(f"QR code says {qr_id} but the printed ID reads {printed_id}")
    application_id = qr_id or printed_id
    id_source = ("qr-conflict" if conflict else "qr") if qr_id else ("ocr" if printed_id else None)
    if printed_id and not qr_id and _printed_id_shown(page, frame, layout, printed_id):
        id_source = "ocr+glyphs"

    rows, divider = _form_rows(page, frame, layout)
    boxes = {
        name: _value_box(rows[name.value], divider, frame, layout)
        for name in (FieldName.CORPORATE_NUMBER, FieldName.NAME, FieldName.BIRTH_DATE)
    }
    correction, struck = _correction_marks(page, frame, rows, layout)
    page, boxes = _struck_print(page, frame, boxes, struck)
    name_ink = _line_ink(page, boxes[FieldName.NAME])
    date_ink = _line_ink(page, boxes[FieldName.BIRTH_DATE])
    number_ink = _line_ink(page, boxes[FieldName.CORPORATE_NUMBER])
    # Each line is asked about several readings: prepared once.
    date_line, number_line = glyphs.PrintedLine(date_ink), glyphs.PrintedLine(number_ink)
    template = _template_western_date(date_line)
    readings, confirmed = _read_variants(page, boxes, dpi, FORM_VARIANTS, {
        FieldName.CORPORATE_NUMBER: _parse_corporate_number,
        FieldName.NAME: name_from_words,
        FieldName.BIRTH_DATE: lambda r: eras.parse_western_date(r.text.replace(" ", "")),
    }, confirmers={
        # The 13 digits with a valid check digit, shown cell by cell by the glyphs.
        FieldName.CORPORATE_NUMBER: lambda value: glyphs.clearly_shows(number_line, str(value)),
        # The date as the digit template read it, or shown cell by cell.
        FieldName.BIRTH_DATE: lambda value: value == template or glyph_fields.shows_form_date(date_line, value),
    }, own_variants={FieldName.CORPORATE_NUMBER: FORM_NUMBER_VARIANTS})
    number = _number_field(Document.FORM, FieldName.CORPORATE_NUMBER, readings, boxes, seq)
    birth = _with_template(_date_field(Document.FORM, FieldName.BIRTH_DATE, readings, boxes, seq, None), template)
    if FieldName.CORPORATE_NUMBER in confirmed:
        number = _confirmed_by_glyphs(number)
    if FieldName.BIRTH_DATE in confirmed and birth.confidence < 100:
        birth = _confirmed_by_glyphs(birth)
    name, kana_field = _name_by_kana(
        page, _value_box(rows["kana"], divider, frame, layout), dpi, seq,
        _name_field(Document.FORM, readings, boxes, seq, name_ink), glyphs.line_layout(name_ink),
    )
    fields = [
        _shown_first(number, lambda value: glyphs.clearly_shows(number_line, value)),
        name,
        _best_fitting_date(
            _shown_first(birth, lambda value: glyph_fields.shows_form_date(date_line, date.fromisoformat(value))),
            date_line,
        ),
    ]
    if kana_field is not None:
        fields.append(kana_field)

    fields.append(_id_field(seq, _id_bounds(frame, layout), qr_payload, printed_id, application_id, id_source))
    findings.extend(correction)
    return PageAnalysis(
        seq=seq,
        kind=PageKind.FORM,
        quality=quality,
        rotated_180=upside_down,
        skew_deg=skew,
        application_id=application_id,
        application_id_source=id_source,
        fields=tuple(fields),
        findings=tuple(findings),
        correction_suspected=bool(correction),
        struck_rows=struck,
        title_text=title,
        name_ink=name_ink,
        date_ink=date_ink,
        number_ink=number_ink,
    )


def _value_box(row: tuple[int, int], divider: int, frame: _Frame, layout: dict) -> tuple[int, int, int, int]:
    """A form row's value cell, inside its rules."""
    top, bottom = row
    x0 = divider + frame.mm(1.5)
    return x0, top + frame.mm(1.2), divider + frame.mm(layout["value_width_mm"]), bottom - frame.mm(1.2)


def _name_by_kana(
    page: imaging.Prepared, box: tuple[int, int, int, int], dpi: int, seq: int, name: ExtractedField,
    layout: glyphs.LineLayout | None,
) -> tuple[ExtractedField, ExtractedField | None]:
    """Where the form's name was read more than one way, the フリガナ row breaks
    the tie: the reading whose kanji it spells best leads (kana.choose_by_kana).
    The others stay alternatives; agreement with the certificate still settles
    the comparison, as for any field. Returns the name and the kana field
    (None when the name's readings agreed, so the row was not read).

    Kana spell a name loosely (ヒロシ is 浩 by a nanori, and 浩二 or 広志 plainly),
    so only readings with as many characters in each word as the printed line
    shows are weighed, where some reading has them."""
    if len({comparable_name(reading) for reading in name.readings}) < 2:
        return name, None
    counts = layout.chars_per_word() if layout is not None and len(layout.groups) == 2 else None
    candidates = [r for r in name.readings if tuple(len(word) for word in r.split(" ")) == counts] or list(name.readings)
    kana_field, chosen = None, None
    for variant in KANA_VARIANTS:
        crop = (imaging.ocr_crop if variant.crop == "binary" else imaging.grey_crop)(page.grey, *box)
        result = tesseract.read(crop, dpi=dpi, lang=variant.lang)
        spelled = " ".join(result.text.split())
        chosen = kana.choose_by_kana(candidates, spelled)
        if kana_field is None or chosen is not None:
            kana_field = ExtractedField(
                Document.FORM, FieldName.KANA, result.text, spelled if kana.fold(spelled) else None,
                result.confidence, seq, _box(box),
            )
        if chosen is not None:
            break
    if chosen is None:
        return name, kana_field
    return name.led_by(chosen, raw_text=f"{name.raw_text} | フリガナ {kana_field.value} spells {chosen}"), kana_field


def _harder_qr(page: imaging.Prepared, frame: _Frame) -> str | None:
    """The QR code's corner region (printed at x 170–195, y 10–35 mm, with a
    margin) binarised, and enlarged twice: a worn or faint code the plain
    detector missed often decodes so."""
    x0, y0 = max(0, frame.x(160)), max(0, frame.y(0))
    corner = page.grey[y0 : frame.y(45), x0 : frame.x(205)]
    if corner.size == 0:
        return None
    _, binary = cv2.threshold(corner, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    for attempt in (binary, cv2.resize(binary, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)):
        found = imaging.find_qr(cv2.cvtColor(attempt, cv2.COLOR_GRAY2RGB))
        if found is not None:
            return found[0].strip()
    return None


def _frame_from_table(page: imaging.Prepared, layout: dict) -> _Frame:
    """Without the QR code, the table's rules place the page: the first rule and
    the label/value divider against their printed positions."""
    nominal = _Frame(page.px_per_mm)
    rows, divider = _form_rows(page, nominal, layout)
    dy = rows[layout["table1_rows"][0]][0] - layout["nominal_rules_y"][0] * page.px_per_mm
    dx = divider - layout["nominal_divider_x"] * page.px_per_mm
    return _Frame(page.px_per_mm, dx, dy)


def _id_bounds(frame: _Frame, layout: dict) -> tuple[int, int, int, int]:
    zone = layout["application_id"]
    return frame.x(zone["x0"]), frame.y(zone["y0"]), frame.x(zone["x1"]), frame.y(zone["y1"])


def _id_field(
    seq: int, bounds: tuple[int, int, int, int], qr_payload: str | None, printed_id: str | None,
    application_id: str | None, source: str | None,
) -> ExtractedField:
    """The 申請書ID as an extracted field (the reviewer sees its printed crop):
    settled from the QR code, or from OCR the printed digits confirmed; OCR
    alone is not trusted on its own (39), and a print that names another ID
    than the code leaves it unsure (0, the printed one as the alternative)."""
    confidence = {"qr": 100.0, "ocr+glyphs": 100.0, "ocr": UNSURE_CONFIDENCE}.get(source or "", 0.0)
    alternatives = (printed_id,) if source == "qr-conflict" and printed_id else ()
    raw = f"QR code: {qr_payload or 'none'} | printed, by OCR: {printed_id or 'unread'}"
    return ExtractedField(
        Document.FORM, FieldName.APPLICATION_ID, raw, application_id, confidence, seq, _box(bounds), alternatives
    )


def _read_printed_id(page: imaging.Prepared, frame: _Frame, dpi: int, layout: dict) -> str | None:
    crop = imaging.ocr_crop(page.grey, *_id_bounds(frame, layout))
    text = tesseract.read(crop, dpi=dpi, lang="eng", psm=7, whitelist="GB" + tesseract.DIGITS).text
    match = APPLICATION_ID.search(text.replace(" ", ""))
    return match.group(0) if match else None


# An ID names the applicant: each of its digits must lead every other digit
# (measured: right IDs lead by 0.07–0.15 on forms drawn in the installed
# faces, 0.13 or more on generated scans; a misread digit loses to the printed
# one, a negative lead).
ID_DIGIT_LEAD = 0.05


def _printed_id_shown(page: imaging.Prepared, frame: _Frame, layout: dict, printed_id: str) -> bool:
    """Whether the printed 申請書ID clearly shows `printed_id`, digit by digit
    (glyphs.clearly_shows): a second, independent reader of an ID whose QR
    code could not be decoded, and the judge of a print that OCR reads as
    another ID than the code's."""
    return glyphs.clearly_shows(_line_ink(page, _id_bounds(frame, layout)), printed_id, min_lead=ID_DIGIT_LEAD)


def _form_rows(page: imaging.Prepared, frame: _Frame, layout: dict) -> tuple[dict[str, tuple[int, int]], int]:
    """Row bands (top, bottom) by field name, and the x of the label/value divider.
    The table's own rules place them; nominal positions are the fallback."""
    min_length = frame.mm(layout["table_rules_min_length_mm"])
    # Only the table's part of the page is searched (the same rules as the whole page gives).
    found = [y for y, _x0, _x1 in imaging.rules_within(page.grey, 190, min_length, (frame.y(50), frame.y(215)))]
    names = layout["table1_rows"] + layout["table2_rows"]
    rules = _fit_rules(found, [frame.y(y) for y in layout["nominal_rules_y"]], tolerance=frame.mm(2.5))
    bands = [(rules[i], rules[i + 1]) for i in range(3)] + [(rules[4 + i], rules[5 + i]) for i in range(6)]
    rows = dict(zip(names, bands, strict=True))

    verticals = imaging.rules_within(page.grey[rules[0] : rules[-1]], 190, frame.mm(20), (frame.x(40), frame.x(90)), vertical=True)
    dividers = [x for x, _y0, _y1 in verticals]
    divider = dividers[0] if dividers else frame.x(layout["nominal_divider_x"])
    return rows, divider


def _fit_rules(found: list[int], nominal: list[int], tolerance: int) -> list[int]:
    """Pair the rules found with the ones the layout expects: choose the shift
    that lines up the most of them, take each found rule that lines up, and
    put the missing ones where the others say they should be."""
    if not found:
        return nominal
    # Every (found, nominal) pair proposes a shift, in that order; the first
    # shift with the most nominal rules that land near some found rule wins.
    seen, expected = np.array(found), np.array(nominal)
    shifts = (seen[:, None] - expected[None, :]).ravel()
    lands = np.abs(expected[None, :, None] + shifts[:, None, None] - seen[None, None, :]) <= tolerance
    best_shift = int(shifts[int(np.argmax(lands.any(axis=2).sum(axis=1)))])
    fitted = []
    for n in nominal:
        near = [g for g in found if abs(n + best_shift - g) <= tolerance]
        fitted.append(min(near, key=lambda g: abs(n + best_shift - g)) if near else n + best_shift)
    return fitted


@dataclass(frozen=True)
class _Variant:
    """One way of reading every field zone of a page: crop kind, model and,
    for a line of digits only, the characters Tesseract may answer with."""

    label: str
    crop: str  # "binary" | "grey"
    lang: str
    whitelist: str | None = None


# Measured on generated sets (names): the form reads best from the grey crop
# with the script model, the certificate from the binarised crop (its security
# pattern wrecks grey input). Each variant fails differently, so the readings
# are combined: agreement decides, not Tesseract's confidence.
FORM_VARIANTS = (
    _Variant("grey/Japanese+jpn", "grey", "Japanese+jpn"),
    _Variant("binary/jpn", "binary", "jpn"),
    _Variant("binary/Japanese+jpn", "binary", "Japanese+jpn"),
)
CERTIFICATE_VARIANTS = (
    _Variant("binary/Japanese+jpn", "binary", "Japanese+jpn"),
    _Variant("binary/jpn", "binary", "jpn"),
    _Variant("grey/jpn", "grey", "jpn"),
    _Variant("grey/Japanese+jpn", "grey", "Japanese+jpn"),
)
# The certificate's 会社法人等番号 (its label in the crop keeps the grey
# reading's thresholding off the security pattern) is read first with the
# digit-friendly model alone, on both crops. Measured on 80 certificates each
# of two generated sets: binary/jpn + grey/jpn agreed on 77 and 74 (none
# wrong) in 76 ms; binary/Japanese+jpn + binary/jpn on 75 and 76, two of them
# wrong (both models misread the same binary crop alike), in 127 ms.
CERTIFICATE_NUMBER_VARIANTS = (
    CERTIFICATE_VARIANTS[1], CERTIFICATE_VARIANTS[2], CERTIFICATE_VARIANTS[0], CERTIFICATE_VARIANTS[3],
)
# The form's 法人番号 cell holds 13 half-width digits and nothing else: it is
# read first by the Latin model limited to digits. Measured on 420 forms of two
# generated sets (a single reading each, parsed as 13 digits with a valid check
# digit): grey/eng-digits right on 418, none wrong, 14 ms; binary/eng-digits
# 412, none wrong; the Japanese model (binary/jpn, the cheapest before) 349
# with 31 wrong (0 and 9 both pass the check digit), 18 ms; the Japanese model
# ignores a digit whitelist.
FORM_NUMBER_VARIANTS = (
    _Variant("grey/eng-digits", "grey", "eng", tesseract.DIGITS),
    _Variant("binary/eng-digits", "binary", "eng", tesseract.DIGITS),
    *FORM_VARIANTS,
)

# What a field the readings leave in doubt is worth: just under the lowest
# confidence threshold a site may set (config.LOWEST_MIN_CONFIDENCE), so it is
# never approved on its own; a comparison with the other document may still
# settle it.
UNSURE_CONFIDENCE = 39.0

Readings = dict[FieldName, list[tesseract.OcrResult]]


# Variants read first; the others only for a field whose first readings disagree.
FIRST_VARIANTS = 2
# The フリガナ row, read only where the name's readings disagree: the second
# setting only when the first decides nothing. Measured on 40 generated forms,
# the kana spelled right (voicing and small kana folded): binary Japanese+jpn
# 36, binary jpn 33, grey jpn 27; most misreads repeat a kana at a word break
# (サワ タダ タ ミホ), which kana.fit_cost allows for.
KANA_VARIANTS = (_Variant("binary/Japanese+jpn", "binary", "Japanese+jpn"), _Variant("binary/jpn", "binary", "jpn"))
# Fields a second look reads with every variant (analyse_page's `thorough`).
_THOROUGH_FIELDS: ContextVar[frozenset[FieldName]] = ContextVar("thorough_fields", default=frozenset())


def _read_variants(
    page: imaging.Prepared,
    boxes: dict[FieldName, tuple[int, int, int, int]],
    dpi: int,
    variants: tuple[_Variant, ...],
    parsers: dict[FieldName, Callable[[tesseract.OcrResult], object]],
    confirmers: dict[FieldName, Callable[[object], bool]] | None = None,
    own_variants: dict[FieldName, tuple[_Variant, ...]] | None = None,
) -> tuple[Readings, frozenset[FieldName]]:
    """Each zone read by the first variants; a zone whose readings do not all
    parse to the same value is read by the remaining variants too (two
    independent settings agreeing is the evidence; more readings only help
    where they disagree). `own_variants`: a field's own order of the
    variants, where another pair reads it better first.

    A field with a confirmer (another, independent reader of its line: the
    digit template, the glyphs) is read first by the cheapest variant alone;
    when the confirmer shows that reading, two readers agree and the field is
    settled with one Tesseract call (returned among the confirmed fields).
    A thorough reading of a field reads it with every variant."""
    results: dict[tuple[str, FieldName], tesseract.OcrResult] = {}
    thorough = _THOROUGH_FIELDS.get() & boxes.keys()
    first = FIRST_VARIANTS
    order = {name: (own_variants or {}).get(name, variants) for name in boxes}
    confirmers = {name: check for name, check in (confirmers or {}).items() if name not in thorough}
    single = [name for name in boxes if name in confirmers]
    # One model, not two.
    cheap = {name: min(order[name][:first], key=lambda v: "+" in v.lang) for name in single}
    _read_jobs(
        page, boxes, dpi,
        [(cheap[name], name) for name in single]
        + [(v, name) for name in boxes if name not in single for v in order[name][:first]]
        + [(v, name) for name in thorough for v in order[name][first:]],
        results,
    )
    confirmed = frozenset(
        name for name in single
        if (value := parsers[name](results[(cheap[name].label, name)])) and confirmers[name](value)
    )
    _read_jobs(
        page, boxes, dpi,
        [(v, name) for name in single if name not in confirmed for v in order[name][:first] if v is not cheap[name]],
        results,
    )

    def settled(name: FieldName) -> bool:
        values = [parsers[name](results[(v.label, name)]) for v in order[name][:first]]
        return bool(values[0]) and all(value == values[0] for value in values)

    unsettled = [name for name in boxes if name not in confirmed and name not in thorough and not settled(name)]
    _read_jobs(page, boxes, dpi, [(v, name) for name in unsettled for v in order[name][first:]], results)
    # Readings keep the field's order of variants: the first variant breaks ties.
    readings = {name: [results[(v.label, name)] for v in order[name] if (v.label, name) in results] for name in boxes}
    return readings, confirmed


def _read_jobs(
    page: imaging.Prepared,
    boxes: dict[FieldName, tuple[int, int, int, int]],
    dpi: int,
    jobs: list[tuple[_Variant, FieldName]],
    results: dict[tuple[str, FieldName], tesseract.OcrResult],
) -> None:
    """Variants that share a model share one Tesseract call (the model load is
    most of a short read's cost on the command line)."""
    by_model: dict[tuple[str, str | None], list[tuple[_Variant, FieldName]]] = {}
    for variant, name in jobs:
        by_model.setdefault((variant.lang, variant.whitelist), []).append((variant, name))
    for (lang, whitelist), group in by_model.items():
        crops = [
            (imaging.ocr_crop if variant.crop == "binary" else imaging.grey_crop)(page.grey, *boxes[name])
            for variant, name in group
        ]
        read = tesseract.read_many(crops, dpi=dpi, lang=lang, whitelist=whitelist)
        for (variant, name), result in zip(group, read, strict=True):
            results[(variant.label, name)] = result


# A certificate's era date read by template is trusted when its fixed characters
# (era, 年, 月, 日) sit where the grid puts them and every digit cell clearly
# shows one digit. Measured on generated certificates: right readings fit at
# 0.62–0.93 with digit leads of 0.08–0.25; wrong ones (half-width printing, a
# damaged cell) fit below 0.5 or lead by 0.03 at most.
TEMPLATE_MIN_FIT = 0.6
TEMPLATE_MIN_MARGIN = 0.05
# A template reading that only confirms what the Tesseract settings agree on
# may lead by less, but by more than any wrong reading measured (0.03): two
# independent readers then agree. (Four valid certificates of seed 2022921
# whose issue date a security-pattern line crosses led by 0.036–0.046.)
TEMPLATE_AGREEMENT_MARGIN = 0.03
WESTERN_TEMPLATE_MIN_OVERALL = 0.9
_USUAL_ERAS = {FieldName.BIRTH_DATE: ("昭和", "平成"), FieldName.ISSUE_DATE: ("令和",)}


def _template_date(
    ink: glyphs.PrintedLine, name: FieldName, plausible: tuple[date, date], min_margin: float = TEMPLATE_MIN_MARGIN
) -> date | None:
    """The certificate's era date read a second, independent way: the line is
    a grid of full-width cells (昭和４５年　１月２３日生, single digits padded),
    so each digit cell is matched against the ten digits drawn in the
    installed faces (pipeline.glyphs). None unless the reading is clear (each
    digit leading by `min_margin`)."""
    suffix = "生" if name is FieldName.BIRTH_DATE else ""
    found: list[date] = []
    for era in _USUAL_ERAS[name]:
        reading = glyphs.read_pattern(ink, f"{era}００年００月００日{suffix}")
        if reading is None or reading.fit < TEMPLATE_MIN_FIT or reading.digit_margin < min_margin:
            continue
        day = eras.parse_era_date(reading.text)
        if day is not None and plausible[0] <= day <= plausible[1]:
            found.append(day)
    if not found:
        # A few offices print half-width digits: then the numbers' widths vary
        # (a padded single digit or two digits), and the layout that fits best counts.
        widths = ("\u30000", "00")
        candidates = [
            glyphs.read_pattern(ink, f"{era}{y}年{m}月{d}日{suffix}")
            for era in _USUAL_ERAS[name] for y in widths for m in widths for d in widths
        ]
        readings = [c for c in candidates if c is not None]
        best = max(readings, key=lambda c: c.overall, default=None)
        if best is not None and best.overall >= WESTERN_TEMPLATE_MIN_OVERALL and best.digit_margin >= min_margin:
            day = eras.parse_era_date(best.text)
            if day is not None and plausible[0] <= day <= plausible[1]:
                found.append(day)
    return found[0] if len(found) == 1 else None


# The certificate's 会社法人等番号 line as printed, with full- or half-width digits.
COMPANY_NUMBER_PATTERNS = ("会社法人等番号\u3000００００－００－００００００", "会社法人等番号\u30000000-00-000000")


def _template_company_number(line: glyphs.PrintedLine) -> str | None:
    """The certificate's 会社法人等番号 read by template (its label and hyphens
    must sit where the pattern puts them, each digit cell must clearly show
    one digit), or None. A second, independent reader: where it agrees with
    one Tesseract reading, the second setting is not run. Measured on 60
    certificates of a generated set: 53 read, none wrong, 8 ms a line
    (Tesseract's grey reading of the line costs 55 ms)."""
    for pattern in COMPANY_NUMBER_PATTERNS:
        reading = glyphs.read_pattern(line, pattern)
        if reading is not None and reading.fit >= TEMPLATE_MIN_FIT and reading.digit_margin >= TEMPLATE_MIN_MARGIN:
            digits = digits_only(to_halfwidth(reading.text))
            return digits if len(digits) == 12 else None  # a cell read as empty
    return None


def _number_with_template(item: ExtractedField, template: str | None, confirmed: bool) -> ExtractedField:
    """The certificate's 会社法人等番号 where the digit template agrees with
    Tesseract: two independent readers, settled. `confirmed`: the template
    showed the one reading taken (the second setting was not run); else,
    where the settings disagree (…1100… twice, …1400… twice), the reading
    the template agrees with."""
    if confirmed:
        return replace(item, raw_text=f"{item.raw_text} | template: {item.value}", confidence=100.0)
    if template is None or template not in item.readings or item.confidence >= 100:
        return item
    return item.led_by(template, raw_text=f"{item.raw_text} | template: {template}", confidence=100.0)


def _template_western_date(ink: glyphs.PrintedLine) -> date | None:
    """The form's birth date (1970年1月23日, half-width digits) read by
    template from its line's ink: the layout of one- or two-digit month and day
    that fits best, its digits matched cell by cell. None unless the reading is clear."""
    candidates = [glyphs.read_pattern(ink, f"0000年{m}月{d}日") for m in ("0", "00") for d in ("0", "00")]
    found = [c for c in candidates if c is not None]
    if not found:
        return None
    best = max(found, key=lambda c: c.overall)
    # Half-width digits are narrow (a "1" is a few pixels wide): only a reading
    # whose every cell fits well counts (right readings measured at ≥ 0.94,
    # wrong ones at ≤ 0.88).
    if best.overall < WESTERN_TEMPLATE_MIN_OVERALL or best.digit_margin < TEMPLATE_MIN_MARGIN:
        return None
    return eras.parse_western_date(best.text)


def _with_template(item: ExtractedField, template: date | None) -> ExtractedField:
    """Two independent readers agreeing (Tesseract and the template) settle a
    date; the template alone is only an alternative, and a template that
    contradicts every Tesseract reading leaves the date unsure."""
    if template is None:
        return item
    value = template.isoformat()
    raw = f"{item.raw_text} | template: {value}"
    if value in item.readings:
        return item.led_by(value, raw_text=raw, confidence=100.0)
    # The template contradicts every Tesseract reading: neither is trusted.
    if item.value is None:
        return replace(item, raw_text=raw, value=value, confidence=min(item.confidence, UNSURE_CONFIDENCE))
    return replace(item, raw_text=raw, confidence=min(item.confidence, UNSURE_CONFIDENCE), alternatives=(*item.alternatives, value))


def _confirmed_by_glyphs(item: ExtractedField) -> ExtractedField:
    """A field's one Tesseract reading that the glyphs showed cell by cell:
    two independent readers agree."""
    return replace(item, raw_text=f"{item.raw_text} | glyphs: {item.value}", confidence=100.0)


def _shown_first(item: ExtractedField, shows: Callable[[str], bool]) -> ExtractedField:
    """Of a field's disagreeing readings, the one the printed line clearly `shows`
    (glyphs.clearly_shows, digit by digit) becomes its value: 0 and 9 are both
    valid in a 法人番号 (its check digit is modulo 9), and a form's narrow
    digits are misread alike by several settings. The confidence stays as the
    readings left it; the comparison with the certificate still uses them all."""
    if len(item.readings) < 2:
        return item
    shown = [value for value in item.readings if shows(value)]
    if len(shown) != 1 or shown[0] == item.value:
        return item
    return item.led_by(shown[0])


def _best_fitting_date(item: ExtractedField, line: glyphs.PrintedLine) -> ExtractedField:
    """A form date whose readings disagree shows the one its printed digits
    clearly prefer (glyph_fields.best_fitting_form_date): two settings misread
    a narrow 4 as 1 alike more often than one does. Display only: the
    confidence stays as the readings left it, and the comparison with the
    certificate still uses every reading."""
    preferred = glyph_fields.best_fitting_form_date(line, item.readings)
    if preferred is None or preferred == item.value:
        return item
    return item.led_by(preferred)


def _line_ink(page: imaging.Prepared, bounds: tuple[int, int, int, int]) -> np.ndarray:
    """A text line's ink map, for the glyph checks and template readings."""
    return glyphs.ink_map(imaging.grey_crop(page.grey, *bounds))


def _box(bounds: tuple[int, int, int, int]) -> Box:
    x0, y0, x1, y1 = bounds
    return Box(x0, y0, x1 - x0, y1 - y0)


def _combine(
    document: Document,
    name: FieldName,
    results: list[tesseract.OcrResult],
    parse,  # type: ignore[no-untyped-def]
    bounds: tuple[int, int, int, int],
    seq: int,
) -> ExtractedField:
    """The field from several readings: each is parsed by the field's format;
    the value is the one most readings agree on (the first reading breaks
    ties), the others are kept as alternatives. Confidence is 100 when two
    readings agree, else the best Tesseract confidence of the parsed ones."""
    parsed = [(parse(result), result) for result in results]
    values = [v for v, _ in parsed if v]
    raw = " | ".join(result.text for result in results)
    if not values:
        return ExtractedField(document, name, raw, None, 0.0, seq, _box(bounds))
    counts = {v: values.count(v) for v in values}
    value = max(values, key=lambda v: (counts[v], -values.index(v)))
    if len(counts) == 1 and len(values) >= 2:
        confidence = 100.0  # every reading that parsed says the same
    elif len(counts) == 1:
        confidence = max(r.confidence for v, r in parsed if v == value)
    else:
        # Readings disagree: the most agreed one leads but is not trusted on its
        # own; a comparison with the other document may still settle it.
        confidence = min(UNSURE_CONFIDENCE, max(r.confidence for v, r in parsed if v == value))
    alternatives = tuple(dict.fromkeys(v for v in values if v != value))
    return ExtractedField(document, name, raw, value, confidence, seq, _box(bounds), alternatives)


def _parse_corporate_number(result: tesseract.OcrResult) -> str | None:
    digits = digits_only(result.text)
    return digits if len(digits) == 13 and identifiers.is_valid_corporate_number(digits) else None


def _parse_company_number(result: tesseract.OcrResult) -> str | None:
    found = identifiers.parse_company_number(result.text)
    if found:
        return found
    # The label's kanji hold no digits: twelve digits on the line are the number.
    digits = digits_only(result.text)
    return digits if len(digits) == 12 else None


def _number_field(document, name, readings, boxes, seq) -> ExtractedField:  # type: ignore[no-untyped-def]
    parse = _parse_corporate_number if name is FieldName.CORPORATE_NUMBER else _parse_company_number
    return _combine(document, name, readings[name], parse, boxes[name], seq)


def _name_field(document, readings, boxes, seq, ink=None) -> ExtractedField:  # type: ignore[no-untyped-def]
    layout = glyphs.line_layout(ink) if ink is not None else None

    def parse_split(result: tesseract.OcrResult) -> str | None:
        if document is Document.CERTIFICATE:
            result = _over_the_print(result, layout)
            by_gaps = certificate_name(result)
            return split_by_ink(_name_by_printed_words(result, layout, by_gaps) or by_gaps, layout, document) or None
        return split_by_ink(name_from_words(result), layout, document) or None

    return _combine(document, FieldName.NAME, readings[FieldName.NAME], parse_split, boxes[FieldName.NAME], seq)


def _name_by_printed_words(result: tesseract.OcrResult, layout: glyphs.LineLayout | None, by_gaps: str) -> str | None:
    """The certificate's name as Tesseract's words over the line's last two
    printed words (資格, family name, given name), where `by_gaps`
    (certificate_name's grouping by the gaps between Tesseract's words) does not hold as
    many characters as those printed words do, and this one does. Kana sit
    apart: 石田 さくら read as 石田 さく ら became the groups さく and ら, and
    the name さく ら (seed 2830729). None where it does not apply."""
    if layout is None or len(layout.groups) < 3:
        return None
    counts = layout.chars_per_word()[-2:]
    if len(by_gaps.replace(" ", "")) == sum(counts):
        return None
    parts = ["", ""]
    for word in result.words:
        # The printed word a Tesseract word overlaps most: its box can run
        # past its characters (on a photocopy, 冬 boxed from the middle of 田
        # into the gap after it; by its centre it belonged to no word).
        overlaps = [min(word.left + word.width, x1) - max(word.left, x0) for x0, x1 in layout.groups]
        best = overlaps.index(max(overlaps))
        if overlaps[best] > 0 and best >= len(layout.groups) - 2:
            parts[best - len(layout.groups) + 2] += normalise_name(word.text).replace(" ", "").translate(_LITTER)
    if not all(parts) or len(parts[0]) + len(parts[1]) != sum(counts):
        return None
    return f"{parts[0]} {parts[1]}"


def _over_the_print(result: tesseract.OcrResult, layout: glyphs.LineLayout | None) -> tesseract.OcrResult:
    """Tesseract's words that lie over the printed line (its ink's extent,
    with a line height to spare). On a photocopy the latent 複写 runs on past
    the name in dotted letters, which the layout leaves out and Tesseract
    reads as HH or 1005か: as the line's last groups, they became the name
    (金子 健一 read, HHR HH taken; seed 2426325)."""
    if layout is None:
        return result
    x0, x1 = layout.groups[0][0] - layout.height, layout.groups[-1][1] + layout.height
    kept = tuple(word for word in result.words if word.left < x1 and word.left + word.width > x0)
    return result if len(kept) == len(result.words) else tesseract.OcrResult(kept)


def split_by_ink(name: str, layout: glyphs.LineLayout | None, document: Document) -> str:
    """The family/given boundary taken from the printed line itself. Tesseract's
    word boxes often run across the full-width space (浜田's box reaching into
    隆), so the gap between its words is no guide; the ink is. Printed Japanese
    sits on a square grid: a word of n characters is about n line heights wide.
    The name is the line's last two words (a certificate prints the 資格 first);
    when the reading's characters number what those words hold, they are split
    there. Otherwise the reading's own split stands."""
    if layout is None or len(layout.groups) < 2 or not name:
        return name
    counts = layout.chars_per_word()[-2:]
    chars = name.replace(" ", "")
    if document is Document.FORM and len(layout.groups) != 2:
        return name
    if len(chars) == sum(counts):
        return f"{chars[: counts[0]]} {chars[counts[0] :]}"
    if document is Document.CERTIFICATE and len(chars) > sum(counts) and _is_qualification(chars[: -sum(counts)]):
        # The 資格 was read into the name (代表社員 大蔵さくら): the line's last two words are the name.
        tail = chars[-sum(counts) :]
        return f"{tail[: counts[0]]} {tail[counts[0] :]}"
    if document is Document.CERTIFICATE and " " in name:
        # The qualification may have been cut wrongly: the name is the line's tail.
        family, given = name.split(" ", 1)
        if len(given) == counts[1] and len(family) > counts[0]:
            return f"{family[-counts[0]:]} {given}"
    return name


def _date_field(document, name, readings, boxes, seq, plausible) -> ExtractedField:  # type: ignore[no-untyped-def]
    def parse(result: tesseract.OcrResult) -> str | None:
        if plausible is None:
            found = eras.parse_western_date(result.text.replace(" ", ""))
        else:
            found = eras.parse_era_date_near(result.text, *plausible)
        return found.isoformat() if found else None

    item = _combine(document, name, readings[name], parse, boxes[name], seq)
    if item.value is None and plausible is None:
        repaired = [d.isoformat() for r in readings[name] for d in eras.repaired_western_dates(r.text)]
        if repaired:
            # Not a value, only candidates: confidence stays 0 unless the
            # certificate agrees with one of them.
            item = replace(item, alternatives=tuple(dict.fromkeys(repaired)))
    return item


def name_from_words(result: tesseract.OcrResult) -> str:
    """A name as 'family given': Tesseract splits Japanese into arbitrary words,
    so the family/given boundary is taken from the widest gap between
    characters, when it is clearly wider than the spacing between letters."""
    words = [w for w in result.words if w.text.translate(_LITTER).strip()]
    if not words:
        return ""
    parts = [normalise_name(w.text).replace(" ", "").translate(_LITTER) for w in words]
    if len(words) == 1:
        return parts[0]
    gaps = [after.left - (before.left + before.width) for before, after in zip(words, words[1:], strict=False)]
    char_height = max(1, int(np.median([w.height for w in words])))
    widest = int(np.argmax(gaps))
    if gaps[widest] >= 0.5 * char_height:
        return f"{''.join(parts[: widest + 1])} {''.join(parts[widest + 1 :])}"
    return "".join(parts)


# --- the seal certificate ------------------------------------------------------


def _read_certificate(
    page: imaging.Prepared, seal_corner: tuple[int, int] | None, seq: int, quality: ScanQuality, skew: float,
    upside_down: bool, dpi: int, title: str, received: date,
) -> PageAnalysis:
    """`seal_corner`: the seal box as _seal_box found it on `page` (None: not found)."""
    layout = layouts()["certificate"]
    copy_findings = _photocopy_signs(page)
    dotted, dots = imaging.latent_dots_of(page)
    dotted_copy = dotted >= LATENT_COPY_TILES
    if dotted_copy:
        findings_dots = f"the latent 複写 shows as dotted letters ({dotted} dotted 10 mm tiles): a photocopy"
        copy_findings.append(findings_dots)
        # The dotted letters cross the text lines: painted out, the text reads.
        grey, ink = page.grey.copy(), page.ink.copy()
        grey[dots] = 255
        ink[dots] = False
        page = replace(page, grey=grey, ink=ink)
        seal_corner = _seal_box(page, layout)  # looked for again on the painted page
    frame = _seal_box_frame(page, layout, seal_corner)
    boxes = _certificate_rows(page, frame, layout)
    if dotted_copy:
        page = _line_without_dots(page, dots, boxes[FieldName.ISSUE_DATE])
    fields: list[ExtractedField] = []
    plausible = {
        # A representative is an adult; a certificate is at most a few decades
        # old (older ones are EXPIRED, and must still be read as what they are).
        FieldName.BIRTH_DATE: (date(1900, 1, 1), date(received.year - 15, 12, 31)),
        FieldName.ISSUE_DATE: (date(received.year - 30, 1, 1), received + timedelta(days=366)),
    }
    date_lines = {name: glyph_fields.DateLine(_line_ink(page, boxes[name])) for name in (FieldName.BIRTH_DATE, FieldName.ISSUE_DATE)}
    templates = {name: _template_date(line.printed, name, plausible[name]) for name, line in date_lines.items()}
    number_template = _template_company_number(glyphs.PrintedLine(_line_ink(page, boxes[FieldName.COMPANY_NUMBER])))
    readings, confirmed = _read_variants(page, boxes, dpi, CERTIFICATE_VARIANTS, {
        FieldName.COMPANY_NUMBER: _parse_company_number,
        FieldName.NAME: certificate_name,
        FieldName.BIRTH_DATE: lambda r: eras.parse_era_date_near(r.text, *plausible[FieldName.BIRTH_DATE]),
        FieldName.ISSUE_DATE: lambda r: eras.parse_era_date_near(r.text, *plausible[FieldName.ISSUE_DATE]),
    }, confirmers={
        # A date as the digit template read its grid, or shown cell by cell
        # (_certificate_date settles it either way, by the same checks).
        **{
            name: (lambda value, name=name, suffix=suffix: value == templates[name] or date_lines[name].shows(value, suffix))
            for name, suffix in ((FieldName.BIRTH_DATE, "生"), (FieldName.ISSUE_DATE, ""))
        },
        # The number as the digit template read it.
        FieldName.COMPANY_NUMBER: lambda value: value == number_template,
    }, own_variants={FieldName.COMPANY_NUMBER: CERTIFICATE_NUMBER_VARIANTS})
    name_ink = _line_ink(page, boxes[FieldName.NAME])
    if dotted_copy:
        # The glyphs that compare the name with the form's see the letters
        # without the dots; Tesseract's readings stay those of the painted
        # line (filled in, as many names were misread, other ones).
        name_ink = glyphs.without_latent_specks(
            _line_ink(_line_without_dots(page, dots, boxes[FieldName.NAME]), boxes[FieldName.NAME]), page.px_per_mm
        )
    company = _number_field(Document.CERTIFICATE, FieldName.COMPANY_NUMBER, readings, boxes, seq)
    company = _number_with_template(company, number_template, FieldName.COMPANY_NUMBER in confirmed)
    derived = replace(
        company,
        name=FieldName.CORPORATE_NUMBER,
        value=identifiers.corporate_number_from_base(company.value) if company.value else None,
        alternatives=tuple(identifiers.corporate_number_from_base(a) for a in company.alternatives),
    )
    fields = [
        company,
        derived,
        _name_field(Document.CERTIFICATE, readings, boxes, seq, name_ink),
        *(
            _certificate_date(
                date_lines[name], templates[name], name, readings, boxes, seq, plausible[name], received,
                filled_in=dotted_copy and name is FieldName.ISSUE_DATE, photocopy=bool(copy_findings),
            )
            for name in (FieldName.BIRTH_DATE, FieldName.ISSUE_DATE)
        ),
    ]

    return PageAnalysis(
        seq=seq,
        kind=PageKind.CERTIFICATE,
        quality=quality,
        rotated_180=upside_down,
        skew_deg=skew,
        fields=tuple(fields),
        findings=tuple(copy_findings),
        copy_suspected=bool(copy_findings),
        title_text=title,
        name_ink=name_ink,
        # The birth date line's ink: the decision checks the form's date against it.
        date_ink=date_lines[FieldName.BIRTH_DATE].ink,
    )


def _certificate_rows(page: imaging.Prepared, frame: _Frame, layout: dict) -> dict[FieldName, tuple[int, int, int, int]]:
    """The crop boxes of the certificate's field rows, found near where the
    layout puts them from the seal box."""
    offsets = layout["rows_from_box_top"]
    search = frame.mm(layout["row_search_mm"])
    x0 = frame.x(layout["seal_box"]["x0"]) - frame.mm(3)
    x1 = x0 + frame.mm(layout["row_width_mm"])

    def expected(name: str) -> int:
        return frame.y(layout["seal_box"]["y0"] + offsets[name])

    def band(expected_y: int) -> tuple[int, int, int, int]:
        return _text_band(page, x0, x1, expected_y, search) or _nominal_band(expected_y, x0, x1, search)

    birth = _text_band(page, x0, x1, expected("birth_date"), search)
    # The issue date is placed from the birth date's row where that was found:
    # the seal box is far away, and small errors of scale and angle grow with
    # the distance (measured on 50 certificates: 155 mm from the box, the
    # issue date fell up to 5.1 mm from its place and the crop cut it; 47 mm
    # below the birth date, within 1.4 mm).
    issue_expected = (
        expected("issue_date") if birth is None
        else (birth[1] + birth[3]) // 2 + frame.mm(offsets["issue_date"] - offsets["birth_date"])
    )
    return {
        FieldName.COMPANY_NUMBER: band(expected("company_number")),
        FieldName.NAME: band(expected("name")),
        FieldName.BIRTH_DATE: birth or _nominal_band(expected("birth_date"), x0, x1, search),
        FieldName.ISSUE_DATE: band(issue_expected),
    }


# Two candidate dates both shown cell by cell (a half-width layout can fit a
# full-width line loosely): the one whose cells fit better by this much wins.
DATE_FIT_LEAD = 0.02


def _certificate_date(line, template, name, readings, boxes, seq, plausible, received, filled_in=False, photocopy=False) -> ExtractedField:  # type: ignore[no-untyped-def]
    """A certificate's era date (_certificate_date_read). An issue date left
    unsure whose readings disagree shows the one its printed digits clearly
    prefer (DateLine.best_fitting, the rule of the form's birth date): on the
    photocopies of eight seen sets it changed three shown dates, each to the
    printed one (２８日 to ２９日, ８月 to ９月, １月 to １１月), and no
    other. A photocopy's issue date still unsure shows the date the glyphs
    alone find (_month_shown_on_copy), one that keeps the certificate
    current: it joins the readings, and the field stays unsure."""
    item = _certificate_date_read(line, template, name, readings, boxes, seq, plausible, received, filled_in)
    if name is not FieldName.ISSUE_DATE or item.confidence >= 100:
        return item
    preferred = line.best_fitting(item.readings, "")
    if preferred is not None and preferred != item.value:
        item = item.led_by(preferred, raw_text=f"{item.raw_text} | glyphs prefer: {preferred}")
    if photocopy:
        shown = _month_shown_on_copy(line, item, plausible)
        # A date the glyphs alone found never makes a certificate expired (a
        # reason to deny): that takes a reading (the decision weighs them all).
        if shown is not None and shown != item.value and eras.certificate_is_current(date.fromisoformat(shown), received):
            # Readers and glyphs disagree: unsure, whatever the readings' confidence was.
            return item.led_by(shown, raw_text=f"{item.raw_text} | glyphs show: {shown}", confidence=min(item.confidence, UNSURE_CONFIDENCE))
    return item


def _month_shown_on_copy(line, item: ExtractedField, plausible: tuple[date, date]) -> str | None:  # type: ignore[no-untyped-def]
    """The one date a photocopy's issue-date line clearly shows (DateLine.shows)
    among its readings with their month changed (the digit template's
    reading, however unclear, where there is none). The latent 複写's dots,
    filled in, close the mouth of a ９ into an ８ and cut a １ of １１月 down
    to a stroke, and every Tesseract setting reads the same wrong month; the
    line's cells, drawn as printed, still show the right one. On the 239
    photocopies of six generated sets (three of photocopies only), it showed
    6 issue dates right that every reading had wrong, and none wrong. Only
    the month is changed: taking the template's day too showed two days wrong
    (dots make a ５ a ６ for the template as well). None when no date or
    several are shown and none clearly fits best."""
    bases = [date.fromisoformat(value) for value in item.readings]
    if not bases:
        reading = glyphs.read_pattern(line.printed, "令和００年００月００日")
        if reading is not None and (day := eras.parse_era_date(reading.text)) is not None:
            bases.append(day)
    candidates = dict.fromkeys(bases)
    for day in bases:
        for month in range(1, 13):
            try:
                candidates[day.replace(month=month)] = None
            except ValueError:
                continue
    shown = [day for day in candidates if plausible[0] <= day <= plausible[1] and line.shows(day, "")]
    if len(shown) == 1:
        return shown[0].isoformat()
    return line.best_fitting(tuple(day.isoformat() for day in shown), "") if shown else None


def _certificate_date_read(line, template, name, readings, boxes, seq, plausible, received, filled_in=False) -> ExtractedField:  # type: ignore[no-untyped-def]
    """A certificate's era date: Tesseract's readings, the template reading of
    the digit grid, and, where they leave it unsure, each candidate drawn as
    the certificate prints it (full- or half-width digits, padded) and checked
    against the line digit by digit. A Tesseract reading the glyphs clearly
    show, and no other candidate, is settled: two independent readers agree.
    An issue date that would make the certificate EXPIRED (a reason to deny)
    must be shown by the glyphs too, however its readings agreed; and so must
    one the template did not read: the settings read the same crop, and agree
    on the same misread digit (令和８年９月 read 8月 by both), while the issue
    date has no other document to be checked against. Read later than printed,
    an expired certificate would pass as current.

    `filled_in`: the line is a photocopy's with the latent dots filled in
    (_line_without_dots). Tesseract then reads the very pixels the template
    and the glyphs judge, so the template's date is not shown over the
    settings' agreeing reading: a dot filled in at the mouth of a ５ drew a
    ６ (seed 3032931, application 142: both settings read the right 5日)."""
    suffix = "生" if name is FieldName.BIRTH_DATE else ""
    read = _date_field(Document.CERTIFICATE, name, readings, boxes, seq, plausible)
    item = _with_template(read, template)
    if item.confidence >= 100:
        # EXPIRED by documents.md's calendar months, as decide judges it. (Until
        # policy 2026.12-10 this was "older than 89 days", which also sent the
        # current certificates issued 89–92 days before receipt through the
        # stricter check: two valid applications of seed 4345244 held for a
        # thin ８ leading by 0.04–0.05.)
        expired_as_read = (
            name is FieldName.ISSUE_DATE and item.value
            and date.fromisoformat(item.value) < eras.three_months_before(received)
        )
        by_settings_alone = name is FieldName.ISSUE_DATE and item.value and "template:" not in item.raw_text
        if by_settings_alone and _template_date(line.printed, name, plausible, TEMPLATE_AGREEMENT_MARGIN) == date.fromisoformat(item.value):
            item = replace(item, raw_text=f"{item.raw_text} | template, agreeing: {item.value}")
            by_settings_alone = False
        if (
            by_settings_alone and not expired_as_read
            and line.shows_as_printed(date.fromisoformat(item.value), suffix, TEMPLATE_AGREEMENT_MARGIN)
        ):
            # The same rule as the template's, cell by cell where each digit
            # may slide: on 370 certificates of two sets (45,000 wrong digits
            # put in the cells of the printed ones) no wrong digit led by more
            # than 0.014 on an original (0.016 on a photocopy), while the thin ８ of 令和８年 leads its
            # ６ by 0.03–0.05 (two valid applications of seed 2628527 held).
            item = replace(item, raw_text=f"{item.raw_text} | glyphs, agreeing: {item.value}")
            by_settings_alone = False
        if (expired_as_read or by_settings_alone) and not line.shows(date.fromisoformat(item.value), suffix):
            # Read alike by every setting, and still not what the line shows
            # digit by digit (令和８年 read as 令和３年): unsure, unless another
            # reading is what it shows (11月 read as 1月 by two settings and
            # the template, as 11月 by the other two: seed 2224123).
            settled = _settled_by_glyphs(item, read, line, suffix)
            if settled is not None:
                return settled
            if by_settings_alone and not expired_as_read and _validity_shown(line, date.fromisoformat(item.value), received):
                return replace(
                    item, confidence=VALIDITY_SHOWN_CONFIDENCE,
                    raw_text=f"{item.raw_text} | glyphs: current whatever its unclear digits are",
                )
            return replace(item, confidence=UNSURE_CONFIDENCE, raw_text=f"{item.raw_text} | glyphs: not confirmed")
        return item
    if not item.readings:
        return _guessed_date(item, line, name, readings[name], plausible, suffix)
    settled = _settled_by_glyphs(item, read, line, suffix)
    if settled is not None:
        return settled
    unsure = _unsure_issue_date(item)
    return _template_shown(unsure, template, line) if name is FieldName.ISSUE_DATE and not filled_in else unsure


# An issue date the settings agree on, whose every digit the line shows but
# for one or two unclear ones that cannot change whether the certificate is
# current: sure of the verdict, not of the day (above the default threshold
# of 40; a site asking for more sends these to a person).
VALIDITY_SHOWN_CONFIDENCE = 60.0
# At most so many unclear digits are tried every way (100 dates).
MAX_UNSETTLED_DIGITS = 2


def _validity_shown(line: glyph_fields.DateLine, day: date, received: date) -> bool:
    """Whether the printed line settles that a certificate issued on `day` is
    current on `received`, even where it does not show every digit clearly:
    no cell shows another digit, the fixed characters fit, and every date the
    unclear digits could stand for is current too. The thin full-width ８ can
    lead its rival by only 0.03; on seed 2527426 a valid application was held
    for 令和８年９月８日, read so by all four settings, where any day of
    September 2026 was current. A misread in a clear cell is what the glyph
    check answers for anyway; a misread in an unclear one changes nothing."""
    if not eras.certificate_is_current(day, received):
        return False
    found = line.unsettled_digits(day, "")
    if found is None:
        return False
    text, unsettled = found
    if len(unsettled) > MAX_UNSETTLED_DIGITS:
        return False
    for digits in itertools.product(range(10), repeat=len(unsettled)):
        chars = list(text)
        for position, digit in zip(unsettled, digits, strict=True):
            chars[position] = str(digit) if chars[position].isascii() else chr(0xFF10 + digit)
        other = eras.parse_era_date("".join(chars))
        if other is not None and not eras.certificate_is_current(other, received):
            return False
    return True


def _settled_by_glyphs(
    item: ExtractedField, read: ExtractedField, line: glyph_fields.DateLine, suffix: str
) -> ExtractedField | None:
    """The date's candidate the printed line clearly shows, digit by digit,
    and no other (or one fitting clearly better than any other shown); it must
    be a Tesseract reading (`read`): two independent readers agree. None when
    the glyphs settle nothing."""
    # Printed with full- or half-width digits: the way that fits the line better counts.
    fits = {value: max(line.fits(date.fromisoformat(value), suffix), key=lambda found: found[1]) for value in item.readings}
    confirmed = sorted((mean, value) for value, (shown, mean) in fits.items() if shown)
    # One candidate shown, or one fitting clearly better than any other shown.
    if not confirmed or (len(confirmed) > 1 and confirmed[-1][0] - confirmed[-2][0] < DATE_FIT_LEAD):
        return None
    value = confirmed[-1][1]
    if value not in read.readings:
        return None
    return item.led_by(value, raw_text=f"{item.raw_text} | glyphs: {value}", confidence=100.0)


def _template_shown(item: ExtractedField, template: date | None, line: glyph_fields.DateLine) -> ExtractedField:
    """An issue date whose settings agree on a reading the template
    contradicts, where the line clearly shows the template's date and none
    of the settings': the template's is what the reviewer is shown. Still
    unsure (the template and the glyphs both judge the printed digits, and
    the readings stay as they were): display only. Seeds 2729628 and
    2830729 each had an expired certificate shown as 1月 for a printed 4月
    and 3月 1日 for 14日 (expired either way)."""
    if template is None or item.value is None or item.value == template.isoformat():
        return item
    if not line.shows(template, "") or any(line.shows(date.fromisoformat(r), "") for r in item.readings if r != template.isoformat()):
        return item
    value = template.isoformat()
    return item.led_by(value, raw_text=f"{item.raw_text} | glyphs show the template's: {value}")


def _unsure_issue_date(item: ExtractedField) -> ExtractedField:
    """An issue date that neither the template nor the glyphs confirmed: one
    Tesseract reading alone (the others unparsed) is not enough, whatever its
    own confidence. On a photocopy of seed 2325224, 令和８年９月３０日 parsed
    once, as 8月, at confidence 58; an expired certificate read later than
    printed would pass as current."""
    if item.name is not FieldName.ISSUE_DATE or item.confidence <= UNSURE_CONFIDENCE:
        return item
    return replace(item, confidence=UNSURE_CONFIDENCE, raw_text=f"{item.raw_text} | glyphs: not confirmed")


def _guessed_date(item, line, name, results, plausible, suffix) -> ExtractedField:  # type: ignore[no-untyped-def]
    """A date neither Tesseract nor the template could read (a photocopy's
    latent 複写 garbles the line): the numbers Tesseract did see, taken three
    in a row in the usual eras, are drawn as the certificate prints them; one
    that the glyphs clearly show, and no other, is what the reviewer is
    shown. Unsure all the same (confidence below any threshold): no decision
    rests on it beyond what an unreadable date already brings."""
    guesses: set[date] = set()
    for result in results:
        numbers = [int(n) for n in re.findall(r"\d{1,2}", to_halfwidth(result.text))]
        for year, month, day in zip(numbers, numbers[1:], numbers[2:], strict=False):
            for era in _USUAL_ERAS[name]:
                try:
                    found = eras.to_western(era, year, month, day)
                except ValueError:
                    continue
                if plausible[0] <= found <= plausible[1]:
                    guesses.add(found)
    shown = [day for day in sorted(guesses) if line.shows(day, suffix)]
    if len(shown) != 1:
        return item
    value = shown[0].isoformat()
    return replace(item, raw_text=f"{item.raw_text} | glyphs, from the numbers read: {value}", value=value, confidence=min(item.confidence, 30.0))


def certificate_name(result: tesseract.OcrResult) -> str:
    """The representative's name from the '資格　氏名' line, without the 資格.
    The line prints three groups separated by wide spaces (資格, family name,
    given name): the last two are the name. When Tesseract joins the first two,
    a known 資格 (read with at most one wrong character) is cut off the front."""
    groups = _gap_groups(result)
    if len(groups) >= 3:
        return f"{groups[-2]} {groups[-1]}"
    if not groups:
        return ""
    first = _strip_qualification(groups[0])
    if len(groups) == 2:
        return f"{first} {groups[1]}" if first else groups[1]
    return first


def _strip_qualification(text: str) -> str:
    for qualification in sorted(QUALIFICATIONS, key=len, reverse=True):
        head = text[: len(qualification)]
        allowed = _misreads_forgiven(qualification)
        if len(text) > len(qualification) and Levenshtein.distance(head, qualification) <= allowed:
            return text[len(qualification) :]
    return text


def _misreads_forgiven(qualification: str) -> int:
    """One misread character is forgiven in the long titles and in 取締役,
    which no family name starts with two characters of (a photocopy's 取締役
    read as 取締後 stayed in the name: seed 3234133); not in 理事 (理田) or
    清算人 (清水 人…)."""
    return 1 if len(qualification) >= 4 or qualification == "取締役" else 0


def _is_qualification(text: str) -> bool:
    """A known 資格, read with at most the misreads forgiven."""
    return any(
        Levenshtein.distance(text, qualification) <= _misreads_forgiven(qualification)
        for qualification in QUALIFICATIONS
    )


def _gap_groups(result: tesseract.OcrResult) -> list[str]:
    """Words joined into groups wherever the gap between them is wider than
    half a character (Tesseract splits Japanese into arbitrary words)."""
    words = [w for w in result.words if w.text.translate(_LITTER).strip()]
    if not words:
        return []
    char_height = max(1, int(np.median([w.height for w in words])))
    groups = [normalise_name(words[0].text).replace(" ", "").translate(_LITTER)]
    for before, word in zip(words, words[1:], strict=False):
        text = normalise_name(word.text).replace(" ", "").translate(_LITTER)
        if word.left - (before.left + before.width) >= 0.5 * char_height:
            groups.append(text)
        else:
            groups[-1] += text
    return [g for g in groups if g]


def _line_without_dots(page: imaging.Prepared, dots: np.ndarray, box: tuple[int, int, int, int]) -> imaging.Prepared:
    """A photocopy's text line `box` with the latent letters' dots filled in
    (imaging.without_latent_dots), the rest of the page as it is.

    Painting out only the dots standing alone leaves those touching the
    characters and the pale rings of all. On the 78 copies of seen seeds
    2224123–2931830, the certificate page's issue date was read right on 46
    with the dots painted, on 65 with them filled in; none of the wrong ones
    with confidence. Used for the issue date and the glyphs of the name
    only: filling in the whole page read the same number of names by
    Tesseract (other ones wrong) and one birth date fewer, and the screen's
    nodes cut the ruled lines the layout is found by."""
    x0, y0, x1, y1 = box
    margin = int(LATENT_CLEAN_MARGIN_MM * page.px_per_mm)  # room for the screen's tiles to hold dots
    top, bottom = max(0, y0 - margin), min(page.grey.shape[0], y1 + margin)
    left, right = max(0, x0), min(page.grey.shape[1], x1)
    if bottom <= top or right <= left:
        return page
    cleaned = imaging.without_latent_dots(page.grey[top:bottom, left:right], dots[top:bottom, left:right], page.px_per_mm)
    grey = page.grey.copy()
    grey[y0:y1, left:right] = cleaned[y0 - top : y1 - top]
    return replace(page, grey=grey)


def _seal_box(page: imaging.Prepared, layout: dict) -> tuple[int, int] | None:
    """Top-left corner (x, y) of the certificate's seal box (a ruled square of
    about 50 mm in the upper left), or None."""
    frame = _Frame(page.px_per_mm)
    nominal = layout["seal_box"]
    size = frame.mm(nominal["x1"] - nominal["x0"])
    region = page.ink[: frame.y(130), : frame.x(120)]
    horizontals = [r for r in imaging.horizontal_rules(region, int(size * 0.85)) if r[2] - r[1] <= size * 1.15]
    verticals = [r for r in imaging.vertical_rules(region, int(size * 0.85)) if r[2] - r[1] <= size * 1.15]
    if horizontals and verticals:
        left, top, bottom = verticals[0]
        # The top rule is the one nearer the side's top end. Where only the
        # bottom one is found (a black-and-white photocopy's latent 複写 broke
        # the top one: seed 3436335 #143 was framed a box lower, read nothing
        # and was taken for no certificate), the top is a box above it.
        tops = [rule[0] for rule in horizontals if abs(rule[0] - top) <= abs(rule[0] - bottom)]
        return left, tops[0] if tops else horizontals[0][0] - size
    return None


def _seal_box_frame(page: imaging.Prepared, layout: dict, corner: tuple[int, int] | None) -> _Frame:
    """The seal box (its corner as _seal_box found it) anchors the certificate's
    layout; nominal positions otherwise."""
    if corner is None:
        return _Frame(page.px_per_mm)
    nominal = layout["seal_box"]
    left, top = corner
    return _Frame(page.px_per_mm, left - nominal["x0"] * page.px_per_mm, top - nominal["y0"] * page.px_per_mm)


def _text_band(page: imaging.Prepared, x0: int, x1: int, expected_y: int, search: int) -> tuple[int, int, int, int] | None:
    """The text row nearest `expected_y` within ± `search` px, as a crop box,
    or None when no row is there."""
    y0, y1 = max(0, expected_y - 2 * search), expected_y + 2 * search
    rows = imaging.text_rows(page.ink[y0:y1, x0:x1], min_height=max(4, search // 8))
    if rows:
        centre = expected_y - y0
        top, bottom = min(rows, key=lambda r: abs((r[0] + r[1]) / 2 - centre))
        if abs((top + bottom) / 2 - centre) <= search:
            pad = max(4, (bottom - top) // 3)
            return x0, y0 + top - pad, x1, y0 + bottom + pad
    return None


def _nominal_band(expected_y: int, x0: int, x1: int, search: int) -> tuple[int, int, int, int]:
    """Where the layout puts a row whose text was not found."""
    half = search // 2 + search // 4
    return x0, expected_y - half, x1, expected_y + half


def _photocopy_signs(page: imaging.Prepared) -> list[str]:
    """An original certificate is colour (a tinted security pattern, red seals);
    a black-and-white photocopy loses it. (A colour copy shows the latent 複写:
    imaging.latent_dots.)"""
    sample = page.rgb[::3, ::3]  # shares, not shapes: a ninth of the pixels says the same
    tinted = float((imaging.chroma(sample) > 18).mean())
    red = float((imaging.red_mask(sample) if page.red is None else page.red[::3, ::3]).mean())
    findings = []
    if red < 0.0003 and tinted < 0.01:
        findings.append(f"no colour on the certificate (tinted {tinted:.2%}, red {red:.3%}): a photocopy")
    return findings


# A photocopy's page angle is measured again from its dot-free ink when the
# first estimate leaves this much (straight pages measure up to 0.45°), and
# once more, finer, after turning.
COPY_RESKEW_MIN_DEG = (0.75, 0.3)

# A colour copier keeps the tint but not the latent text's secret: it shows.
# Generated originals have no such tile, photocopies 170–200 of them.
LATENT_COPY_TILES = 20
# How far above and below a photocopy's line (_line_without_dots) the latent screen is fitted.
LATENT_CLEAN_MARGIN_MM = 8


# --- handwritten corrections ------------------------------------------------------


def _struck_print(
    page: imaging.Prepared,
    frame: _Frame,
    boxes: dict[FieldName, tuple[int, int, int, int]],
    struck: tuple[str, ...],
) -> tuple[imaging.Prepared, dict[FieldName, tuple[int, int, int, int]]]:
    """The page and field boxes to read the print of struck-through rows from:
    the strike lines divided out, and the box ending where the
    strike ends (the value the applicant wrote by hand beside it is not the
    printed one). The print, not the handwriting, is the form's value: the
    decision holds a corrected form anyway (CORRECTED), and a reviewer
    compares what was printed with the certificate."""
    fields = [name for name in boxes if name.value in struck]
    if not fields:
        return page, boxes
    grey = page.grey.copy()
    boxes = dict(boxes)
    for name in fields:
        x0, y0, x1, y1 = boxes[name]
        cleaned, right = imaging.without_strike_lines(
            page.rgb[y0:y1, x0:x1], grey[y0:y1, x0:x1], page.ink[y0:y1, x0:x1], frame.mm(STRIKE_MIN_MM), page.px_per_mm
        )
        if right is None:
            continue
        grey[y0:y1, x0:x1] = cleaned
        boxes[name] = (x0, y0, min(x1, x0 + right + frame.mm(1)), y1)
    return replace(page, grey=grey), boxes


STRIKE_MIN_MM = 8


def _correction_marks(
    page: imaging.Prepared, frame: _Frame, rows: dict[str, tuple[int, int]], layout: dict
) -> tuple[list[str], tuple[str, ...]]:
    """What shows a handwritten correction on the form, and the rows struck through."""
    findings = []
    top = min(band[0] for band in rows.values())
    bottom = max(band[1] for band in rows.values())
    table = (slice(top, bottom), slice(frame.x(15), frame.x(195)))
    blue = int(imaging.blue_ink_mask(page.rgb[table]).sum())
    if blue > frame.mm(1) ** 2 * 4:
        findings.append(f"handwriting in blue ink on the form ({blue} px)")
    red = imaging.red_mask(page.rgb) if page.red is None else page.red.copy()
    seal = layout["seal_box"]
    margin = frame.mm(12)
    red[frame.y(seal["y0"]) - margin : frame.y(seal["y1"]) + margin, frame.x(seal["x0"]) - margin : frame.x(seal["x1"]) + margin] = False
    stray_red = int(red.sum())
    if stray_red > frame.mm(1) ** 2 * 4:
        findings.append(f"red ink outside the seal box, e.g. a correction seal ({stray_red} px)")
    # Strike-through: a straight stroke inside a row, away from the rules, across
    # at least two characters (8 mm: 取締役 struck through measured 15 mm, at
    # the old limit). A pen stroke runs on through the gaps between characters;
    # printed strokes stop at each character, so only 3 px breaks are closed
    # (closing 15 px, as for ruled lines, joins the top strokes of 二丁目:
    # 99 of 300 clean forms flagged at 8 mm, none with 3 px).
    struck = []
    for row, (band_top, band_bottom) in rows.items():
        inner = page.ink[band_top + frame.mm(2) : band_bottom - frame.mm(2), frame.x(60) : frame.x(195)]
        if inner.size and imaging.horizontal_rules(inner, frame.mm(STRIKE_MIN_MM), max_slope=0.09, bridge_px=3):
            struck.append(row)
    if struck:
        findings.append(f"strike-through lines in {len(struck)} row(s) of the form ({', '.join(struck)})")
    return findings, tuple(struck)
