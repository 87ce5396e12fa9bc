"""The decision for one application: approve automatically only when every
check passes; otherwise hold with every reason found. Pure: everything it needs
comes in as arguments."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from matching import kana
from matching.compare import compare_readings
from matching.glyph_fields import (
    contradicted_by_glyphs,
    shows_form_date,
    verify_certificate_date,
    verify_form_date,
    verify_form_number,
)
from matching.glyph_names import METHOD as GLYPH_METHOD
from matching.glyph_names import settle_single, verify_names
from matching.names import comparable_name, display_char, display_name, holds_name_characters
from pipeline.config import policy_version
from pipeline.domain import (
    ApplicationResult,
    Decision,
    Document,
    ExtractedField,
    FieldComparison,
    FieldName,
    PageAnalysis,
    PageKind,
    Reason,
    Status,
)
from pipeline.eras import certificate_is_current
from pipeline.glyphs import PrintedLine, could_be_with_strokes_lost
from pipeline.grouping import PageGroup


@dataclass(frozen=True)
class History:
    """What is known about 申請書IDs from earlier batches and earlier in this one."""

    earlier: dict[str, str]  # 申請書ID → latest status in earlier batches
    this_batch: frozenset[str]  # IDs already seen in this batch before this application


def decide(group: PageGroup, received: date, history: History, min_confidence: float) -> ApplicationResult:
    reasons: list[Reason] = []
    details: list[str] = []
    findings: list[str] = []

    # A blank back side is dropped, so its scan does not send the envelope back;
    # a nearly uniform page also has few levels however it was scanned.
    quality_problems = [
        f"page {p.seq + 1}: {problem}"
        for p in group.pages
        if p.kind is not PageKind.BLANK
        for problem in p.quality.problems
    ]
    for page in group.pages:
        if page.kind is PageKind.FORM and page.quality.looks_grey and not page.quality.problems:
            # The form carries a red seal: identical channels mean a greyscale scan stored as colour.
            quality_problems.append(
                f"page {page.seq + 1}: no colour on the application form (the red seal is grey): "
                "a greyscale scan stored as colour"
            )
        findings.extend(f"page {page.seq + 1}: {finding}" for finding in page.findings)
        if page.kind is PageKind.BLANK:
            findings.append(f"page {page.seq + 1}: blank back side, dropped")
            findings.extend(f"page {page.seq + 1}: {problem} (blank, ignored)" for problem in page.quality.problems)

    if not group.identified:
        decision = Decision(
            Status.NEEDS_REVIEW, (Reason.UNIDENTIFIED,),
            ("pages before the first application form cannot be tied to an application", *quality_problems),
            policy_version(min_confidence),
        )
        return ApplicationResult(group.seq, None, tuple(p.seq for p in group.pages), (), (), None, decision, tuple(findings))

    form = group.form
    assert form is not None
    certificates = group.of_kind(PageKind.CERTIFICATE)
    certificate = certificates[0] if certificates else None
    fields: list[ExtractedField] = list(form.fields) + (list(certificate.fields) if certificate else [])

    def value(document: Document, name: FieldName) -> ExtractedField | None:
        return next((f for f in fields if f.document is document and f.name is name), None)

    application_id = form.application_id
    if application_id is None:
        reasons.append(Reason.LOW_CONFIDENCE)
        details.append("application_id: neither the QR code nor the printed 申請書ID could be read")
    elif history.earlier.get(application_id) == "denied":
        reasons.append(Reason.DENIED_BEFORE)
        details.append(f"{application_id} was denied before")
    elif application_id in history.this_batch or history.earlier.get(application_id) not in (None, "rescan"):
        reasons.append(Reason.DUPLICATE)
        details.append(f"{application_id} was received before")
    if application_id is not None and form.application_id_source == "qr-conflict":
        # The form's print names another application than its code: which one
        # was meant is a person's call (approving either could approve the
        # wrong applicant's ID).
        _add(reasons, Reason.LOW_CONFIDENCE)
        details.extend(f"application_id: {f}" for f in form.findings if f.startswith("QR code says"))
    elif application_id is not None and form.application_id_source not in ("qr", "ocr+glyphs"):
        # Without the QR code the ID comes from OCR alone, which misreads a digit
        # now and then (about 1 in 40 on generated forms): approving it could
        # approve another applicant's ID. A person confirms it, unless the
        # printed digits clearly show what OCR read (reading._printed_id_shown).
        _add(reasons, Reason.LOW_CONFIDENCE)
        details.append(f"application_id: no readable QR code; the printed ID was read as {application_id} by OCR")

    if form.correction_suspected:
        reasons.append(Reason.CORRECTED)
        details.extend(f for f in form.findings if "ink" in f or "strike" in f)

    comparisons = ()
    issue_date: date | None = None
    if certificate is None:
        # Nothing to compare the name with: where the form's readings disagree,
        # its glyphs settle what the reviewer is shown.
        fields = [_settled_alone(f, form) for f in fields]
        reasons.append(Reason.MISSING)
        others = group.of_kind(PageKind.OTHER_DOCUMENT) + group.of_kind(PageKind.UNKNOWN)
        details.append(
            "another document in place of the seal certificate" if others else "no seal certificate in the envelope"
        )
    else:
        if certificate.copy_suspected:
            reasons.append(Reason.COPY)
            details.extend(certificate.findings)
        comparisons = tuple(
            _compare(name, value(Document.FORM, name), value(Document.CERTIFICATE, name), form, certificate)
            for name in (FieldName.CORPORATE_NUMBER, FieldName.NAME, FieldName.BIRTH_DATE)
        )
        # A struck row that differs from the certificate does not settle what
        # the certificate shows: the glyphs compared its clean line with a
        # crossed-out print (seed 3537436 #6: the certificate's 長濵 さくら,
        # read right, was shown as the 兵濵 さくぐら of that comparison). The
        # form's struck print is still shown as the comparison saw it: on two
        # sets of corrected forms that read more struck names right.
        struck = {c.field for c in comparisons if not c.equal and c.field.value in form.struck_rows}
        clean = tuple(c for c in comparisons if c.field not in struck)
        fields = [_settle(f, comparisons if f.document is Document.FORM else clean) for f in fields]
        name_comparison = next(c for c in comparisons if c.field is FieldName.NAME)
        if not name_comparison.equal and not name_comparison.method.startswith(GLYPH_METHOD):
            # Different names by their readings (another person, or one too
            # garbled to compare cell by cell): as for a form alone, each
            # document's glyphs settle what the reviewer is shown where its
            # own readings disagree (隆 read once and 降 twice). Display only.
            fields = [_settled_alone(f, form if f.document is Document.FORM else certificate) for f in fields]
        elif FieldName.NAME in struck:
            # The certificate's name as its own glyphs settle it.
            fields = [_settled_alone(f, certificate) if f.document is Document.CERTIFICATE else f for f in fields]
        for comparison in comparisons:
            if comparison.field.value in form.struck_rows and not comparison.equal:
                # What a struck row prints is not what the applicant says, and
                # its strokes are crossed out: its reading would claim another
                # person where the correction may say the same one. CORRECTED
                # already holds the application; the reviewer compares the
                # handwriting.
                _add(reasons, Reason.CORRECTED)
                details.append(
                    f"{comparison.field.value}: struck through and rewritten by hand on the form; not compared "
                    f"(the struck print read as {comparison.form_value or 'nothing'}; "
                    f"certificate {comparison.cert_value or 'unread'})"
                )
            elif comparison.unsure:
                _add(reasons, Reason.LOW_CONFIDENCE)
                details.append(
                    f"{comparison.field.value}: form {comparison.form_value} / certificate {comparison.cert_value}: "
                    f"not settled ({comparison.method})"
                )
            elif comparison.form_value is None or comparison.cert_value is None:
                missing = "form" if comparison.form_value is None else "certificate"
                _add(reasons, Reason.LOW_CONFIDENCE)
                details.append(f"{comparison.field.value}: could not be read on the {missing}")
            elif not comparison.equal:
                _add(reasons, Reason.MISMATCH)
                details.append(f"{comparison.field.value}: form {comparison.form_value} ≠ certificate {comparison.cert_value}")
            elif comparison.confidence < min_confidence:
                # Equal, but less firmly than this site's threshold asks for.
                _add(reasons, Reason.LOW_CONFIDENCE)
                details.append(
                    f"{comparison.field.value}: form {comparison.form_value} = certificate {comparison.cert_value} "
                    f"({comparison.method}): confidence {comparison.confidence:.0f}, below {min_confidence:g}"
                )
        issue_field = value(Document.CERTIFICATE, FieldName.ISSUE_DATE)
        readings = [date.fromisoformat(v) for v in issue_field.readings] if issue_field else []
        if not readings:
            _add(reasons, Reason.LOW_CONFIDENCE)
            details.append("issue_date: the certificate's issue date could not be read")
        else:
            issue_date = readings[0]
            expired = [day for day in readings if day <= received and not certificate_is_current(day, received)]
            assert issue_field is not None
            # The date read with confidence is too old whatever another reading
            # says (seed 4446345 #13: 令和８年８月２１日, confirmed by the
            # template, beside a reading of 令和38年, was approved), and so is
            # one every reading puts too early.
            read_expired = issue_field.confidence >= min_confidence and issue_date in expired
            if read_expired or (len(expired) == len(readings) > 1):
                reasons.append(Reason.EXPIRED)
                details.append(f"issued {issue_date}, more than three months before receipt on {received}")
            elif len(expired) == len(readings):
                # Too old as read, but the reading is unsure: EXPIRED is a reason
                # to deny, so a person reads the date.
                _add(reasons, Reason.LOW_CONFIDENCE)
                details.append(
                    f"issue_date: read as {issue_date} (expired), but unsure (confidence {issue_field.confidence:.0f})"
                )
            elif issue_field.confidence < min_confidence:
                _add(reasons, Reason.LOW_CONFIDENCE)
                details.append(
                    f"issue_date: readings disagree or are unsure ({', '.join(str(d) for d in readings)}; "
                    f"confidence {issue_field.confidence:.0f})"
                )
            elif issue_date > received:
                _add(reasons, Reason.LOW_CONFIDENCE)
                details.append(f"issue_date: {issue_date} is after the receipt date {received}")

    if quality_problems:
        status = Status.RESCAN
        details = quality_problems + details
    elif reasons:
        status = Status.NEEDS_REVIEW
    else:
        status = Status.AUTO_APPROVED
    decision = Decision(status, tuple(_ordered(reasons)), tuple(details), policy_version(min_confidence))
    return ApplicationResult(
        seq=group.seq,
        application_id=application_id,
        page_seqs=tuple(p.seq for p in group.pages),
        fields=tuple(_as_shown(f) for f in fields),
        comparisons=comparisons,
        cert_issue_date=issue_date,
        decision=decision,
        findings=tuple(findings),
    )


def decide_all(
    groups: list[PageGroup], received: date, earlier: dict[str, str], min_confidence: float
) -> list[ApplicationResult]:
    """Decide a batch's applications in scan order; an ID seen earlier in the
    batch makes the later envelope a DUPLICATE."""
    return [
        decide(group, received, history, min_confidence)
        for group, history in zip(groups, histories(groups, earlier), strict=True)
    ]


def histories(groups: list[PageGroup], earlier: dict[str, str]) -> list[History]:
    """Each application's history: earlier batches, and the IDs of the
    applications before it in this batch (known from the forms before any is
    decided, so the applications can be decided in parallel)."""
    found: list[History] = []
    seen: set[str] = set()
    for group in groups:
        found.append(History(earlier, frozenset(seen)))
        if group.identified and group.form is not None and group.form.application_id:
            seen.add(group.form.application_id)
    return found


def _compare(
    name: FieldName, form_field: ExtractedField | None, cert_field: ExtractedField | None, form: PageAnalysis,
    certificate: PageAnalysis,
) -> FieldComparison:
    if name is FieldName.NAME:
        # Names are settled from the printed glyphs where OCR leaves a doubt.
        kana_text = _kana_of(form)
        spelled = kana.choose_by_kana(_readings(form_field), kana_text) if kana_text else None
        form_names, cert_names = _name_readings(form_field), _name_readings(cert_field)
        verified = verify_names(form_names, cert_names, form.name_ink, certificate.name_ink, spelled=spelled)
        if verified is not None:
            return _strokes_lost_on_copy(verified) if certificate.copy_suspected else verified
        # A document whose every reading held no kanji or kana was not read:
        # its name is unread (LOW_CONFIDENCE), not another person's.
        return compare_readings(name, form_names, cert_names)
    compared = compare_readings(name, _readings(form_field), _readings(cert_field))
    if name is FieldName.BIRTH_DATE and compared.equal:
        return contradicted_by_glyphs(compared, form.date_ink, certificate.date_ink)
    if not compared.equal:
        # The form's narrow digits are the weak reading: the certificate's value
        # is checked against them, digit by digit.
        if name is FieldName.BIRTH_DATE:
            verified = verify_form_date(_readings(form_field), _readings(cert_field), form.date_ink)
            if verified is None:
                verified = verify_certificate_date(_readings(form_field), _readings(cert_field), certificate.date_ink)
        elif name is FieldName.CORPORATE_NUMBER:
            verified = verify_form_number(_readings(form_field), _readings(cert_field), form.number_ink)
        else:
            verified = None
        if verified is not None:
            return verified
    return compared


def _strokes_lost_on_copy(compared: FieldComparison) -> FieldComparison:
    """A name mismatch the glyphs found on a photocopied certificate, where
    each character that differs could be the form's with strokes lost: unsure
    (LOW_CONFIDENCE), not MISMATCH. A copy loses a dot or a thin bar and never
    gains one, so the missing stroke is no evidence of another person (seed
    4345244 #65: 健太 copied without its dot, held as MISMATCH 健大; the
    photocopy set 777006 #60: 坂本 as 坂木)."""
    if compared.equal or compared.unsure or not compared.form_value or not compared.cert_value:
        return compared
    form, cert = compared.form_value.replace(" ", ""), compared.cert_value.replace(" ", "")
    if len(form) != len(cert):
        return compared
    differing = [(f, c) for f, c in zip(form, cert, strict=True) if comparable_name(f) != comparable_name(c)]
    if not differing or not all(could_be_with_strokes_lost(f, c) for f, c in differing):
        return compared
    lost = ", ".join(f"{c} may be {f} with strokes lost" for f, c in differing)
    return replace(compared, method=f"{compared.method}; on the photocopy {lost}", score=0.0, equal=False, unsure=True)


def _readings(item: ExtractedField | None) -> tuple[str, ...]:
    return item.readings if item is not None else ()


def _name_readings(item: ExtractedField | None) -> tuple[str, ...]:
    """A name's readings that hold a kanji or a kana: the others read no name."""
    return tuple(reading for reading in _readings(item) if holds_name_characters(reading))


def _settle(item: ExtractedField, comparisons: tuple) -> ExtractedField:  # type: ignore[type-arg]
    """When the two documents agreed through an alternative reading, that
    reading becomes the field's value (the report shows what matched)."""
    for comparison in comparisons:
        # A name the glyphs checked shows what the glyphs saw, equal or not (an
        # unsure one its best guess; the reason tells the reviewer to look).
        glyph_checked = comparison.method.startswith(GLYPH_METHOD)
        if comparison.field is item.name and (comparison.equal or glyph_checked):
            agreed = comparison.form_value if item.document is Document.FORM else comparison.cert_value
            if agreed and item.name is FieldName.NAME:
                agreed = "".join(display_char(ch) for ch in agreed)
            if agreed and agreed != item.value:
                return item.led_by(agreed)
    return item


def _as_shown(item: ExtractedField) -> ExtractedField:
    """A name as the reviewer and the export see it (matching.names.display_name),
    as the comparison already folded it."""
    if item.name is not FieldName.NAME or not item.value:
        return item
    shown = display_name(item.value)
    return item if shown == item.value else replace(item, value=shown)


def _settled_alone(item: ExtractedField, page: PageAnalysis) -> ExtractedField:
    if item.name is FieldName.BIRTH_DATE and item.document is Document.FORM:
        return _form_date_shown(item, page)
    if item.name is not FieldName.NAME:
        return item
    settled = settle_single(item.readings, page.name_ink)
    if settled is None or settled == item.value or _kana_spells_rather(item, settled, page):
        return item
    return item.led_by(settled)


def _kana_spells_rather(item: ExtractedField, settled: str, page: PageAnalysis) -> bool:
    """Whether the form's フリガナ spells the name as read rather than as the
    glyphs settled it: a cell's glyphs can lead by a hair between 由 and 山,
    where ユミコ spells only 由美子. On eight seen sets this kept two right
    names (高瀬 由美子 settled as 山美子, 岡崎 和也 as 和虫) and no wrong one."""
    spelled = _kana_of(page)
    if item.document is not Document.FORM or spelled is None or not item.value:
        return False
    return kana.choose_by_kana([item.value, settled], spelled) == item.value


def _kana_of(page: PageAnalysis) -> str | None:
    """The フリガナ the form's page read (read only where its name's readings disagree)."""
    return next((f.value for f in page.fields if f.name is FieldName.KANA and f.value), None)


def _form_date_shown(item: ExtractedField, page: PageAnalysis) -> ExtractedField:
    """A form birth date no reading parsed (1948年19月8日, three times) has
    only repaired candidates (10月, 1月), which count when the certificate
    agrees with one. With nothing to agree with, the one the printed digits
    clearly show is what the reviewer is shown; the confidence stays as it
    was (display only)."""
    if item.value is not None or not item.alternatives or page.date_ink is None:
        return item
    line = PrintedLine(page.date_ink)
    shown = [value for value in item.alternatives if shows_form_date(line, date.fromisoformat(value))]
    if len(shown) != 1:
        return item
    return item.led_by(shown[0])


def _add(reasons: list[Reason], reason: Reason) -> None:
    if reason not in reasons:
        reasons.append(reason)


_ORDER = list(Reason)


def _ordered(reasons: list[Reason]) -> list[Reason]:
    return sorted(set(reasons), key=_ORDER.index)
