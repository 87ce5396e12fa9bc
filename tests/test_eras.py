from datetime import date

import pytest

from pipeline.eras import (
    format_era_date,
    parse_era_date,
    parse_era_date_near,
    parse_western_date,
    to_western,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昭和４５年　１月２３日生", date(1970, 1, 23)),
        ("昭和45年1月23日", date(1970, 1, 23)),
        ("令和　６年１１月　１日", date(2024, 11, 1)),
        ("令和元年５月１日", date(2019, 5, 1)),
        ("平成元年１月８日", date(1989, 1, 8)),
        ("昭和６４年１月７日", date(1989, 1, 7)),
        ("平成３１年４月３０日", date(2019, 4, 30)),
        ("昭和元年１２月２５日", date(1926, 12, 25)),
        ("大正１５年１２月２４日", date(1926, 12, 24)),
    ],
)
def test_era_dates(text, expected):
    assert parse_era_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "平成元年１月７日",  # still 昭和64年
        "令和元年４月３０日",  # still 平成31年
        "昭和元年１２月２４日",  # still 大正
        "昭和６５年１月１日",  # 昭和 ended in its 64th year
        "平成３１年５月１日",  # already 令和
        "令和６年２月３０日",  # no such day
        "令和６年１３月１日",
    ],
)
def test_dates_outside_their_era_or_calendar_are_rejected(text):
    assert parse_era_date(text) is None


def test_round_trip_through_the_printed_form():
    for day in (date(1944, 1, 31), date(1989, 1, 7), date(1989, 1, 8), date(2019, 5, 1), date(2026, 11, 20)):
        assert parse_era_date(format_era_date(day) + "生") == day
        assert parse_era_date(format_era_date(day, fullwidth=False, pad=False)) == day


def test_printed_form_uses_gannen_and_fullwidth_padding():
    assert format_era_date(date(2019, 5, 1)) == "令和元年　５月　１日"
    assert format_era_date(date(1970, 1, 23)) == "昭和４５年　１月２３日"


def test_to_western_rejects_unknown_era_and_year_zero():
    with pytest.raises(ValueError):
        to_western("光文", 1, 1, 1)
    with pytest.raises(ValueError):
        to_western("令和", 0, 1, 1)


def test_western_dates_on_the_form():
    assert parse_western_date("2026年11月20日") == date(2026, 11, 20)
    assert parse_western_date("１９７０年１月２３日") == date(1970, 1, 23)
    assert parse_western_date("1970 年 1 月 23 日") == date(1970, 1, 23)
    assert parse_western_date("2026年2月30日") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("信和 8 年 9 月 25 日", date(2026, 9, 25)),  # 令 misread
        ("和8年9月25日", date(2026, 9, 25)),
        ("令和8年9月25日", date(2026, 9, 25)),
        # Litter between the era and the year (seed 2224123: the only readings
        # that held 11月 were 令 和 -_ 8 年 11 月 20 日).
        ("令 和 -_ 8 年 11 月 20 日", date(2026, 11, 20)),
    ],
)
def test_issue_dates_with_a_misread_era(text, expected):
    assert parse_era_date_near(text, date(2006, 1, 1), date(2026, 11, 20)) == expected


def test_birth_dates_with_a_misread_era_use_the_plausible_one():
    assert parse_era_date_near("昭 租 50 年 1 月 22 日 生", date(1900, 1, 1), date(2010, 1, 1)) == date(1975, 1, 22)
    assert parse_era_date_near("平戌3年4月5日", date(1900, 1, 1), date(2010, 1, 1)) == date(1991, 4, 5)
    # 和 alone fits 昭和 and 令和; only 昭和 gives an adult's birth date.
    assert parse_era_date_near("和50年1月22日", date(1900, 1, 1), date(2010, 1, 1)) == date(1975, 1, 22)
    # Nothing fits: no guess.
    assert parse_era_date_near("和90年1月22日", date(1900, 1, 1), date(2010, 1, 1)) is None


def test_western_dates_with_a_misread_separator():
    assert parse_western_date("1986 征 7 月 3 日") == date(1986, 7, 3)
    assert parse_western_date("1963 重 8 月 20 日") == date(1963, 8, 20)
    assert parse_western_date("1986 7 3") is None  # no separators at all: not a date we trust


def test_impossible_months_offer_repaired_candidates():
    from pipeline.eras import repaired_western_dates

    assert repaired_western_dates("1994 年 19 月 24 日") == [date(1994, 10, 24)]
    assert repaired_western_dates("1994 年 10 月 24 日") == [date(1994, 10, 24)]
    assert repaired_western_dates("1994 年 99 月 24 日") == []


def test_an_era_date_with_a_misread_separator_still_parses():
    from datetime import date

    from pipeline.eras import parse_era_date_near

    window = (date(1996, 1, 1), date(2027, 11, 24))
    assert parse_era_date_near("令 和 8 征 10 月 1 日", *window) == date(2026, 10, 1)
    assert parse_era_date_near("令和8年10月1日", *window) == date(2026, 10, 1)
    assert parse_era_date_near("令 和 38 年 10 月 15FI", *window) is None  # no plausible year
    # Two characters between the numbers are not a separator: on a photocopy
    # the first １ of １１月 is read as ま (8年ま1月 is November, not January:
    # allowing them read two issue dates of seed 3436335 as 1月).
    assert parse_era_date_near("令 和 8 年 ま 1 月 5 日", *window) is None


def test_an_exactly_printed_era_date_outside_the_range_is_no_reading():
    # Seed 4446345 #13: one setting read the issue date 令和８年８月２１日 as
    # 令和38年 (2056); kept as a reading, it stopped the certificate being EXPIRED.
    window = (date(1996, 1, 1), date(2027, 11, 24))
    assert parse_era_date_near("令 和 38 年 8 月 21 日", *window) is None
    assert parse_era_date_near("令 和 8 年 8 月 21 日", *window) == date(2026, 8, 21)
