"""Japanese corporate identifiers: 会社法人等番号 (12 digits) and 法人番号 (13 digits).

The 法人番号 is a check digit followed by the 12-digit 基礎番号; for a registered
company the 基礎番号 is its 会社法人等番号 (documents.md, "Identifiers and their rules").
"""

from __future__ import annotations

import re

from pipeline.text import to_halfwidth

_DIGITS_12 = re.compile(r"^[0-9]{12}$")
_DIGITS_13 = re.compile(r"^[0-9]{13}$")
# 4-2-6 shape as printed on a seal certificate, e.g. ０１００－０１－０１２３４５.
# Hyphens as printed, and as Tesseract misreads them (ー, 一).
_SEPARATOR = r"[\s\-‐－ー—―−一]*"
_COMPANY_NUMBER = re.compile(rf"(?<![0-9])([0-9]{{4}}){_SEPARATOR}([0-9]{{2}}){_SEPARATOR}([0-9]{{6}})(?![0-9])")


def check_digit(base: str) -> int:
    """Check digit of a 12-digit 基礎番号: 9 − (Σ Pn × Qn mod 9), n counted from the right."""
    if not _DIGITS_12.match(base):
        raise ValueError(f"a 基礎番号 has 12 digits, got {base!r}")
    total = 0
    for n, digit in enumerate(reversed(base), start=1):
        weight = 1 if n % 2 == 1 else 2
        total += int(digit) * weight
    return 9 - (total % 9)


def corporate_number_from_base(base: str) -> str:
    """The 13-digit 法人番号 for a 12-digit 基礎番号 (会社法人等番号 without separators)."""
    return f"{check_digit(base)}{base}"


def is_valid_corporate_number(number: str) -> bool:
    """True when `number` is 13 digits whose first digit is the check digit of the rest."""
    if not _DIGITS_13.match(number):
        return False
    return int(number[0]) == check_digit(number[1:])


def parse_company_number(text: str) -> str | None:
    """The 12 digits of a 会社法人等番号 found in `text` (4-2-6, any width), else None."""
    match = _COMPANY_NUMBER.search(to_halfwidth(text))
    if match is None:
        return None
    return "".join(match.groups())


def format_company_number(base: str) -> str:
    """Print form of a 12-digit 会社法人等番号: 0100-01-012345 (half-width)."""
    if not _DIGITS_12.match(base):
        raise ValueError(f"a 会社法人等番号 has 12 digits, got {base!r}")
    return f"{base[:4]}-{base[4:6]}-{base[6:]}"
