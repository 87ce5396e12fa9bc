"""Both ways of calling Tesseract give the same words: the in-process API
(tesserocr, built by setup against Debian's library) and the command line."""

from datetime import date

import pytest

from ocr import tesseract
from pipeline import imaging
from pipeline.loading import decode
from samples.generator import BatchSpec, generate_batch


@pytest.fixture(scope="module")
def crops(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ocr")
    truth = generate_batch(folder, BatchSpec(count=1, seed=8, received=date(2026, 11, 20), defect_rate=0.0, check_sheet_rate=0.0))
    out = []
    for name in truth["applications"][0]["pages"]:
        (page,) = decode(name, (folder / name).read_bytes())
        grey = imaging.grey_without_red(imaging.white_balance(page.rgb))
        mm = page.quality.effective_dpi / 25.4
        for top in (70, 95, 125, 145, 190):  # bands across both documents' fields
            out.append(imaging.ocr_crop(grey, int(20 * mm), int(top * mm), int(190 * mm), int((top + 12) * mm)))
    return out


def test_setup_installed_the_in_process_engine():
    assert tesseract.engine() == "tesserocr", "scripts/setup.sh builds tesserocr against the system's Tesseract"


@pytest.mark.parametrize("lang", ["jpn", "Japanese+jpn"])
def test_both_engines_read_the_same(crops, lang, monkeypatch):
    results = {}
    for engine in ("pytesseract", "tesserocr"):
        monkeypatch.setenv("GBIZ_REVIEW_OCR_ENGINE", engine)
        results[engine] = tesseract.read_many(crops, dpi=200, lang=lang)
    assert any(r.words for r in results["pytesseract"])
    for cli, api in zip(results["pytesseract"], results["tesserocr"], strict=True):
        assert [(w.text, w.confidence, w.left, w.top, w.width, w.height) for w in cli.words] == [
            (w.text, w.confidence, w.left, w.top, w.width, w.height) for w in api.words
        ]


def test_a_missing_model_is_a_tool_error(monkeypatch):
    import numpy as np

    from pipeline.errors import ToolError

    blank = np.full((40, 200), 255, np.uint8)
    for engine in ("pytesseract", "tesserocr"):
        monkeypatch.setenv("GBIZ_REVIEW_OCR_ENGINE", engine)
        with pytest.raises(ToolError):
            tesseract.read_many([blank, blank], dpi=200, lang="klingon")
