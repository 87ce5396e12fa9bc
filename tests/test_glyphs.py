"""Glyph verification of names and template reading of dates, on lines drawn
here with the installed Japanese faces at the size a 200 dpi scan gives."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from matching.glyph_names import verify_names
from pipeline import eras, glyphs

MINCHO = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
GOTHIC = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
NOTO = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


def line(text: str, font_path: str = MINCHO, size: int = 31, copier_threshold: int | None = None) -> np.ndarray:
    """A printed line as an ink map (11 pt at 200 dpi is about 31 px).
    `copier_threshold`: only pixels darker than this stay ink, as a
    black-and-white photocopier leaves a Mincho face's hairlines."""
    face = ImageFont.truetype(font_path, size)
    width = int(face.getlength(text)) + 40
    canvas = Image.new("L", (width, size * 2), 255)
    ImageDraw.Draw(canvas).text((20, size // 2), text, font=face, fill=0)
    pixels = np.asarray(canvas)
    if copier_threshold is not None:
        pixels = np.where(pixels < copier_threshold, 0, 255).astype(np.uint8)
    return glyphs.ink_map(pixels)


def test_a_lookalike_of_another_name_is_a_mismatch_not_an_agreement():
    # 斎藤 on the form, 齊藤 (a variant of 斉, another name) on the certificate;
    # OCR read both sides as 斉藤 once: that agreement must not count.
    result = verify_names(
        ("斉藤 紀子", "斎藤 紀子"), ("齋藤 紀子", "斉藤 紀子"),
        line("斎藤　紀子", GOTHIC), line("代表取締役　齊藤　紀子", NOTO),
    )
    assert result is not None
    assert not result.equal and not result.unsure
    assert "斎" in result.method and "齊" in result.method


def test_a_registered_variant_the_model_cannot_read_is_recognised_on_the_page():
    result = verify_names(
        ("渡辺 桜子",), ("度如 桜子",),
        line("渡辺　桜子", GOTHIC), line("代表理事　渡邉　桜子", NOTO),
    )
    assert result is not None and result.equal
    assert result.cert_value == "渡邉 桜子"
    assert result.form_value == "渡辺 桜子"


def test_a_misread_on_one_document_is_settled_by_the_glyphs():
    result = verify_names(
        ("高芋 久美子", "高表 久美子"), ("高瀬 久美子",),
        line("高瀬　久美子", GOTHIC), line("取締役　高瀬　久美子", MINCHO),
    )
    assert result is not None and result.equal
    assert result.form_value == "高瀬 久美子"


def test_different_people_stay_different():
    result = verify_names(
        ("田中 さくら",), ("斎藤 さくら",),
        line("田中　さくら", GOTHIC), line("代表取締役　斎藤　さくら", MINCHO),
    )
    assert result is not None and not result.equal


def test_without_images_the_caller_falls_back_to_readings():
    assert verify_names(("山田 太郎",), ("山田 太郎",), None, None) is None


@pytest.mark.parametrize("font", [MINCHO, NOTO])
@pytest.mark.parametrize("day", [date(1970, 1, 23), date(1999, 11, 8), date(1964, 10, 30)])
def test_an_era_date_is_read_by_template(font, day):
    printed = eras.format_era_date(day, fullwidth=True, pad=True) + "生"
    era = eras.era_year(day)[0].name
    reading = glyphs.read_pattern(line(printed, font), f"{era}００年００月００日生")
    assert reading is not None
    assert reading.fit > 0.6 and reading.digit_margin > 0.05
    assert eras.parse_era_date(reading.text) == day


def test_a_western_date_is_read_by_template():
    ink = line("1981年6月10日", GOTHIC)
    readings = [glyphs.read_pattern(ink, f"0000年{m}月{d}日") for m in ("0", "00") for d in ("0", "00")]
    best = max((r for r in readings if r is not None), key=lambda r: r.overall)
    assert eras.parse_western_date(best.text) == date(1981, 6, 10)


@pytest.mark.parametrize("font", [MINCHO, GOTHIC])
@pytest.mark.parametrize(
    "printed", ["会社法人等番号　０１０４－０３－７６７０６２", "会社法人等番号　0104-03-767062"]
)
def test_a_company_number_is_read_by_template(font, printed):
    from pipeline.reading import _template_company_number

    assert _template_company_number(glyphs.PrintedLine(line(printed, font))) == "010403767062"


def test_a_line_of_another_layout_gives_no_company_number():
    from pipeline.reading import _template_company_number

    # The 本店 line: no label where the pattern puts it, so no digits are taken.
    assert _template_company_number(glyphs.PrintedLine(line("本　　店　東京都千代田区霞が関１－３－１"))) is None


def test_a_printed_line_answers_as_its_ink_does():
    # PrintedLine only keeps what the questions share: the same answers.
    ink = line("昭和４５年　１月２３日生")
    printed = glyphs.PrintedLine(ink)
    for text in ("昭和４５年　１月２３日生", "昭和４５年　１月２８日生", "昭和45年1月23日生"):
        assert glyphs.check_line(printed, text) == glyphs.check_line(ink, text)
    assert glyphs.read_pattern(printed, "昭和００年００月００日生") == glyphs.read_pattern(ink, "昭和００年００月００日生")


@pytest.mark.parametrize(("size", "copier_threshold"), [(28, 60), (31, 30)])
@pytest.mark.parametrize(
    ("printed", "day", "without_a_digit"),
    [
        ("令和　８年１１月　８日", date(2026, 11, 8), date(2026, 1, 8)),
        ("令和　８年１２月　３日", date(2026, 12, 3), date(2026, 2, 3)),
    ],
)
def test_a_date_missing_a_printed_digit_is_not_shown(size, copier_threshold, printed, day, without_a_digit):
    # On a black-and-white copy a Mincho １ is a hairline: drawn with
    # half-width digits, 令和8年 1月 8日 put that hairline in the padding
    # before 1月 and was shown on a printed 令和８年１１月８日 (photocopy
    # seed 777003 #1: a current certificate held as EXPIRED). A date read
    # earlier than printed is how a birth date mismatch would be approved.
    from matching.glyph_fields import DateLine

    date_line = DateLine(line(printed, MINCHO, size, copier_threshold))
    assert date_line.shows(day, "")
    assert not date_line.shows(without_a_digit, "")


@pytest.mark.parametrize(("printed", "shown", "possible"), [
    ("太", "大", True),  # the dot lost
    ("本", "木", True),  # the short bar lost
    ("由", "山", True),  # the top bar lost
    ("大", "太", False),  # a copy gains no stroke
    ("太", "一", False),
    ("一", "人", False),
    ("田", "昌", False),
])
def test_a_copy_can_lose_strokes_of_a_character_but_not_turn_it_into_another(printed, shown, possible):
    assert glyphs.could_be_with_strokes_lost(printed, shown) is possible
