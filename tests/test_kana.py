"""The フリガナ tie-breaker: which reading of a name its kana spells (KANJIDIC's
readings, from Debian's kanjidic package)."""

import pytest

from matching.kana import choose_by_kana, fit_cost, fold
from pipeline.errors import ToolError


def test_kana_is_folded_to_plain_hiragana():
    assert fold("ミヤモト　クニヒコ") == "みやもとくにひこ"
    assert fold("ヤマザキ") == fold("やまさき")  # voicing folded (rendaku, a lost dakuten)
    assert fold("リョウ") == fold("リヨウ")  # small kana folded
    assert fold("ｼﾞｮｰ") == "しよ"  # half-width, long-vowel mark dropped


@pytest.mark.parametrize(
    ("name", "kana", "cost"),
    [
        ("宮本 国彦", "ミヤモト　クニヒコ", 0),
        ("宮木 国彦", "ミヤモト　クニヒコ", 1),  # 木 is もと only as a nanori
        ("三浦 秀明", "ミウ フラ ヒデ アキ", 101),  # one stray kana, and 秀 ひで is a nanori
        ("山崎 健太", "ヤマザキ　ケンタ", 0),  # 崎 さき, voiced
        ("佐々木 亮", "ササキ　リョウ", 0),  # 々 repeats 佐
        ("竹ヶ原 隆", "タケガハラ　タカシ", 1),  # 隆 たかし is a nanori
        ("科 秀明", "ミウラ　ヒデアキ", None),
        ("宮本 国彦", "", None),
        ("宮本 ]彦", "ミヤモト　クニヒコ", None),  # OCR litter spells nothing
    ],
)
def test_the_fit_of_a_name_to_its_kana(name, kana, cost):
    assert fit_cost(name, kana) == cost


def test_the_kana_breaks_a_tie_only_when_one_reading_fits_best():
    assert choose_by_kana(["宮木 国彦", "宮本 国彦"], "ミヤモト　クニヒコ") == "宮本 国彦"
    assert choose_by_kana(["科 秀明", "三浦 秀明"], "ミウラ ヒデアキ") == "三浦 秀明"
    # Tesseract repeats a kana at a word break now and then: a stray kana or two
    # are allowed (seen: ミウ フラ ヒデ アキ for ミウラ ヒデアキ).
    assert choose_by_kana(["科 秀明", "三浦 秀明"], "ミウ フラ ヒデ アキ") == "三浦 秀明"
    assert choose_by_kana(["宮木 国彦", "宮本 国彦"], "ミヤ モト ト クニヒコ") == "宮本 国彦"
    # More than two spell nothing (明 alone is not ミウラ ヒデアキ), nor does another name.
    assert fit_cost("明", "ミウラ ヒデアキ") is None
    assert choose_by_kana(["宮木 国彦", "宮本 国彦"], "ナカムラ ケンタ") is None
    # Both spell it equally: a tie stays a tie.
    assert choose_by_kana(["斉藤 隆", "斎藤 隆"], "サイトウ　タカシ") is None


def test_missing_kanji_readings_are_a_tool_error(monkeypatch, tmp_path):
    monkeypatch.setenv("GBIZ_REVIEW_KANJIDIC", str(tmp_path / "nowhere"))
    with pytest.raises(ToolError, match="kanjidic"):
        fit_cost("宮本", "ミヤモト")
