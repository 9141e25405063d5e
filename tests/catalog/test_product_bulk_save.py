"""Writing many products at once: the same checks, messages and audit trail as one by one."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services
from catalog.models import Product
from kpi_portal.models import AuditEvent

pytestmark = pytest.mark.django_db

START = date(2025, 7, 1)


@pytest.fixture
def new_product(units, product_groups):
    def make(code: str, **fields) -> Product:
        values = {
            "owner_unit": units["T-A"],
            "name": f"Sản phẩm {code}",
            "unit_of_measure": "văn bản",
            "group": product_groups["B"],
            "coefficient": Decimal("1.0"),
            "complexity": Decimal("1.0"),
            "active_from": START,
        }
        values.update(fields)
        return Product(code=code, **values)

    return make


def full_clean_messages(product: Product) -> list[str]:
    try:
        product.full_clean()
    except ValidationError as exc:
        return exc.messages
    return []


REFUSED = {
    "zero coefficient": {"coefficient": Decimal("0")},
    "negative coefficient": {"coefficient": Decimal("-1")},
    "complexity off the levels": {"complexity": Decimal("1.3")},
    "zero hours": {"expected_hours": Decimal("0")},
    "too many decimals": {"coefficient": Decimal("1.0001")},
    "end before start": {"active_to": date(2025, 6, 30)},
    "blank name": {"name": ""},
    "code too long": {"code": "X" * 33},
    "no start": {"active_from": None},
    "no owner": {"owner_unit": None},
    "two owners": {"owner_sector": "health"},
    "code of a stored product": {"code": "SP01"},
    "several problems at once": {"name": "", "coefficient": Decimal("0"), "active_to": START},
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_bulk_save_refuses_what_full_clean_refuses_with_the_same_messages(
    case, new_product, make_product, units, health_sector, root
):
    make_product(units["T-A"], "SP01")
    fields = dict(REFUSED[case])
    if fields.get("owner_sector") == "health":
        fields["owner_sector"] = health_sector
    product = new_product(fields.pop("code", "SP99"), **fields)
    expected = full_clean_messages(product)
    assert expected, "the case must break a rule"
    before = (Product.objects.count(), AuditEvent.objects.count())
    good = services.ProductWrite(new_product("SP02"))
    with pytest.raises(services.ProductBulkError) as refused:
        services.product_bulk_save(by=root, writes=[good, services.ProductWrite(product)])
    assert refused.value.problems == {1: expected}
    assert (Product.objects.count(), AuditEvent.objects.count()) == before


def test_every_product_constraint_is_checked_by_the_bulk_path():
    names = {constraint.name for constraint in Product._meta.constraints}
    assert names == set(services._PRODUCT_RULES)


def test_a_code_used_twice_in_one_batch_is_refused_on_its_second_use(new_product, root):
    writes = [services.ProductWrite(new_product(code)) for code in ("SP01", "SP02", "SP01")]
    with pytest.raises(services.ProductBulkError) as refused:
        services.product_bulk_save(by=root, writes=writes)
    assert refused.value.problems == {2: ["Mã sản phẩm đã có trong danh mục của nơi ban hành này."]}
    assert "Sản phẩm SP01: Mã sản phẩm đã có" in refused.value.messages[0]
    assert not Product.objects.exists()


def test_the_same_code_under_another_owner_is_fine(new_product, units, make_product, root):
    make_product(units["T-B"], "SP01")
    (saved,) = services.product_bulk_save(
        by=root, writes=[services.ProductWrite(new_product("SP01"))]
    )
    assert saved.pk and saved.owner_unit == units["T-A"]


def test_bulk_save_writes_what_product_create_writes(new_product, position_groups, root):
    groups = [position_groups["LDQL"], position_groups["CMNV"], position_groups["CMNV"]]
    one = services.product_create(
        by=root, position_groups=groups, **_fields(new_product("SP01", expected_hours=8))
    )
    (many,) = services.product_bulk_save(
        by=root,
        writes=[
            services.ProductWrite(new_product("SP02", expected_hours=8), position_groups=groups)
        ],
    )
    first, second = AuditEvent.objects.filter(action="catalog.product_create").order_by("pk")
    assert second.changes == {
        **first.changes,
        "code": [None, "SP02"],
        "name": [None, "Sản phẩm SP02"],
    }
    assert (second.actor, second.unit_path, second.reason) == (root, first.unit_path, "")
    assert second.object_id == str(many.pk) and second.object_repr == str(many)
    assert set(many.position_groups.all()) == set(one.position_groups.all())
    assert many.created_at and many.updated_at


def test_bulk_save_edits_like_product_update(make_product, units, position_groups, root):
    product = make_product(units["T-A"], "SP01", position_groups=[position_groups["CMNV"]])
    other = make_product(units["T-A"], "SP02")
    stamps = dict(Product.objects.values_list("code", "updated_at"))
    services.product_bulk_save(
        by=root,
        writes=[
            services.ProductWrite(
                product,
                {"coefficient": Decimal("2.5")},
                position_groups=[position_groups["LDQL"]],
            ),
            services.ProductWrite(other, {"name": "Tên mới"}),
        ],
        reason="Nhập từ Excel",
    )
    product.refresh_from_db()
    other.refresh_from_db()
    assert product.coefficient == Decimal("2.5") and other.name == "Tên mới"
    assert list(product.position_groups.values_list("code", flat=True)) == ["LDQL"]
    assert product.updated_at > stamps["SP01"] and other.updated_at > stamps["SP02"]
    first, second = AuditEvent.objects.filter(action="catalog.product_update").order_by("pk")
    assert first.changes == {
        "coefficient": ["1.000", "2.5"],
        "position_groups": [["CMNV"], ["LDQL"]],
    }
    assert second.changes == {"name": ["Sản phẩm SP02", "Tên mới"]}
    assert {first.reason, second.reason} == {"Nhập từ Excel"}


def test_bulk_save_refuses_to_move_a_product_to_another_owner(make_product, units, root):
    product = make_product(units["T-A"], "SP01")
    with pytest.raises(services.ProductBulkError) as refused:
        services.product_bulk_save(
            by=root, writes=[services.ProductWrite(product, {"owner_unit": units["T-B"]})]
        )
    assert refused.value.problems == {0: ["Không thể chuyển sản phẩm sang danh mục của nơi khác."]}
    product.refresh_from_db()
    assert product.owner_unit == units["T-A"]


def test_bulk_save_costs_the_same_queries_for_five_products_as_for_fifty(
    new_product, position_groups, root
):
    def save(prefix: str, count: int) -> int:
        writes = [
            services.ProductWrite(
                new_product(f"{prefix}{i}"), position_groups=[position_groups["CMNV"]]
            )
            for i in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            services.product_bulk_save(by=root, writes=writes)
        return len(captured)

    assert save("A", 5) == save("B", 50)


def _fields(product: Product) -> dict:
    names = ["owner_unit", "code", "name", "unit_of_measure", "group", "coefficient"]
    names += ["complexity", "expected_hours", "active_from"]
    return {name: getattr(product, name) for name in names}
