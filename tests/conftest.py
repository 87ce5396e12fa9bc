import io

import numpy as np
import pytest
from PIL import Image

A4_200 = (1654, 2339)


def scan_like(size=A4_200, seed=0) -> np.ndarray:
    """A page-sized colour image with paper, dark strokes, a red seal and sensor noise."""
    rng = np.random.default_rng(seed)
    width, height = size
    page = np.full((height, width, 3), (246, 244, 238), np.int16)
    for row in range(200, height - 200, 90):
        page[row : row + 18, 150 : width - 300] = (30, 30, 35)
    # A red seal impression, as every application form carries.
    yy, xx = np.ogrid[:height, :width]
    seal = (yy - height * 0.85) ** 2 + (xx - width * 0.8) ** 2 < (width * 0.045) ** 2
    page[seal] = (205, 45, 50)
    page += rng.integers(-6, 7, page.shape, dtype=np.int16)
    return np.clip(page, 0, 255).astype(np.uint8)


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.fixture
def colour_page() -> Image.Image:
    return Image.fromarray(scan_like())


UI_PASSWORD = "test-password-{login}"
UI_ACCOUNTS = (("reviewer", "reviewer"), ("reviewer2", "reviewer"), ("supervisor", "supervisor"), ("admin", "admin"), ("operator", "operator"))


@pytest.fixture(scope="session")
def ui_home(tmp_path_factory):
    """A home with a generated batch really processed (OCR and all: 8
    applications, 4 held, 3 approved automatically, 1 to rescan) and one
    account per role; shared by the review UI's tests."""
    from datetime import date

    from pipeline import accounts, process, storage
    from pipeline.config import prepare_home, resolve_settings
    from samples.generator import BatchSpec, generate_batch

    home = tmp_path_factory.mktemp("ui-home")
    settings = resolve_settings(home)
    settings = type(settings)(home=settings.home, database_url=f"sqlite:///{home / 'gbiz-review.db'}", workers=2)
    prepare_home(settings)
    received = date(2026, 11, 20)
    generate_batch(home / "scans", BatchSpec(count=8, seed=11, received=received, defect_rate=0.6, rescan_rate=0.1))
    batch = process.ingest(settings, [home / "scans"], received, station="desk-1")
    process.process_waiting(settings, batch.batch_id)
    with storage.session_for(settings.database_url) as session:
        for login, role in UI_ACCOUNTS:
            accounts.add_user(session, login, role, UI_PASSWORD.format(login=login))
        session.commit()
    return settings
@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """One temporary Prefect API for the whole session (it takes seconds to start)."""
    import os

    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
