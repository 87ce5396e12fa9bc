"""Decisions from page analyses: every reason, and approval only when all checks pass."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from pipeline.decide import History, decide_all
from pipeline.domain import (
    Document,
    ExtractedField,
    FieldName,
    PageAnalysis,
    PageKind,
    Reason,
    ScanQuality,
    Status,
)
from pipeline.eras import certificate_is_current, three_months_before
from pipeline.grouping import split_applications

RECEIVED = date(2026, 11, 20)
GOOD = ScanQuality(1654, 2339, 200, 200, 200.0, "RGB", 3, 8, 200, 3.0)
BAD = replace(GOOD, problems=("resolution 150 dpi is below 200 dpi",))
NO_HISTORY = History(earlier={}, this_batch=frozenset())


def field(document, name, value, confidence=90.0, seq=0):
    return ExtractedField(document, name, value or "", value, confidence, seq, None)


def form(seq=0, app_id="GB260112300042", number="7000012050002", name="高橋 一郎", born="1970-01-23", **extra):
    fields = (
        field(Document.FORM, FieldName.CORPORATE_NUMBER, number, seq=seq),
        field(Document.FORM, FieldName.NAME, name, seq=seq),
        field(Document.FORM, FieldName.BIRTH_DATE, born, seq=seq),
    )
    return PageAnalysis(seq, PageKind.FORM, extra.pop("quality", GOOD), False, 0.0, app_id, "qr", fields, **extra)


def certificate(seq=1, number="7000012050002", name="髙橋 一郎", born="1970-01-23", issued="2026-10-01", issue_confidence=90.0, **extra):
    fields = (
        field(Document.CERTIFICATE, FieldName.CORPORATE_NUMBER, number, seq=seq),
        field(Document.CERTIFICATE, FieldName.NAME, name, seq=seq),
        field(Document.CERTIFICATE, FieldName.BIRTH_DATE, born, seq=seq),
        field(Document.CERTIFICATE, FieldName.ISSUE_DATE, issued, confidence=issue_confidence, seq=seq),
    )
    return PageAnalysis(seq, PageKind.CERTIFICATE, extra.pop("quality", GOOD), False, 0.0, None, None, fields, **extra)


def page(kind, seq, quality=GOOD):
    return PageAnalysis(seq, kind, quality, False, 0.0)


def decide_pages(*pages, history=NO_HISTORY, min_confidence=40.0):
    return decide_all(split_applications(list(pages)), RECEIVED, history.earlier, min_confidence)


def test_a_matching_application_is_approved_with_a_variant_kanji():
    (result,) = decide_pages(form(), certificate(), page(PageKind.CHECK_SHEET, 2), page(PageKind.BLANK, 3))
    assert result.decision.status is Status.AUTO_APPROVED, result.decision.details
    assert result.decision.reasons == ()
    assert result.page_seqs == (0, 1, 2, 3)
    assert result.cert_issue_date == date(2026, 10, 1)
    assert [c.equal for c in result.comparisons] == [True, True, True]
    assert result.decision.policy_version


@pytest.mark.parametrize(
    ("cert_change", "field_name"),
    [
        ({"number": "9060001240548"}, "corporate_number"),
        ({"name": "高橋 次郎"}, "name"),
        ({"born": "1970-01-24"}, "birth_date"),
    ],
)
def test_each_mismatch_is_held_with_its_evidence(cert_change, field_name):
    (result,) = decide_pages(form(), certificate(**cert_change))
    assert result.decision.status is Status.NEEDS_REVIEW
    assert result.decision.reasons == (Reason.MISMATCH,)
    assert any(d.startswith(field_name) for d in result.decision.details)


def test_three_months_is_calendar_months():
    assert three_months_before(date(2026, 11, 20)) == date(2026, 8, 20)
    assert three_months_before(date(2026, 5, 31)) == date(2026, 2, 28)
    assert three_months_before(date(2027, 2, 15)) == date(2026, 11, 15)
    assert certificate_is_current(date(2026, 8, 20), RECEIVED)
    assert not certificate_is_current(date(2026, 8, 19), RECEIVED)
    assert not certificate_is_current(date(2026, 11, 21), RECEIVED)


def test_expired_certificate():
    (result,) = decide_pages(form(), certificate(issued="2026-08-19"))
    assert result.decision.reasons == (Reason.EXPIRED,)


def test_issue_date_read_with_low_confidence_is_not_trusted():
    (result,) = decide_pages(form(), certificate(issue_confidence=10.0))
    assert result.decision.status is Status.NEEDS_REVIEW
    assert result.decision.reasons == (Reason.LOW_CONFIDENCE,)


def test_missing_certificate_and_a_wrong_document():
    (alone,) = decide_pages(form())
    assert alone.decision.reasons == (Reason.MISSING,)
    assert "no seal certificate" in alone.decision.details[0]
    (wrong,) = decide_pages(form(), page(PageKind.OTHER_DOCUMENT, 1))
    assert wrong.decision.reasons == (Reason.MISSING,)
    assert "another document" in wrong.decision.details[0]


def test_a_form_name_alone_is_shown_as_its_kana_spells_it_where_the_glyphs_lean_elsewhere_by_a_hair():
    """Seed 3032931 #110 (no certificate; the form's scanned name line is kept
    in tests/data/name_lines): one setting read 高瀬 由美子, two 本瀬 山夫子;
    the フリガナ タカセ ユミコ chose the first. The glyphs alone settle the
    disputed cells as 高瀬 山美子 (由 and 山 differ by a stroke's tip); the
    kana spells 由美子 and not 山美子, so the reading stands."""
    import cv2
    import numpy as np

    ink = cv2.imread(str(Path(__file__).parent / "data" / "name_lines" / "form_takase_yumiko.png"), cv2.IMREAD_GRAYSCALE)
    name = replace(field(Document.FORM, FieldName.NAME, "高瀬 由美子"), alternatives=("本瀬 山夫子", "品瀬 山夫子"))
    kana = field(Document.FORM, FieldName.KANA, "タカ セ ユミ コ")

    def shown(*extra_fields):
        page = form(name_ink=ink.astype(np.float32) / 255.0)
        page = replace(page, fields=(*(f for f in page.fields if f.name is not FieldName.NAME), name, *extra_fields))
        (result,) = decide_pages(page)
        assert result.decision.reasons == (Reason.MISSING,)
        return next(f.value for f in result.fields if f.name is FieldName.NAME)

    assert shown() == "高瀬 山美子"  # the glyphs alone
    assert shown(kana) == "高瀬 由美子"


def test_photocopy_and_correction():
    (result,) = decide_pages(
        form(correction_suspected=True, findings=("strike-through lines in 1 row(s) of the form",)),
        certificate(copy_suspected=True, findings=("no colour on the certificate",)),
    )
    assert result.decision.reasons == (Reason.COPY, Reason.CORRECTED)


def test_a_struck_through_row_is_not_compared_but_another_field_still_is():
    """A name struck through and rewritten by hand reads as garbage (商拉一揚手
    for 高田 陽子, seed 2729628): compared, it claimed another person on a
    corrected form whose correction names the same one. Struck, it is not
    compared; the reviewer is told to compare the handwriting. A mismatch in
    a row not struck is still one."""
    corrected = {"correction_suspected": True, "findings": ("strike-through lines in 1 row(s) of the form (name)",)}
    (struck,) = decide_pages(form(name="商拉一揚手 誰名楊チ", struck_rows=("name",), **corrected), certificate())
    assert struck.decision.reasons == (Reason.CORRECTED,)
    assert any("name: struck through and rewritten by hand" in d for d in struck.decision.details)
    (unmarked,) = decide_pages(form(name="商拉一揚手 誰名楊チ", **corrected), certificate())
    assert unmarked.decision.reasons == (Reason.MISMATCH, Reason.CORRECTED)
    (elsewhere,) = decide_pages(form(name="商拉一揚手 誰名楊チ", struck_rows=("title",), **corrected), certificate())
    assert elsewhere.decision.reasons == (Reason.MISMATCH, Reason.CORRECTED)
    # Never approved on a struck row, whatever else the page says.
    (alone,) = decide_pages(form(name="商拉一揚手 誰名楊チ", struck_rows=("name",)), certificate())
    assert alone.decision.status is Status.NEEDS_REVIEW and Reason.CORRECTED in alone.decision.reasons


def test_a_struck_row_that_differs_does_not_change_what_the_certificate_shows(monkeypatch):
    """Seed 3537436 #6: the glyphs compared the certificate's name line with
    a struck-through print and, unequal, their reading of both lines (兵濵
    さくぐら) was what the certificate showed, though its own reading was
    right (長濵 さくら). A struck row that differs settles neither document's
    shown value; a row not struck still does (the glyph-checked value is
    what the reviewer sees, equal or not)."""
    from pipeline import decide
    from pipeline.domain import FieldComparison

    def glyphs_saw(form_readings, cert_readings, form_ink, cert_ink, spelled=None):
        return FieldComparison(FieldName.NAME, "兵浜 さくくら", "兵濵 さくぐら", f"{decide.GLYPH_METHOD} (test)", 0.0, False)

    monkeypatch.setattr(decide, "verify_names", glyphs_saw)
    corrected = {"correction_suspected": True, "findings": ("strike-through lines in 1 row(s) of the form (name)",)}

    def shown(result):
        return next(f.value for f in result.fields if f.document is Document.CERTIFICATE and f.name is FieldName.NAME)

    (struck,) = decide_pages(form(name="兵浜 さくくら", struck_rows=("name",), **corrected), certificate(name="長濵 さくら"))
    assert struck.decision.reasons == (Reason.CORRECTED,)
    assert shown(struck) == "長濵 さくら"
    (unmarked,) = decide_pages(form(name="兵浜 さくくら", **corrected), certificate(name="長濵 さくら"))
    assert shown(unmarked) == "兵濵 さくぐら"


def test_duplicate_in_the_batch_and_across_batches_and_denied_before():
    first, second = decide_pages(form(0), certificate(1), form(2), certificate(3))
    assert first.decision.status is Status.AUTO_APPROVED
    assert second.decision.reasons == (Reason.DUPLICATE,)
    (again,) = decide_pages(form(), certificate(), history=History({"GB260112300042": "auto_approved"}, frozenset()))
    assert again.decision.reasons == (Reason.DUPLICATE,)
    (denied,) = decide_pages(form(), certificate(), history=History({"GB260112300042": "denied"}, frozenset()))
    assert denied.decision.reasons == (Reason.DENIED_BEFORE,)
    # An envelope sent back for rescanning comes back with the same ID: not a duplicate.
    (rescanned,) = decide_pages(form(), certificate(), history=History({"GB260112300042": "rescan"}, frozenset()))
    assert rescanned.decision.status is Status.AUTO_APPROVED


def test_unreadable_values_hold_with_low_confidence_never_approve():
    (result,) = decide_pages(form(name=None), certificate())
    assert result.decision.reasons == (Reason.LOW_CONFIDENCE,)
    (no_id,) = decide_pages(form(app_id=None), certificate())
    assert no_id.decision.reasons == (Reason.LOW_CONFIDENCE,)


def test_a_page_breaking_the_scanning_rules_makes_the_application_rescan():
    (result,) = decide_pages(form(), certificate(quality=BAD))
    assert result.decision.status is Status.RESCAN
    assert "page 2: resolution 150 dpi" in result.decision.details[0]


def test_pages_before_the_first_form_are_unidentified():
    stray, application = decide_pages(page(PageKind.CERTIFICATE, 0), form(1), certificate(2))
    assert stray.application_id is None
    assert stray.decision.status is Status.NEEDS_REVIEW
    assert stray.decision.reasons == (Reason.UNIDENTIFIED,)
    assert application.decision.status is Status.AUTO_APPROVED
    # Leading blank back sides alone make no row.
    assert len(decide_pages(page(PageKind.BLANK, 0), form(1), certificate(2))) == 1


def test_every_reason_found_is_listed():
    (result,) = decide_pages(
        form(correction_suspected=True), certificate(name="山田 花子", issued="2026-01-01", copy_suspected=True),
        history=History({"GB260112300042": "needs_review"}, frozenset()),
    )
    assert set(result.decision.reasons) == {Reason.DUPLICATE, Reason.CORRECTED, Reason.COPY, Reason.MISMATCH, Reason.EXPIRED}


def with_issue_readings(page_analysis, value, alternatives, confidence):
    fields = tuple(
        replace(f, value=value, alternatives=alternatives, confidence=confidence) if f.name is FieldName.ISSUE_DATE else f
        for f in page_analysis.fields
    )
    return replace(page_analysis, fields=fields)


def test_issue_date_readings_that_disagree_are_held_not_guessed():
    # 令和8 read as 令和3 by some variants: neither EXPIRED nor approved.
    cert = with_issue_readings(certificate(), "2021-08-20", ("2026-08-20",), 39.0)
    (result,) = decide_pages(form(), cert)
    assert result.decision.reasons == (Reason.LOW_CONFIDENCE,)
    assert "readings disagree" in result.decision.details[0]


def test_expired_however_it_was_read():
    cert = with_issue_readings(certificate(), "2021-08-20", ("2026-01-20",), 39.0)
    (result,) = decide_pages(form(), cert)
    assert result.decision.reasons == (Reason.EXPIRED,)


def test_names_agree_through_an_alternative_reading():
    cert = certificate()
    cert = replace(cert, fields=tuple(
        replace(f, value="後田 一郎", alternatives=("髙橋 一郎",)) if f.name is FieldName.NAME else f for f in cert.fields
    ))
    (result,) = decide_pages(form(), cert)
    assert result.decision.status is Status.AUTO_APPROVED
    name = next(c for c in result.comparisons if c.field is FieldName.NAME)
    assert name.cert_value == "髙橋 一郎" and "alternative" in name.method
    # The field's value becomes the reading that matched (the report shows it).
    assert result.field_value(Document.CERTIFICATE, FieldName.NAME) == "髙橋 一郎"


def test_a_blank_back_side_never_sends_the_envelope_back():
    (result,) = decide_pages(form(), page(PageKind.BLANK, 1, quality=BAD), certificate(2))
    assert result.decision.status is Status.AUTO_APPROVED
    assert any("blank back side" in f for f in result.findings)


def test_a_grey_form_is_rescanned_but_a_grey_check_sheet_is_not():
    grey = replace(GOOD, colour_spread=0.0, colourful_share=0.0)
    (result,) = decide_pages(form(quality=grey), certificate())
    assert result.decision.status is Status.RESCAN
    assert "red seal is grey" in result.decision.details[0]
    (fine,) = decide_pages(form(), certificate(), page(PageKind.CHECK_SHEET, 2, quality=grey))
    assert fine.decision.status is Status.AUTO_APPROVED


def test_a_repaired_date_counts_only_when_the_certificate_agrees():
    def with_candidates(page_analysis, candidates):
        return replace(page_analysis, fields=tuple(
            replace(f, value=None, confidence=0.0, alternatives=candidates) if f.name is FieldName.BIRTH_DATE else f
            for f in page_analysis.fields
        ))

    (agreed,) = decide_pages(with_candidates(form(), ("1970-01-23",)), certificate())
    assert agreed.decision.status is Status.AUTO_APPROVED
    assert agreed.field_value(Document.FORM, FieldName.BIRTH_DATE) == "1970-01-23"
    (other,) = decide_pages(with_candidates(form(), ("1970-01-28",)), certificate())
    assert other.decision.status is Status.NEEDS_REVIEW


def test_an_id_read_only_by_ocr_is_confirmed_by_a_person():
    (result,) = decide_pages(replace(form(), application_id_source="ocr"), certificate())
    assert result.decision.status is Status.NEEDS_REVIEW
    assert result.decision.reasons == (Reason.LOW_CONFIDENCE,)
    assert "read as GB260112300042 by OCR" in result.decision.details[0]
    # The same ID, its printed digits confirming OCR one by one: nothing to confirm.
    (confirmed,) = decide_pages(replace(form(), application_id_source="ocr+glyphs"), certificate())
    assert confirmed.decision.status is Status.AUTO_APPROVED


def test_the_confidence_threshold_applies_to_each_comparison():
    """An equal comparison carries how firmly it is established: 100 when the
    leading readings of both documents agree, 90 through a minority reading.
    The configured threshold holds what falls below it, and each decision
    records the threshold it was made under."""
    fields = tuple(
        replace(f, value="高槁 一郎", alternatives=("高橋 一郎",)) if f.name is FieldName.NAME else f for f in form().fields
    )
    misread_first = replace(form(), fields=fields)
    (usual,) = decide_pages(misread_first, certificate(issue_confidence=100.0))
    assert usual.decision.status is Status.AUTO_APPROVED, usual.decision.details
    name = next(c for c in usual.comparisons if c.field is FieldName.NAME)
    assert name.equal and name.confidence == 90.0
    assert usual.decision.policy_version.endswith("; min confidence 40")

    (strict,) = decide_pages(misread_first, certificate(issue_confidence=100.0), min_confidence=95.0)
    assert strict.decision.status is Status.NEEDS_REVIEW
    assert strict.decision.reasons == (Reason.LOW_CONFIDENCE,)
    assert any(d.startswith("name: form") and d.endswith("confidence 90, below 95") for d in strict.decision.details)
    assert strict.decision.policy_version.endswith("; min confidence 95")

    # Leading readings that agree pass any threshold.
    (firm,) = decide_pages(form(), certificate(issue_confidence=100.0), min_confidence=100.0)
    assert firm.decision.status is Status.AUTO_APPROVED, firm.decision.details


@pytest.mark.parametrize("text", ["20", "101", "high"])
def test_a_threshold_that_would_trust_doubtful_readings_is_refused(monkeypatch, tmp_path, text):
    from pipeline.config import resolve_settings
    from pipeline.errors import UsageError

    monkeypatch.setenv("GBIZ_REVIEW_MIN_CONFIDENCE", text)
    with pytest.raises(UsageError, match="GBIZ_REVIEW_MIN_CONFIDENCE"):
        resolve_settings(tmp_path)
    monkeypatch.setenv("GBIZ_REVIEW_MIN_CONFIDENCE", "95")
    assert resolve_settings(tmp_path).min_confidence == 95.0


def test_a_form_whose_print_names_another_application_than_its_code_is_held():
    conflict = replace(
        form(), application_id_source="qr-conflict",
        findings=("QR code says GB260112300042 but the printed ID reads GB260112300043",),
    )
    (result,) = decide_pages(conflict, certificate())
    assert result.decision.status is Status.NEEDS_REVIEW
    assert result.decision.reasons == (Reason.LOW_CONFIDENCE,)
    assert "application_id: QR code says GB260112300042 but the printed ID reads GB260112300043" in result.decision.details


def _printed(text: str):
    """An ink map of a printed line (glyph checks need the page's pixels)."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    from pipeline import glyphs

    face = ImageFont.truetype("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf", 31)
    canvas = Image.new("L", (int(face.getlength(text)) + 40, 62), 255)
    ImageDraw.Draw(canvas).text((20, 15), text, font=face, fill=0)
    return glyphs.ink_map(np.asarray(canvas))


def test_a_name_that_agrees_only_through_a_lookalike_misread_is_not_approved():
    # The form says 斎藤, the certificate 斉藤: one OCR setting read the form as
    # 斉藤, and reading agreement alone would have approved it.
    misread = replace(field(Document.FORM, FieldName.NAME, "斉藤 紀子"), alternatives=("斎藤 紀子",))
    the_form = form(name="斉藤 紀子", name_ink=_printed("斎藤　紀子"))
    the_form = replace(the_form, fields=tuple(misread if f.name is FieldName.NAME else f for f in the_form.fields))
    the_cert = certificate(name="斉藤 紀子", name_ink=_printed("代表取締役　斉藤　紀子"))
    (result,) = decide_pages(the_form, the_cert)
    assert result.decision.status is Status.NEEDS_REVIEW
    assert Reason.MISMATCH in result.decision.reasons
    shown = next(f for f in result.fields if f.document is Document.FORM and f.name is FieldName.NAME)
    assert shown.value == "斎藤 紀子"


def test_a_lookalike_misread_is_settled_by_the_printed_glyphs():
    the_form = form(name="山田 太郎", name_ink=_printed("山田　太郎"))
    the_cert = certificate(name="山田 犬郎", name_ink=_printed("代表取締役　山田　太郎"))
    (result,) = decide_pages(the_form, the_cert)
    assert result.decision.status is Status.AUTO_APPROVED, result.decision.details
    shown = next(f for f in result.fields if f.document is Document.CERTIFICATE and f.name is FieldName.NAME)
    assert shown.value == "山田 太郎"


def test_a_name_character_both_documents_read_as_a_latin_h_is_shown_as_printed():
    # The fast model reads 田 as H (49 name fields of seven generated sets:
    # 高H, 和H, 上H); where both documents did, the two readings agreed on a
    # character no name holds and the approved application showed 上H 直樹
    # (seed 3739638 #131). H now proposes 田, and the glyphs decide.
    the_form = form(name="上H 直樹", name_ink=_printed("上田　直樹"))
    the_cert = certificate(name="上H 直樹", name_ink=_printed("代表取締役　上田　直樹"))
    (result,) = decide_pages(the_form, the_cert)
    assert result.decision.status is Status.AUTO_APPROVED, result.decision.details
    shown = {f.document: f.value for f in result.fields if f.name is FieldName.NAME}
    assert shown == {Document.FORM: "上田 直樹", Document.CERTIFICATE: "上田 直樹"}


def test_a_name_character_read_as_water_is_checked_against_eternal_and_a_real_water_stays():
    # The fast model reads 永 as 水 (seed 4244143 #223: 徳永 read 徳水 by every
    # setting, and shown so to the reviewer). 水 now proposes 永, and the
    # glyphs decide: a printed 水 (清水) is still 水.
    for printed, read in (("徳永　直樹", "徳水 直樹"), ("清水　直樹", "清水 直樹")):
        the_form = form(name=read, name_ink=_printed(printed))
        the_cert = certificate(name=read, name_ink=_printed("代表取締役　" + printed))
        (result,) = decide_pages(the_form, the_cert)
        assert result.decision.status is Status.AUTO_APPROVED, result.decision.details
        shown = {f.document: f.value for f in result.fields if f.name is FieldName.NAME}
        assert shown == {Document.FORM: printed.replace("\u3000", " "), Document.CERTIFICATE: printed.replace("\u3000", " ")}


def test_a_certificate_name_read_without_any_kanji_or_kana_is_unread_not_another_person():
    # Seed 4244143 #167: a photocopy's 齊藤 國彦, crossed by the latent 複写,
    # was read as "PE:" by both settings and held as MISMATCH with
    # 斉藤 国彦 ≠ PE. A reading with no kanji or kana reads no name.
    the_form = form(name="斉藤 国彦", name_ink=_printed("斉藤　国彦"))
    the_cert = certificate(name="PE", name_ink=_printed("代表取締役　齊藤　國彦"))
    (result,) = decide_pages(the_form, the_cert)
    assert result.decision.status is Status.NEEDS_REVIEW
    assert Reason.LOW_CONFIDENCE in result.decision.reasons
    assert Reason.MISMATCH not in result.decision.reasons
    assert "name: could not be read on the certificate" in result.decision.details


def test_a_name_length_misread_on_both_documents_gives_way_to_the_one_the_kana_spells():
    # Seed 3941840 #276: 広瀬 さくら read so twice on the form and as さくぐら
    # once, as さくぐら on the certificate; the longer name had more readings,
    # every one of them agreed, and the approved application showed 広瀬
    # さくぐら on both documents. The フリガナ spells さくら: that length goes
    # first, and the glyphs settle it on both lines.
    readings = replace(field(Document.FORM, FieldName.NAME, "広瀬 さくら"), alternatives=("広瀬 さくぐら",))
    the_form = form(name="広瀬 さくら", name_ink=_printed("広瀬　さくら"))
    the_form = replace(
        the_form,
        fields=(
            *(readings if f.name is FieldName.NAME else f for f in the_form.fields),
            field(Document.FORM, FieldName.KANA, "ヒロセ サクラ"),
        ),
    )
    the_cert = certificate(name="広瀬 さくぐら", name_ink=_printed("代表取締役　広瀬　さくら"))
    (result,) = decide_pages(the_form, the_cert)
    assert result.decision.status is Status.AUTO_APPROVED, result.decision.details
    shown = {f.document: f.value for f in result.fields if f.name is FieldName.NAME}
    assert shown == {Document.FORM: "広瀬 さくら", Document.CERTIFICATE: "広瀬 さくら"}


def test_a_name_the_glyphs_cannot_settle_is_low_confidence_not_mismatch():
    # A blot where a disputed character is printed: neither reading can be
    # confirmed, so the reviewer is asked to look, not told the names differ.
    the_form = form(name="山田 太郎", name_ink=_printed("山田　太郎"))
    the_cert = certificate(name="山田 犬郎", name_ink=_printed("代表取締役　山田　■郎"))
    (result,) = decide_pages(the_form, the_cert)
    assert result.decision.status is Status.NEEDS_REVIEW
    assert result.decision.reasons == (Reason.LOW_CONFIDENCE,)
    name = next(c for c in result.comparisons if c.field is FieldName.NAME)
    assert name.unsure and not name.equal



def test_an_expired_date_read_once_and_unsure_is_read_by_a_person():
    # Every setting read 令和３年, but the glyphs did not show it (reading marks it unsure):
    # EXPIRED is a reason to deny, so it is not given on that reading alone.
    cert = with_issue_readings(certificate(), "2021-09-07", (), 39.0)
    (result,) = decide_pages(form(), cert)
    assert result.decision.reasons == (Reason.LOW_CONFIDENCE,)
    assert any("expired" in detail for detail in result.decision.details)


def test_a_name_shows_the_kanji_an_ocr_lookalike_stands_for_but_keeps_a_kana_names_long_vowel():
    from pipeline.decide import _as_shown

    def shown(value: str) -> str | None:
        return _as_shown(ExtractedField(Document.FORM, FieldName.NAME, value, value, 100.0, 0, None)).value

    assert shown("三浦 浩ニ") == "三浦 浩二"  # a katakana ニ among kanji
    assert shown("山田 花了") == "山田 花子"
    assert shown("三浦 ジョー") == "三浦 ジョー"  # a katakana name's long vowel stays
    assert shown("三浦 浩二") == "三浦 浩二"


def test_a_form_date_no_reading_parsed_shows_its_printed_repair_when_there_is_no_certificate():
    """Seed 2628527, application 238: all three settings read 1948年19月8日,
    so the date had only repaired candidates (10月, 1月), which count when a
    certificate agrees with one. With no certificate, the one the printed
    digits show is what the reviewer sees; the decision is MISSING either way."""
    from tests.test_glyph_checks import scanned

    repaired = replace(
        field(Document.FORM, FieldName.BIRTH_DATE, None, confidence=0.0), alternatives=("1948-01-08", "1948-10-08"),
    )
    alone = form()
    alone = replace(
        alone, fields=tuple(repaired if f.name is FieldName.BIRTH_DATE else f for f in alone.fields),
        date_ink=scanned("1948年10月8日", size=24),
    )
    (result,) = decide_pages(alone)
    assert result.decision.reasons == (Reason.MISSING,)
    shown = next(f for f in result.fields if f.name is FieldName.BIRTH_DATE)
    assert (shown.value, shown.alternatives, shown.confidence) == ("1948-10-08", ("1948-01-08",), 0.0)
    # A line that shows neither leaves the candidates as they were.
    (unsure,) = decide_pages(replace(alone, date_ink=scanned("1948年7月3日", size=24)))
    assert next(f for f in unsure.fields if f.name is FieldName.BIRTH_DATE).value is None


@pytest.mark.parametrize(("copy", "shown", "mismatch"), [
    (True, "桜井　健大", False),  # the copy lost 太's dot: nothing says another person
    (False, "桜井　健大", True),  # an original that prints 健大 is another name
    (True, "桜井　健一", True),  # 一 is no 太 with strokes lost
])
def test_a_photocopy_that_lost_a_stroke_is_unsure_not_another_person(copy, shown, mismatch):
    # Seed 4345244 #65: a photocopied certificate's 健太 had lost its dot; the
    # readings and the glyphs both saw 健大, and the application was held as
    # COPY and MISMATCH, a reason the reviewer's deny form would have ticked.
    extra = {"copy_suspected": True, "findings": ("no colour on the certificate",)} if copy else {}
    the_form = form(name="桜井 健太", name_ink=_printed("桜井　健太"))
    the_cert = certificate(name=shown.replace("\u3000", " "), name_ink=_printed("代表取締役　" + shown), **extra)
    (result,) = decide_pages(the_form, the_cert)
    assert result.decision.status is Status.NEEDS_REVIEW
    assert (Reason.MISMATCH in result.decision.reasons) is mismatch, result.decision.details
    assert (Reason.COPY in result.decision.reasons) is copy
    if not mismatch:
        assert Reason.LOW_CONFIDENCE in result.decision.reasons
        assert any("大 may be 太 with strokes lost" in d for d in result.decision.details), result.decision.details


@pytest.mark.parametrize("other_reading", ["2056-08-19", "2026-10-01"])
def test_an_expired_date_read_with_confidence_is_expired_whatever_another_reading_says(other_reading):
    # Seed 4446345 #13: 令和８年８月２１日, confirmed by the template, was kept
    # beside one setting's 令和38年 (2056). A reading after receipt is not
    # expired, so not every reading was, and the application was approved.
    # (Received 2026-11-20 here: 2026-08-19 is a day too old.)
    cert = with_issue_readings(certificate(), "2026-08-19", (other_reading,), 100.0)
    (result,) = decide_pages(form(), cert)
    assert result.decision.status is Status.NEEDS_REVIEW
    assert Reason.EXPIRED in result.decision.reasons, result.decision.details
