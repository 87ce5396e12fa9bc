"""The sample batch generator: reproducible files, consistent truth, the right pixels."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.identifiers import corporate_number_from_base, is_valid_corporate_number
from samples.__main__ import main as samples_main
from samples.generator import (
    DEFECT_KINDS,
    DEFECT_REASONS,
    BatchSpec,
    expiry_threshold,
    generate_batch,
    months_before,
    plan_truth,
)
from samples.people import fold_variants

RECEIVED = date(2026, 11, 24)
A4_200 = (1654, 2339)
A4_300 = (2480, 3508)


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _dark_share(image: Image.Image, box_mm: tuple[float, float, float, float], dpi: int) -> float:
    k = dpi / 25.4
    x0, y0, x1, y1 = (round(v * k) for v in box_mm)
    grey = np.asarray(image.convert("L").crop((x0, y0, x1, y1)))
    return float((grey < 100).mean())


@pytest.fixture(scope="module")
def all_defects(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One rendered batch in which every defect kind appears once."""
    out = tmp_path_factory.mktemp("all_defects")
    spec = BatchSpec(count=len(DEFECT_KINDS), seed=3, received=RECEIVED, defect_rate=1.0)
    return out, generate_batch(out, spec)


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path: Path) -> None:
    spec = BatchSpec(count=2, seed=42, received=RECEIVED, duplex=True, check_sheet_rate=0.0)
    first = _hashes(_generate(tmp_path / "a", spec))
    second = _hashes(_generate(tmp_path / "b", spec))
    assert first == second
    assert "truth.json" in first and any(name.endswith(".png") for name in first)
    other = BatchSpec(count=2, seed=43, received=RECEIVED, duplex=True, check_sheet_rate=0.0)
    third = _hashes(_generate(tmp_path / "c", other))
    assert first["truth.json"] != third["truth.json"]
    assert first.get("p0001.png") != third.get("p0001.png")


def _generate(folder: Path, spec: BatchSpec) -> Path:
    generate_batch(folder, spec)
    return folder


def test_pdf_is_reproducible_and_has_one_page_per_truth_page(tmp_path: Path) -> None:
    spec = BatchSpec(count=2, seed=8, received=RECEIVED, image_format="pdf", rescan_rate=1.0)
    truth = generate_batch(tmp_path / "a", spec)
    generate_batch(tmp_path / "b", spec)
    pdf = tmp_path / "a" / "batch.pdf"
    assert pdf.read_bytes() == (tmp_path / "b" / "batch.pdf").read_bytes()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["batch.pdf", "truth.json"]
    assert [p["file"] for p in truth["pages"]] == [
        f"batch.pdf#{i}" for i in range(1, len(truth["pages"]) + 1)
    ]
    assert pdf.read_bytes().count(b"/Type /Page ") == len(truth["pages"])
    pdf2image = pytest.importorskip("pdf2image")
    try:
        info = pdf2image.pdfinfo_from_path(str(pdf))
    except Exception as exc:  # poppler not installed
        pytest.skip(f"pdfinfo unavailable: {exc}")
    assert int(info["Pages"]) == len(truth["pages"])


def test_truth_is_consistent() -> None:
    spec = BatchSpec(count=400, seed=11, received=RECEIVED, duplex=True, rescan_rate=0.05)
    truth = plan_truth(spec)
    threshold = expiry_threshold(RECEIVED)
    assert truth["format_version"] == 1 and truth["received"] == "2026-11-24"
    seen_pages: list[str] = []
    ids: dict[str, int] = {}
    variants = 0
    for app in truth["applications"]:
        form, cert = app["form"], app["certificate"]
        assert app["application_id"] == form["application_id"]
        assert form["application_id"].startswith("GB") and len(form["application_id"]) == 14
        assert is_valid_corporate_number(form["corporate_number"])
        assert date.fromisoformat(form["application_date"]) < RECEIVED
        assert app["expected_reasons"] == sorted(set(app["expected_reasons"]))
        assert app["expected_reasons"] == sorted({d["code"] for d in app["defects"]})
        if app["expected_status"] == "rescan":
            pages = [p for p in truth["pages"] if p["file"] in app["pages"]]
            assert any(p["dpi"] < 200 or p["colour"] != "rgb" for p in pages)
        elif app["expected_reasons"]:
            assert app["expected_status"] == "needs_review"
        else:
            assert app["expected_status"] == "auto_approved" and app["valid"]
        if cert is not None and cert["company_number"] is not None:
            assert cert["corporate_number"] == corporate_number_from_base(cert["company_number"])
        if not app["defects"]:
            assert cert["document"] == "seal_certificate" and not cert["photocopy"]
            assert cert["corporate_number"] == form["corporate_number"]
            assert fold_variants(cert["name"]) == form["name"]
            variants += cert["name"] != form["name"]
            assert cert["birth_date"] == form["birth_date"]
            issued = date.fromisoformat(cert["issue_date"])
            assert threshold <= issued <= RECEIVED
        # Pages of an application are contiguous and its form comes first.
        assert (
            seen_pages + app["pages"]
            == [p["file"] for p in truth["pages"]][: len(seen_pages) + len(app["pages"])]
        )
        seen_pages += app["pages"]
        first = next(p for p in truth["pages"] if p["file"] == app["pages"][0])
        assert first["kind"] == "form" and first["application_index"] == app["index"]
        if "DUPLICATE" in app["expected_reasons"]:
            assert form["application_id"] in ids
        else:
            assert form["application_id"] not in ids
            ids[form["application_id"]] = app["index"]
    assert seen_pages == [p["file"] for p in truth["pages"]]
    assert variants > 0
    assert any(p["upside_down"] for p in truth["pages"])
    assert all(abs(p["rotation_deg"]) <= 3.0 for p in truth["pages"])
    assert any(p["kind"] == "blank" for p in truth["pages"])


