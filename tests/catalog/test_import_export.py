"""Excel import and export of catalogs, quotas and conversion tables."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from catalog import imports, workbook
from catalog.exports import export_workbook
from catalog.imports import import_catalog
from catalog.models import ConversionRule, ConversionTable, Product, Quota
from kpi_portal.models import AuditEvent

pytestmark = pytest.mark.django_db

PRODUCT_HEADER = [
    "Mã sản phẩm",
    "Tên sản phẩm, công việc",
    "Đơn vị tính",
    "Nhóm (A-D)",
    "Hệ số quy đổi",
    "Mức độ phức tạp",
    "Số giờ dự kiến",
    "Nhóm vị trí việc làm",
    "Áp dụng từ ngày",
    "Áp dụng đến hết ngày",
    "Mô tả",
]
QUOTA_HEADER = [
    "Mã đơn vị",
    "Mã nhóm vị trí việc làm",
    "Sản phẩm chuẩn/tháng",
    "Áp dụng từ ngày",
    "Áp dụng đến hết ngày",
    "Căn cứ, ghi chú",
]
CONVERSION_HEADER = [
    "Mã bảng",
    "Tên bảng",
    "Loại nhiệm vụ",
    "Mã sản phẩm",
    "Hệ số quy đổi",
    "Ghi chú",
]


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_sheets(**overrides) -> dict[str, list[list]]:
    sheets = {
        "Sản phẩm": [
            PRODUCT_HEADER,
            [
                "VB01",
                "Dự thảo văn bản quy phạm pháp luật",
                "văn bản",
                "B",
                4,
                2,
                40,
                "CMNV",
                "01/07/2025",
                None,
                None,
            ],
            [
                "BC01",
                "Báo cáo định kỳ",
                "báo cáo",
                "B",
                1,
                None,
                None,
                None,
                date(2025, 7, 1),
                None,
                "Tháng, quý, năm",
            ],
            [
                "HS01",
                "Giải quyết hồ sơ thủ tục hành chính",
                "hồ sơ",
                "C",
                "0,3",
                1,
                None,
                "CMNV, LDQL",
                "01/07/2025",
                None,
                None,
            ],
        ],
        "Định mức": [
            QUOTA_HEADER,
            ["T-A", "CMNV", 22, "01/07/2025", None, "Quyết định 12/QĐ"],
            ["T-A1", "CMNV", 20, "01/07/2025", "31/12/2025", None],
        ],
        "Bảng quy đổi": [
            CONVERSION_HEADER,
            ["QD1", "Bảng quy đổi nhiệm vụ", "Soạn thảo công văn trả lời", "BC01", "0,5", None],
            ["QD1", "Bảng quy đổi nhiệm vụ", "Thẩm định hồ sơ", "HS01", 1, None],
        ],
    }
    sheets.update(overrides)
    return sheets


def counts():
    return (
        Product.objects.count(),
        Quota.objects.count(),
        ConversionTable.objects.count(),
        ConversionRule.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def run(units, position_groups, root):
    def do(data: bytes, owner=None):
        return import_catalog(data=data, owner=owner or units["T-A"], by=root)

    return do


def test_import_creates_products_quotas_and_conversion_tables(run, units):
    result = run(xlsx(good_sheets()))
    assert result.ok, [str(i) for i in result.issues]
    assert result.created == {"products": 3, "quotas": 2, "conversions": 2}
    hs = Product.objects.get(code="HS01")
    assert hs.coefficient == Decimal("0.3")
    assert sorted(hs.position_groups.values_list("code", flat=True)) == ["CMNV", "LDQL"]
    assert Product.objects.get(code="VB01").complexity == Decimal("2.0")
    assert Quota.objects.get(unit=units["T-A1"]).valid_to == date(2025, 12, 31)
    assert ConversionTable.objects.get(code="QD1").rules.count() == 2


def test_importing_the_same_file_twice_changes_nothing(run):
    data = xlsx(good_sheets())
    run(data)
    before = counts()
    result = run(data)
    assert result.ok
    assert result.unchanged == 7
    assert sum(result.created.values()) + sum(result.updated.values()) == 0
    assert counts() == before


def test_import_updates_existing_rows_by_code(run):
    run(xlsx(good_sheets()))
    sheets = good_sheets()
    sheets["Sản phẩm"][2][4] = "1,5"
    result = run(xlsx(sheets))
    assert result.updated["products"] == 1
    assert Product.objects.get(code="BC01").coefficient == Decimal("1.5")


def test_export_then_import_is_a_no_op(run, units):
    run(xlsx(good_sheets()))
    before = counts()
    result = run(export_workbook(units["T-A"]))
    assert result.ok, [str(i) for i in result.issues]
    assert sum(result.created.values()) + sum(result.updated.values()) == 0
    assert counts() == before


def test_sector_catalog_round_trips_too(run, health_sector):
    sheets = good_sheets()
    del sheets["Định mức"]
    assert run(xlsx(sheets), owner=health_sector).ok
    before = counts()
    result = run(export_workbook(health_sector), owner=health_sector)
    assert result.ok and counts() == before


def with_product_row(row):
    sheets = good_sheets()
    sheets["Sản phẩm"].append(row)
    return sheets


BAD_CASES = {
    "zero coefficient": (
        with_product_row(["X1", "Tên", "hồ sơ", "B", 0, None, None, None, None, None, None]),
        "Trang “Sản phẩm”, dòng 5, cột “Hệ số quy đổi”: Phải lớn hơn 0.",
    ),
    "text coefficient": (
        with_product_row(["X1", "Tên", "hồ sơ", "B", "nhiều", None, None, None, None, None, None]),
        "cột “Hệ số quy đổi”: Phải là một số.",
    ),
    "unknown group": (
        with_product_row(["X1", "Tên", "hồ sơ", "Z", 1, None, None, None, None, None, None]),
        "cột “Nhóm (A-D)”: Nhóm “Z” không có.",
    ),
    "bad complexity": (
        with_product_row(["X1", "Tên", "hồ sơ", "B", 1, "1,3", None, None, None, None, None]),
        "Chỉ nhận 1,0; 1,2; 1,5 hoặc 2,0.",
    ),
    "bad date": (
        with_product_row(
            ["X1", "Tên", "hồ sơ", "B", 1, None, None, None, "31/02/2025", None, None]
        ),
        "cột “Áp dụng từ ngày”: Ngày không hợp lệ; hãy ghi dạng dd/mm/yyyy.",
    ),
    "missing name": (
        with_product_row(["X1", None, "hồ sơ", "B", 1, None, None, None, None, None, None]),
        "dòng 5, cột “Tên sản phẩm, công việc”: Bắt buộc nhập.",
    ),
    "duplicate code": (
        with_product_row(["vb01", "Trùng", "hồ sơ", "B", 1, None, None, None, None, None, None]),
        "dòng 5: Trùng với dòng 2 của cùng trang.",
    ),
    "unknown job position group": (
        with_product_row(["X1", "Tên", "hồ sơ", "B", 1, None, None, "XYZ", None, None, None]),
        "Không có nhóm vị trí việc làm: XYZ.",
    ),
    "formula": (
        with_product_row(["X1", "Tên", "hồ sơ", "B", "=1+1", None, None, None, None, None, None]),
        "Ô chứa công thức; hãy nhập giá trị.",
    ),
    "missing column": (
        good_sheets(**{"Định mức": [QUOTA_HEADER[:2] + QUOTA_HEADER[3:]]}),
        "Trang “Định mức”, dòng 1, cột “Sản phẩm chuẩn/tháng”: Thiếu cột bắt buộc.",
    ),
    "unknown header": (
        good_sheets(**{"Định mức": [[*QUOTA_HEADER, "Ghi chu khac"]]}),
        "cột “Ghi chu khac”: Tiêu đề cột không được hỗ trợ.",
    ),
    "quota unit outside the owner": (
        good_sheets(**{"Định mức": [QUOTA_HEADER, ["T-B", "CMNV", 22, "01/07/2025"]]}),
        "Đơn vị “T-B” không thuộc Phòng A.",
    ),
    "quota overlapping another": (
        good_sheets(
            **{
                "Định mức": [
                    QUOTA_HEADER,
                    ["T-A", "CMNV", 22, "01/07/2025"],
                    ["T-A", "CMNV", 24, "01/01/2026"],
                ]
            }
        ),
        "Trang “Định mức”, dòng 3: Khoảng thời gian trùng với một định mức khác",
    ),
    "conversion of an unknown product": (
        good_sheets(**{"Bảng quy đổi": [CONVERSION_HEADER, ["QD1", "Bảng", "Việc", "KHONGCO", 1]]}),
        "Không có sản phẩm mã “KHONGCO” trong danh mục áp dụng.",
    ),
    "conversion table with two names": (
        good_sheets(
            **{
                "Bảng quy đổi": [
                    CONVERSION_HEADER,
                    ["QD1", "Bảng một", "Việc 1", "BC01", 1],
                    ["QD1", "Bảng hai", "Việc 2", "BC01", 1],
                ]
            }
        ),
        "Khác tên bảng ở dòng 2 cho cùng mã bảng.",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_each_bad_import_writes_nothing_and_says_where(run, case):
    sheets, message = BAD_CASES[case]
    before = counts()
    result = run(xlsx(sheets))
    assert not result.ok
    assert any(message in str(issue) for issue in result.issues), [str(i) for i in result.issues]
    assert counts() == before


def test_every_error_of_the_file_is_reported_at_once(run):
    sheets = with_product_row(["X1", None, "hồ sơ", "Z", 0, None, None, None, None, None, None])
    result = run(xlsx(sheets))
    assert len(result.issues) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Ma;Ten\nSP01;Bao cao\n", "không phải định dạng Excel .xlsx"),
        (b"PK\x03\x04 not really a zip", "bị hỏng"),
        (xlsx({"Trang khác": [["a"]]}), "Tệp không có trang nào tên"),
    ],
)
def test_files_that_are_not_catalog_workbooks_are_refused(run, data, message):
    before = counts()
    result = run(data)
    assert any(message in str(issue) for issue in result.issues)
    assert counts() == before


def test_oversize_file_is_refused(run, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    result = run(xlsx(good_sheets()))
    assert "Tệp vượt quá" in str(result.issues[0])
    assert not Product.objects.exists()


def test_too_many_rows_are_refused(run, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_ROWS", 2)
    result = run(xlsx(good_sheets()))
    assert any("Quá 2 dòng" in str(issue) for issue in result.issues)
    assert not Product.objects.exists()


def test_a_failure_while_writing_rolls_back_the_rows_already_written(run, monkeypatch):
    original = imports.CatalogImport._apply_conversion

    def fail_on_second(self, row):
        if row.number == 3:
            from django.core.exceptions import ValidationError

            raise ValidationError("Lỗi giả lập.")
        return original(self, row)

    monkeypatch.setattr(imports.CatalogImport, "_apply_conversion", fail_on_second)
    result = run(xlsx(good_sheets()))
    assert "Trang “Bảng quy đổi”, dòng 3: Lỗi giả lập." in [str(i) for i in result.issues]
    assert counts()[:4] == (0, 0, 0, 0)


# ---- many products at once ----------------------------------------------------------------


def product_rows(count: int, prefix: str = "SP") -> list[list]:
    """`count` valid product rows, every third without position groups."""
    positions = ("", "CMNV", "CMNV; LDQL")
    return [
        [
            *(f"{prefix}{n:04d}", f"Sản phẩm {n}", "văn bản", "ABCD"[n % 4], 1 + n % 3, None),
            *(None, positions[n % 3], "01/07/2025", None, None),
        ]
        for n in range(count)
    ]


def products_only(rows: list[list]) -> bytes:
    return xlsx({"Sản phẩm": [PRODUCT_HEADER, *rows]})


def test_a_bad_row_among_many_writes_nothing_and_names_the_row(run):
    run(xlsx(good_sheets()))
    before = counts()
    rows = product_rows(300)
    # Each cell is fine; only the dates the product ends up with break the rule: a missing start
    # is today for a new product and the stored start for an existing one.
    rows[150] = ["MOI01", "Sản phẩm mới", "hồ sơ", "B", 1, None, None, None, None, "01/01/2020"]
    rows.append(["VB01", "Dự thảo văn bản", "văn bản", "B", 4, 2, 40, "CMNV", None, "30/06/2025"])
    result = run(products_only(rows))
    assert [str(issue) for issue in result.issues] == [
        "Trang “Sản phẩm”, dòng 152: Ngày kết thúc phải sau hoặc trùng ngày bắt đầu.",
        "Trang “Sản phẩm”, dòng 302: Ngày kết thúc phải sau hoặc trùng ngày bắt đầu.",
    ]
    assert sum(result.created.values()) + sum(result.updated.values()) == 0
    assert counts() == before


def test_a_code_repeated_far_down_a_long_sheet_is_refused(run):
    rows = product_rows(300)
    rows[250][0] = "  sp0010 "
    before = counts()
    result = run(products_only(rows))
    assert [str(issue) for issue in result.issues] == [
        "Trang “Sản phẩm”, dòng 252: Trùng với dòng 12 của cùng trang."
    ]
    assert counts() == before


def test_reimport_changes_only_what_differs_and_keeps_what_the_sheet_leaves_out(
    run, position_groups
):
    run(products_only(product_rows(30)))
    stamps = dict(Product.objects.values_list("code", "updated_at"))
    events = AuditEvent.objects.count()
    rows = product_rows(30)
    rows[0][4] = "1,5"  # coefficient 1 → 1.5
    rows[1][7] = "LDQL"  # position groups CMNV → LDQL
    rows[2][7] = ""  # CMNV, LDQL → every group
    rows[3][8] = None  # no start date: the stored one stays
    rows[4][0] = "sp0004"  # the code matches whatever its case
    rows.append(["SP0100", "Sản phẩm mới", "hồ sơ", "C", 2, None, None, "CMNV", None, None, None])
    result = run(products_only(rows))
    assert result.ok, [str(i) for i in result.issues]
    assert (result.created["products"], result.updated["products"]) == (1, 3)
    assert result.unchanged == 27
    products = {p.code: p for p in Product.objects.prefetch_related("position_groups")}
    assert len(products) == 31 and "sp0004" not in products
    assert products["SP0000"].coefficient == Decimal("1.5")
    assert [g.code for g in products["SP0001"].position_groups.all()] == ["LDQL"]
    assert not products["SP0002"].position_groups.exists()
    assert products["SP0003"].active_from == date(2025, 7, 1)
    assert products["SP0100"].active_from == timezone.localdate()
    assert products["SP0100"].complexity == Decimal("1.0")
    touched = {code for code, p in products.items() if p.updated_at != stamps.get(code)}
    assert touched == {"SP0000", "SP0001", "SP0002", "SP0100"}
    new_events = AuditEvent.objects.order_by("pk")[events:]
    assert [(e.action, e.object_repr.split(" ")[0], e.changes) for e in new_events] == [
        ("catalog.product_update", "SP0000", {"coefficient": ["1.000", "1.5"]}),
        ("catalog.product_update", "SP0001", {"position_groups": [["CMNV"], ["LDQL"]]}),
        ("catalog.product_update", "SP0002", {"position_groups": [["CMNV", "LDQL"], []]}),
        ("catalog.product_create", "SP0100", new_events[3].changes),
    ]
    assert {e.reason for e in new_events[:3]} == {"Nhập từ Excel"}


def test_the_audit_trail_records_each_imported_product_in_the_chain(run, root):
    run(xlsx(good_sheets()))
    created = AuditEvent.objects.filter(action="catalog.product_create").order_by("pk")
    assert [e.object_repr.split(" ")[0] for e in created] == ["VB01", "BC01", "HS01"]
    assert {e.actor for e in created} == {root}
    assert created[0].changes["coefficient"] == [None, "4"]
    assert created[2].changes["position_groups"] == [[], ["CMNV", "LDQL"]]
    assert created[0].unit_path == Product.objects.get(code="VB01").owner_unit.path
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "Chuỗi nhật ký toàn vẹn" in out.getvalue()


def test_importing_many_products_costs_no_more_queries_than_a_few(run):
    def queries(rows: list[list]) -> int:
        data = products_only(rows)
        with CaptureQueriesContext(connection) as captured:
            assert run(data).ok
        return len(captured)

    run(xlsx(good_sheets()))  # the owner's catalog is not empty
    assert queries(product_rows(5, "A")) == queries(product_rows(200, "B"))
    few_changed, many_changed = product_rows(5, "A"), product_rows(200, "B")
    for row in few_changed + many_changed:
        row[4], row[7] = 3, "LDQL"
    assert queries(few_changed) == queries(many_changed)


# ---- the command and the page -------------------------------------------------------------


def test_command_imports_and_reports(tmp_path, units, position_groups, capsys):
    path = tmp_path / "danh-muc.xlsx"
    path.write_bytes(xlsx(good_sheets()))
    call_command("import_catalog", str(path), owner="T-A")
    assert "sản phẩm: thêm 3" in capsys.readouterr().out
    assert Product.objects.count() == 3


def test_command_exits_2_and_writes_nothing_on_error(tmp_path, units, position_groups):
    path = tmp_path / "danh-muc.xlsx"
    path.write_bytes(xlsx(with_product_row(["X1", "Tên", "hồ sơ", "B", 0])))
    with pytest.raises(CommandError) as caught:
        call_command("import_catalog", str(path), owner="T-A")
    assert caught.value.returncode == 2
    assert "dòng 5, cột “Hệ số quy đổi”" in str(caught.value)
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("danh-muc.csv", {"owner": "T-A"}, "Chỉ nhận tệp Excel .xlsx."),
        ("danh-muc.xlsx", {"owner": "KHONG-CO"}, "Không có đơn vị mã"),
        ("danh-muc.xlsx", {"sector": "KHONG-CO"}, "Không có ngành mã"),
    ],
)
def test_command_refuses_bad_arguments_with_exit_2(tmp_path, units, name, options, message):
    path = tmp_path / name
    path.write_bytes(xlsx(good_sheets()))
    with pytest.raises(CommandError, match=message) as caught:
        call_command("import_catalog", str(path), **options)
    assert caught.value.returncode == 2


def test_export_command_writes_the_workbook_import_reads(tmp_path, run, units):
    run(xlsx(good_sheets()))
    path = tmp_path / "out.xlsx"
    call_command("export_catalog", owner="T-A", output=str(path))
    before = counts()
    call_command("import_catalog", str(path), owner="T-A")
    assert counts() == before


def test_import_page_lists_every_error(client_for, sector_admin, units, position_groups):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = xlsx(with_product_row(["X1", None, "hồ sơ", "Z", 0]))
    response = client_for(sector_admin).post(
        reverse("catalog:import"),
        {"owner": f"u{units['T-A'].pk}", "file": SimpleUploadedFile("dm.xlsx", data)},
    )
    html = response.content.decode()
    assert "Không nhập gì vì có 3 lỗi" in html
    assert not Product.objects.exists()


def test_import_page_imports_for_an_owner_in_scope(
    client_for, sector_admin, units, position_groups
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(sector_admin).post(
        reverse("catalog:import"),
        {
            "owner": f"u{units['T-A'].pk}",
            "file": SimpleUploadedFile("dm.xlsx", xlsx(good_sheets())),
        },
        follow=True,
    )
    assert "Đã nhập danh mục" in response.content.decode()
    assert Product.objects.count() == 3


def test_import_page_refuses_an_owner_outside_scope(
    client_for, sector_admin, units, position_groups
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client_for(sector_admin).post(
        reverse("catalog:import"),
        {
            "owner": f"u{units['T-BTC'].pk}",
            "file": SimpleUploadedFile("dm.xlsx", xlsx(good_sheets())),
        },
    )
    assert not Product.objects.exists()


def test_a_code_saved_by_someone_else_during_the_import_is_reported_not_a_crash(
    run, units, make_product, monkeypatch
):
    bulk_create = Product.objects.bulk_create

    def someone_saves_hs01_meanwhile(objs, *args, **kwargs):
        # Another session commits the same code after the bulk save checked the codes.
        make_product(units["T-A"], "HS01")
        return bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Product.objects, "bulk_create", someone_saves_hs01_meanwhile)
    before = counts()
    result = run(xlsx(good_sheets()))
    assert not result.ok
    assert "vừa được người khác thay đổi trong lúc nhập" in str(result.issues[-1])
    assert sum(result.created.values()) + sum(result.updated.values()) == 0
    assert counts() == before
