import pytest

from matching.compare import compare_corporate_numbers, compare_dates, compare_names
from matching.names import comparable_name
from pipeline.text import digits_only, normalise_name, to_halfwidth


def test_width_normalisation():
    assert to_halfwidth("０１２３４５６７８９") == "0123456789"
    assert to_halfwidth("ＧＢ１２") == "GB12"
    assert to_halfwidth("ｶﾞ") == "ガ"  # half-width katakana become full-width
    assert digits_only("０６００－０１－２４０５４８") == "060001240548"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("山田　太郎", "山田 太郎"), ("  山田   太郎 ", "山田 太郎"), ("山田\u3000\u3000太郎", "山田 太郎")],
)
def test_names_get_one_half_width_space(raw, expected):
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    ("form", "cert"),
    [
        ("高橋　一郎", "髙橋　一郎"),
        ("山崎　花子", "山﨑　花子"),
        ("渡辺　紀子", "渡邉　紀子"),
        ("渡辺　紀子", "渡邊　紀子"),
        ("斎藤　学", "齋藤　学"),
        ("斉藤　学", "齊藤　学"),
        ("浜田　誠", "濵田　誠"),
        ("桜井　翔", "櫻井　翔"),
        ("瀬戸　光", "瀨戸　光"),
    ],
)
def test_registered_variants_are_the_same_person(form, cert):
    assert compare_names(form, cert).equal


@pytest.mark.parametrize(
    ("form", "cert"),
    [
        ("斎藤　学", "斉藤　学"),  # different families, documents.md
        ("斎藤　学", "齊藤　学"),
        ("斉藤　学", "齋藤　学"),
        ("山田　太郎", "山田　次郎"),
        ("山田　太郎", "山口　太郎"),
    ],
)
def test_different_names_stay_different(form, cert):
    assert not compare_names(form, cert).equal


def test_spacing_and_width_do_not_matter_for_names():
    assert comparable_name("山田 太郎") == comparable_name("山田　　太郎") == "山田太郎"


def test_comparisons_carry_their_evidence():
    result = compare_corporate_numbers("7000012050002", "7000012050003")
    assert not result.equal
    assert result.form_value == "7000012050002"
    assert result.cert_value == "7000012050003"
    assert 0.9 < result.score < 1.0
    assert compare_corporate_numbers("7000012050002", "7000012050002").equal
    # Equal strings that fail the check digit are not a match: one of them is a misread.
    assert not compare_corporate_numbers("7000012050003", "7000012050003").equal
    assert compare_dates("1970-01-23", "1970-01-23").equal
    assert not compare_dates("1970-01-23", None).equal


def test_kanji_one_and_a_dash_compare_equal():
    assert compare_names("井上　健一", "井上　健ー").equal
    assert not compare_names("井上　健一", "井上　健二").equal


def test_ocr_look_alikes_that_names_never_use_are_folded():
    assert compare_names("後藤　紀子", "後藤　紀了").equal  # 了 for 子
    # Look-alikes that both occur in names stay different.
    assert not compare_names("土屋　一", "士屋　一").equal
    assert not compare_names("入江　一", "人江　一").equal
