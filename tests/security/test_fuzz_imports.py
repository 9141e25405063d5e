"""Malformed workbooks get a Vietnamese answer from every import, and nothing is written."""

import io
import re
import struct
import zipfile

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from catalog.imports import import_catalog
from catalog.models import ConversionRule, ConversionTable, Product, Quota
from catalog.workbook import SHEETS
from evaluations.forms_assessment import SelfAssessmentForm
from evaluations.models import Evaluation
from kpi_portal.models import AuditEvent
from orgunits.imports import import_workbook
from orgunits.models import Assignment, OrgUnit, Person, User
from orgunits.spreadsheets import STAFF_COLUMNS, UNIT_COLUMNS
from tests.evaluations.conftest import period, position_group, products, quota, workday
from tests.evaluations.test_assessment import opened

# Fixtures used by name below.
__all__ = ["opened", "period", "position_group", "products", "quota", "workday"]

WATCHED = [
    OrgUnit,
    Person,
    User,
    Assignment,
    Product,
    Quota,
    ConversionTable,
    ConversionRule,
    AuditEvent,
]
# Letters only Vietnamese writes: an answer in English would have none of them.
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WATCHED}


def _xlsx(rows, *, title="Sheet", merge: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, member: str, edit) -> bytes:
    """The same zip with one member's text changed by `edit`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = edit(content.decode()).encode()
            target.writestr(info.filename, content)
    return out.getvalue()


def _huge_dimension(data: bytes) -> bytes:
    """A sheet that claims 1,048,576 rows and really has a cell on the last one."""
    last_row = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>cuối</t></is></c></row>'

    def edit(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)
        return xml.replace("</sheetData>", last_row + "</sheetData>")

    return _rewrite(data, "xl/worksheets/sheet1.xml", edit)


def _lying_zip(data: bytes) -> bytes:
    """A tiny zip whose central directory claims a member of about 4 GB uncompressed."""
    raw = bytearray(data)
    at = raw.find(b"PK\x01\x02")
    raw[at + 24 : at + 28] = struct.pack("<I", 0xFFFFFFF0)
    return bytes(raw)


def _deflate_bomb(data: bytes) -> bytes:
    """A real workbook plus a member that inflates to 250 MB of zeros from a few hundred KB."""
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("xl/media/bomb.bin")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            chunk = bytes(1 << 20)
            for _ in range(250):
                member.write(chunk)
    return out.getvalue()


def _headers(columns) -> list[str]:
    return [column.header for column in columns]


UNIT_ROW = ["T-FZ", "Đơn vị thử", "", "Phòng", "", "", "T-A", "01/01/2026", ""]
STAFF_ROW = [
    "FZ001",
    "Trần Thị Thử",
    "",
    "Nữ",
    "Công chức",
    "",
    "",
    "Không",
    "",
    "",
    "",
    "T-A",
    "Chuyên viên, nhân viên",
    "Có",
    "01/01/2026",
    "",
]


def _unit_sheet(*rows, **options) -> bytes:
    return _xlsx([_headers(UNIT_COLUMNS), *rows], **options)


def _corpus() -> dict[str, bytes]:
    units = _unit_sheet(UNIT_ROW)
    return {
        "not_xlsx": "Đây không phải tệp Excel".encode(),
        "pdf_named_xlsx": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
        "empty": b"",
        "zip_magic_then_garbage": b"PK\x03\x04" + bytes(range(256)) * 4,
        "truncated_zip": units[: len(units) // 2],
        "zip_without_workbook": _zip_of({"hello.txt": b"xin chao"}),
        "wrong_headers": _xlsx([["Cột 1", "Cột 2", "Tên"], ["a", "b", "c"]]),
        "no_header_row": _xlsx([]),
        "headers_only": _unit_sheet(),
        "merged_cells": _unit_sheet(UNIT_ROW, ["", "Dòng gộp", "", "Phòng"], merge="A2:A3"),
        "formulas": _unit_sheet(
            ["=1+1", '=HYPERLINK("http://x","y")', "", "=A1", "", "", "T-A", "=TODAY()", ""]
        ),
        "huge_dimension": _huge_dimension(units),
        "lying_zip": _lying_zip(units),
        "deflate_bomb": _deflate_bomb(units),
        "broken_sheet_xml": _rewrite(
            units, "xl/worksheets/sheet1.xml", lambda xml: xml.replace("</sheetData>", "<row>")
        ),
        "staff_bad_dates_and_unknown_unit": _xlsx(
            [
                _headers(STAFF_COLUMNS),
                [*STAFF_ROW[:11], "KHÔNG-CÓ", *STAFF_ROW[12:14], "31/02/2026"],
            ]
        ),
        "staff_formula_in_unit": _xlsx(
            [_headers(STAFF_COLUMNS), [*STAFF_ROW[:11], "=T-A", *STAFF_ROW[12:]]]
        ),
    }


def _zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _catalog_corpus() -> dict[str, bytes]:
    title, columns = SHEETS["products"]
    return {
        **{name: data for name, data in _corpus().items() if not name.startswith("staff")},
        "products_wrong_numbers": _xlsx(
            [_headers(columns), ["FZ1", "Sản phẩm thử", "cái", "Z", "không phải số"]], title=title
        ),
        "products_formula_coefficient": _xlsx(
            [_headers(columns), ["FZ1", "Sản phẩm thử", "cái", "B", "=1/0"]], title=title
        ),
        "products_merged_code": _xlsx(
            [_headers(columns), ["FZ1", "Sản phẩm", "cái", "B", "1"], ["", "Gộp", "cái", "B", "1"]],
            title=title,
            merge="A2:A3",
        ),
    }


def _assert_vietnamese_refusal(messages: list[str]) -> None:
    assert messages, "a malformed file must be refused with at least one message"
    assert any(VIETNAMESE.search(message) for message in messages), messages


ORG_CASES = [
    "not_xlsx",
    "pdf_named_xlsx",
    "empty",
    "zip_magic_then_garbage",
    "truncated_zip",
    "zip_without_workbook",
    "wrong_headers",
    "no_header_row",
    "headers_only",
    "merged_cells",
    "formulas",
    "huge_dimension",
    "lying_zip",
    "deflate_bomb",
    "broken_sheet_xml",
    "staff_bad_dates_and_unknown_unit",
    "staff_formula_in_unit",
]
CATALOG_CASES = [
    *[name for name in ORG_CASES if not name.startswith("staff")],
    "products_wrong_numbers",
    "products_formula_coefficient",
    "products_merged_code",
]


@pytest.fixture(scope="module")
def org_corpus() -> dict[str, bytes]:
    return _corpus()


@pytest.fixture(scope="module")
def catalog_corpus() -> dict[str, bytes]:
    return _catalog_corpus()


@pytest.mark.parametrize("case", ORG_CASES)
def test_org_import_refuses_malformed_workbooks_and_writes_nothing(
    units, system_admin, org_corpus, case
):
    before = _counts()
    result = import_workbook(org_corpus[case], by=system_admin, filename=f"{case}.xlsx")
    assert not result.ok
    _assert_vietnamese_refusal([str(issue) for issue in result.issues])
    assert _counts() == before


@pytest.mark.parametrize("case", CATALOG_CASES)
def test_catalog_import_refuses_malformed_workbooks_and_writes_nothing(
    units, system_admin, catalog_corpus, case
):
    before = _counts()
    result = import_catalog(data=catalog_corpus[case], owner=units["T-A"], by=system_admin)
    assert not result.ok
    _assert_vietnamese_refusal([str(issue) for issue in result.issues])
    assert _counts() == before


FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
# Random bytes, and random bytes behind the zip signature so the zip reader is reached too.
NOISE = st.one_of(st.binary(max_size=4096), st.binary(max_size=4096).map(b"PK\x03\x04".__add__))


@FUZZ
@given(data=NOISE)
def test_org_import_survives_random_bytes(units, system_admin, data):
    before = _counts()
    result = import_workbook(data, by=system_admin, filename="ngau-nhien.xlsx")
    assert not result.ok
    _assert_vietnamese_refusal([str(issue) for issue in result.issues])
    assert _counts() == before


@FUZZ
@given(data=NOISE)
def test_catalog_import_survives_random_bytes(units, system_admin, data):
    before = _counts()
    result = import_catalog(data=data, owner=units["T-A"], by=system_admin)
    assert not result.ok
    _assert_vietnamese_refusal([str(issue) for issue in result.issues])
    assert _counts() == before


@FUZZ
@given(
    cells=st.lists(
        st.lists(
            st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats()), max_size=9
        ),
        max_size=5,
    )
)
def test_org_import_answers_random_cells_under_real_headers(units, system_admin, cells):
    """Garbage rows under the right headers never crash: refused, or a clean import."""
    data = _unit_sheet(*[[_cell(v) for v in row] for row in cells])
    result = import_workbook(data, by=system_admin, filename="o-ngau-nhien.xlsx")
    if not result.ok:
        _assert_vietnamese_refusal([str(issue) for issue in result.issues])


def _cell(value):
    # openpyxl refuses control characters in cells; a real file cannot hold them either.
    if isinstance(value, str):
        return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)
    if isinstance(value, float) and value != value:
        return None
    return value


# Forms: whatever is typed, the answer is a page or a redirect, never a server error.

FORM_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "-1", "1e9999", "NaN", "0,5", "31/02/2026", "99/99/9999", "1" * 40]),
)


@pytest.fixture
def logging_client(client_for, staff_a, products, period, workday):
    return client_for(staff_a), reverse("evaluations:worklog", args=[period.pk]), products


@FUZZ
@given(quantity=FORM_TEXT, completed_on=FORM_TEXT, doc_number=FORM_TEXT, product=FORM_TEXT)
def test_work_log_form_never_answers_500(
    logging_client, quantity, completed_on, doc_number, product
):
    client, url, products = logging_client
    data = {
        "product": product or products["BC"].pk,
        "quantity": quantity,
        "completed_on": completed_on,
        "doc_number": doc_number,
    }
    response = client.post(url, {k: _cell(v) for k, v in data.items()})
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("value", ["¹", "²⁰", "①"])
def test_digits_that_are_not_decimal_numbers_are_refused_not_a_500(logging_client, value):
    # str.isdigit() accepts these, int() does not: found by the fuzzer above.
    client, url, _products = logging_client
    response = client.post(url, {"product": value, "quantity": "1", "completed_on": ""})
    assert response.status_code == 200
    assert client.get(reverse("catalog:product_list") + f"?owner=u{value}").status_code == 200


@pytest.fixture
def self_assessing(client_for, staff_a, opened):
    evaluation = Evaluation.objects.get(person__user=staff_a, period=opened)
    fields = list(SelfAssessmentForm(evaluation=evaluation).fields)
    url = reverse("evaluations:evaluation_self_assess", args=[evaluation.pk])
    return client_for(staff_a), url, fields


@FUZZ
@given(values=st.lists(FORM_TEXT, min_size=12, max_size=12))
def test_self_assessment_form_never_answers_500(self_assessing, values):
    client, url, fields = self_assessing
    data = {name: _cell(values[i % len(values)]) for i, name in enumerate(fields)}
    response = client.post(url, data)
    assert response.status_code in (200, 302)
