import pytest
from django.core.management import call_command

from orgunits.models import (
    Assignment,
    AssignmentRole,
    Delegation,
    OrgUnit,
    Person,
    RoleGrant,
    UnitKind,
)

pytestmark = pytest.mark.django_db

AGENCIES = [
    "Văn phòng UBND tỉnh",
    "Thanh tra tỉnh",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Công Thương",
    "Sở Tư pháp",
    "Sở Dân tộc và Tôn giáo",
    "Sở Ngoại vụ",
]


@pytest.fixture
def demo():
    call_command("seed_demo", staff=120, quiet_logins=True)


def counts():
    return (
        OrgUnit.objects.count(),
        Person.objects.count(),
        Assignment.objects.count(),
        RoleGrant.objects.count(),
        Delegation.objects.count(),
    )


def test_seed_demo_builds_the_96_communes_of_quang_ngai(demo):
    communes = OrgUnit.objects.filter(code__startswith="QNG-XA", depth=3)
    assert communes.count() == 96
    assert communes.filter(kind=UnitKind.COMMUNE).count() == 86
    assert communes.filter(kind=UnitKind.WARD).count() == 9
    assert list(communes.filter(kind=UnitKind.SPECIAL_ZONE).values_list("name", flat=True)) == [
        "Đặc khu Lý Sơn"
    ]


def test_seed_demo_builds_the_14_specialised_agencies_of_the_provincial_committee(demo):
    government = OrgUnit.objects.get(code="QNG-CQ")
    agencies = OrgUnit.objects.under(government, include_self=False).filter(
        depth=government.depth + 1, kind=UnitKind.AGENCY
    )
    assert sorted(agencies.values_list("name", flat=True)) == sorted(AGENCIES)


def test_seed_demo_is_idempotent(demo):
    before = counts()
    call_command("seed_demo", staff=120, quiet_logins=True)
    assert counts() == before


def test_seed_demo_grows_by_appending_people(demo):
    people = Person.objects.count()
    call_command("seed_demo", staff=150, quiet_logins=True)
    assert Person.objects.count() == people + 30


def test_seed_demo_gives_each_unit_at_most_one_head(demo):
    from django.db.models import Count

    doubled = (
        Assignment.objects.filter(role=AssignmentRole.HEAD, end__isnull=True)
        .values("unit")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not doubled.exists()


def test_seed_demo_tree_is_at_least_five_levels_deep(demo):
    assert OrgUnit.objects.filter(code__startswith="QNG").order_by("-depth").first().depth >= 6


def test_seed_demo_has_one_account_per_role_and_an_active_delegation(demo):
    roles = set(
        RoleGrant.objects.filter(unit__code__startswith="QNG").values_list("role", flat=True)
    )
    assert roles == {"system_admin", "org_dept_viewer", "hr_officer", "sector_admin"}
    assert Delegation.objects.filter(delegate__user__username="phophong").exists()
