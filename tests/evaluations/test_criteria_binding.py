"""A period binds to the criteria-set version in force at its start (issue 4)."""

from datetime import date
from decimal import Decimal

import pytest

from catalog import services as catalog_services
from catalog.models import CriteriaSetVersion
from evaluations import assessment, scoring
from evaluations.models import Evaluation, Rating

from .test_assessment import FULL, give_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def v1(units, system_admin):
    criteria_set = catalog_services.criteria_set_create(
        by=system_admin,
        code="TN-335",
        name="Bộ tiêu chí Sở Thử nghiệm",
        preset="nd335",
        owner_unit=units["T-SO"],
    )
    draft = CriteriaSetVersion.objects.get(criteria_set=criteria_set, number=1)
    return catalog_services.criteria_version_publish(
        version=draft, by=system_admin, valid_from=date(2025, 7, 1)
    )


def test_a_period_started_under_v1_still_scores_with_v1_after_v2_is_published(
    v1, period, products, quota, staff_a, system_admin
):
    assessment.evaluations_open(period=period)
    evaluation = Evaluation.objects.get(person__user=staff_a, period=period)
    assert evaluation.criteria_version == v1

    # v2 raises the "Hoàn thành tốt" band to 80 from mid-March, during the period.
    draft = catalog_services.criteria_version_new_draft(from_version=v1, by=system_admin)
    rules = scoring.ScoringRules.khanh_hoa().to_dict()
    rules["general_groups"] = v1.rules["general_groups"]
    catalog_services.criteria_version_update(version=draft, by=system_admin, rules=rules)
    v2 = catalog_services.criteria_version_publish(
        version=draft, by=system_admin, valid_from=date(2026, 3, 15)
    )
    assert catalog_services.criteria_version_for(unit=evaluation.unit, on=date(2026, 3, 20)) == v2

    # Three of five done: quantity, quality and timeliness 0.6 each → task 42, total 72.
    give_work(staff_a, period, products["VB"], "5", "3")
    scored = assessment.evaluation_self_assess(
        by=staff_a, evaluation=evaluation, general=FULL, notes=[]
    )
    assert scored.criteria_version == v1
    assert scored.total == Decimal("72.00")
    assert scored.computed_rating == Rating.HTT  # v1: "Hoàn thành tốt" from 70
    assert (
        scoring.band_for(scored.total, assessment.tasklines.rules_of(v2)) == Rating.HT
    )  # v2 would say HT
