"""Page preparation: which specks are dirt and which are pieces of characters,
and the working resolution a finer scan is read at."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from pipeline import imaging, loading, originals, page_images, reading
from pipeline.domain import FieldName, PageKind
from samples.generator import BatchSpec, generate_batch

PX_PER_MM = 200 / 25.4
RECEIVED = date(2026, 11, 24)


def _page_with_marks() -> tuple[np.ndarray, dict[str, tuple[slice, slice]]]:
    """A white 200 dpi page: a printed stroke with a dot 3 px beside it (as 太
    has), a thin pale stroke ending in a dark serif core, a speck of dust on
    its own, and a grid of a photocopy's latent dots."""
    grey = np.full((400, 400), 250, np.uint8)
    grey[100:140, 100:103] = 20  # a stroke
    marks = {"dot": (slice(120, 122), slice(106, 108))}  # beside it
    grey[marks["dot"]] = 30
    grey[200:202, 100:160] = 170  # a pale thin stroke, lighter than ink_mask's threshold
    marks["serif"] = (slice(199, 202), slice(160, 162))
    grey[marks["serif"]] = 40
    marks["dust"] = (slice(300, 302), slice(300, 302))
    grey[marks["dust"]] = 40
    for y in range(20, 60, 8):  # latent dots of 6 px on an 8 px grid
        for x in range(250, 330, 8):
            grey[y : y + 2, x : x + 3] = 60
    marks["latent"] = (slice(20, 60), slice(250, 330))
    return grey, marks


def test_a_speck_beside_other_ink_is_kept_for_reading_and_dirt_is_painted_out() -> None:
    grey, marks = _page_with_marks()
    page = imaging.prepare(np.dstack([grey] * 3), PX_PER_MM, 0.0, upside_down=False)
    # Layout works without any speck…
    for where in marks.values():
        assert not page.ink[where].any()
    # …but reading keeps the pieces of characters: the dot of 太, a serif.
    assert page.grey[marks["dot"]].max() < 100
    assert page.grey[marks["serif"]].max() < 100
    # Dust and a photocopy's latent dots stand alone: painted out.
    assert page.grey[marks["dust"]].min() == 255
    assert page.grey[marks["latent"]].min() >= 250  # paper, no dot left
    # The stroke itself is untouched.
    assert page.ink[100:140, 100:103].all()


def test_stray_specks_are_the_specks_no_other_mark_comes_near() -> None:
    grey, marks = _page_with_marks()
    specks = imaging.speck_mask(imaging.ink_mask(grey), PX_PER_MM)
    stray = imaging.stray_specks(grey, specks, PX_PER_MM)
    assert specks[marks["dot"]].all() and specks[marks["serif"]].all() and specks[marks["dust"]].all()
    assert not stray[marks["dot"]].any() and not stray[marks["serif"]].any()
    assert stray[marks["dust"]].all()
    assert (stray[marks["latent"]] == specks[marks["latent"]]).all()
    assert not imaging.stray_specks(grey, np.zeros_like(specks), PX_PER_MM).any()


def test_a_finer_scan_is_read_at_the_working_resolution(tmp_path: Path) -> None:
    assert imaging.working_dpi(200.0) == 200.0
    assert imaging.working_dpi(220.0) == 220.0  # a little above the minimum: read as it is
    assert imaging.working_dpi(300.0) == imaging.WORKING_DPI == 200.0
    page = np.zeros((3508, 2480, 3), np.uint8)
    assert imaging.at_working_resolution(page, 300.0).shape == (2339, 1653, 3)
    assert imaging.at_working_resolution(page[:2339, :1654], 200.0) is not None

    truth = generate_batch(tmp_path, BatchSpec(count=1, seed=7, received=RECEIVED, dpi=300, defect_rate=0.0))
    application = truth["applications"][0]
    forms = [p for p in truth["pages"] if p["kind"] == "form"]
    path = tmp_path / forms[0]["file"]
    (decoded,) = loading.decode(path.name, path.read_bytes())
    assert round(decoded.quality.effective_dpi) == 300  # the scan's own figures are recorded
    analysis = reading.analyse_page(decoded.rgb, 1, decoded.quality, RECEIVED)
    assert analysis.kind is PageKind.FORM
    name = next(f for f in analysis.fields if f.name is FieldName.NAME)
    assert name.readings and name.readings[0].replace(" ", "\u3000") == application["form"]["name"]
    # Boxes are in the frame the page is read (and shown to reviewers) at.
    height, width = imaging.at_working_resolution(decoded.rgb, decoded.quality.effective_dpi).shape[:2]
    assert name.box is not None and name.box.x + name.box.width <= width and name.box.y + name.box.height <= height
    assert name.box.y > 110 * PX_PER_MM  # the 氏名 row, y≈128 mm on the page, in 200 dpi pixels
    # The review UI's page is registered in the same frame: the crop is the name.
    digest, _path = originals.store(tmp_path / "originals", path.read_bytes())
    shown = page_images.registered_page(
        str(tmp_path / "originals"), digest, path.name, 1, analysis.skew_deg, analysis.rotated_180,
        decoded.quality.effective_dpi,
    )
    assert shown.shape[:2] == (height, width)
    crop = page_images.crop(shown, name.box.x, name.box.y, name.box.width, name.box.height, pad=0)
    assert (crop.min(axis=2) < 100).mean() > 0.004  # printed ink, not a blank part of the page
