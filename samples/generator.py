"""Seeded, reproducible batches of scanned applications with their ground truth.

generate_batch() plans the envelopes (who applies, which defect each one has), draws
every page at the batch's resolution, passes it through a simulated scanner and
writes the page files in scan order plus truth.json. The same BatchSpec always gives
byte-identical files: all randomness comes from generators seeded from spec.seed, and
every file is written with fixed options and no timestamps.
"""

from __future__ import annotations

import calendar
import json
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.eras import format_era_date
from pipeline.identifiers import corporate_number_from_base
from samples import people, render, scan
from samples.kinds import (
    COLOURS,
    DEFAULT_RECEIVED,
    DEFECT_KINDS,
    DEFECT_REASONS,
    EXTENSIONS,
    FORMATS,
    expand_defects,
)
from samples.people import Company, Person
from samples.render import (
    CertificateContent,
    Correction,
    FormContent,
    PersonalCertificateContent,
    SealDesign,
)
from samples.seals import SEAL_REDS

__all__ = [
    "DEFAULT_RECEIVED",
    "DEFECT_KINDS",
    "DEFECT_REASONS",
    "FORMAT_VERSION",
    "BatchSpec",
    "expand_defects",
    "expiry_threshold",
    "generate_batch",
    "months_before",
    "plan_batch",
    "plan_truth",
]

FORMAT_VERSION = 1

_MISMATCH_FIELD = {
    "MISMATCH_CORPORATE_NUMBER": "corporate_number",
    "MISMATCH_NAME": "name",
    "MISMATCH_BIRTH_DATE": "birth_date",
}
RESCAN_KINDS = ("dpi150", "grey", "rgb16")
MIN_DPI = 200  # the scanning rules' minimum


