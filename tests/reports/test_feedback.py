"""Góp ý, kiến nghị: routing to the owners and nobody else, answers, acceptance, the register."""

import io
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from openpyxl import load_workbook

from kpi_portal.models import AuditEvent, Notification
from orgunits import services as org_services
from orgunits.models import Role, User
from reports import pilot
from reports.models import Feedback, FeedbackKind, FeedbackStatus, FeedbackTopic
from tests.catalog import conftest as catalog_fixtures
from tests.world import PASSWORD, START

pytestmark = pytest.mark.django_db

BASE = "/bao-cao/gop-y/"

root = catalog_fixtures.root
product_groups = catalog_fixtures.product_groups
health_sector = catalog_fixtures.health_sector
make_product = catalog_fixtures.make_product
make_set = catalog_fixtures.make_set
publish = catalog_fixtures.publish


@pytest.fixture
def party_admin(units, root) -> User:
    """A sector admin of the Party bloc: no reach over Sở Thử nghiệm."""
    user = User.objects.create_user("party_admin", password=PASSWORD)
    org_services.role_grant(
        user=user, role=Role.SECTOR_ADMIN, unit=units["T-DANG"], valid_from=START, by=root
    )
    return user


@pytest.fixture
def health_admin(units, root, health_sector) -> User:
    """A sector admin named for the health sector, granted outside Sở Thử nghiệm."""
    user = User.objects.create_user("health_admin", password=PASSWORD)
    org_services.role_grant(
        user=user,
        role=Role.SECTOR_ADMIN,
        unit=units["T-DANG"],
        sector=health_sector,
        valid_from=START,
        by=root,
    )
    return user


@pytest.fixture
def product_item(units, staff_a, make_product) -> Feedback:
    product = make_product(units["T-A"], "SP-GY")
    return pilot.feedback_send(
        by=staff_a,
        kind=FeedbackKind.PROPOSAL,
        topic=FeedbackTopic.PRODUCT,
        product=product,
        title="Đề nghị tăng hệ số quy đổi",
        body="Sản phẩm này mất nhiều thời gian hơn dự kiến.",
    )


def notified(user, kind: str) -> bool:
    return Notification.objects.filter(recipient=user, kind=kind).exists()


def test_product_feedback_reaches_the_sector_admin_over_its_owner_only(
    product_item, staff_a, sector_admin, party_admin, org_dept_viewer, units
):
    assert product_item.routed_to_unit == units["T-A"]
    assert pilot.owners_of(product_item) == [sector_admin]
    assert notified(sector_admin, "feedback.received")
    assert not notified(party_admin, "feedback.received")
    assert not notified(org_dept_viewer, "feedback.received")
    assert notified(staff_a, "feedback.updated")
    assert AuditEvent.objects.filter(action="feedback.send", object_id=str(product_item.pk))


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("staff_a", 200),
        ("sector_admin", 200),
        ("system_admin", 200),
        ("org_dept_viewer", 200),
        ("party_admin", 404),
        ("outsider_b", 404),
        ("head_a", 404),
    ],
)
def test_feedback_detail_permission_matrix(product_item, party_admin, client_for, persona, status):
    user = User.objects.get(username=persona)
    assert client_for(user).get(f"{BASE}{product_item.pk}/").status_code == status


def test_anonymous_is_sent_to_login(product_item, client_for):
    for url in (BASE, f"{BASE}gui/", f"{BASE}so-theo-doi/", f"{BASE}{product_item.pk}/"):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_sector_owned_item_goes_to_the_admin_named_for_that_sector(
    staff_a, health_sector, health_admin, sector_admin, make_product, client_for
):
    product = make_product(health_sector, "YT-01")
    item = pilot.feedback_send(
        by=staff_a,
        kind=FeedbackKind.DIFFICULTY,
        topic=FeedbackTopic.PRODUCT,
        product=product,
        title="Đơn vị tính chưa phù hợp",
        body="Nên tính theo lượt khám.",
    )
    assert item.routed_to_sector == health_sector
    assert pilot.owners_of(item) == [health_admin]
    assert client_for(health_admin).get(f"{BASE}{item.pk}/").status_code == 200
    assert client_for(sector_admin).get(f"{BASE}{item.pk}/").status_code == 404


