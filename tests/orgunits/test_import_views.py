"""The "Nhập/xuất dữ liệu" page: who may open it, what it exports, and how uploads answer."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orgunits import spreadsheets
from orgunits.models import OrgUnit

from .xlsx_helpers import counts, read_rows, unit_row, units_file

pytestmark = pytest.mark.django_db

PAGE = reverse("orgunits:import_export")
UPLOAD = reverse("orgunits:import_upload")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Persona → status of the page and of a blank template download.
MATRIX = {
    "staff_a": 403,
    "head_a": 403,
    "hr_officer": 403,
    "org_dept_viewer": 403,
    "sector_admin": 200,
    "system_admin": 200,
}


def export_url(kind: str, unit: OrgUnit) -> str:
    return f"{reverse('orgunits:export', args=[kind])}?unit={unit.pk}"


def upload(client, data: bytes, name: str = "don-vi.xlsx", **headers):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data, XLSX)}, **headers)


@pytest.mark.parametrize(
    "url",
    [
        PAGE,
        reverse("orgunits:import_template", args=["units"]),
        reverse("orgunits:import_template", args=["staff"]),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("persona", "status"), MATRIX.items())
def test_only_unit_managers_open_the_page(request, client_for, persona, status):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == status
    assert client.get(reverse("orgunits:import_template", args=["units"])).status_code == status


def test_upload_is_forbidden_to_staff(client_for, staff_a):
    before = counts()
    assert upload(client_for(staff_a), units_file(unit_row("T-N1"))).status_code == 403
    assert counts() == before


def test_the_menu_shows_the_page_only_to_unit_managers(client_for, sector_admin, staff_a):
    assert PAGE in client_for(sector_admin).get(reverse("home")).content.decode()
    assert PAGE not in client_for(staff_a).get(reverse("home")).content.decode()


def test_blank_template_downloads_as_an_xlsx_attachment(client_for, sector_admin):
    response = client_for(sector_admin).get(reverse("orgunits:import_template", args=["staff"]))
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="mau-can-bo.xlsx"'
    assert read_rows(response.content)[0][0] == "Mã HRMIS"


def test_unknown_kind_is_not_found(client_for, system_admin, units):
    assert client_for(system_admin).get(export_url("nguoi", units["T-A"])).status_code == 404


def test_sector_admin_exports_units_of_their_subtree(client_for, sector_admin, units):
    response = client_for(sector_admin).get(export_url("units", units["T-SO"]))
    assert response.status_code == 200
    codes = [row[0] for row in read_rows(response.content)[1:]]
    assert codes == ["T-SO", "T-A", "T-A1", "T-A1a", "T-B"]


def test_sector_admin_exports_staff_of_their_subtree(client_for, sector_admin, units):
    response = client_for(sector_admin).get(export_url("staff", units["T-A"]))
    assert response.status_code == 200
    assert {row[11] for row in read_rows(response.content)[1:]} == {"T-A", "T-A1a"}


def test_export_of_a_unit_outside_the_scope_is_not_found(client_for, sector_admin, units):
    client = client_for(sector_admin)
    assert client.get(export_url("units", units["T-BTC"])).status_code == 404
    assert client.get(export_url("staff", units["T-ROOT"])).status_code == 404
    assert client.get(reverse("orgunits:export", args=["units"]) + "?unit=abc").status_code == 404


def test_system_admin_exports_the_whole_province(client_for, system_admin, units):
    response = client_for(system_admin).get(export_url("units", units["T-ROOT"]))
    assert response.status_code == 200
    assert len(read_rows(response.content)) == 1 + OrgUnit.objects.count()


def test_a_good_upload_redirects_with_the_summary(client_for, sector_admin):
    response = upload(client_for(sector_admin), units_file(unit_row("T-N1", parent="T-A")))
    assert response.status_code == 302
    page = client_for(sector_admin).get(response["Location"])
    assert OrgUnit.objects.filter(code="T-N1").exists()
    assert response["Location"] == PAGE
    assert page.status_code == 200


def test_a_good_htmx_upload_answers_with_the_panel_and_summary(client_for, sector_admin):
    response = upload(
        client_for(sector_admin), units_file(unit_row("T-N1", parent="T-A")), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="import-panel"' in body
    assert "Đơn vị: thêm mới 1, cập nhật 0 (chuyển đơn vị cha 0), không đổi 0." in body
    assert "<html" not in body


def test_a_bad_upload_lists_every_error_in_a_table_and_writes_nothing(client_for, sector_admin):
    data = units_file(
        unit_row("T-N1", parent="QNG-SYT-09"),
        unit_row("T-N2", parent="T-DANG"),
        unit_row("T-N3", **{"Hoạt động từ ngày": "32/01/2025"}),
    )
    before = counts()
    response = upload(client_for(sector_admin), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert counts() == before
    assert "Không nhập được: 3 lỗi, chưa ghi dữ liệu nào." in body
    assert '<th scope="col">Dòng</th><th scope="col">Cột</th><th scope="col">Lỗi</th>' in body
    assert "không tồn tại &#x27;QNG-SYT-09&#x27;" in body
    assert "đơn vị cha &#x27;T-DANG&#x27; nằm ngoài phạm vi quản lý của bạn" in body
    assert "ngày không hợp lệ &#x27;32/01/2025&#x27;" in body


def test_uploading_bytes_that_are_not_xlsx_says_so_and_writes_nothing(client_for, system_admin):
    before = counts()
    response = upload(client_for(system_admin), b"%PDF-1.7 not a workbook", "bao-cao.pdf")
    assert response.status_code == 200
    assert "Tệp không phải định dạng Excel .xlsx." in response.content.decode()
    assert counts() == before


def test_uploading_an_oversized_file_says_so_and_writes_nothing(client_for, system_admin):
    before = counts()
    data = b"PK\x03\x04" + b"\0" * spreadsheets.MAX_BYTES
    response = upload(client_for(system_admin), data)
    assert response.status_code == 200
    assert "Tệp vượt quá 10 MB." in response.content.decode()
    assert counts() == before