@dataclass(frozen=True)
class BatchSpec:
    count: int = 50
    seed: int = 0
    received: date = DEFAULT_RECEIVED
    dpi: int = 200
    image_format: str = "png"  # png | tiff | jpeg | pdf (one multi-page PDF)
    colour: str = "rgb"  # rgb | grey | bilevel | rgb16; anything but rgb breaks the rules
    defect_rate: float = 0.35
    defects: tuple[str, ...] = DEFECT_KINDS
    damage: bool = True
    duplex: bool = False
    check_sheet_rate: float = 0.5
    rescan_rate: float = 0.0
    denied_before_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.count <= 1000:
            raise ValueError("count must be between 1 and 1000")
        if not 72 <= self.dpi <= 600:
            raise ValueError("dpi must be between 72 and 600")
        if self.image_format not in FORMATS:
            raise ValueError(f"image_format must be one of {', '.join(FORMATS)}")
        if self.colour not in COLOURS:
            raise ValueError(f"colour must be one of {', '.join(COLOURS)}")
        if self.image_format == "jpeg" and self.colour in ("bilevel", "rgb16"):
            # JPEG cannot hold 1-bit images and its artefacts add colours to a 16-colour one.
            raise ValueError(f"a {self.colour} batch cannot be stored as JPEG")
        for name in ("defect_rate", "check_sheet_rate", "rescan_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        object.__setattr__(self, "defects", expand_defects(tuple(self.defects)))
        object.__setattr__(self, "denied_before_ids", tuple(self.denied_before_ids))

    @property
    def breaks_rules(self) -> bool:
        """The whole batch breaks the scanning rules (every application is rescan)."""
        return self.colour != "rgb" or self.dpi < MIN_DPI


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Defect:
    code: str  # reason code
    field: str | None
    detail: str


@dataclass(frozen=True)
class Certificate:
    """What the envelope holds in the certificate's place, as printed."""

    document: str  # seal_certificate | registry_extract | personal_seal_certificate
    content: CertificateContent | None
    personal: PersonalCertificateContent | None
    copy: str | None  # None, "grey" or "bw" for a photocopy


@dataclass(frozen=True)
class Application:
    index: int
    form: FormContent
    company: Company
    person: Person
    seal: SealDesign
    certificate: Certificate | None
    correction: Correction | None
    check_sheet: bool
    defects: tuple[Defect, ...]
    duplicate_of: int | None = None


@dataclass
class _PagePlan:
    kind: str
    application: int
    dpi: int
    colour: str
    front: int | None = None  # for a blank back: position of its front in the envelope
    number: int = 0  # 1-based position in the batch
    file: str = ""
    params: scan.ScanParams = scan.CLEAN


@dataclass
class _Envelope:
    application: Application
    pages: list[_PagePlan] = field(default_factory=list)
    rescan: bool = False


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to the month's end."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def expiry_threshold(received: date) -> date:
    """The oldest issue date still valid on `received` (documents.md: ≥ received − 3 months)."""
    return months_before(received, 3)


def _valid_issue_date(rng: random.Random, received: date) -> date:
    threshold = expiry_threshold(received)
    if rng.random() < 0.12:  # right at the edge, still valid
        return threshold + timedelta(days=rng.randint(0, 2))
    return received - timedelta(days=rng.randint(0, 80))


def _expired_issue_date(rng: random.Random, received: date) -> date:
    threshold = expiry_threshold(received)
    if rng.random() < 0.25:  # just over the edge
        return threshold - timedelta(days=rng.randint(1, 3))
    return threshold - timedelta(days=rng.randint(4, 200))


def _other_company_number(number: str, rng: random.Random) -> str:
    """A different, well-formed 会社法人等番号 as if from another company or a slip."""
    while True:
        serial = list(number[6:])
        style = rng.randrange(3)
        if style == 0:  # one digit off
            i = rng.randrange(6)
            serial[i] = rng.choice([d for d in "0123456789" if d != serial[i]])
        elif style == 1:  # two neighbours swapped
            i = rng.randrange(5)
            serial[i], serial[i + 1] = serial[i + 1], serial[i]
        else:  # another company altogether
            serial = list(f"{rng.randrange(10**6):06d}")
        other = number[:6] + "".join(serial)
        if other != number:
            return other


def _other_birth_date(day: date, rng: random.Random) -> date:
    while True:
        style = rng.randrange(4)
        try:
            if style == 0:
                other = day + timedelta(days=rng.choice((-1, 1, 2, -10, 10)))
            elif style == 1:
                other = day.replace(year=day.year + rng.choice((-10, -3, -1, 1, 2)))
            elif style == 2:
                other = day.replace(month=rng.choice([m for m in range(1, 13) if m != day.month]))
            else:
                other = day.replace(month=day.day, day=day.month)  # month and day swapped
        except ValueError:
            continue
        if other != day:
            return other


def _reference(rng: random.Random) -> str:
    return f"{rng.choice('アイウエオカキクケコ')}{rng.randrange(10**6):06d}"


def _correction(
    app_form: FormContent, person: Person, company: Company, rng: random.Random
) -> Correction:
    """A plausible handwritten correction: the applicant rewrote a value by hand."""
    fld = rng.choice(("birth_date", "birth_date", "phone", "email", "address", "title", "name"))
    if fld == "birth_date":
        day = person.birth_date
        if rng.random() < 0.6:
            written = format_era_date(day, fullwidth=False, pad=False)
        else:
            written = render.western_date(day)
    elif fld == "phone":
        written = people.make_phone(rng, company.address.place)
    elif fld == "email":
        written = people.email_for(person, company, rng)
        if written == app_form.email:
            written = f"info@{company.domain}"
    elif fld == "address":
        written = f"{rng.randint(1, 40)}番{rng.randint(1, 30)}号"
    elif fld == "title":
        written = company.kind.title + ("社長" if company.kind.title.startswith("代表") else "")
        if written == app_form.title:
            written = "代表者"
    else:
        written = person.name.replace("\u3000", " ")
    ink = "blue" if rng.random() < 0.6 else "black"
    seal_name = person.family if rng.random() < 0.75 else None
    return Correction(fld, written, ink, seal_name)


def _plan_application(
    index: int,
    kind: str | None,
    spec: BatchSpec,
    rng: random.Random,
    used_ids: set[str],
    used_numbers: set[str],
) -> Application:
    received = spec.received
    company = people.make_company(rng, used_numbers)
    person = people.make_person(rng, received)
    application_date = received - timedelta(days=rng.randint(1, 10))
    while True:
        app_id = f"GB{application_date:%y%m%d}{rng.randrange(10**6):06d}"
        if app_id not in used_ids and app_id not in spec.denied_before_ids:
            used_ids.add(app_id)
            break
    form = FormContent(
        application_id=app_id,
        application_date=application_date,
        corporate_number=company.corporate_number,
        company_name=company.name,
        address=company.address.text,
        name=person.name,
        kana=person.kana,
        birth_date=person.birth_date,
        title=company.kind.title,
        email=people.email_for(person, company, rng),
        phone=company.phone,
    )
    seal = SealDesign(
        outer_text=company.name,
        inner_text=company.kind.seal_inner,
        diameter_mm=round(rng.uniform(18.0, 21.0), 2),
        colour=SEAL_REDS[rng.randrange(len(SEAL_REDS))],
    )
    jurisdiction = company.office
    issuing = jurisdiction if rng.random() < 0.7 else rng.choice(people.OFFICES)
    show_jurisdiction = issuing != jurisdiction or rng.random() < 0.2
    cert_name = person.name
    if people.has_variant(person.name) and rng.random() < 0.3:
        cert_name = people.with_variant(person.name, rng)
    content = CertificateContent(
        company_number=company.company_number,
        company_name=company.name,
        address=company.address.text,
        qualification=company.kind.qualification,
        name=cert_name,
        birth_date=person.birth_date,
        issue_date=_valid_issue_date(rng, received),
        office=issuing.name,
        jurisdiction=jurisdiction.jurisdiction if show_jurisdiction else None,
        seal_prefix=issuing.seal_prefix,
        reference=_reference(rng),
        registrar=people.registrar_name(rng),
        fullwidth=not issuing.halfwidth,
        founded=date(rng.randint(1960, received.year - 2), rng.randint(1, 12), rng.randint(1, 28)),
    )
    certificate: Certificate | None = Certificate("seal_certificate", content, None, None)
    correction = None
    defects: list[Defect] = []

    if kind in _MISMATCH_FIELD:
        fld = _MISMATCH_FIELD[kind]
        if fld == "corporate_number":
            other = _other_company_number(company.company_number, rng)
            content = replace(content, company_number=other)
            detail = (
                f"certificate 会社法人等番号 {other} gives 法人番号 "
                f"{corporate_number_from_base(other)}; form has {form.corporate_number}"
            )
        elif fld == "name":
            other_name = people.other_person(person, rng).name
            if people.has_variant(other_name) and rng.random() < 0.3:
                other_name = people.with_variant(other_name, rng)
            content = replace(content, name=other_name)
            detail = f"certificate name {other_name}; form has {form.name}"
        else:
            other_day = _other_birth_date(person.birth_date, rng)
            content = replace(content, birth_date=other_day)
            detail = (
                f"certificate birth date {other_day.isoformat()}; "
                f"form has {person.birth_date.isoformat()}"
            )
        certificate = Certificate("seal_certificate", content, None, None)
        defects.append(Defect("MISMATCH", fld, detail))
    elif kind == "EXPIRED":
        issued = _expired_issue_date(rng, received)
        content = replace(content, issue_date=issued)
        certificate = Certificate("seal_certificate", content, None, None)
        defects.append(
            Defect(
                "EXPIRED",
                None,
                f"issued {issued.isoformat()}, valid from {expiry_threshold(received).isoformat()}",
            )
        )
    elif kind == "MISSING":
        what = rng.choices(("none", "registry_extract", "personal_seal_certificate"), (4, 3, 3))[0]
        if what == "none":
            certificate = None
            detail = "no certificate in the envelope"
        elif what == "registry_extract":
            certificate = Certificate("registry_extract", content, None, None)
            detail = "a 履歴事項全部証明書 in place of the 印鑑証明書"
        else:
            place = company.address.place
            personal = PersonalCertificateContent(
                name=person.name,
                family=person.family,
                birth_date=person.birth_date,
                address=people.make_address(rng, place).text,
                registration=f"{rng.randrange(10**5, 10**7)}",
                issue_date=content.issue_date,
                issuer=place.mayor,
                issuer_name=people.registrar_name(rng),
                fullwidth=rng.random() < 0.8,
            )
            certificate = Certificate("personal_seal_certificate", None, personal, None)
            detail = "a personal 印鑑登録証明書 in place of the company's 印鑑証明書"
        defects.append(Defect("MISSING", None, detail))
    elif kind == "COPY":
        style = "grey" if rng.random() < 0.7 else "bw"
        certificate = Certificate("seal_certificate", content, None, style)
        defects.append(Defect("COPY", None, f"photocopy of the certificate ({style})"))
    elif kind == "CORRECTED":
        correction = _correction(form, person, company, rng)
        defects.append(
            Defect(
                "CORRECTED",
                None,
                f"{correction.field} struck through, "
                f"{correction.written!r} written in {correction.ink} ink"
                + (", correction seal" if correction.seal_name else ""),
            )
        )

    return Application(
        index=index,
        form=form,
        company=company,
        person=person,
        seal=seal,
        certificate=certificate,
        correction=correction,
        check_sheet=rng.random() < spec.check_sheet_rate,
        defects=tuple(defects),
    )


def _assign_kinds(spec: BatchSpec, rng: random.Random) -> list[str | None]:
    """Which defect kind each application gets: round(count × rate) defective ones, the
    requested kinds used in turn so each appears once there are enough."""
    kinds: list[str | None] = [None] * spec.count
    if not spec.defects:
        return kinds
    n_defective = round(spec.count * spec.defect_rate)
    chosen = rng.sample(range(spec.count), n_defective)
    pool = [spec.defects[i % len(spec.defects)] for i in range(n_defective)]
    rng.shuffle(pool)
    for index, kind in zip(chosen, pool, strict=True):
        kinds[index] = kind
    # A duplicate needs an earlier envelope with the same ID: move duplicates that
    # have none later, swapping with the first later non-duplicate.
    for i in range(spec.count):
        if kinds[i] != "DUPLICATE" or any(k != "DUPLICATE" for k in kinds[:i]):
            continue
        later = next((j for j in range(i + 1, spec.count) if kinds[j] != "DUPLICATE"), None)
        if later is None:
            kinds[i] = None  # nothing can come before it: it becomes the original
        else:
            kinds[i], kinds[later] = kinds[later], kinds[i]
    return kinds


def plan_batch(spec: BatchSpec) -> list[Application]:
    """Every application of the batch, in scan order, with its documents' contents and
    defects; nothing is drawn yet."""
    rng = random.Random(f"gbiz-samples/{spec.seed}/plan")
    kinds = _assign_kinds(spec, rng)
    used_ids: set[str] = set()
    used_numbers: set[str] = set()
    apps: list[Application] = []
    denied = set(spec.denied_before_ids)
    for index, kind in enumerate(kinds):
        if kind == "DUPLICATE":
            earlier = [a for a in apps if a.duplicate_of is None]
            valid = [a for a in earlier if not a.defects and a.form.application_id not in denied]
            source = rng.choice(valid or earlier)
            apps.append(
                replace(
                    source,
                    index=index,
                    defects=(
                        *source.defects,
                        Defect("DUPLICATE", None, f"same 申請書ID as application {source.index}"),
                    ),
                    duplicate_of=source.index,
                    check_sheet=rng.random() < spec.check_sheet_rate,
                )
            )
        else:
            apps.append(_plan_application(index, kind, spec, rng, used_ids, used_numbers))
    # Reuse the already-denied IDs on applications that are neither duplicates nor
    # duplicated, so the only thing tying them to the old denial is the ID.
    if spec.denied_before_ids:
        sources = {a.duplicate_of for a in apps if a.duplicate_of is not None}
        free = [a.index for a in apps if a.duplicate_of is None and a.index not in sources]
        targets = sorted(rng.sample(free, min(len(free), len(spec.denied_before_ids))))
        for target, denied_id in zip(targets, spec.denied_before_ids, strict=False):
            app = apps[target]
            apps[target] = replace(
                app,
                form=replace(app.form, application_id=denied_id),
                defects=(
                    *app.defects,
                    Defect("DENIED_BEFORE", None, f"申請書ID {denied_id} was denied before"),
                ),
            )
    return apps


def _envelopes(spec: BatchSpec, apps: list[Application]) -> list[_Envelope]:
    """The pages of every envelope in scan order, with the scan conditions of each."""
    rng = random.Random(f"gbiz-samples/{spec.seed}/envelopes")
    rescan_count = round(spec.count * spec.rescan_rate)
    # Keep duplicates and their originals out of it where possible, so the first of a
    # pair stays the one that can pass.
    paired = {a.index for a in apps if a.duplicate_of is not None}
    paired |= {a.duplicate_of for a in apps if a.duplicate_of is not None}
    single = [a.index for a in apps if a.index not in paired]
    rng.shuffle(single)
    rest = sorted(paired)
    rng.shuffle(rest)
    rescan_apps = set((single + rest)[:rescan_count])
    ext = EXTENSIONS[spec.image_format]
    envelopes = []
    number = 0
    for app in apps:
        env = _Envelope(app)
        others = []
        if app.certificate is not None:
            doc = app.certificate.document
            others.append("certificate" if doc == "seal_certificate" else doc)
        if app.check_sheet:
            others.append("check_sheet")
        rng.shuffle(others)
        for kind in ["form", *others]:
            env.pages.append(_PagePlan(kind, app.index, spec.dpi, spec.colour))
            if spec.duplex and rng.random() < 0.6:
                env.pages.append(
                    _PagePlan("blank", app.index, spec.dpi, spec.colour, front=len(env.pages) - 1)
                )
        # A batch that breaks the rules as a whole needs no page of its own to break them.
        if app.index in rescan_apps and not spec.breaks_rules:
            kinds = [k for k in RESCAN_KINDS if not (k == "rgb16" and spec.image_format == "jpeg")]
            broken = rng.choice(kinds)
            # Never a blank back: a reader may drop those before checking anything.
            page = rng.choice([p for p in env.pages if p.kind != "blank"])
            if broken == "dpi150":
                page.dpi = 150
            else:
                page.colour = broken
            env.rescan = True
        env.rescan = env.rescan or spec.breaks_rules
        for page in env.pages:
            number += 1
            page.number = number
            page.file = (
                f"batch.pdf#{number}" if spec.image_format == "pdf" else f"p{number:04d}{ext}"
            )
            # Scan conditions have their own stream, so they do not depend on drawing.
            page.params = scan.draw_params(
                random.Random(f"gbiz-samples/{spec.seed}/scan/{number}"), spec.damage
            )
        envelopes.append(env)
    return envelopes


def _plan(spec: BatchSpec) -> list[_Envelope]:
    return _envelopes(spec, plan_batch(spec))


def plan_truth(spec: BatchSpec) -> dict[str, Any]:
    """The truth.json that generate_batch(…, spec) writes, without drawing any page."""
    return _truth(spec, _plan(spec))


def _truth(spec: BatchSpec, envelopes: list[_Envelope]) -> dict[str, Any]:
    pages = []
    for env in envelopes:
        cert = env.application.certificate
        for page in env.pages:
            pages.append(
                {
                    "file": page.file,
                    "application_index": page.application,
                    "kind": page.kind,
                    "upside_down": page.params.upside_down,
                    "rotation_deg": page.params.rotation_deg,
                    "dpi": page.dpi,
                    "colour": page.colour,
                    "photocopy": page.kind == "certificate"
                    and cert is not None
                    and cert.copy is not None,
                    "corrected": page.kind == "form" and env.application.correction is not None,
                }
            )
    return {
        "format_version": FORMAT_VERSION,
        "seed": spec.seed,
        "received": spec.received.isoformat(),
        "dpi": spec.dpi,
        "image_format": spec.image_format,
        "colour": spec.colour,
        "pages": pages,
        "applications": [_app_truth(env) for env in envelopes],
    }


# --------------------------------------------------------------------------- rendering


def _np_rng(seed: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed & 0xFFFFFFFFFFFFFFFF, *keys])