def test_software_function_feedback_goes_to_system_admins(
    staff_a, system_admin, sector_admin, client_for
):
    item = pilot.feedback_send(
        by=staff_a,
        kind=FeedbackKind.DIFFICULTY,
        topic=FeedbackTopic.FUNCTION,
        function_name="Nhật ký công việc",
        title="Nút gửi bị che",
        body="Trên điện thoại nút gửi bị bàn phím che.",
    )
    assert item.routed_to_unit is None and item.routed_to_sector is None
    assert system_admin in pilot.owners_of(item)
    assert notified(system_admin, "feedback.received")
    assert not notified(sector_admin, "feedback.received")
    assert client_for(sector_admin).get(f"{BASE}{item.pk}/").status_code == 404
    assert client_for(system_admin).get(f"{BASE}{item.pk}/").status_code == 200


def test_accept_links_the_new_criteria_version_and_notifies_the_sender(
    units, staff_a, sector_admin, make_set, publish, client_for
):
    criteria_set = make_set(units["T-SO"], code="BTC-GY")
    publish(criteria_set, date(2026, 1, 1))
    item = pilot.feedback_send(
        by=staff_a,
        kind=FeedbackKind.PROPOSAL,
        topic=FeedbackTopic.CRITERIA_SET,
        criteria_set=criteria_set,
        title="Bổ sung mô tả tiêu chí",
        body="Đề nghị mô tả rõ minh chứng.",
    )
    new_version = publish(criteria_set, date(2026, 6, 1))
    response = client_for(sector_admin).post(
        f"{BASE}{item.pk}/chap-nhan/",
        {"resolution_version": new_version.pk, "note": "Đã sửa trong phiên bản mới."},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == FeedbackStatus.ACCEPTED
    assert item.resolution_version == new_version
    assert Notification.objects.filter(
        recipient=staff_a, kind="feedback.updated", title__startswith="Góp ý được chấp nhận"
    ).exists()
    assert AuditEvent.objects.filter(action="feedback.accept", object_id=str(item.pk)).exists()


def test_accept_refuses_a_version_of_another_criteria_set(units, staff_a, sector_admin, make_set):
    criteria_set, other = make_set(units["T-SO"], code="S1"), make_set(units["T-SO"], code="S2")
    item = pilot.feedback_send(
        by=staff_a,
        kind=FeedbackKind.PROPOSAL,
        topic=FeedbackTopic.CRITERIA_SET,
        criteria_set=criteria_set,
        title="Góp ý",
        body="Nội dung",
    )
    with pytest.raises(ValidationError):
        pilot.feedback_accept(by=sector_admin, item=item, resolution_version=other.versions.first())


def test_answer_then_decline_with_reason(product_item, staff_a, sector_admin, client_for):
    client = client_for(sector_admin)
    assert client.post(f"{BASE}{product_item.pk}/xem-xet/").status_code == 302
    response = client.post(f"{BASE}{product_item.pk}/tra-loi/", {"answer": "Sẽ xem xét."})
    assert response.status_code == 302
    product_item.refresh_from_db()
    assert product_item.status == FeedbackStatus.ANSWERED
    assert product_item.answered_by == sector_admin
    assert (
        client.post(f"{BASE}{product_item.pk}/khong-chap-nhan/", {"reason": ""}).status_code == 400
    )
    response = client.post(f"{BASE}{product_item.pk}/khong-chap-nhan/", {"reason": "Đã hợp lý."})
    assert response.status_code == 302
    product_item.refresh_from_db()
    assert product_item.status == FeedbackStatus.DECLINED
    assert product_item.decline_reason == "Đã hợp lý."
    assert Notification.objects.filter(recipient=staff_a, kind="feedback.updated").count() == 4
    with pytest.raises(ValidationError):
        pilot.feedback_answer(by=sector_admin, item=product_item, answer="Thêm")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("party_admin", 404), ("outsider_b", 404), ("org_dept_viewer", 403), ("staff_a", 403)],
)
def test_only_owners_answer(product_item, party_admin, client_for, persona, status):
    user = User.objects.get(username=persona)
    response = client_for(user).post(f"{BASE}{product_item.pk}/tra-loi/", {"answer": "Không"})
    assert response.status_code == status
    product_item.refresh_from_db()
    assert product_item.status == FeedbackStatus.NEW


