from datetime import date
from decimal import Decimal

import pytest

from catalog import services
from catalog.models import ProductGroup
from orgunits.models import JobPositionGroup, Sector, User

START = date(2025, 7, 1)


@pytest.fixture
def root(units) -> User:
    """The superuser who built the persona world; acts for set-up steps."""
    return User.objects.get(username="root")


@pytest.fixture
def product_groups(db) -> dict[str, ProductGroup]:
    return {g.code: g for g in ProductGroup.objects.all()}


@pytest.fixture
def position_groups(db) -> dict[str, JobPositionGroup]:
    for code, name in (("CMNV", "Chuyên môn, nghiệp vụ"), ("LDQL", "Lãnh đạo, quản lý")):
        JobPositionGroup.objects.get_or_create(code=code, defaults={"name": name})
    return {g.code: g for g in JobPositionGroup.objects.all()}


@pytest.fixture
def health_sector(units) -> Sector:
    """Sector Y tế, given to Phòng B only, so sector catalogs reach B and not A."""
    sector, _ = Sector.objects.get_or_create(code="T-YT", defaults={"name": "Y tế thử nghiệm"})
    units["T-B"].sector = sector
    units["T-B"].save(update_fields=["sector"])
    return sector


@pytest.fixture
def make_product(root, product_groups):
    def make(owner, code: str, **fields):
        owner_key = "owner_sector" if isinstance(owner, Sector) else "owner_unit"
        values = {
            "name": f"Sản phẩm {code}",
            "unit_of_measure": "văn bản",
            "group": product_groups["B"],
            "coefficient": Decimal("1.0"),
            "active_from": START,
        }
        values.update(fields)
        return services.product_create(by=root, **{owner_key: owner}, code=code, **values)

    return make


@pytest.fixture
def make_set(root):
    def make(owner, code: str = "BTC", preset: str = "nd335", **kwargs):
        owner_key = "owner_sector" if isinstance(owner, Sector) else "owner_unit"
        return services.criteria_set_create(
            by=root, **{owner_key: owner}, code=code, name=f"Bộ tiêu chí {code}", preset=preset
        )

    return make


@pytest.fixture
def publish(root):
    """Publish the set's draft (creating one from the latest version when needed)."""

    def run(criteria_set, valid_from: date, **rule_changes):
        draft = criteria_set.versions.filter(status="draft").first()
        if draft is None:
            draft = services.criteria_version_new_draft(
                from_version=criteria_set.versions.first(), by=root
            )
        if rule_changes:
            services.criteria_version_update(
                version=draft, by=root, rules={**draft.rules, **rule_changes}
            )
        return services.criteria_version_publish(version=draft, by=root, valid_from=valid_from)

    return run