@pytest.mark.parametrize("kind", DEFECT_KINDS)
def test_each_defect_kind_can_be_requested(kind: str) -> None:
    spec = BatchSpec(count=6, seed=5, received=RECEIVED, defect_rate=1.0, defects=(kind,))
    apps = plan_truth(spec)["applications"]
    reason = DEFECT_REASONS[kind]
    hit = [a for a in apps if reason in a["expected_reasons"]]
    assert hit
    threshold = expiry_threshold(RECEIVED)
    for app in hit:
        assert app["expected_status"] == "needs_review"
        form, cert = app["form"], app["certificate"]
        if kind.startswith("MISMATCH_"):
            (defect,) = app["defects"]
            assert defect["code"] == "MISMATCH"
            field = defect["field"]
            assert field == kind.removeprefix("MISMATCH_").lower()
            assert cert["document"] == "seal_certificate"
            if field == "corporate_number":
                assert cert["corporate_number"] != form["corporate_number"]
                assert is_valid_corporate_number(cert["corporate_number"])
            elif field == "name":
                assert fold_variants(cert["name"]) != fold_variants(form["name"])
            else:
                assert cert["birth_date"] != form["birth_date"]
        elif kind == "EXPIRED":
            assert date.fromisoformat(cert["issue_date"]) < threshold
        elif kind == "MISSING":
            assert cert is None or cert["document"] != "seal_certificate"
        elif kind == "COPY":
            assert cert["photocopy"]
        elif kind == "DUPLICATE":
            first = next(a for a in apps if a["application_id"] == app["application_id"])
            assert first["index"] < app["index"] and "DUPLICATE" not in first["expected_reasons"]


def test_missing_takes_every_form() -> None:
    spec = BatchSpec(count=40, seed=2, received=RECEIVED, defect_rate=1.0, defects=("MISSING",))
    docs = {
        None if a["certificate"] is None else a["certificate"]["document"]
        for a in plan_truth(spec)["applications"]
    }
    assert docs == {None, "registry_extract", "personal_seal_certificate"}


def test_denied_before_ids_are_reused() -> None:
    ids = ("GB260101000001", "GB260101000002")
    spec = BatchSpec(count=10, seed=1, received=RECEIVED, defect_rate=0.0, denied_before_ids=ids)
    apps = plan_truth(spec)["applications"]
    denied = [a for a in apps if "DENIED_BEFORE" in a["expected_reasons"]]
    assert sorted(a["application_id"] for a in denied) == list(ids)
    assert all(a["expected_status"] == "needs_review" for a in denied)


def test_expiry_threshold_is_three_calendar_months() -> None:
    assert expiry_threshold(date(2026, 11, 24)) == date(2026, 8, 24)
    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert months_before(date(2026, 2, 15), 3) == date(2025, 11, 15)


def test_rendered_batch_holds_every_defect(all_defects: tuple[Path, dict]) -> None:
    out, truth = all_defects
    reasons = {r for a in truth["applications"] for r in a["expected_reasons"]}
    assert reasons == {"MISMATCH", "EXPIRED", "MISSING", "COPY", "CORRECTED", "DUPLICATE"}
    assert json.loads((out / "truth.json").read_text(encoding="utf-8")) == truth
    assert any(p["photocopy"] for p in truth["pages"])
    assert any(p["corrected"] for p in truth["pages"])
    names = sorted(p.name for p in out.iterdir() if p.suffix == ".png")
    assert names == [p["file"] for p in truth["pages"]]
    for page in truth["pages"]:
        with Image.open(out / page["file"]) as image:
            assert image.size == A4_200 and image.mode == "RGB"
            assert round(image.info["dpi"][0]) == 200


