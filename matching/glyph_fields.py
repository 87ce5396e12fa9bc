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

from datetime import date

import numpy as np

from pipeline import glyphs
from pipeline.domain import FieldComparison, FieldName

METHOD = "the certificate's date checked against the form's printed digits"


def western(day: date) -> str:
    """A date as the form prints it: 1948年8月17日."""
    return f"{day.year}年{day.month}月{day.day}日"


def form_shows(ink: np.ndarray | None, day: date) -> bool:
    """Whether the form's date line clearly shows `day`, digit by digit."""
    return glyphs.clearly_shows(ink, western(day))


def verify_form_date(
    form_readings: tuple[str, ...], cert_readings: tuple[str, ...], form_ink: np.ndarray | None
) -> FieldComparison | None:
    """Equal when the form's printed digits show one of the certificate's
    readings, else None (the readings' comparison stands)."""
    for value in cert_readings:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            continue
        if form_shows(form_ink, day):
            read = form_readings[0] if form_readings else "nothing"
            return FieldComparison(
                FieldName.BIRTH_DATE, value, value, f"{METHOD} (the form's OCR read {read})", 1.0, True
            )
    return None


NUMBER_METHOD = "the certificate's number checked against the form's printed digits"


def verify_form_number(
    form_readings: tuple[str, ...], cert_readings: tuple[str, ...], form_ink: np.ndarray | None
) -> FieldComparison | None:
    """The same check for the 法人番号: its check digit is modulo 9, so a 0
    read as 9 (or 9 as 0) still passes it, and the form's narrow digits are
    read that way now and then. Equal when the form's printed digits show the
    number derived from the certificate, else None."""
    for value in cert_readings:
        if glyphs.clearly_shows(form_ink, value):
            read = form_readings[0] if form_readings else "nothing"
            return FieldComparison(
                FieldName.CORPORATE_NUMBER, value, value, f"{NUMBER_METHOD} (the form's OCR read {read})", 1.0, True
            )
    return None
