"""The scanning rules, judged from file metadata and from the pixels."""

import numpy as np
import pytest
from conftest import encode, scan_like
from PIL import Image

from pipeline.errors import BadInputError
from pipeline.loading import decode


def quality_of(data: bytes, name: str = "page.png"):
    pages = decode(name, data)
    assert len(pages) == 1
    return pages[0].quality


def test_a_good_colour_scan_passes(colour_page):
    measured = quality_of(encode(colour_page, dpi=(200, 200)))
    assert measured.ok, measured.problems
    assert (measured.width_px, measured.height_px) == (1654, 2339)
    assert measured.dpi_x == 200
    assert measured.mode == "RGB" and measured.bits_per_channel == 8
    assert measured.distinct_levels >= 24


def test_scanner_truncation_of_a_4_is_accepted():
    # SANE gives 1653 × 2338 at 200 dpi (millimetres truncated).
    page = Image.fromarray(scan_like((1653, 2338)))
    assert quality_of(encode(page, dpi=(200, 200))).ok


def test_150_dpi_fails_by_metadata_and_by_pixels():
    page = Image.fromarray(scan_like((1240, 1754)))
    problems = " | ".join(quality_of(encode(page, dpi=(150, 150))).problems)
    assert "150 dpi is below 200" in problems
    assert "pixel size 1240×1754" in problems


def test_upscaled_low_resolution_with_lying_metadata_is_caught_by_pixels():
    page = Image.fromarray(scan_like((1240, 1754)))
    problems = quality_of(encode(page, dpi=(200, 200))).problems
    assert any("pixel size" in p for p in problems)


def test_missing_resolution_is_a_problem(colour_page):
    problems = quality_of(encode(colour_page)).problems
    assert "no resolution recorded in the file" in problems


def test_greyscale_and_black_and_white_files_fail(colour_page):
    grey = quality_of(encode(colour_page.convert("L"), dpi=(200, 200)))
    assert any("greyscale" in p for p in grey.problems)
    bilevel = quality_of(encode(colour_page.convert("1"), dpi=(200, 200)))
    assert any("black-and-white" in p for p in bilevel.problems)


def test_grey_content_saved_as_rgb_is_measured(colour_page):
    # Judged with the page's kind in decide: a black-and-white page scanned in
    # colour and JPEG-compressed loses its chroma too.
    fake = quality_of(encode(colour_page.convert("L").convert("RGB"), dpi=(200, 200)))
    assert fake.looks_grey
    assert not quality_of(encode(colour_page, dpi=(200, 200))).looks_grey


def test_sixteen_colour_image_saved_as_rgb_fails(colour_page):
    sixteen = colour_page.quantize(16).convert("RGB")
    measured = quality_of(encode(sixteen, dpi=(200, 200)))
    assert measured.distinct_levels <= 16
    assert any("levels" in p for p in measured.problems)


def sixteen_colour(image: Image.Image) -> Image.Image:
    """What a scanner's 16-colour mode does: a fixed palette, no dithering."""
    levels = (0, 128, 192, 255)
    colours = [(r, g, b) for r in levels for g in levels for b in levels][::4][:16]
    palette = Image.new("P", (1, 1))
    palette.putpalette([c for colour in colours for c in colour] + [0] * (768 - 48))
    return image.quantize(palette=palette, dither=Image.Dither.NONE).convert("RGB")


def test_upscaled_sixteen_colour_image_fails_too():
    small = sixteen_colour(Image.fromarray(scan_like((827, 1170))))
    upscaled = small.resize((1654, 2339), Image.BILINEAR)
    measured = quality_of(encode(upscaled, dpi=(200, 200)))
    assert any("levels" in p for p in measured.problems), measured


def test_jpeg_and_tiff_carry_their_dpi(colour_page):
    assert quality_of(encode(colour_page, "JPEG", quality=90, dpi=(300, 300)), "p.jpg").dpi_x == 300
    tiff = quality_of(encode(colour_page, "TIFF", dpi=(200, 200)), "p.tif")
    assert tiff.dpi_x == 200 and tiff.ok


