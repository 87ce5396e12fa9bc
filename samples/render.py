"""Drawing the documents of an envelope, at the scan's resolution, before scanning.

Positions follow documents.md (millimetres from the top-left of an A4 page). Every
renderer returns an RGB uint8 array (H, W, 3) of the clean printed page; scan damage
is applied afterwards by samples.scan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import cv2
import numpy as np
import segno
from PIL import Image, ImageDraw

from pipeline.eras import format_era_date
from samples import seals
from samples.fonts import GOTHIC, MINCHO, Face, face_for, font, pt_to_px
from samples.security import on_security_paper, page_size_px, photocopy

PRINT_BLACK = (22, 22, 24)
INKS: dict[str, tuple[int, int, int]] = {"blue": (28, 48, 150), "black": (30, 30, 36)}


# --------------------------------------------------------------------------- content


@dataclass(frozen=True)
class FormContent:
    application_id: str
    application_date: date
    corporate_number: str
    company_name: str
    address: str
    name: str
    kana: str
    birth_date: date
    title: str
    email: str
    phone: str


@dataclass(frozen=True)
class Correction:
    """A handwritten correction on the form: the printed value of `field` struck
    through and `written` written beside it."""

    field: str  # a FormContent field name shown in a table row
    written: str
    ink: str  # "blue" or "black"
    seal_name: str | None  # family name on the 訂正印, None for no seal


@dataclass(frozen=True)
class SealDesign:
    """The company's registered seal: the same physical seal on form and certificate."""

    outer_text: str
    inner_text: str
    diameter_mm: float
    colour: tuple[int, int, int]


@dataclass(frozen=True)
class CertificateContent:
    """Text of a seal certificate or of a document sent in its place."""

    company_number: str  # 12 digits
    company_name: str
    address: str  # ASCII digits; printed in the office's width
    qualification: str
    name: str
    birth_date: date
    issue_date: date
    office: str  # 東京法務局　新宿出張所
    jurisdiction: str | None  # （…管轄） line, on some certificates only
    seal_prefix: str  # for the registrar's seal
    reference: str  # 整理番号, e.g. ア123456 (ASCII digits)
    registrar: str  # 法　務　一　郎
    fullwidth: bool
    founded: date  # 会社成立の年月日 on a registry extract


@dataclass(frozen=True)
class PersonalCertificateContent:
    name: str
    family: str
    birth_date: date
    address: str
    registration: str  # 登録番号 digits
    issue_date: date
    issuer: str  # 新宿区長
    issuer_name: str  # spaced
    fullwidth: bool


# --------------------------------------------------------------------------- drawing


def to_fullwidth(text: str) -> str:
    """ASCII digits and '-' to full width, as certificates print them."""
    table = {ord(str(d)): chr(0xFF10 + d) for d in range(10)}
    table[ord("-")] = "－"
    return text.translate(table)


def western_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class Page:
    """A blank A4 page at `dpi` with drawing in millimetres."""

    def __init__(self, dpi: int, paper: tuple[int, int, int] = (255, 255, 255)) -> None:
        self.dpi = dpi
        self.k = dpi / 25.4
        self.img = Image.new("RGB", page_size_px(dpi), paper)
        self.draw = ImageDraw.Draw(self.img)

    def px(self, mm: float) -> float:
        return mm * self.k

    def text(
        self,
        x: float,
        y: float,
        text: str,
        face: Face,
        points: float,
        anchor: str = "lm",
        fill: tuple[int, int, int] = PRINT_BLACK,
    ) -> float:
        """Draw `text` at (x, y) mm; returns its width in mm. Falls back to a face that
        has every glyph, so a variant kanji never prints as a box."""
        f = font(face_for(text, face), pt_to_px(points, self.dpi))
        self.draw.text((self.px(x), self.px(y)), text, font=f, fill=fill, anchor=anchor)
        return f.getlength(text) / self.k

    def line(self, x0: float, y0: float, x1: float, y1: float, width_mm: float = 0.25) -> None:
        width = max(1, round(self.px(width_mm)))
        self.draw.line(
            (self.px(x0), self.px(y0), self.px(x1), self.px(y1)), fill=PRINT_BLACK, width=width
        )

    def rect(self, x0: float, y0: float, x1: float, y1: float, width_mm: float = 0.25) -> None:
        width = max(1, round(self.px(width_mm)))
        self.draw.rectangle(
            (self.px(x0), self.px(y0), self.px(x1), self.px(y1)), outline=PRINT_BLACK, width=width
        )

    def array(self) -> np.ndarray:
        return np.array(self.img)


