"""The checks as the evaluation measures them, on a generated set that holds
every defect kind once, a page breaking the scanning rules and an 申請書ID
denied before: each test fails if its check stops working."""

from datetime import date

import pytest

from pipeline.config import Settings
from pipeline.evaluate import FIELD_TRUTH, evaluate_folder, format_evaluation
from samples.generator import BatchSpec, generate_batch

pytestmark = pytest.mark.slow

DENIED = "GB261101000017"


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("set")
    spec = BatchSpec(
        count=14, seed=20261123, received=date(2026, 11, 20), defect_rate=0.65, rescan_rate=0.1, duplex=True,
        denied_before_ids=(DENIED,),
    )
    truth = generate_batch(folder, spec)
    home = tmp_path_factory.mktemp("home")
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'gbiz-review.db'}", workers=2)
    return truth, evaluate_folder(folder, settings)


def test_the_set_holds_every_kind_of_defect(evaluated):
    truth, _ = evaluated
    reasons = {r for app in truth["applications"] for r in app["expected_reasons"]}
    assert {"MISMATCH", "EXPIRED", "MISSING", "COPY", "CORRECTED", "DUPLICATE", "DENIED_BEFORE"} <= reasons
    assert any(app["expected_status"] == "rescan" for app in truth["applications"])


def test_nothing_defective_is_approved(evaluated):
    _, result = evaluated
    assert result.false_approvals == [], format_evaluation(result)


def test_every_defect_is_held_with_its_reason(evaluated):
    _, result = evaluated
    assert result.defective_held == result.defective, format_evaluation(result)
    assert result.defective_right_reason == result.defective, format_evaluation(result)


def test_rescans_are_detected(evaluated):
    _, result = evaluated
    assert result.rescan_detected == result.rescan_expected > 0, format_evaluation(result)


def test_valid_applications_are_approved_with_their_fields(evaluated):
    _, result = evaluated
    assert result.valid_approved >= result.valid - 1, format_evaluation(result)
    for column in ("application_id", "form_corporate_number", "cert_corporate_number", "cert_birth_date"):
        assert result.field_right[column] == result.field_total[column], (column, format_evaluation(result))
    # Every miss is listed once, and the valid applications' share is counted apart.
    for column in FIELD_TRUTH:
        listed = [miss for miss in result.field_misses if miss.startswith(f"{column:24} ")]
        assert len(listed) == result.field_total[column] - result.field_right[column]
        assert result.field_right_valid[column] <= result.field_total_valid[column] < result.field_total[column]