def test_multi_page_tiff_gives_one_page_per_frame(colour_page):
    data = encode(colour_page, "TIFF", dpi=(200, 200), save_all=True, append_images=[colour_page])
    pages = decode("two.tif", data)
    assert [p.source_name for p in pages] == ["two.tif#1", "two.tif#2"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"this is a text file, not a picture\n", "not an image file"),
        (encode(Image.fromarray(scan_like((200, 300))))[:400], "image"),
    ],
)
def test_bad_files_raise_one_line_errors_naming_the_file(data, reason):
    with pytest.raises(BadInputError) as caught:
        decode("bad.png", data)
    message = str(caught.value)
    assert message.startswith("bad.png: ")
    assert reason in message
    assert "\n" not in message


def test_pdf_pages_report_the_embedded_scan(tmp_path, colour_page):
    data = encode(colour_page, "PDF", resolution=200.0, save_all=True, append_images=[colour_page.convert("L")])
    pages = decode("batch.pdf", data)
    assert [p.source_name for p in pages] == ["batch.pdf#1", "batch.pdf#2"]
    first, second = (p.quality for p in pages)
    assert first.ok, first.problems
    assert abs(first.dpi_x - 200) < 1
    assert abs(pages[0].rgb.shape[1] - 1654) <= 2
    assert any("greyscale" in p for p in second.problems)
    assert np.asarray(pages[0].rgb).dtype == np.uint8


def test_a_quiet_scan_of_a_nearly_empty_page_is_not_taken_for_a_palette():
    """A check sheet scanned with noise of a level or less is mostly exactly
    flat, in a few shades of its paper under smooth lighting (seed 1113579: a
    valid page sent to rescan as an upscaled 16-colour image). Shades a level
    apart are paper; a palette's colours are far apart."""
    import cv2

    height, width = 2339, 1654
    # Lighting falls off by five levels across the page; the paper is slightly green.
    ramp = np.linspace(249, 244, width).round().astype(np.int16)
    page = np.stack([ramp, ramp + 2, ramp + 1], axis=-1)[None, :, :].repeat(height, axis=0)
    for top in range(300, 1500, 120):
        page[top : top + 30, 200:1300] = (30, 32, 31)  # a few printed lines
    page = cv2.GaussianBlur(np.clip(page, 0, 255).astype(np.uint8), (0, 0), 1.0)
    # A level of noise on a few pixels only: a quiet sensor.
    rng = np.random.default_rng(4)
    noisy = rng.random(page.shape[:2]) < 0.03
    page[noisy] = np.clip(page[noisy].astype(np.int16) + rng.integers(-1, 2, (int(noisy.sum()), 3)), 0, 255)
    measured = quality_of(encode(Image.fromarray(page), dpi=(200, 200)))
    assert measured.ok, measured.problems
    # The same page as a palette image blown up still fails.
    small = sixteen_colour(Image.fromarray(page).resize((827, 1170), Image.BILINEAR))
    upscaled = quality_of(encode(small.resize((1654, 2339), Image.BILINEAR), dpi=(200, 200)))
    assert any("levels" in p for p in upscaled.problems), upscaled


def test_every_png_decodes_to_pillows_pixels(colour_page):
    """An 8-bit RGB PNG takes libspng, the rest OpenCV or Pillow: every way
    gives the pixels Pillow's convert("RGB") gives."""
    import io

    from pipeline import loading

    rgb = np.asarray(colour_page.convert("RGB"))
    variants = {
        "RGB": colour_page.convert("RGB"),
        "P": colour_page.convert("RGB").quantize(64),
        "L": colour_page.convert("L"),
        "RGBA": colour_page.convert("RGBA"),
    }
    for mode, image in variants.items():
        data = encode(image, dpi=(200, 200))
        assert loading._is_plain_rgb_png(data) == (mode == "RGB")
        (page,) = decode(f"{mode}.png", data)
        expected = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        assert page.rgb.dtype == np.uint8 and np.array_equal(page.rgb, expected), mode
    assert np.array_equal(decode("rgb.png", encode(variants["RGB"], dpi=(200, 200)))[0].rgb, rgb)
