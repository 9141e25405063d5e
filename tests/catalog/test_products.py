"""Products of a catalog: ownership, applicability, visibility, retiring, bulk coefficients."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog import services
from catalog.models import Product
from kpi_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_code_is_unique_within_its_owner_only(units, make_product):
    make_product(units["T-A"], "SP01")
    make_product(units["T-B"], "SP01")
    with pytest.raises(ValidationError, match="Mã sản phẩm đã có"):
        make_product(units["T-A"], "SP01")


def test_a_product_has_exactly_one_owner(units, make_product, health_sector):
    with pytest.raises(ValidationError, match="đúng một đơn vị hoặc một ngành"):
        services.product_create(
            by=None,
            owner_unit=units["T-A"],
            owner_sector=health_sector,
            code="X",
            name="X",
            unit_of_measure="hồ sơ",
            group=Product._meta.get_field("group").related_model.objects.first(),
            coefficient=Decimal(1),
            active_from=date(2025, 7, 1),
        )


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("-1")])
def test_coefficient_must_be_positive(units, make_product, value):
    with pytest.raises(ValidationError):
        make_product(units["T-A"], "SP01", coefficient=value)


def test_database_refuses_a_non_positive_coefficient(units, make_product):
    product = make_product(units["T-A"], "SP01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(coefficient=0)


def test_complexity_is_one_of_the_four_levels(units, make_product):
    with pytest.raises(ValidationError):
        make_product(units["T-A"], "SP01", complexity=Decimal("1.3"))
    assert make_product(units["T-A"], "SP02", complexity=Decimal("1.5")).complexity == Decimal(
        "1.5"
    )


def test_applicable_products_come_from_the_unit_its_ancestors_and_its_sector(
    units, make_product, health_sector
):
    make_product(units["T-CQ"], "BLOC")
    make_product(units["T-A"], "A")
    make_product(units["T-A1a"], "A1A")
    make_product(units["T-B"], "B")
    make_product(health_sector, "YT")
    assert codes(Product.objects.applicable_to(units["T-A1"])) == {"BLOC", "A"}
    assert codes(Product.objects.applicable_to(units["T-B"])) == {"BLOC", "B", "YT"}


def test_usable_products_respect_dates_and_job_position_groups(
    units, make_product, position_groups
):
    make_product(units["T-A"], "ALL")
    leaders = make_product(units["T-A"], "LEAD", position_groups=[position_groups["LDQL"]])
    make_product(units["T-A"], "LATER", active_from=date(2026, 1, 1))
    services.product_retire(product=leaders, active_to=date(2025, 12, 31), by=None)
    on = date(2025, 9, 1)
    usable = Product.objects.usable_by
    assert codes(usable(units["T-A"], on, position_groups["CMNV"])) == {"ALL"}
    assert codes(usable(units["T-A"], on, position_groups["LDQL"])) == {"ALL", "LEAD"}
    assert codes(usable(units["T-A"], date(2026, 2, 1), position_groups["LDQL"])) == {
        "ALL",
        "LATER",
    }


def test_staff_read_what_applies_to_them_and_not_a_sibling_units_catalog(
    units, make_product, staff_a, outsider_b
):
    make_product(units["T-SO"], "SO")
    make_product(units["T-A"], "A")
    make_product(units["T-B"], "B")
    make_product(units["T-BTC"], "BTC")
    assert codes(Product.objects.visible_to(staff_a)) == {"SO", "A"}
    assert codes(Product.objects.visible_to(outsider_b)) == {"SO", "B"}


def test_sector_admin_reads_and_manages_the_whole_subtree_only(
    units, make_product, sector_admin, system_admin
):
    for code in ("T-CQ", "T-SO", "T-A1a", "T-B", "T-BTC"):
        make_product(units[code], code)
    assert codes(Product.objects.manageable_by(sector_admin)) == {"T-SO", "T-A1a", "T-B"}
    assert codes(Product.objects.visible_to(sector_admin)) == {"T-CQ", "T-SO", "T-A1a", "T-B"}
    assert codes(Product.objects.manageable_by(system_admin)) >= {"T-CQ", "T-BTC"}


def test_sector_catalog_is_read_by_units_of_the_sector(
    units, make_product, health_sector, outsider_b, staff_a
):
    make_product(health_sector, "YT")
    assert codes(Product.objects.visible_to(outsider_b)) == {"YT"}
    assert codes(Product.objects.visible_to(staff_a)) == set()


def test_retiring_keeps_the_product_and_ends_its_dates(units, make_product, root):
    product = make_product(units["T-A"], "SP01")
    services.product_retire(product=product, active_to=date(2025, 12, 31), by=root, reason="Bỏ")
    product.refresh_from_db()
    assert product.is_retired
    assert not product.is_active_on(date(2026, 1, 1))
    assert AuditEvent.objects.filter(action="catalog.product_retire", object_id=product.pk).exists()


def test_retiring_before_the_start_is_refused(units, make_product, root):
    product = make_product(units["T-A"], "SP01")
    with pytest.raises(ValidationError):
        services.product_retire(product=product, active_to=date(2025, 1, 1), by=root)


def test_update_cannot_move_a_product_to_another_owner(units, make_product, root):
    product = make_product(units["T-A"], "SP01")
    with pytest.raises(ValidationError, match="danh mục của nơi khác"):
        services.product_update(product=product, by=root, owner_unit=units["T-B"])


def test_update_records_only_what_changed(units, make_product, root, position_groups):
    product = make_product(units["T-A"], "SP01")
    services.product_update(
        product=product, by=root, name="Tên mới", position_groups=[position_groups["CMNV"]]
    )
    event = AuditEvent.objects.get(action="catalog.product_update")
    assert set(event.changes) == {"name", "position_groups"}


def test_bulk_coefficient_edit_checks_every_row_before_writing_any(units, make_product, root):
    first = make_product(units["T-A"], "SP01")
    second = make_product(units["T-A"], "SP02")
    third = make_product(units["T-A"], "SP03")
    with pytest.raises(ValidationError) as caught:
        services.product_bulk_set_coefficients(
            coefficients={first: "2,5", second: "0", third: "abc"}, by=root
        )
    assert caught.value.messages == [
        "Sản phẩm SP02: Hệ số quy đổi phải lớn hơn 0.",
        "Sản phẩm SP03: Hệ số quy đổi phải là một số.",
    ]
    first.refresh_from_db()
    assert first.coefficient == Decimal("1.0")


def test_bulk_coefficient_edit_writes_one_audit_event_per_changed_row(units, make_product, root):
    first = make_product(units["T-A"], "SP01")
    second = make_product(units["T-A"], "SP02")
    changed = services.product_bulk_set_coefficients(
        coefficients={first: "2,5", second: "1"}, by=root
    )
    first.refresh_from_db()
    assert changed == 1
    assert first.coefficient == Decimal("2.5")
    assert AuditEvent.objects.filter(action="catalog.product_update").count() == 1
