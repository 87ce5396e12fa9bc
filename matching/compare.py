"""Field comparisons between the application form and the certificate. Each
returns its evidence: both values, the method and a score."""

from __future__ import annotations

from dataclasses import replace

from rapidfuzz.distance import Levenshtein

from matching.names import comparable_name
from pipeline.domain import FieldComparison, FieldName
from pipeline.identifiers import is_valid_corporate_number

# How strongly an equal comparison is established, on the 0–100 scale of the
# decision's threshold (GBIZ_REVIEW_MIN_CONFIDENCE, default 40), which applies
# to comparisons as to a value read only once. Two documents whose leading
# readings agree are the strongest evidence there is: 100 (FieldComparison's
# default). Agreement only through a minority reading of one document, or one
# document's value drawn on the other's printed line (the glyph checks), is
# strong but one step weaker: a site that wants a person to see those sets the
# threshold above 90.
EQUAL_THROUGH_ALTERNATIVE = 90.0
EQUAL_BY_GLYPHS = 90.0


def compare_corporate_numbers(form: str | None, cert: str | None) -> FieldComparison:
    """The form's 法人番号 against the one derived from the certificate's 会社法人等番号."""
    equal = form is not None and cert is not None and form == cert and is_valid_corporate_number(form)
    score = _similarity(form, cert)
    return FieldComparison(FieldName.CORPORATE_NUMBER, form, cert, "exact, check digit verified", score, equal)


def compare_names(form: str | None, cert: str | None) -> FieldComparison:
    left = comparable_name(form) if form else None
    right = comparable_name(cert) if cert else None
    equal = bool(left) and left == right
    return FieldComparison(
        FieldName.NAME, form, cert, "NFKC, spaces removed, variant kanji folded", _similarity(left, right), equal
    )


def compare_dates(form: str | None, cert: str | None) -> FieldComparison:
    """ISO dates after era conversion of the certificate's."""
    equal = form is not None and form == cert
    return FieldComparison(FieldName.BIRTH_DATE, form, cert, "ISO date after era conversion", _similarity(form, cert), equal)


def _similarity(left: str | None, right: str | None) -> float:
    if not left or not right:
        return 0.0
    return round(Levenshtein.normalized_similarity(left, right), 3)


_COMPARE = {
    FieldName.CORPORATE_NUMBER: compare_corporate_numbers,
    FieldName.NAME: compare_names,
    FieldName.BIRTH_DATE: compare_dates,
}


def compare_readings(field: FieldName, form: tuple[str, ...], cert: tuple[str, ...]) -> FieldComparison:
    """A field read more than one way on each side: equal when some reading of
    the form equals some reading of the certificate. Two independent documents
    agreeing is far stronger evidence than Tesseract's own confidence, and two
    different values misread into the same string is not a realistic event.
    Otherwise the evidence is the first (most agreed) reading of each side."""
    compare = _COMPARE[field]
    for left in form:
        for right in cert:
            result = compare(left, right)
            if result.equal:
                if (left, right) != (form[0], cert[0]):
                    result = replace(
                        result, method=result.method + "; agreed through an alternative reading",
                        confidence=EQUAL_THROUGH_ALTERNATIVE,
                    )
                return result
    return compare(form[0] if form else None, cert[0] if cert else None)