def stamp(
    page: np.ndarray,
    mask: np.ndarray,
    cx: float,
    cy: float,
    colour: tuple[int, int, int],
    opacity: float = 1.0,
) -> None:
    """Ink `mask` onto `page` in place, centred at pixel (cx, cy), by multiplication:
    what is printed underneath still shows through, as under real ink."""
    h, w = mask.shape
    x0, y0 = round(cx - w / 2), round(cy - h / 2)
    px0, py0 = max(x0, 0), max(y0, 0)
    px1, py1 = min(x0 + w, page.shape[1]), min(y0 + h, page.shape[0])
    if px1 <= px0 or py1 <= py0:
        return
    m = mask[py0 - y0 : py1 - y0, px0 - x0 : px1 - x0, None] * opacity
    region = page[py0:py1, px0:px1].astype(np.float32)
    ink = np.asarray(colour, dtype=np.float32) / 255.0
    page[py0:py1, px0:px1] = np.clip(region * (1.0 - m * (1.0 - ink)), 0, 255).astype(np.uint8)


def stamp_seal(
    page: np.ndarray,
    mask: np.ndarray,
    x_mm: float,
    y_mm: float,
    dpi: int,
    colour: tuple[int, int, int],
    rng: np.random.Generator,
    angle_deg: float = 0.0,
    strength: float = 0.5,
) -> None:
    k = dpi / 25.4
    impression = seals.uneven_ink(seals.rotate_mask(mask, angle_deg), rng, strength)
    stamp(page, impression, x_mm * k, y_mm * k, colour, float(rng.uniform(0.85, 1.0)))


