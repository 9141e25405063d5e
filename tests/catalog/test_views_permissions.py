"""Permission matrix of every catalog view: anonymous, no right, right, other unit."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(units, root, make_product, make_set, publish, position_groups):
    """For each owner (T-SO inside the sector admin's scope, T-A, T-BTC outside) one of each."""
    objects = {}
    for code in ("T-SO", "T-A", "T-BTC"):
        unit = units[code]
        product = make_product(unit, f"P-{code}")
        table = services.conversion_table_create(
            by=root, owner_unit=unit, code=f"B-{code}", name="Bảng"
        )
        rule = services.conversion_rule_create(
            table=table, by=root, task_type="Soạn công văn", product=product, coefficient=1
        )
        criteria_set = make_set(unit, code=f"S-{code}")
        published = publish(criteria_set, date(2025, 7, 1))
        draft = services.criteria_version_new_draft(from_version=published, by=root)
        quota = services.quota_create(
            by=root,
            unit=unit,
            group=position_groups["CMNV"],
            per_month=Decimal(20),
            valid_from=date(2025, 7, 1),
        )
        objects[code] = {
            "product": product,
            "table": table,
            "rule": rule,
            "set": criteria_set,
            "published": published,
            "draft": draft,
            "quota": quota,
        }
    return objects


LISTS = [
    "catalog:product_list",
    "catalog:quota_list",
    "catalog:conversion_table_list",
    "catalog:criteria_set_list",
    "catalog:lookup",
]
GENERAL_MANAGE = [
    "catalog:product_create",
    "catalog:quota_create",
    "catalog:conversion_table_create",
    "catalog:criteria_set_create",
    "catalog:bulk_coefficients",
    "catalog:import",
]
READ = [
    ("catalog:product_detail", "product"),
    ("catalog:conversion_table_detail", "table"),
    ("catalog:criteria_set_detail", "set"),
    ("catalog:version_detail", "published"),
    ("catalog:version_detail", "draft"),
    ("catalog:version_export", "published"),
]
MANAGE_GET = [
    ("catalog:product_update", "product"),
    ("catalog:product_retire", "product"),
    ("catalog:quota_update", "quota"),
    ("catalog:conversion_table_update", "table"),
    ("catalog:conversion_rule_update", "rule"),
    ("catalog:criteria_set_update", "set"),
    ("catalog:version_edit", "draft"),
    ("catalog:version_retire", "published"),
]
MANAGE_POST = [
    ("catalog:conversion_rule_create", "table"),
    ("catalog:conversion_rule_delete", "rule"),
    ("catalog:version_publish", "draft"),
    ("catalog:version_new_draft", "published"),
    ("catalog:version_discard", "draft"),
    ("catalog:version_import", "draft"),
]
OBJECT_VIEWS = READ + MANAGE_GET + MANAGE_POST


def url(world, name, kind, owner="T-SO"):
    return reverse(name, args=[world[owner][kind].pk])


def diff_url(world, owner="T-SO"):
    objects = world[owner]
    base = reverse("catalog:criteria_set_diff", args=[objects["set"].pk])
    return f"{base}?a={objects['published'].pk}&b={objects['draft'].pk}"


@pytest.mark.parametrize("name", LISTS + GENERAL_MANAGE + ["catalog:export"])
def test_anonymous_is_sent_to_login_from_pages(client_for, units, name):
    response = client_for(None).get(reverse(name))
    assert response.status_code == 302
    assert "/tai-khoan/" in response["Location"]


@pytest.mark.parametrize(("name", "kind"), OBJECT_VIEWS)
def test_anonymous_is_sent_to_login_from_objects(client_for, world, name, kind):
    client = client_for(None)
    response = (
        client.post(url(world, name, kind))
        if (name, kind) in MANAGE_POST
        else client.get(url(world, name, kind))
    )
    assert response.status_code == 302
    assert "/tai-khoan/" in response["Location"]


@pytest.mark.parametrize("name", LISTS)
def test_staff_read_the_lists(client_for, staff_a, world, name):
    assert client_for(staff_a).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", GENERAL_MANAGE)
def test_staff_and_heads_may_not_manage(client_for, staff_a, head_a, world, name):
    assert client_for(staff_a).get(reverse(name)).status_code == 403
    assert client_for(head_a).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", GENERAL_MANAGE + LISTS)
def test_sector_admin_opens_the_management_pages(client_for, sector_admin, world, name):
    assert client_for(sector_admin).get(reverse(name)).status_code == 200


@pytest.mark.parametrize(("name", "kind"), READ)
def test_staff_read_what_applies_to_them(client_for, staff_a, world, name, kind):
    assert client_for(staff_a).get(url(world, name, kind, "T-SO")).status_code == 200
    assert client_for(staff_a).get(url(world, name, kind, "T-A")).status_code == 200


@pytest.mark.parametrize(("name", "kind"), READ)
def test_a_sibling_units_catalog_answers_404(client_for, outsider_b, world, name, kind):
    assert client_for(outsider_b).get(url(world, name, kind, "T-A")).status_code == 404


def test_diff_page_follows_read_scope(client_for, staff_a, outsider_b, world):
    assert client_for(staff_a).get(diff_url(world)).status_code == 200
    assert client_for(outsider_b).get(diff_url(world, "T-A")).status_code == 404


@pytest.mark.parametrize(("name", "kind"), MANAGE_GET + MANAGE_POST)
def test_staff_cannot_reach_management_of_objects(client_for, head_a, world, name, kind):
    client = client_for(head_a)
    target = url(world, name, kind, "T-A")
    response = client.post(target) if (name, kind) in MANAGE_POST else client.get(target)
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "kind"), MANAGE_GET)
def test_sector_admin_manages_objects_in_scope(client_for, sector_admin, world, name, kind):
    assert client_for(sector_admin).get(url(world, name, kind, "T-A")).status_code == 200


