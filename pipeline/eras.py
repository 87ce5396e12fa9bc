"""Japanese era (和暦) dates as printed on seal certificates.

An era's first year is printed 元年. The day an era starts belongs to it, so
1989-01-07 is 昭和64年 and 1989-01-08 is 平成元年.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipeline.text import to_halfwidth


@dataclass(frozen=True)
class Era:
    name: str
    start: date


# Newest first, so the first era whose start is on or before a date is its era.
ERAS: tuple[Era, ...] = (
    Era("令和", date(2019, 5, 1)),
    Era("平成", date(1989, 1, 8)),
    Era("昭和", date(1926, 12, 25)),
    Era("大正", date(1912, 7, 30)),
    Era("明治", date(1868, 1, 25)),  # the Gregorian-calendar start used for registry dates
)
_BY_NAME = {era.name: era for era in ERAS}

_ERA_DATE = re.compile(
    r"(?P<era>明治|大正|昭和|平成|令和)\s*(?P<year>元|\d{1,2})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"
)
_WESTERN_DATE = re.compile(r"(?P<year>(?:18|19|20)\d{2})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日")


def era_of(day: date) -> Era:
    for era in ERAS:
        if day >= era.start:
            return era
    raise ValueError(f"{day.isoformat()} is before the eras this program knows")


def era_year(day: date) -> tuple[Era, int]:
    era = era_of(day)
    return era, day.year - era.start.year + 1


def to_western(era_name: str, year: int, month: int, day: int) -> date:
    """The Western date of an era date. Raises ValueError for a date that does
    not exist or does not belong to the era (e.g. 平成元年1月7日)."""
    era = _BY_NAME.get(era_name)
    if era is None:
        raise ValueError(f"unknown era {era_name!r}")
    if year < 1:
        raise ValueError("era years start at 1 (元年)")
    result = date(era.start.year + year - 1, month, day)
    if result < era.start:
        raise ValueError(f"{era_name}{year}年{month}月{day}日 is before the era began")
    following = [e for e in ERAS if e.start > era.start]
    if following and result >= min(e.start for e in following):
        raise ValueError(f"{era_name}{year}年{month}月{day}日 is after the era ended")
    return result


def format_era_date(day: date, *, fullwidth: bool = True, pad: bool = True) -> str:
    """As a certificate prints it: 昭和４５年　１月２３日 (pad: single digits get a
    leading full-width space), 元年 for year one."""
    era, year = era_year(day)

    def number(value: int) -> str:
        text = str(value)
        if pad and len(text) == 1:
            text = "　" + text
        return _to_fullwidth_digits(text) if fullwidth else text

    year_text = "元" if year == 1 else number(year)
    return f"{era.name}{year_text}年{number(day.month)}月{number(day.day)}日"


def parse_era_date(text: str) -> date | None:
    """The first valid era date in `text` (any digit width, 元年, padding), else None."""
    normal = to_halfwidth(text)
    for match in _ERA_DATE.finditer(normal):
        year = 1 if match["year"] == "元" else int(match["year"])
        try:
            return to_western(match["era"], year, int(match["month"]), int(match["day"]))
        except ValueError:
            continue
    return None


# The era is what was read in the few characters before the year: litter
# between them (令和-_8年) leaves the era's own characters in view.
_LOOSE_ERA_DATE = re.compile(
    r"(?P<era>[^\d元年月日]{0,4}?)(?P<year>元|\d{1,2})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日"
)
# 年 or 月 misread as another character (令和8征10月1日) still separates the
# three numbers; tried only when the printed separators are not all read.
_LOOSER_ERA_DATE = re.compile(
    r"(?P<era>[^\d元年月日]{0,4}?)(?P<year>元|\d{1,2})\D(?P<month>\d{1,2})\D(?P<day>\d{1,2})(?:日|$|\D)"
)


def parse_era_date_near(text: str, earliest: date, latest: date) -> date | None:
    """An era date whose era name may be misread (信和 for 令和, 昭租 for 昭和):
    every era sharing a character with what was read is tried, and the one
    date that falls in [earliest, latest] is taken. None when no era or more
    than one fits. An exactly printed era is taken as printed, and only when
    it falls in the range too: 令和38年 for a printed 令和８年 is a misread, not
    an issue date in 2056 (seed 4446345 #13: kept as an alternative reading
    after receipt, it stopped an expired certificate being EXPIRED)."""
    normal = re.sub(r"\s+", "", to_halfwidth(text))
    exact = parse_era_date(normal)
    if exact is not None:
        return exact if earliest <= exact <= latest else None
    for match in [*_LOOSE_ERA_DATE.finditer(normal), *_LOOSER_ERA_DATE.finditer(normal)]:
        year = 1 if match["year"] == "元" else int(match["year"])
        token = match["era"]
        candidates = [era for era in ERAS if set(era.name) & set(token)] or list(ERAS)
        fitting = set()
        for era in candidates:
            try:
                day = to_western(era.name, year, int(match["month"]), int(match["day"]))
            except ValueError:
                continue
            if earliest <= day <= latest:
                fitting.add(day)
        if len(fitting) == 1:
            return fitting.pop()
    return None


# 年, 月 and 日 misread as other characters still separate three numbers.
_LOOSE_WESTERN_DATE = re.compile(r"(?<!\d)(?P<year>(?:18|19|20)\d{2})\D{1,2}(?P<month>\d{1,2})\D{1,2}(?P<day>\d{1,2})(?!\d)")


def parse_western_date(text: str) -> date | None:
    """The first valid date written 2026年11月20日 in `text` (spaces and a
    misread 年/月 allowed), else None."""
    normal = re.sub(r"\s+", "", to_halfwidth(text))
    for pattern in (_WESTERN_DATE, _LOOSE_WESTERN_DATE):
        for match in pattern.finditer(normal):
            try:
                return date(int(match["year"]), int(match["month"]), int(match["day"]))
            except ValueError:
                continue
    return None


def _to_fullwidth_digits(text: str) -> str:
    return text.translate({ord(str(d)): chr(0xFF10 + d) for d in range(10)})


def repaired_western_dates(text: str) -> list[date]:
    """Dates a misread could have meant when `text` holds a month or day that
    cannot be (Tesseract reads some faces' 0 as 9: 10月 as 19月). Candidates
    only: the caller accepts one only when the other document agrees."""
    normal = re.sub(r"\s+", "", to_halfwidth(text))
    found: list[date] = []
    for match in _LOOSE_WESTERN_DATE.finditer(normal):
        months = {match["month"], match["month"].replace("9", "0")}
        days = {match["day"], match["day"].replace("9", "0")}
        for month in months:
            for day in days:
                try:
                    candidate = date(int(match["year"]), int(month), int(day))
                except ValueError:
                    continue
                if candidate not in found:
                    found.append(candidate)
    return found


# --- the certificate's validity (documents.md, "Identifiers and their rules") ---


def three_months_before(day: date) -> date:
    """The same day three calendar months earlier, clamped to the month's end
    (2026-05-31 → 2026-02-28)."""
    month = day.month - 3
    year = day.year
    if month < 1:
        month += 12
        year -= 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def certificate_is_current(issue: date, received: date) -> bool:
    """documents.md: issued within three months before the receipt date."""
    return three_months_before(received) <= issue <= received