def _render_page(
    app: Application, plan: _PagePlan, rng: random.Random, nrng: np.random.Generator
) -> np.ndarray:
    dpi = plan.dpi
    if plan.kind == "form":
        return render.render_form(app.form, app.seal, app.correction, dpi, rng, nrng)
    if plan.kind == "check_sheet":
        return render.render_check_sheet(dpi, rng)
    cert = app.certificate
    assert cert is not None
    if plan.kind == "certificate":
        assert cert.content is not None
        return render.render_certificate(cert.content, app.seal, dpi, rng, nrng, copy=cert.copy)
    if plan.kind == "registry_extract":
        assert cert.content is not None
        return render.render_registry_extract(cert.content, dpi, rng, nrng)
    if plan.kind == "personal_seal_certificate":
        assert cert.personal is not None
        return render.render_personal_certificate(cert.personal, dpi, rng, nrng)
    raise ValueError(f"cannot render {plan.kind!r} on its own")


def generate_batch(out_dir: Path, spec: BatchSpec) -> dict[str, Any]:
    """Write the batch's page files (p0001.png … or batch.pdf) and truth.json into
    `out_dir`; returns the truth dict."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    envelopes = _plan(spec)
    lossy_file = spec.image_format in ("jpeg", "pdf")
    pdf = scan.PdfWriter(out_dir / "batch.pdf") if spec.image_format == "pdf" else None
    try:
        for env in envelopes:
            fronts: list[np.ndarray] = []
            for plan in env.pages:
                rng = random.Random(f"gbiz-samples/{spec.seed}/page/{plan.number}")
                nrng = _np_rng(spec.seed, 1, plan.number)
                if plan.kind == "blank":
                    front = fronts[plan.front] if plan.front is not None else None
                    clean = render.render_blank(front, plan.dpi, nrng)
                else:
                    clean = _render_page(env.application, plan, rng, nrng)
                fronts.append(clean)
                params = plan.params
                scanned = scan.scan(clean, params, plan.dpi, nrng, spec.seed)
                # The scanner's JPEG step; lossy files get it when they are written.
                if spec.damage and not lossy_file and plan.colour in ("rgb", "grey"):
                    scanned = scan.jpeg_roundtrip(scanned, params.jpeg_quality)
                image = scan.convert_colour(scanned, plan.colour)
                if pdf is not None:
                    lossless = plan.colour in ("rgb16", "bilevel")
                    pdf.add_page(image, plan.dpi, params.jpeg_quality, lossless=lossless)
                else:
                    scan.save_image(
                        image,
                        out_dir / plan.file,
                        spec.image_format,
                        plan.dpi,
                        params.jpeg_quality,
                    )
    finally:
        if pdf is not None:
            pdf.close()
    truth = _truth(spec, envelopes)
    (out_dir / "truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return truth


def _app_truth(env: _Envelope) -> dict[str, Any]:
    app = env.application
    reasons = sorted({d.code for d in app.defects})
    if env.rescan:
        status = "rescan"
    elif reasons:
        status = "needs_review"
    else:
        status = "auto_approved"
    form = app.form
    return {
        "index": app.index,
        "application_id": form.application_id,
        "expected_status": status,
        "expected_reasons": reasons,
        "defects": [{"code": d.code, "field": d.field, "detail": d.detail} for d in app.defects],
        "valid": not app.defects and not env.rescan,
        "form": {
            "application_id": form.application_id,
            "application_date": form.application_date.isoformat(),
            "corporate_number": form.corporate_number,
            "company_name": form.company_name,
            "address": form.address,
            "name": form.name,
            "kana": form.kana,
            "birth_date": form.birth_date.isoformat(),
            "title": form.title,
            "email": form.email,
            "phone": form.phone,
        },
        "certificate": _certificate_truth(app.certificate),
        "pages": [page.file for page in env.pages],
    }


def _certificate_truth(cert: Certificate | None) -> dict[str, Any] | None:
    if cert is None:
        return None
    if cert.personal is not None:
        p = cert.personal
        return {
            "document": cert.document,
            "company_number": None,
            "corporate_number": None,
            "company_name": None,
            "address": render.to_fullwidth(p.address) if p.fullwidth else p.address,
            "qualification": None,
            "name": p.name,
            "birth_date": p.birth_date.isoformat(),
            "issue_date": p.issue_date.isoformat(),
            "office": p.issuer,
            "photocopy": False,
            "fullwidth_digits": p.fullwidth,
        }
    c = cert.content
    assert c is not None
    return {
        "document": cert.document,
        "company_number": c.company_number,
        "corporate_number": corporate_number_from_base(c.company_number),
        "company_name": c.company_name,
        "address": render.to_fullwidth(c.address) if c.fullwidth else c.address,
        "qualification": c.qualification,
        "name": c.name,
        # A registry extract does not print the representative's birth date.
        "birth_date": c.birth_date.isoformat() if cert.document == "seal_certificate" else None,
        "issue_date": c.issue_date.isoformat(),
        "office": c.office,
        "photocopy": cert.copy is not None,
        "fullwidth_digits": c.fullwidth,
    }
