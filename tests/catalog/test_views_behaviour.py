"""What the catalog screens do: create, filter, bulk edit, edit drafts, publish, diff, look up."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import services
from catalog.forms import CriteriaVersionForm
from catalog.models import CriteriaSetVersion, Product, VersionStatus
from kpi_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def product_data(unit, group, **changes):
    data = {
        "owner": f"u{unit.pk}",
        "code": "SP01",
        "name": "Dự thảo văn bản quy phạm pháp luật",
        "unit_of_measure": "văn bản",
        "group": group.pk,
        "coefficient": "4,0",
        "complexity": "1.5",
        "active_from": "01/07/2025",
    }
    data.update(changes)
    return data


def test_sector_admin_adds_a_product_with_a_decimal_comma(
    client_for, sector_admin, units, product_groups
):
    response = client_for(sector_admin).post(
        reverse("catalog:product_create"), product_data(units["T-A"], product_groups["B"])
    )
    product = Product.objects.get(code="SP01")
    assert response.status_code == 302
    assert product.coefficient == Decimal("4.0")
    assert product.owner_unit == units["T-A"]
    assert AuditEvent.objects.filter(action="catalog.product_create").count() == 1


def test_product_form_refuses_an_owner_outside_scope(
    client_for, sector_admin, units, product_groups
):
    response = client_for(sector_admin).post(
        reverse("catalog:product_create"), product_data(units["T-BTC"], product_groups["B"])
    )
    assert response.status_code == 200
    assert not Product.objects.exists()


def test_duplicate_code_shows_a_vietnamese_message_not_a_500(
    client_for, sector_admin, units, product_groups, make_product
):
    make_product(units["T-A"], "SP01")
    response = client_for(sector_admin).post(
        reverse("catalog:product_create"), product_data(units["T-A"], product_groups["B"])
    )
    assert response.status_code == 200
    assert "Mã sản phẩm đã có trong danh mục" in response.content.decode()


def test_product_list_searches_and_filters(client_for, sector_admin, units, make_product):
    make_product(units["T-A"], "BC01", name="Báo cáo định kỳ")
    make_product(units["T-B"], "HS01", name="Giải quyết hồ sơ thủ tục hành chính")
    client = client_for(sector_admin)
    html = client.get(reverse("catalog:product_list"), {"q": "báo cáo"}).content.decode()
    assert "BC01" in html and "HS01" not in html
    html = client.get(
        reverse("catalog:product_list"), {"applies_to": units["T-B"].pk}
    ).content.decode()
    assert "HS01" in html and "BC01" not in html


def test_product_list_answers_htmx_with_the_rows_only(client_for, staff_a, units, make_product):
    make_product(units["T-A"], "BC01")
    response = client_for(staff_a).get(reverse("catalog:product_list"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "BC01" in html
    assert "<html" not in html


def test_product_list_paginates(client_for, staff_a, units, make_product):
    for index in range(30):
        make_product(units["T-A"], f"SP{index:02d}")
    html = client_for(staff_a).get(reverse("catalog:product_list")).content.decode()
    assert "trên tổng số 30" in html


def test_retire_view_ends_the_product(client_for, sector_admin, units, make_product):
    product = make_product(units["T-A"], "SP01")
    client_for(sector_admin).post(
        reverse("catalog:product_retire", args=[product.pk]),
        {"active_to": "31/12/2025", "reason": "Không còn nhiệm vụ này"},
    )
    product.refresh_from_db()
    assert product.active_to == date(2025, 12, 31)


def test_bulk_edit_saves_nothing_when_one_row_is_wrong(
    client_for, sector_admin, units, make_product
):
    first, second = make_product(units["T-A"], "SP01"), make_product(units["T-A"], "SP02")
    page = reverse("catalog:bulk_coefficients") + f"?owner=u{units['T-A'].pk}"
    response = client_for(sector_admin).post(
        page, {f"c{first.pk}": "2,5", f"c{second.pk}": "-1", "reason": ""}
    )
    first.refresh_from_db()
    assert response.status_code == 200
    assert "Hệ số quy đổi phải lớn hơn 0." in response.content.decode()
    assert first.coefficient == Decimal("1.0")


def test_bulk_edit_saves_every_row_when_all_are_right(
    client_for, sector_admin, units, make_product
):
    first, second = make_product(units["T-A"], "SP01"), make_product(units["T-A"], "SP02")
    page = reverse("catalog:bulk_coefficients") + f"?owner=u{units['T-A'].pk}"
    response = client_for(sector_admin).post(
        page, {f"c{first.pk}": "2,5", f"c{second.pk}": "0.3", "reason": "QĐ 12"}
    )
    assert response.status_code == 302
    assert sorted(Product.objects.values_list("coefficient", flat=True)) == [
        Decimal("0.3"),
        Decimal("2.5"),
    ]


def test_bulk_edit_of_an_owner_outside_scope_shows_no_rows(
    client_for, sector_admin, units, make_product
):
    make_product(units["T-BTC"], "SECRET")
    page = reverse("catalog:bulk_coefficients") + f"?owner=u{units['T-BTC'].pk}"
    assert "SECRET" not in client_for(sector_admin).get(page).content.decode()


def test_conversion_rule_is_added_from_the_table_page(
    client_for, sector_admin, units, root, make_product
):
    product = make_product(units["T-SO"], "SP01", coefficient=Decimal("2"))
    table = services.conversion_table_create(by=root, owner_unit=units["T-A"], code="QD", name="QĐ")
    client_for(sector_admin).post(
        reverse("catalog:conversion_rule_create", args=[table.pk]),
        {"task_type": "Thẩm định hồ sơ", "product": product.pk, "coefficient": "0,5"},
    )
    rule = table.rules.get()
    assert rule.standard_products == Decimal("1.0")


def test_conversion_rule_refuses_a_product_of_another_unit(
    client_for, sector_admin, units, root, make_product
):
    product = make_product(units["T-B"], "SP01")
    table = services.conversion_table_create(by=root, owner_unit=units["T-A"], code="QD", name="QĐ")
    response = client_for(sector_admin).post(
        reverse("catalog:conversion_rule_create", args=[table.pk]),
        {"task_type": "Thẩm định hồ sơ", "product": product.pk, "coefficient": "1"},
    )
    assert response.status_code == 200
    assert not table.rules.exists()


# ---- criteria sets -------------------------------------------------------------------------


@pytest.fixture
def draft(units, make_set):
    return make_set(units["T-SO"]).versions.get()


def version_post(version, **changes):
    initial = CriteriaVersionForm.initial_from(version)
    data = {}
    for key, value in initial.items():
        if value is None or value is False:
            continue
        if isinstance(value, Decimal):
            value = format(value, "f").replace(".", ",")
        elif isinstance(value, date):
            value = value.strftime("%d/%m/%Y")
        elif value is True:
            value = "on"
        data[key] = value
    data.update(changes)
    return data


def test_criteria_set_is_created_from_a_preset(client_for, sector_admin, units):
    client_for(sector_admin).post(
        reverse("catalog:criteria_set_create"),
        {
            "owner": f"u{units['T-SO'].pk}",
            "code": "SO",
            "name": "Bộ tiêu chí Sở",
            "preset": "qd366",
        },
    )
    version = CriteriaSetVersion.objects.get(criteria_set__code="SO")
    assert version.rules["qd366_conditions"] is True


def test_draft_is_edited_through_the_form(client_for, sector_admin, draft):
    response = client_for(sector_admin).post(
        reverse("catalog:version_edit", args=[draft.pk]),
        version_post(draft, task_max="60", group_max_0="20", band_HTT="75"),
    )
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.rules["task_max"] == "60"
    assert draft.rules["general_groups"][0][1] == "20"
    assert draft.rules["bands"][1] == ["HTT", "75"]


def test_inconsistent_draft_shows_why_and_saves_nothing(client_for, sector_admin, draft):
    response = client_for(sector_admin).post(
        reverse("catalog:version_edit", args=[draft.pk]), version_post(draft, task_max="60")
    )
    draft.refresh_from_db()
    assert "phải bằng 100 (hiện là 90)" in response.content.decode()
    assert draft.rules["task_max"] == "70"


def test_form_refuses_a_published_version(draft, root):
    version = services.criteria_version_publish(version=draft, by=root, valid_from=date(2025, 7, 1))
    form = CriteriaVersionForm(version_post(version, task_max="60"), version=version)
    assert not form.is_valid()
    assert "không được sửa" in str(form.non_field_errors())


def test_edit_view_refuses_a_published_version(client_for, sector_admin, draft, root):
    version = services.criteria_version_publish(version=draft, by=root, valid_from=date(2025, 7, 1))
    response = client_for(sector_admin).post(
        reverse("catalog:version_edit", args=[version.pk]),
        version_post(version, task_max="60", group_max_0="20"),
    )
    version.refresh_from_db()
    assert response.status_code == 302
    assert version.rules["task_max"] == "70"


def test_publish_from_the_page_freezes_the_version(client_for, sector_admin, draft):
    client_for(sector_admin).post(
        reverse("catalog:version_publish", args=[draft.pk]), {"valid_from": "01/01/2026"}
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.valid_from == date(2026, 1, 1)


def test_json_import_loads_rules_into_a_draft(client_for, sector_admin, draft):
    payload = {"rules": {**draft.rules, "htxs_cap_rate": "0.15"}}
    upload = SimpleUploadedFile("rules.json", json.dumps(payload).encode(), "application/json")
    client_for(sector_admin).post(
        reverse("catalog:version_import", args=[draft.pk]), {"file": upload}
    )
    draft.refresh_from_db()
    assert draft.rules["htxs_cap_rate"] == "0.15"


def test_json_import_cannot_change_a_published_version(client_for, sector_admin, draft, root):
    version = services.criteria_version_publish(version=draft, by=root, valid_from=date(2025, 7, 1))
    payload = {"rules": {**version.rules, "htxs_cap_rate": "0.15"}}
    upload = SimpleUploadedFile("rules.json", json.dumps(payload).encode(), "application/json")
    response = client_for(sector_admin).post(
        reverse("catalog:version_import", args=[version.pk]), {"file": upload}, follow=True
    )
    version.refresh_from_db()
    assert version.rules["htxs_cap_rate"] == "0.20"
    assert "không được sửa" in response.content.decode()


def test_json_import_refuses_garbage(client_for, sector_admin, draft):
    upload = SimpleUploadedFile("rules.json", b"\xff\xfe not json", "application/json")
    response = client_for(sector_admin).post(
        reverse("catalog:version_import", args=[draft.pk]), {"file": upload}, follow=True
    )
    assert "JSON hợp lệ" in response.content.decode()


def test_diff_page_shows_what_changed(client_for, staff_a, draft, root):
    v1 = services.criteria_version_publish(version=draft, by=root, valid_from=date(2025, 7, 1))
    v2 = services.criteria_version_new_draft(from_version=v1, by=root)
    services.criteria_version_update(
        version=v2, by=root, rules={**v2.rules, "error_deduction": "0.5"}
    )
    page = reverse("catalog:criteria_set_diff", args=[v1.criteria_set_id])
    html = client_for(staff_a).get(page, {"a": v1.pk, "b": v2.pk}).content.decode()
    assert "Mức trừ mỗi lỗi lớn" in html
    assert "0,25" in html and "0,5" in html
    assert "Mức trừ mỗi lần chậm tiến độ" not in html


def test_lookup_page_names_the_version_and_quotas(
    client_for, staff_a, units, draft, root, position_groups
):
    services.criteria_version_publish(version=draft, by=root, valid_from=date(2025, 7, 1))
    services.quota_create(
        by=root,
        unit=units["T-SO"],
        group=position_groups["CMNV"],
        per_month=Decimal("22"),
        valid_from=date(2025, 7, 1),
    )
    html = (
        client_for(staff_a)
        .get(reverse("catalog:lookup"), {"unit": units["T-A"].pk, "on": "15/09/2025"})
        .content.decode()
    )
    assert "Bộ tiêu chí BTC — v1" in html
    assert "22 sản phẩm chuẩn/tháng" in html


def test_lookup_of_a_unit_the_user_cannot_see_is_refused(client_for, staff_a, units):
    response = client_for(staff_a).get(
        reverse("catalog:lookup"), {"unit": units["T-BTC"].pk, "on": "15/09/2025"}
    )
    assert "Bộ tiêu chí áp dụng" not in response.content.decode()


# ---- admin ---------------------------------------------------------------------------------


def test_admin_cannot_change_or_delete_a_published_version(client_for, root, draft):
    version = services.criteria_version_publish(version=draft, by=root, valid_from=date(2025, 7, 1))
    client = client_for(root)
    change = reverse("admin:catalog_criteriasetversion_change", args=[version.pk])
    delete = reverse("admin:catalog_criteriasetversion_delete", args=[version.pk])
    assert client.post(change, {"rules": "{}", "number": 9}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    version.refresh_from_db()
    assert version.number == 1 and version.rules["task_max"] == "70"


def test_admin_may_repair_a_draft_but_not_with_invalid_rules(client_for, root, draft):
    change = reverse("admin:catalog_criteriasetversion_change", args=[draft.pk])
    response = client_for(root).get(change)
    assert response.status_code == 200
    assert 'name="rules"' in response.content.decode()


def test_admin_cannot_delete_products(client_for, root, units, make_product):
    product = make_product(units["T-A"], "SP01")
    delete = reverse("admin:catalog_product_delete", args=[product.pk])
    assert client_for(root).post(delete, {"post": "yes"}).status_code == 403
    assert Product.objects.filter(pk=product.pk).exists()