@pytest.mark.parametrize(("name", "kind"), MANAGE_POST)
def test_sector_admin_acts_on_objects_in_scope(client_for, sector_admin, world, name, kind):
    response = client_for(sector_admin).post(url(world, name, kind, "T-SO"))
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(("name", "kind"), OBJECT_VIEWS)
def test_sector_admin_gets_404_outside_scope(client_for, sector_admin, world, name, kind):
    client = client_for(sector_admin)
    target = url(world, name, kind, "T-BTC")
    response = client.post(target) if (name, kind) in MANAGE_POST else client.get(target)
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "kind"), MANAGE_GET)
def test_system_admin_manages_everywhere(client_for, system_admin, world, name, kind):
    assert client_for(system_admin).get(url(world, name, kind, "T-BTC")).status_code == 200


def test_sector_admin_reads_but_does_not_manage_a_bloc_catalog(
    client_for, sector_admin, units, make_product
):
    product = make_product(units["T-CQ"], "BLOC")
    client = client_for(sector_admin)
    assert client.get(reverse("catalog:product_detail", args=[product.pk])).status_code == 200
    assert client.get(reverse("catalog:product_update", args=[product.pk])).status_code == 404


def test_export_is_for_managers_of_that_owner(
    client_for, sector_admin, staff_a, system_admin, world, units
):
    export = reverse("catalog:export")
    inside, outside = f"{export}?owner=u{units['T-SO'].pk}", f"{export}?owner=u{units['T-BTC'].pk}"
    assert client_for(staff_a).get(inside).status_code == 403
    response = client_for(sector_admin).get(inside)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for(sector_admin).get(outside).status_code == 404
    assert client_for(system_admin).get(outside).status_code == 200


def test_management_buttons_show_only_to_those_who_may_manage(
    client_for, staff_a, sector_admin, world
):
    page = reverse("catalog:product_detail", args=[world["T-A"]["product"].pk])
    assert "Ngừng áp dụng" not in client_for(staff_a).get(page).content.decode()
    assert "Ngừng áp dụng" in client_for(sector_admin).get(page).content.decode()


def test_menu_links_to_the_catalog_and_criteria(client_for, staff_a):
    html = client_for(staff_a).get(reverse("home")).content.decode()
    assert reverse("catalog:product_list") in html
    assert reverse("catalog:criteria_set_list") in html