def test_owner_and_viewer_see_actions_only_when_they_may_act(
    product_item, sector_admin, org_dept_viewer, client_for
):
    url = f"{BASE}{product_item.pk}/"
    assert "Chấp nhận góp ý" in client_for(sector_admin).get(url).content.decode()
    assert "Chấp nhận góp ý" not in client_for(org_dept_viewer).get(url).content.decode()


def test_send_form_prefills_the_product_and_creates_the_item(
    units, staff_a, make_product, client_for
):
    product = make_product(units["T-A"], "SP-PF")
    client = client_for(staff_a)
    page = client.get(f"{BASE}gui/?san_pham={product.pk}")
    assert page.status_code == 200
    assert 'value="SP-PF"' in page.content.decode()
    response = client.post(
        f"{BASE}gui/",
        {
            "kind": FeedbackKind.PROPOSAL,
            "topic": FeedbackTopic.PRODUCT,
            "product": product.pk,
            "product_code": "SP-PF",
            "title": "Góp ý qua biểu mẫu",
            "body": "Nội dung góp ý",
        },
    )
    assert response.status_code == 302
    item = Feedback.objects.get(title="Góp ý qua biểu mẫu")
    assert item.product == product and item.sender == staff_a


def test_send_form_answers_404_for_a_product_out_of_reach(
    units, outsider_b, make_product, client_for
):
    product = make_product(units["T-A"], "SP-A-ONLY")
    assert client_for(outsider_b).get(f"{BASE}gui/?san_pham={product.pk}").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff_a", 403), ("sector_admin", 200), ("org_dept_viewer", 200), ("system_admin", 200)],
)
def test_register_permission_matrix(product_item, client_for, persona, status):
    user = User.objects.get(username=persona)
    assert client_for(user).get(f"{BASE}so-theo-doi/").status_code == status


@pytest.mark.parametrize(("persona", "status"), [("staff_a", 403), ("sector_admin", 200)])
def test_inbox_permission_matrix(product_item, client_for, persona, status):
    user = User.objects.get(username=persona)
    response = client_for(user).get(f"{BASE}can-xu-ly/")
    assert response.status_code == status
    if status == 200:
        assert product_item.title in response.content.decode()


def test_register_lists_only_what_the_admin_owns(product_item, party_admin, client_for):
    assert (
        product_item.title
        not in client_for(party_admin).get(f"{BASE}so-theo-doi/").content.decode()
    )


def test_register_exports_an_excel_with_vietnamese_headers_and_inert_formulas(
    staff_a, org_dept_viewer, client_for
):
    pilot.feedback_send(
        by=staff_a,
        kind=FeedbackKind.DIFFICULTY,
        topic=FeedbackTopic.PROCESS,
        title='=HYPERLINK("http://x","y")',
        body="Nội dung",
    )
    response = client_for(org_dept_viewer).get(f"{BASE}so-theo-doi/?xuat=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "SỔ THEO DÕI GÓP Ý" in rows[0][0]
    assert rows[3][:4] == ("STT", "Ngày gửi", "Người gửi", "Loại")
    assert "Trạng thái" in rows[3]
    assert rows[4][6] == '\'=HYPERLINK("http://x","y")'
    assert rows[4][9] == "Mới"