def test_photocopy_is_grey_and_shows_the_latent_text(all_defects: tuple[Path, dict]) -> None:
    out, truth = all_defects
    copy = next(p for p in truth["pages"] if p["photocopy"])
    original = next(p for p in truth["pages"] if p["kind"] == "certificate" and not p["photocopy"])
    with Image.open(out / copy["file"]) as image:
        copy_rgb = np.asarray(image, dtype=np.int16)
    with Image.open(out / original["file"]) as image:
        original_rgb = np.asarray(image, dtype=np.int16)

    def colourfulness(rgb: np.ndarray) -> float:
        return float(np.percentile(rgb.max(axis=2) - rgb.min(axis=2), 90))

    # The original's pattern is tinted; the copy is grey apart from the scanner's cast.
    assert colourfulness(copy_rgb) < colourfulness(original_rgb)
    # The latent letters add many mid-grey dots all over the copy.
    assert ((copy_rgb.mean(axis=2) > 40) & (copy_rgb.mean(axis=2) < 170)).mean() > 0.02


def test_300_dpi_and_colour_modes(tmp_path: Path) -> None:
    truth = generate_batch(
        tmp_path / "hi",
        BatchSpec(count=1, seed=4, received=RECEIVED, dpi=300, check_sheet_rate=0.0),
    )
    for page in truth["pages"]:
        with Image.open(tmp_path / "hi" / page["file"]) as image:
            assert image.size == A4_300
            assert round(image.info["dpi"][0]) == 300
    for colour, fmt, mode in (
        ("grey", "png", "L"),
        ("bilevel", "tiff", "1"),
        ("rgb16", "png", "RGB"),
    ):
        spec = BatchSpec(
            count=1,
            seed=4,
            received=RECEIVED,
            colour=colour,
            image_format=fmt,
            check_sheet_rate=0.0,
            defect_rate=0.0,
        )
        truth = generate_batch(tmp_path / colour, spec)
        assert all(a["expected_status"] == "rescan" for a in truth["applications"])
        for page in truth["pages"]:
            assert page["colour"] == colour
            with Image.open(tmp_path / colour / page["file"]) as image:
                assert image.mode == mode and image.size == A4_200
                assert round(image.info["dpi"][0]) == 200
                if colour == "rgb16":
                    assert len(image.getcolors(maxcolors=256) or []) <= 16


def test_rescan_pages_break_a_rule(tmp_path: Path) -> None:
    # Find a seed whose only application gets the 150 dpi page (planning is cheap).
    for seed in range(100):
        spec = BatchSpec(count=1, seed=seed, received=RECEIVED, rescan_rate=1.0, damage=False)
        truth = plan_truth(spec)
        if any(p["dpi"] == 150 for p in truth["pages"]):
            break
    else:
        pytest.fail("no seed gives a 150 dpi page")
    truth = generate_batch(tmp_path, spec)
    (app,) = truth["applications"]
    assert app["expected_status"] == "rescan" and not app["valid"]
    page = next(p for p in truth["pages"] if p["dpi"] == 150)
    with Image.open(tmp_path / page["file"]) as image:
        assert image.size == (1240, 1754)
        assert round(image.info["dpi"][0]) == 150


def test_upside_down_page_is_drawn_upside_down(tmp_path: Path) -> None:
    for seed in range(300):
        spec = BatchSpec(count=1, seed=seed, received=RECEIVED, check_sheet_rate=0.0)
        form = plan_truth(spec)["pages"][0]
        if form["upside_down"] and abs(form["rotation_deg"]) < 1.0:
            break
    else:
        pytest.fail("no seed gives an upside-down form")
    truth = generate_batch(tmp_path, spec)
    assert truth["pages"][0]["upside_down"]
    with Image.open(tmp_path / "p0001.png") as image:
        # The QR code sits top right (x 170–195, y 10–35 mm); turned over, bottom left.
        top_right = _dark_share(image, (165, 5, 200, 40), 200)
        bottom_left = _dark_share(image, (10, 257, 45, 292), 200)
    assert bottom_left > 0.2 and top_right < 0.05


def test_cli_generates_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "batch"
    args = [
        str(out),
        "--count",
        "1",
        "--seed",
        "9",
        "--received",
        "2026-11-24",
        "--no-damage",
        "--defects",
        "MISMATCH,EXPIRED",
        "--format",
        "jpeg",
    ]
    assert samples_main(["generate", *args]) == 0
    assert "truth.json" in capsys.readouterr().out
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert truth["image_format"] == "jpeg" and (out / "p0001.jpg").is_file()
    assert samples_main(["samples", "generate", *args]) == 2
    assert "truth.json" in capsys.readouterr().err
    assert samples_main([*args, "--force"]) == 0
    assert samples_main([str(tmp_path / "x"), "--defects", "NOPE"]) == 2
