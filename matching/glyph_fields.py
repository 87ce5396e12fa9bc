"""The form's birth date and 法人番号 checked against the certificate's from the printed digits.

The form prints the date in the Western calendar with narrow half-width
digits (1948年8月17日), which the fast model misreads now and then (8 as 5 or
3, 0 as 9). The certificate's date is read far more reliably (full-width
digits, and a template reading of its grid). Where the two disagree, the
certificate's date is taken as a hypothesis about the form's line: drawn in the
installed faces and laid over the form's ink, every digit cell must show its
digit clearly better than any other digit. Then the form says what the
certificate says; otherwise the comparison stands as the readings left it.
A real difference (the form printing 1945) fails at the differing cell, where
the form's own digit scores higher.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from pipeline import glyphs
from pipeline.domain import FieldComparison, FieldName

METHOD = "the certificate's {what} checked against the form's printed digits (the form's OCR read {read})"


def western(day: date) -> str:
    """A date as the form prints it: 1948年8月17日."""
    return f"{day.year}年{day.month}月{day.day}日"


def verify_form_date(
    form_readings: tuple[str, ...], cert_readings: tuple[str, ...], form_ink: np.ndarray | None
) -> FieldComparison | None:
    """Equal when the form's printed digits show one of the certificate's
    readings of the birth date, else None (the readings' comparison stands)."""
    return _verify(FieldName.BIRTH_DATE, "date", form_readings, cert_readings, form_ink, _western_of)


def verify_form_number(
    form_readings: tuple[str, ...], cert_readings: tuple[str, ...], form_ink: np.ndarray | None
) -> FieldComparison | None:
    """The same check for the 法人番号: its check digit is modulo 9, so a 0
    read as 9 (or 9 as 0) still passes it, and the form's narrow digits are
    read that way now and then. Equal when the form's printed digits show the
    number derived from the certificate, else None."""
    return _verify(FieldName.CORPORATE_NUMBER, "number", form_readings, cert_readings, form_ink, str)


def _western_of(value: str) -> str | None:
    try:
        return western(date.fromisoformat(value))
    except ValueError:
        return None


def _verify(
    name: FieldName,
    what: str,
    form_readings: tuple[str, ...],
    cert_readings: tuple[str, ...],
    form_ink: np.ndarray | None,
    printed: Callable[[str], str | None],
) -> FieldComparison | None:
    for value in cert_readings:
        if _shown(form_ink, printed(value)):
            if any(_shown(form_ink, printed(other)) for other in form_readings if other != value):
                # The form's own, different reading is shown as clearly: the
                # cells' slack let the certificate's value fit too (1973年1月5日
                # over a printed 1973年11月5日, a false approval). Not the same.
                return None
            read = form_readings[0] if form_readings else "nothing"
            return FieldComparison(name, value, value, METHOD.format(what=what, read=read), 1.0, True)
    return None


def _shown(ink: np.ndarray | None, text: str | None) -> bool:
    return text is not None and glyphs.clearly_shows(ink, text)
