"""Every catalog list costs the same number of queries for a few rows as for many."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog import services
from catalog.models import Quota
from orgunits.models import JobPositionGroup
from tests.orgunits.xlsx_helpers import read_rows
from tests.query_counts import few_and_many

pytestmark = pytest.mark.django_db

LIST_VIEWS = {
    "catalog:product_list": "test_product_list_uses_constant_queries",
    "catalog:product_detail": (
        "test_product_page_with_many_groups_and_conversions_uses_constant_queries"
    ),
    "catalog:bulk_coefficients": (
        "test_bulk_coefficient_form_of_many_products_uses_constant_queries"
    ),
    "catalog:quota_list": "test_quota_list_uses_constant_queries",
    "catalog:conversion_table_list": "test_conversion_table_list_uses_constant_queries",
    "catalog:conversion_table_detail": (
        "test_conversion_table_with_many_rules_uses_constant_queries"
    ),
    "catalog:criteria_set_list": "test_criteria_set_list_uses_constant_queries",
    "catalog:criteria_set_detail": (
        "test_criteria_set_page_with_many_versions_uses_constant_queries"
    ),
    "catalog:lookup": "test_lookup_of_many_position_groups_uses_constant_queries",
    "catalog:export": "test_catalog_export_uses_constant_queries",
}
NOT_LIST_VIEWS = {
    "catalog:product_create": "form",
    "catalog:product_update": "form for one product",
    "catalog:product_retire": "form for one product",
    "catalog:quota_create": "form",
    "catalog:quota_update": "form for one quota",
    "catalog:conversion_table_create": "form",
    "catalog:conversion_table_update": "form for one table",
    "catalog:conversion_rule_create": "POST-only; a refused form re-renders the table page",
    "catalog:conversion_rule_update": "form for one rule",
    "catalog:conversion_rule_delete": "POST-only action",
    "catalog:criteria_set_create": "form",
    "catalog:criteria_set_update": "form for one set",
    "catalog:criteria_set_diff": "two versions compared from their JSON rules, no rows",
    "catalog:version_detail": "one version; its lines come from its JSON rules",
    "catalog:version_edit": "form for one version",
    "catalog:version_publish": "POST-only action",
    "catalog:version_new_draft": "POST-only action",
    "catalog:version_retire": "form for one version",
    "catalog:version_discard": "POST-only action",
    "catalog:version_export": "download of one version's JSON",
    "catalog:version_import": "POST-only upload into one version",
    "catalog:import": "upload form",
}
START = date(2025, 7, 1)


def _rule(table, by, product, task_type: str):
    """A conversion line of `table` turning `task_type` into one `product`."""
    return services.conversion_rule_create(
        table=table, by=by, task_type=task_type, product=product, coefficient=1
    )


@pytest.fixture
def many_groups():
    """Add `count` job-position groups named "Nhóm <prefix> <i>"."""

    def make(count: int, prefix: str) -> list[JobPositionGroup]:
        return JobPositionGroup.objects.bulk_create(
            JobPositionGroup(code=f"{prefix}{i:03d}", name=f"Nhóm {prefix} {i:03d}")
            for i in range(count)
        )

    return make


def test_product_list_uses_constant_queries(client_for, units, make_product, sector_admin):
    def add(count: int, prefix: str):
        for i in range(count):
            make_product(units["T-A"], f"{prefix}{i:03d}")

    add(2, "QA")
    url = reverse("catalog:product_list") + f"?unit={units['T-A'].pk}"
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        prefix = "QB" if headers else "QC"
        few, many, body = few_and_many(
            client_for(sector_admin), url, lambda p=prefix: add(10, p), **headers
        )
        assert body.decode().count(f">{prefix}0") == 10
        assert few == many


def test_product_page_with_many_groups_and_conversions_uses_constant_queries(
    client_for, units, root, make_product, many_groups, sector_admin
):
    product = make_product(units["T-A"], "QP")
    table = services.conversion_table_create(by=root, owner_unit=units["T-A"], code="QD", name="QĐ")

    def link(count: int, prefix: str):
        product.position_groups.add(*many_groups(count, prefix))
        for i in range(count):
            _rule(table, root, product, f"Việc {prefix} {i:03d}")

    link(2, "QA")
    few, many, body = few_and_many(
        client_for(sector_admin), product.get_absolute_url(), lambda: link(20, "QB")
    )
    html = body.decode()
    assert html.count("Nhóm QB ") == 20
    assert html.count("Việc QB ") == 20
    assert few == many


def test_bulk_coefficient_form_of_many_products_uses_constant_queries(
    client_for, units, make_product, sector_admin
):
    def add(count: int, prefix: str):
        for i in range(count):
            make_product(units["T-SO"], f"{prefix}{i:03d}")

    add(2, "QA")
    url = reverse("catalog:bulk_coefficients") + f"?owner=u{units['T-SO'].pk}"
    few, many, body = few_and_many(client_for(sector_admin), url, lambda: add(20, "QB"))
    assert body.decode().count(">QB0") == 20
    assert few == many


def test_quota_list_uses_constant_queries(client_for, units, root, many_groups, sector_admin):
    def add(count: int, prefix: str):
        for group in many_groups(count, prefix):
            services.quota_create(
                by=root, unit=units["T-A"], group=group, per_month=Decimal(20), valid_from=START
            )

    add(2, "QA")
    few, many, body = few_and_many(
        client_for(sector_admin), reverse("catalog:quota_list"), lambda: add(20, "QB")
    )
    assert body.decode().count("Nhóm QB ") == 20
    assert few == many


def test_conversion_table_list_uses_constant_queries(client_for, units, root, sector_admin):
    def add(count: int, prefix: str):
        for i in range(count):
            services.conversion_table_create(
                by=root,
                owner_unit=units["T-A"],
                code=f"{prefix}{i:03d}",
                name=f"Bảng {prefix} {i:03d}",
            )

    add(2, "QA")
    few, many, body = few_and_many(
        client_for(sector_admin), reverse("catalog:conversion_table_list"), lambda: add(20, "QB")
    )
    assert body.decode().count("Bảng QB ") == 20
    assert few == many


def test_conversion_table_with_many_rules_uses_constant_queries(
    client_for, units, root, make_product, sector_admin
):
    table = services.conversion_table_create(by=root, owner_unit=units["T-A"], code="QD", name="QĐ")

    def add(count: int, prefix: str):
        for i in range(count):
            product = make_product(
                units["T-A"], f"{prefix}{i:03d}", name=f"Sản phẩm {prefix} {i:03d}"
            )
            _rule(table, root, product, f"Việc {prefix} {i:03d}")

    add(2, "QA")
    few, many, body = few_and_many(
        client_for(sector_admin), table.get_absolute_url(), lambda: add(20, "QB")
    )
    html = body.decode()
    assert html.count("Việc QB ") == 20
    assert html.count("Sản phẩm QB ") >= 20
    assert few == many


def test_criteria_set_list_uses_constant_queries(client_for, units, make_set, sector_admin):
    def add(count: int, prefix: str):
        for i in range(count):
            make_set(units["T-A"], code=f"{prefix}{i:03d}")

    add(2, "QA")
    few, many, body = few_and_many(
        client_for(sector_admin), reverse("catalog:criteria_set_list"), lambda: add(10, "QB")
    )
    assert body.decode().count("Bộ tiêu chí QB") == 10
    assert few == many


def test_criteria_set_page_with_many_versions_uses_constant_queries(
    client_for, units, make_set, publish, sector_admin
):
    criteria_set = make_set(units["T-A"], code="QS")

    def publish_months(months):
        for month in months:
            publish(criteria_set, date(2025 + (month - 1) // 12, (month - 1) % 12 + 1, 1))

    publish_months([7])
    few, many, body = few_and_many(
        client_for(sector_admin),
        criteria_set.get_absolute_url(),
        lambda: publish_months(range(8, 20)),
    )
    assert "v13</a>" in body.decode()
    assert few == many


def test_lookup_of_many_position_groups_uses_constant_queries(
    client_for, units, root, many_groups, staff_a
):
    def add(count: int, prefix: str):
        for group in many_groups(count, prefix):
            services.quota_create(
                by=root, unit=units["T-SO"], group=group, per_month=Decimal(17), valid_from=START
            )

    add(2, "QA")
    nearer = JobPositionGroup.objects.get(code="QA000")
    services.quota_create(
        by=root, unit=units["T-A"], group=nearer, per_month=Decimal(9), valid_from=START
    )
    url = reverse("catalog:lookup") + f"?unit={units['T-A'].pk}&on=15/09/2025"
    few, many, body = few_and_many(client_for(staff_a), url, lambda: add(20, "QB"))
    html = body.decode()
    assert html.count("17 sản phẩm chuẩn/tháng") == 21
    assert html.count(">9 sản phẩm chuẩn/tháng") == 1  # Phòng A's own quota beats the agency's
    assert few == many


def test_quotas_of_every_group_at_once_agree_with_the_lookup_of_one(units, root, many_groups):
    first, second = many_groups(2, "QK")
    quotas = [
        (units["T-SO"], first, 20, START, date(2025, 12, 31)),
        (units["T-SO"], first, 24, date(2026, 1, 1), None),
        (units["T-A"], first, 9, date(2026, 2, 1), None),
        (units["T-SO"], second, 30, START, None),
    ]
    for unit, group, per_month, valid_from, valid_to in quotas:
        services.quota_create(
            by=root,
            unit=unit,
            group=group,
            per_month=Decimal(per_month),
            valid_from=valid_from,
            valid_to=valid_to,
        )
    for on in (date(2025, 6, 30), date(2025, 9, 1), date(2026, 1, 15), date(2026, 3, 1)):
        for unit in (units["T-A1"], units["T-B"]):
            at_once = Quota.objects.per_group_for(unit, on)
            for group in (first, second):
                expected = services.quota_for(unit=unit, group=group, on=on)
                assert at_once.get(group.pk) == expected, (unit, group, on)
    assert Quota.objects.per_group_for(units["T-A1"], date(2026, 3, 1)) == {
        first.pk: 9,  # Phòng A's own quota beats the agency's
        second.pk: 30,
    }


def test_catalog_export_uses_constant_queries(
    client_for, units, root, make_product, many_groups, sector_admin
):
    table = services.conversion_table_create(
        by=root, owner_unit=units["T-SO"], code="QD", name="QĐ"
    )

    def add(count: int, prefix: str):
        groups = many_groups(count, prefix)
        for i, group in enumerate(groups):
            product = make_product(units["T-SO"], f"{prefix}{i:03d}", position_groups=[group])
            _rule(table, root, product, f"Việc {prefix} {i:03d}")
            services.quota_create(
                by=root, unit=units["T-SO"], group=group, per_month=Decimal(20), valid_from=START
            )

    add(2, "QA")
    url = reverse("catalog:export") + f"?owner=u{units['T-SO'].pk}"
    few, many, body = few_and_many(client_for(sector_admin), url, lambda: add(20, "QB"))
    products = [row[0] for row in read_rows(body)]
    assert sum(str(code).startswith("QB") for code in products) == 20
    assert few == many