def handwriting_mask(text: str, size_mm: float, dpi: int, rng: random.Random) -> np.ndarray:
    """`text` as if written with a ballpoint pen: characters of uneven size, tilt and
    spacing, a slant, a wandering baseline. float32 coverage mask."""
    k = dpi / 25.4
    size = size_mm * k
    face = rng.choice(GOTHIC)  # even strokes, like a pen
    height = int(size * 2.2)
    width = int(size * (len(text) + 2) * 1.15)
    canvas = Image.new("L", (width, height), 0)
    x = size * 0.6
    drift = 0.0
    for ch in text:
        s = size * rng.uniform(0.86, 1.08)
        f = font(face_for(ch, face), max(6, int(s)))
        box = int(s * 1.8)
        glyph = Image.new("L", (box, box), 0)
        ImageDraw.Draw(glyph).text((box / 2, box / 2), ch, font=f, fill=255, anchor="mm")
        glyph = glyph.rotate(rng.uniform(-7, 7), resample=Image.Resampling.BILINEAR)
        drift += rng.uniform(-0.06, 0.06) * size
        drift = max(-0.25 * size, min(0.25 * size, drift))
        advance = f.getlength(ch) * rng.uniform(0.92, 1.08)
        cx = x + advance / 2
        cy = height / 2 + drift + rng.uniform(-0.05, 0.05) * size
        canvas.paste(255, (round(cx - box / 2), round(cy - box / 2)), glyph)
        x += advance + rng.uniform(0.0, 0.12) * size
    mask = np.asarray(canvas, dtype=np.float32) / 255.0
    # Wobbly strokes: a smooth random displacement bends the font's straight lines.
    nrng = np.random.default_rng(rng.getrandbits(64))
    grid = (max(2, height // max(1, int(size / 3))), max(2, width // max(1, int(size / 3))))
    dx = cv2.resize(
        nrng.normal(0, size * 0.06, grid).astype(np.float32),
        (width, height),
        interpolation=cv2.INTER_CUBIC,
    )
    dy = cv2.resize(
        nrng.normal(0, size * 0.06, grid).astype(np.float32),
        (width, height),
        interpolation=cv2.INTER_CUBIC,
    )
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    # Slant: handwriting leans right.
    shear = rng.uniform(0.05, 0.2)
    map_x = xx + dx + shear * (yy - height / 2)
    mask = cv2.remap(mask, map_x, yy + dy, interpolation=cv2.INTER_LINEAR)
    used = np.nonzero(mask.max(axis=0) > 0.05)[0]
    right = int(used[-1]) + 3 if used.size else width
    return np.clip(mask[:, :right] * 1.3, 0, 1)


def _draw_strike(
    page: np.ndarray,
    x0: float,
    x1: float,
    y: float,
    dpi: int,
    ink: tuple[int, int, int],
    rng: random.Random,
) -> None:
    """Strike-through with a ruler: usually the double line (二重線) Japanese forms ask
    for, sometimes a single line."""
    k = dpi / 25.4
    thickness = max(1, round(rng.uniform(0.25, 0.45) * k))
    tilt = rng.uniform(-0.6, 0.6) * k
    offsets = (-0.7, 0.7) if rng.random() < 0.8 else (0.0,)
    layer = np.zeros(page.shape[:2], np.uint8)
    for off in offsets:
        p0 = (round((x0 - 1.5) * k), round((y + off) * k))
        p1 = (round((x1 + 1.5) * k), round((y + off) * k + tilt))
        cv2.line(layer, p0, p1, 255, thickness, lineType=cv2.LINE_AA)
    ys, xs = np.nonzero(layer)
    if ys.size == 0:
        return
    top, left = ys.min(), xs.min()
    crop = layer[top : ys.max() + 1, left : xs.max() + 1].astype(np.float32) / 255.0
    stamp(page, crop, left + crop.shape[1] / 2, top + crop.shape[0] / 2, ink, 0.95)


def _qr(page: Page, payload: str, x0: float, y0: float, size_mm: float) -> None:
    qr = segno.make(payload, error="h", micro=False)
    matrix = np.array([list(row) for row in qr.matrix], dtype=np.uint8)
    side = round(page.px(size_mm))
    modules = cv2.resize(matrix, (side, side), interpolation=cv2.INTER_NEAREST)
    tile = Image.fromarray(np.where(modules > 0, 0, 255).astype(np.uint8), "L")
    page.img.paste(tile.convert("RGB"), (round(page.px(x0)), round(page.px(y0))))


# --------------------------------------------------------------------------- documents

FORM_ROWS_CORPORATE = (
    ("法人番号", "corporate_number", 78),
    ("法人名", "company_name", 90),
    ("所在地", "address", 102),
)
FORM_ROWS_USER = (
    ("氏名", "name", 128),
    ("フリガナ", "kana", 140),
    ("生年月日", "birth_date", 152),
    ("役職", "title", 164),
    ("メールアドレス", "email", 176),
    ("電話番号", "phone", 188),
)


def _form_value(content: FormContent, field: str) -> str:
    value = getattr(content, field)
    return western_date(value) if isinstance(value, date) else str(value)


def render_form(
    content: FormContent,
    seal: SealDesign,
    correction: Correction | None,
    dpi: int,
    rng: random.Random,
    nrng: np.random.Generator,
) -> np.ndarray:
    """The gBizIDプライム登録申請書 with the company seal in the 実印 box."""
    page = Page(dpi)
    face = rng.choice(GOTHIC + MINCHO)
    body = rng.choice((10.5, 11.0, 12.0))
    page.text(105, 25, "gBizIDプライム\u3000登録申請書", face, 18, anchor="mm")
    _qr(page, content.application_id, 170, 10, 25)
    page.text(20, 45, "申請書ID", face, body)
    page.text(55, 45, content.application_id, face, body)
    page.text(20, 55, "申請日", face, body)
    page.text(55, 55, western_date(content.application_date), face, body)
    value_ends: dict[str, float] = {}
    for heading, y_heading, rows in (
        ("法人情報", 69, FORM_ROWS_CORPORATE),
        ("利用者情報（代表者）", 119, FORM_ROWS_USER),
    ):
        page.text(20, y_heading, heading, face, body)
        top = rows[0][2] - 6
        bottom = rows[-1][2] + 6
        page.rect(18, top, 192, bottom)
        page.line(60, top, 60, bottom)
        for i, (label, field, y) in enumerate(rows):
            if i:
                page.line(18, y - 6, 192, y - 6)
            page.text(21, y, label, face, body)
            width = page.text(62, y, _form_value(content, field), face, body)
            value_ends[field] = 62 + width
    page.text(20, 210, "上記のとおり、gBizIDプライムの登録を申請します。", face, body)
    page.text(167.5, 221, "実印", face, body, anchor="mm")
    page.rect(150, 225, 185, 260)
    page.text(20, 280, "※本申請書を手書きで訂正・修正したものは無効です。", face, 9)
    out = page.array()

    # The company seal, stamped by hand: off-centre, tilted, sometimes over the box edge.
    if rng.random() < 0.15:
        dx, dy = rng.choice((-1, 1)) * rng.uniform(7, 12), rng.uniform(-9, 9)
    else:
        dx, dy = rng.uniform(-3.5, 3.5), rng.uniform(-3.5, 3.5)
    mask = _company_seal_mask(seal, dpi)
    stamp_seal(
        out,
        mask,
        167.5 + dx,
        242.5 + dy,
        dpi,
        seal.colour,
        nrng,
        angle_deg=rng.uniform(-15, 15),
        strength=rng.uniform(0.3, 0.65),
    )

    if correction is not None:
        _apply_correction(out, correction, value_ends, dpi, rng, nrng)
    return out


def _company_seal_mask(seal: SealDesign, dpi: int) -> np.ndarray:
    return seals.round_seal(round(seal.diameter_mm * dpi / 25.4), seal.outer_text, seal.inner_text)


def _apply_correction(
    out: np.ndarray,
    correction: Correction,
    value_ends: dict[str, float],
    dpi: int,
    rng: random.Random,
    nrng: np.random.Generator,
) -> None:
    k = dpi / 25.4
    y = next(y for _, f, y in FORM_ROWS_CORPORATE + FORM_ROWS_USER if f == correction.field)
    end = value_ends[correction.field]
    ink = INKS[correction.ink]
    _draw_strike(out, 62, end, y, dpi, ink, rng)
    size = rng.uniform(3.6, 4.6)
    mask = handwriting_mask(correction.written, size, dpi, rng)
    width_mm = mask.shape[1] / k
    if end + 6 + width_mm < 176:  # room to the right of the struck value
        x, y_text = end + rng.uniform(4, 8), y + rng.uniform(-0.8, 0.6)
    else:  # written small above it, crossing into the row's upper part
        mask = handwriting_mask(correction.written, size * 0.8, dpi, rng)
        width_mm = mask.shape[1] / k
        x, y_text = 64 + rng.uniform(0, 8), y - rng.uniform(3.2, 4.2)
    stamp(out, mask, (x + width_mm / 2) * k, y_text * k, ink, rng.uniform(0.85, 1.0))
    if correction.seal_name:
        diameter = rng.uniform(6.5, 9.0)
        seal_mask = seals.name_seal(round(diameter * k), correction.seal_name)
        sx = rng.uniform(180, 187) if rng.random() < 0.7 else rng.uniform(48, 56)
        stamp_seal(
            out,
            seal_mask,
            sx,
            y + rng.uniform(-1.5, 1.5),
            dpi,
            seals.SEAL_REDS[rng.randrange(len(seals.SEAL_REDS))],
            nrng,
            angle_deg=rng.uniform(-20, 20),
            strength=0.4,
        )


def _fmt_digits(text: str, fullwidth: bool) -> str:
    return to_fullwidth(text) if fullwidth else text


def _era(day: date, fullwidth: bool) -> str:
    return format_era_date(day, fullwidth=fullwidth, pad=True)


def _company_number_text(number: str, fullwidth: bool) -> str:
    return _fmt_digits(f"{number[:4]}-{number[4:6]}-{number[6:]}", fullwidth)


def _registrar_line(
    page: Page, c: CertificateContent, face: Face, body: float, y: float
) -> tuple[float, float]:
    """The 登記官 line; returns where it ends (mm), for the official seal."""
    width = page.text(80, y, f"登記官\u3000\u3000{c.registrar}", face, body)
    return 80 + width, y


def render_certificate_content(
    c: CertificateContent,
    seal: SealDesign,
    dpi: int,
    rng: random.Random,
    nrng: np.random.Generator,
) -> np.ndarray:
    """The 印鑑証明書's print and seals on white paper (the pattern comes later)."""
    page = Page(dpi)
    face = rng.choice(MINCHO + GOTHIC[:1])  # certificates are mostly Mincho
    body = rng.choice((10.5, 11.0, 12.0))
    fw = c.fullwidth
    page.text(25, 15, f"整理番号\u3000{_fmt_digits(c.reference, fw)}", face, 9)
    page.text(105, 25, "印\u3000鑑\u3000証\u3000明\u3000書", face, 20, anchor="mm")
    page.rect(25, 40, 75, 90, 0.3)
    page.text(
        25, 100, f"会社法人等番号\u3000{_company_number_text(c.company_number, fw)}", face, body
    )
    page.text(25, 112, f"商\u3000\u3000号\u3000{c.company_name}", face, body)
    page.text(25, 124, f"本\u3000\u3000店\u3000{_fmt_digits(c.address, fw)}", face, body)
    page.text(25, 136, f"{c.qualification}\u3000{c.name}", face, body)
    page.text(25, 148, f"{_era(c.birth_date, fw)}生", face, body)
    page.text(25, 175, "これは提出されている印鑑の写しに相違ないことを証明する。", face, body)
    if c.jurisdiction:
        page.text(40, 185, c.jurisdiction, face, body)
    page.text(40, 195, _era(c.issue_date, fw), face, body)
    page.text(40, 210, c.office, face, body)
    line_end = _registrar_line(page, c, face, body, 225)
    out = page.array()
    # The registered seal is printed (an image of the impression), so it sits neatly.
    mask = _company_seal_mask(seal, dpi)
    stamp_seal(
        out,
        mask,
        50 + rng.uniform(-2, 2),
        65 + rng.uniform(-2, 2),
        dpi,
        seal.colour,
        nrng,
        angle_deg=rng.uniform(-3, 3),
        strength=0.25,
    )
    _official_seal(out, c.seal_prefix + "法務局登記官印", line_end, dpi, rng, nrng)
    return out


def _official_seal(
    out: np.ndarray,
    text: str,
    line_end: tuple[float, float],
    dpi: int,
    rng: random.Random,
    nrng: np.random.Generator,
) -> None:
    """The square red official seal over the end of the signature line."""
    size = rng.uniform(18, 22)
    mask = seals.square_seal(round(size * dpi / 25.4), text)
    x = line_end[0] - rng.uniform(0, 5) + size / 2 - 4
    stamp_seal(
        out,
        mask,
        x,
        line_end[1] + rng.uniform(-3, 3),
        dpi,
        seals.SEAL_REDS[rng.randrange(len(seals.SEAL_REDS))],
        nrng,
        angle_deg=rng.uniform(-3, 3),
        strength=0.3,
    )


def render_certificate(
    c: CertificateContent,
    seal: SealDesign,
    dpi: int,
    rng: random.Random,
    nrng: np.random.Generator,
    copy: str | None = None,
) -> np.ndarray:
    """An original on security paper, or with `copy` = "grey" or "bw" a photocopy of one."""
    content = render_certificate_content(c, seal, dpi, rng, nrng)
    if copy is not None:
        return photocopy(content, dpi, nrng, bilevel=copy == "bw")
    tint = rng.choice(("green", "blue"))
    return on_security_paper(content, dpi, tint, rng.randrange(2))


def render_registry_extract(
    c: CertificateContent, dpi: int, rng: random.Random, nrng: np.random.Generator
) -> np.ndarray:
    """A 履歴事項全部証明書: the company register, sent in place of the seal certificate."""
    page = Page(dpi)
    face = rng.choice(MINCHO + GOTHIC[:1])
    body = rng.choice((10.5, 11.0))
    fw = c.fullwidth
    page.text(105, 25, "履歴事項全部証明書", face, 18, anchor="mm")
    rows = (
        ("会社法人等番号", _company_number_text(c.company_number, fw)),
        ("商\u3000\u3000号", c.company_name),
        ("本\u3000\u3000店", _fmt_digits(c.address, fw)),
        ("公告をする方法", "官報に掲載してする。"),
        ("会社成立の年月日", _era(c.founded, fw)),
        ("目\u3000\u3000的", _fmt_digits("1. 各種商品の販売", fw)),
        ("役員に関する事項", f"{c.qualification}\u3000{c.name}"),
        ("登記記録に関する事項", "設立"),
    )
    top, row_h = 38.0, 13.0
    page.rect(20, top, 190, top + row_h * len(rows))
    page.line(66, top, 66, top + row_h * len(rows))
    for i, (label, value) in enumerate(rows):
        y = top + row_h * (i + 0.5)
        if i:
            page.line(20, top + row_h * i, 190, top + row_h * i)
        page.text(23, y, label, face, body - 1)
        page.text(70, y, value, face, body)
    page.text(
        25,
        190,
        "これは登記簿に記録されている閉鎖されていない事項の全部であることを証明した書面である。",
        face,
        9.5,
    )
    page.text(40, 200, _era(c.issue_date, fw), face, body)
    page.text(40, 212, c.office, face, body)
    line_end = _registrar_line(page, c, face, body, 226)
    out = page.array()
    _official_seal(out, c.seal_prefix + "法務局登記官印", line_end, dpi, rng, nrng)
    return on_security_paper(out, dpi, "blue", 1) if rng.random() < 0.5 else out


def render_personal_certificate(
    c: PersonalCertificateContent, dpi: int, rng: random.Random, nrng: np.random.Generator
) -> np.ndarray:
    """A municipal 印鑑登録証明書 of the representative as a person, sent by mistake."""
    page = Page(dpi)
    face = rng.choice(MINCHO + GOTHIC)
    body = rng.choice((10.5, 11.0, 12.0))
    fw = c.fullwidth
    page.text(105, 25, "印\u3000鑑\u3000登\u3000録\u3000証\u3000明\u3000書", face, 18, anchor="mm")
    page.rect(25, 40, 70, 85, 0.3)
    rows = (
        ("氏\u3000\u3000名", c.name),
        ("生年月日", _era(c.birth_date, fw)),
        ("住\u3000\u3000所", _fmt_digits(c.address, fw)),
        ("登録番号", _fmt_digits(f"第{c.registration}号", fw)),
    )
    for i, (label, value) in enumerate(rows):
        y = 100 + 13 * i
        page.text(25, y, label, face, body)
        page.text(55, y, value, face, body)
    page.text(25, 170, "この写しは、登録されている印影と相違ないことを証明します。", face, body)
    page.text(40, 185, _era(c.issue_date, fw), face, body)
    width = page.text(70, 205, f"{c.issuer}\u3000\u3000{c.issuer_name}", face, body)
    out = page.array()
    k = dpi / 25.4
    personal = seals.name_seal(round(rng.uniform(12, 16) * k), c.family)
    stamp_seal(out, personal, 47.5, 62.5, dpi, seals.SEAL_REDS[0], nrng, strength=0.25)
    size = rng.uniform(18, 22)
    text = c.issuer + "之印"
    official = seals.square_seal(round(size * k), text)
    stamp_seal(
        out,
        official,
        70 + width - 3 + size / 2,
        205,
        dpi,
        seals.SEAL_REDS[1],
        nrng,
        angle_deg=rng.uniform(-3, 3),
        strength=0.3,
    )
    return on_security_paper(out, dpi, rng.choice(("pink", "green")), rng.randrange(2))


CHECK_QUESTIONS: tuple[str, ...] = (
    "申請書の手書き訂正、手書き修正はしていませんか？",
    "「実印欄」は正しい印で押印していますか？",
    "同じメールアドレスで複数の申請をしていませんか？",
    "gBizIDプライム登録申請書は同封されていますか？",
    "公的書類（印鑑証明書）は同封されていますか？",
    "公的書類は発行日から3ヶ月以内のものですか？",
    "公的書類はコピーではなく原本ですか？",
    "申請書の法人番号は正しく記載されていますか？",
    "氏名・生年月日は印鑑証明書と一致していますか？",
    "メールアドレスは受信可能なものですか？",
    "申請書は片面で印刷していますか？",
    "本チェックシートは同封されていますか？",
)


def render_check_sheet(dpi: int, rng: random.Random) -> np.ndarray:
    """The チェックシート: 8–12 questions with boxes, some ticked by hand."""
    page = Page(dpi)
    face = rng.choice(GOTHIC + MINCHO)
    body = rng.choice((10.5, 11.0, 12.0))
    count = rng.randint(8, len(CHECK_QUESTIONS))
    keep = sorted(rng.sample(range(len(CHECK_QUESTIONS)), count))
    page.text(105, 25, "チェックシート", face, 16, anchor="mm")
    spacing = min(16.0, 200.0 / count)
    ticks: list[float] = []
    for i, q in enumerate(keep):
        y = 48 + spacing * i
        page.text(20, y, CHECK_QUESTIONS[q], face, body)
        page.rect(167, y - 5, 177, y + 5)
        if rng.random() < 0.65:
            ticks.append(y)
    out = page.array()
    k = dpi / 25.4
    ink = INKS[rng.choice(("blue", "black"))]
    for y in ticks:
        layer = np.zeros((round(14 * k), round(14 * k)), np.uint8)
        o = 2 * k
        pts = np.array(
            [
                [o + rng.uniform(1, 3) * k, o + rng.uniform(4, 6) * k],
                [o + rng.uniform(3.5, 5) * k, o + rng.uniform(8, 9.5) * k],
                [o + rng.uniform(8, 10.5) * k, o + rng.uniform(-1, 2) * k],
            ],
            np.int32,
        )
        cv2.polylines(layer, [pts], False, 255, max(1, round(0.4 * k)), lineType=cv2.LINE_AA)
        stamp(out, layer.astype(np.float32) / 255.0, (165 + 7) * k, (y - 5 + 7) * k, ink, 0.95)
    return out


def render_blank(front: np.ndarray | None, dpi: int, nrng: np.random.Generator) -> np.ndarray:
    """A back side: paper with a faint mirrored show-through of the front, if any."""
    width, height = page_size_px(dpi)
    paper = float(nrng.uniform(248, 255))
    if front is None:
        return np.full((height, width, 3), round(paper), np.uint8)
    grey = cv2.cvtColor(front, cv2.COLOR_RGB2GRAY)
    if grey.shape != (height, width):  # the front was scanned at another resolution
        grey = cv2.resize(grey, (width, height), interpolation=cv2.INTER_AREA)
    ghost = cv2.GaussianBlur(255.0 - grey[:, ::-1].astype(np.float32), (0, 0), 1.5)
    strength = float(nrng.uniform(0.0, 0.05))
    out = np.clip(paper - ghost * strength, 0, 255).astype(np.uint8)
    return cv2.cvtColor(out, cv2.COLOR_GRAY2RGB)
