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

The certificate's era date line is checked the same way (DateLine): by the
reading, to settle its own dates, and here the other way round, with the
form's birth date as the hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import numpy as np

from matching.compare import EQUAL_BY_GLYPHS
from pipeline import eras, glyphs
from pipeline.domain import FieldComparison, FieldName

METHOD = "the certificate's {what} checked against the form's printed digits (the form's OCR read {read})"


def western(day: date) -> str:
    """A date as the form prints it: 1948年8月17日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _layout(month_digits: int, day_digits: int) -> str:
    """The digit template of a form date with so many month and day digits."""
    return f"0000年{'0' * month_digits}月{'0' * day_digits}日"


def form_date_fit(line: glyphs.PrintedLine, day: date) -> float | None:
    """How well the form's date line shows `day` as printed (1964年1月22日):
    the mean cell score when every cell clearly shows it, else None. Also None
    when the digit template fits the line as well with one digit more in the
    month or the day: a narrow 1 stretched over a printed 10 still scores (a
    printed 1964年10月22日 clearly showed 1964年1月22日 at 0.93, itself at 0.97;
    seed 1921820). The layouts are compared rather than each wider date drawn:
    a single-digit day has a dozen two-digit ones (105 ms a line against about
    10 ms), and on 24 generated lines in three faces the printed layout led
    every other by 0.1 or more."""
    shown, fit = glyphs.hypothesis_fit(line, western(day))
    if not shown:
        return None
    month_digits, day_digits = len(str(day.month)), len(str(day.day))
    wider = [_layout(2, day_digits)] * (month_digits == 1) + [_layout(month_digits, 2)] * (day_digits == 1)
    if not wider:
        return fit
    own = glyphs.read_pattern(line, _layout(month_digits, day_digits))
    for layout in wider:
        reading = glyphs.read_pattern(line, layout)
        if reading is None or "\u3000" in reading.text:
            # A digit cell of the wider layout is paper: the line does not
            # have the digit more (and the blank cell's missing score would
            # only flatter the wider layout's mean).
            continue
        if own is None or reading.overall > own.overall - FORM_FIT_LEAD:
            return None
    return fit


def shows_form_date(line: glyphs.PrintedLine, day: date) -> bool:
    return form_date_fit(line, day) is not None


# The template with a digit more must fit the form's line this much worse than
# the date's own layout, or the check is not settled.
FORM_FIT_LEAD = 0.02


# A date's reading of another layout (1月 against 10月) must fit the line this
# much worse on average than the one shown (best_fitting).
LAYOUT_FIT_LEAD = 0.03


def best_fitting_form_date(line: glyphs.PrintedLine, readings: tuple[str, ...]) -> str | None:
    """Of a form date's disagreeing readings (ISO dates), the one the printed
    digits clearly prefer over each other reading (best_fitting), else None.
    Measured on the 106 form dates with disagreeing readings of eight
    300-application sets: the truth led every other reading in all 105 where
    it was one of them (the smallest lead at a differing cell 0.10, of a
    layout's mean 0.042); the majority of the settings had been wrong on 22."""
    drawn = {}
    for value in dict.fromkeys(readings):
        try:
            text = western(date.fromisoformat(value))
        except ValueError:
            return None
        drawn[value] = (text, glyphs.check_line(line, text))
    return best_fitting(drawn)


def best_fitting(drawn: dict[str, tuple[str, list[tuple[float, float]] | None]]) -> str | None:
    """Of a field's disagreeing readings, each drawn as printed (its text
    without spaces, and glyphs.check_line's cells of it), the one the line
    clearly prefers over each other reading, else None. Against a reading of
    the same layout (1955年1月8日 for 1955年4月8日) only the cells where the
    two differ are judged, each by MIN_DIGIT_LEAD: a narrow digit elsewhere on
    the line may be unclear for both alike. Against another layout the
    preferred one must fit LAYOUT_FIT_LEAD better on average and show clearly
    every cell outside what the two texts share at their ends (1952年3月20日
    against 1952年3月2日: the ０ and the 日; seed 3537436 #63, whose ５ led
    its ６ by a hair under MIN_DIGIT_LEAD, showed the 2日 two settings read)."""
    if len(drawn) < 2 or any(cells is None for _text, cells in drawn.values()):
        return None
    best = max(drawn, key=lambda value: glyphs.fit_of_cells(drawn[value][1])[1])
    text, cells = drawn[best]
    assert cells is not None
    if any(score < glyphs.MIN_CELL_SCORE for score, _other in cells):
        return None
    shown, fit = glyphs.fit_of_cells(cells)
    for value, (other_text, other_cells) in drawn.items():
        if value == best:
            continue
        assert other_cells is not None
        if len(other_text) == len(text) == len(cells) == len(other_cells):
            differing = [i for i, (a, b) in enumerate(zip(text, other_text, strict=True)) if a != b]
            if any(cells[i][0] - other_cells[i][0] < glyphs.MIN_DIGIT_LEAD for i in differing):
                return None
        elif not (shown or _clear_where_they_differ(text, cells, other_text)) or (
            fit - glyphs.fit_of_cells(other_cells)[1] < LAYOUT_FIT_LEAD
        ):
            return None
    return best


def _clear_where_they_differ(text: str, cells: list[tuple[float, float]], other: str) -> bool:
    """Whether check_line's `cells` of `text` show clearly each character
    outside the longest start and end `text` shares with `other` (every cell,
    when the cells are not one per character)."""
    if len(cells) != len(text):
        return glyphs.fit_of_cells(cells)[0]
    start = _shared_start(text, other)
    end = _shared_start(text[start:][::-1], other[start:][::-1])
    return glyphs.fit_of_cells(cells[start : len(text) - end])[0]


def _shared_start(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def verify_form_date(
    form_readings: tuple[str, ...], cert_readings: tuple[str, ...], form_ink: np.ndarray | None
) -> FieldComparison | None:
    """Equal when the form's printed digits show one of the certificate's
    readings of the birth date, else None (the readings' comparison stands)."""

    def shows(line: glyphs.PrintedLine, value: str) -> bool:
        try:
            return shows_form_date(line, date.fromisoformat(value))
        except ValueError:
            return False

    return _verify(FieldName.BIRTH_DATE, "date", form_readings, cert_readings, form_ink, shows)


def verify_form_number(
    form_readings: tuple[str, ...], cert_readings: tuple[str, ...], form_ink: np.ndarray | None
) -> FieldComparison | None:
    """The same check for the 法人番号: its check digit is modulo 9, so a 0
    read as 9 (or 9 as 0) still passes it, and the form's narrow digits are
    read that way now and then. Equal when the form's printed digits show the
    number derived from the certificate, else None."""
    return _verify(FieldName.CORPORATE_NUMBER, "number", form_readings, cert_readings, form_ink, glyphs.clearly_shows)


CERTIFICATE_METHOD = (
    "the form's date checked against the certificate's printed digits (the certificate's OCR read {read})"
)


def verify_certificate_date(
    form_readings: tuple[str, ...], cert_readings: tuple[str, ...], cert_ink: np.ndarray | None
) -> FieldComparison | None:
    """The other way round: equal when the certificate's printed birth date
    line shows one of the form's readings, clearly better than any of the
    certificate's own, different readings. Its thin full-width １ can vanish
    for every OCR setting alike (平成１１年 read as 平成 1 年 twice), and an
    agreeing pair of readings settles the field without the glyphs; the
    form's reading is then the hypothesis. A real difference fails at the
    differing cell: the certificate pads single digits with a full-width
    space, so a date one digit shorter fills the same cells. Only 元年 has
    fewer, and can fit loosely over a printed １１年 (0.93 against 0.96)."""
    if cert_ink is None:
        return None
    line = DateLine(cert_ink)
    for value in form_readings:
        fit = _era_fit(line, value)
        if fit is None:
            continue
        rivals = [f for other in cert_readings if other != value and (f := _era_fit(line, other)) is not None]
        if any(fit - rival < CERTIFICATE_FIT_LEAD for rival in rivals):
            return None
        read = cert_readings[0] if cert_readings else "nothing"
        return FieldComparison(
            FieldName.BIRTH_DATE, value, value, CERTIFICATE_METHOD.format(read=read), 1.0, True, confidence=EQUAL_BY_GLYPHS
        )
    return None


CONTRADICTED_METHOD = (
    "{method}; but the {document}'s printed digits show another date than {value} (its OCR settings agreed on a misread)"
)


def contradicted_by_glyphs(
    comparison: FieldComparison, form_ink: np.ndarray | None, cert_ink: np.ndarray | None
) -> FieldComparison:
    """An equal birth date comparison, unless a document's printed line shows
    another digit in some cell of the agreed date: then unsure. Two documents
    agreeing is strong evidence, but a document's OCR settings read the same
    crop and can agree on the same misread digit; where the dates differ by
    exactly that digit, a mismatch looks like agreement (seed 2426325: a
    certificate printing 平成11年 6月20日 in half-width digits read 30日 by
    both settings, the form printing 1999年6月30日, a false approval; the
    glyphs: ２ 0.86–0.87, ３ 0.67–0.70). A cell that is merely unclear is no
    contradiction: the check asks for another digit that fits better."""
    if not comparison.equal or comparison.cert_value is None:
        return comparison
    try:
        day = date.fromisoformat(comparison.cert_value)
    except ValueError:
        return comparison
    if cert_ink is not None and DateLine(cert_ink).contradicts(day, "生"):
        document = "certificate"
    elif form_ink is not None and glyphs.other_digit_shown(glyphs.check_line(form_ink, western(day))):
        document = "form"
    else:
        return comparison
    method = CONTRADICTED_METHOD.format(method=comparison.method, document=document, value=comparison.cert_value)
    return replace(comparison, method=method, score=0.0, equal=False, unsure=True)


# The form's date must fit the certificate's line this much better than a
# different reading of the certificate's that the line also shows (as where
# reading.py settles a certificate date between shown candidates).
CERTIFICATE_FIT_LEAD = 0.02


# A certificate date line whose full-width grid's fixed characters fit this well
# is printed with full-width digits (DateLine._contradicted).
FULL_WIDTH_GRID_FIT = 0.85


class DateLine:
    """A certificate's era date line, each date checked against it once: the
    reading's confirmer, its settling and the EXPIRED check ask about the same
    dates, and a check costs a few hundredths of a second."""

    def __init__(self, ink: np.ndarray) -> None:
        self.ink = ink
        self.printed = glyphs.PrintedLine(ink)
        self._cells: dict[str, list[tuple[float, float]] | None] = {}
        self._grid: dict[tuple[str, str], bool] = {}
        self._contradictions: dict[str, bool] = {}

    def fits(self, day: date, suffix: str) -> list[tuple[bool, float]]:
        """glyphs.hypothesis_fit of `day` printed with full- and with half-width
        digits; where the half-width way may not count (_contradicted), it is
        (False, 0.0)."""
        wide = self._fit(day, suffix, True)
        return [wide, (False, 0.0) if self._contradicted(day, suffix) else self._fit(day, suffix, False)]

    def shows(self, day: date, suffix: str) -> bool:
        """Whether the line clearly shows `day`, printed either way (the
        half-width way is checked only when the full-width one is not shown)."""
        return self._fit(day, suffix, True)[0] or (
            not self._contradicted(day, suffix) and self._fit(day, suffix, False)[0]
        )

    def shows_as_printed(self, day: date, suffix: str, min_lead: float) -> bool:
        """Whether the line clearly shows `day` drawn the way it fits better
        (full- or half-width digits), each digit leading every other by
        `min_lead` rather than glyphs.MIN_DIGIT_LEAD."""
        return glyphs.fit_of_cells(self._cells_of(day, suffix, self._printed_wide(day, suffix)), min_lead)[0]

    def shown_fit(self, day: date, suffix: str) -> float | None:
        """The better mean cell score of the ways the line clearly shows
        `day`, or None when it shows it neither way."""
        shown = [mean for clear, mean in self.fits(day, suffix) if clear]
        return max(shown) if shown else None

    def best_fitting(self, readings: tuple[str, ...], suffix: str) -> str | None:
        """Of disagreeing readings (ISO dates), the one the line clearly
        prefers (best_fitting), each drawn the way it fits the line better."""
        drawn = {}
        for value in dict.fromkeys(readings):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                return None
            wide = self._printed_wide(day, suffix)
            text = eras.format_era_date(day, fullwidth=wide) + suffix
            drawn[value] = ("".join(text.split()), self._cells_of(day, suffix, wide))
        return best_fitting(drawn)

    def _contradicted(self, day: date, suffix: str) -> bool:
        """Whether the line is printed on the grid of full-width cells (its era,
        年, 月 and 日 where that grid puts them) and `day`, printed that way, has
        ink where its padding must be paper. Then no half-width rendering
        counts: its narrower cells can still fit, and 昭和　4年 (a padding space
        and a half-width 4) was shown on a printed 昭和４４年. A full-width
        rendering that fails only on a digit's lead is no such proof, and the
        half-width check still runs (on seed 2426325 it confirmed three right
        issue dates whose ８ led its rival by 0.03 full-width). Measured on a
        generated set: full-width lines fit their grid at 0.92, half-width
        ones at 0.55–0.70."""
        text = eras.format_era_date(day, fullwidth=True) + suffix
        if text not in self._contradictions:
            era = text[:2]
            if (era, suffix) not in self._grid:
                reading = glyphs.read_pattern(self.printed, f"{era}００年００月００日{suffix}")
                self._grid[(era, suffix)] = reading is not None and reading.fit >= FULL_WIDTH_GRID_FIT
            self._contradictions[text] = self._grid[(era, suffix)] and glyphs.inked_spaces(self.printed, text) > 0
        return self._contradictions[text]

    def contradicts(self, day: date, suffix: str) -> bool:
        """Whether the line shows a different digit where `day` has one,
        printed the way that fits the line better (the half-width way only
        where it may count): the glyphs see another date. A digit that is
        merely unclear (the thin ８ that leads its rival by 0.03) is no
        contradiction."""
        return glyphs.other_digit_shown(self._cells_of(day, suffix, self._printed_wide(day, suffix)))

    def unsettled_digits(self, day: date, suffix: str) -> tuple[str, list[int]] | None:
        """`day` as printed the way that fits the line better, and the
        positions in that text of the digits the line does not clearly show
        (below MIN_CELL_SCORE, or leading the next digit by less than
        MIN_DIGIT_LEAD). None when the line shows something else: another
        digit clearly better in some cell, a fixed character that does not
        fit, or ink where the date's padding must be paper."""
        wide = self._printed_wide(day, suffix)
        text = eras.format_era_date(day, fullwidth=wide) + suffix
        cells = self._cells_of(day, suffix, wide)
        positions = [index for index, ch in enumerate(text) if not ch.isspace()]
        # An inked padding space adds a cell of its own (check_line): not this date.
        if not cells or len(cells) != len(positions) or glyphs.other_digit_shown(cells):
            return None
        unsettled = []
        for position, (score, other) in zip(positions, cells, strict=True):
            if other < 0 and score < glyphs.MIN_CELL_SCORE:
                return None
            if other >= 0 and (score < glyphs.MIN_CELL_SCORE or score - other < glyphs.MIN_DIGIT_LEAD):
                unsettled.append(position)
        return text, unsettled

    def _printed_wide(self, day: date, suffix: str) -> bool:
        """Whether `day` fits the line better drawn with full-width digits
        than with half-width ones (which count only where _contradicted allows)."""
        if self._contradicted(day, suffix):
            return True
        return self._fit(day, suffix, True)[1] >= self._fit(day, suffix, False)[1]

    def _fit(self, day: date, suffix: str, wide: bool) -> tuple[bool, float]:
        return glyphs.fit_of_cells(self._cells_of(day, suffix, wide))

    def _cells_of(self, day: date, suffix: str, wide: bool) -> list[tuple[float, float]] | None:
        text = eras.format_era_date(day, fullwidth=wide) + suffix
        if text not in self._cells:
            self._cells[text] = glyphs.check_line(self.printed, text)
        return self._cells[text]


def _era_fit(line: DateLine, value: str) -> float | None:
    """How well a certificate's birth date line shows `value` (ISO)."""
    try:
        return line.shown_fit(date.fromisoformat(value), "生")
    except ValueError:
        return None


def _verify(
    name: FieldName,
    what: str,
    form_readings: tuple[str, ...],
    cert_readings: tuple[str, ...],
    form_ink: np.ndarray | None,
    shows: Callable[[glyphs.PrintedLine, str], bool],
) -> FieldComparison | None:
    """Equal when the form's line `shows` one of the certificate's readings
    and none of the form's own, different readings."""
    if form_ink is None:
        return None
    line = glyphs.PrintedLine(form_ink)  # asked about every reading of both documents
    for value in cert_readings:
        if shows(line, value):
            if any(shows(line, other) for other in form_readings if other != value):
                # The form's own, different reading is shown as clearly: the
                # cells' slack let the certificate's value fit too (1973年1月5日
                # over a printed 1973年11月5日, a false approval). Not the same.
                return None
            read = form_readings[0] if form_readings else "nothing"
            return FieldComparison(
                name, value, value, METHOD.format(what=what, read=read), 1.0, True, confidence=EQUAL_BY_GLYPHS
            )
    return None
