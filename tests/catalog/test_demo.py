"""The demo catalogs: realistic, complete for every agency and commune, and idempotent."""

from datetime import date
from decimal import Decimal

import pytest

from catalog import demo, services
from catalog.models import CriteriaSetVersion, Product, Quota
from evaluations.scoring import ScoringRules
from orgunits import demo as org_demo
from orgunits.models import JobPositionGroup

pytestmark = pytest.mark.django_db
ON = date(2025, 9, 1)


@pytest.fixture
def province():
    units = org_demo.seed_units()
    org_demo.seed_positions()
    demo.seed(units)
    return units


def applicable(unit):
    return Product.objects.applicable_to(unit).active_on(ON)


def test_every_agency_has_a_catalog_of_30_to_80_products_in_groups_a_to_d(province):
    agencies = demo.agencies(province)
    assert len(agencies) == 24
    for agency in agencies:
        products = applicable(agency)
        assert 30 <= products.count() <= 80, agency.code
        assert set(products.values_list("group__code", flat=True)) == {"A", "B", "C", "D"}
        assert products.filter(owner_unit=agency).exists(), agency.code


def test_communes_share_one_provincial_catalog(province):
    first = set(applicable(province["QNG-XA001"]).values_list("pk", flat=True))
    other = set(applicable(province["QNG-XA050"]).values_list("pk", flat=True))
    assert first == other
    assert 30 <= len(first) <= 80
    assert Product.objects.filter(pk__in=first, owner_unit__isnull=False).count() == 0


def test_demo_coefficients_are_the_usual_ones(province):
    shared = applicable(province["QNG-XA001"])
    assert shared.get(name="Dự thảo văn bản quy phạm pháp luật").coefficient == Decimal("4.0")
    assert shared.get(name="Báo cáo định kỳ (tháng, quý, năm)").coefficient == Decimal("1.0")
    assert shared.get(name="Giải quyết hồ sơ thủ tục hành chính").coefficient == Decimal("0.3")


def test_schools_get_teaching_hours_and_hospitals_get_examinations(province):
    teachers = JobPositionGroup.objects.get(code="GV")
    school = province["QNG-SGDDT-LK-TOAN"]
    hospital = province["QNG-SYT-BVDK-NOI"]
    assert (
        Product.objects.usable_by(school, ON, teachers).filter(unit_of_measure="giờ dạy").exists()
    )
    assert applicable(hospital).filter(name="Khám bệnh ngoại trú").exists()
    assert not applicable(school).filter(name="Khám bệnh ngoại trú").exists()
    assert not applicable(hospital).filter(unit_of_measure="giờ dạy").exists()


@pytest.mark.parametrize(
    ("unit", "preset"),
    [
        ("QNG-SYT-NVY", ScoringRules.nd335()),
        ("QNG-XA001-VP", ScoringRules.nd335()),
        ("QNG-BTC-CB", ScoringRules.qd366()),
        ("QNG-TD-VP", ScoringRules.qd366()),
    ],
)
def test_each_bloc_has_its_published_criteria_set(province, unit, preset):
    version = services.criteria_version_for(unit=province[unit], on=ON)
    assert ScoringRules.from_dict(version.rules) == preset


def test_quotas_per_job_position_group_with_agency_overrides(province):
    professional = JobPositionGroup.objects.get(code="CMNV")
    assert services.quota_for(unit=province["QNG-XA001-VP"], group=professional, on=ON) == 22
    assert services.quota_for(unit=province["QNG-TTR-NV1"], group=professional, on=ON) == 20
    doctors = JobPositionGroup.objects.get(code="YTE")
    assert services.quota_for(unit=province["QNG-SYT-BVDK-NOI"], group=doctors, on=ON) == 24


def test_seed_is_idempotent_and_cheap_the_second_time(province, django_assert_max_num_queries):
    before = (Product.objects.count(), Quota.objects.count(), CriteriaSetVersion.objects.count())
    with django_assert_max_num_queries(40):
        result = demo.seed(province)
    assert sum(result["added"].values()) == 0
    after = (Product.objects.count(), Quota.objects.count(), CriteriaSetVersion.objects.count())
    assert after == before
