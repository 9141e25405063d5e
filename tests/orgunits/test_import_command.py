"""`import_org` and `export_org`: the page's import from a shell, exit 0 or 2, nothing half done."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kpi_portal.models import AuditEvent
from orgunits.models import OrgUnit, Person

from .xlsx_helpers import counts, staff_file, staff_row, unit_row, units_file, world_state

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, data: bytes, name: str = "units.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_import_org_detects_units_and_prints_a_summary(tmp_path, units):
    out = io.StringIO()
    call_command("import_org", write(tmp_path, units_file(unit_row("T-N1"))), stdout=out)
    assert out.getvalue().strip() == (
        "Đơn vị: thêm mới 1, cập nhật 0 (chuyển đơn vị cha 0), không đổi 0."
    )
    assert OrgUnit.objects.filter(code="T-N1").exists()
    event = AuditEvent.objects.get(action="orgunits.import")
    assert (event.actor, event.reason) == (None, "units.xlsx")


def test_import_org_detects_staff(tmp_path, units):
    out = io.StringIO()
    call_command(
        "import_org", write(tmp_path, staff_file(staff_row("HR9001")), "staff.xlsx"), stdout=out
    )
    assert out.getvalue().startswith("Cán bộ: thêm mới 1,")
    assert Person.objects.filter(hrmis_code="HR9001").exists()


def test_import_org_fails_with_code_2_listing_every_error_and_writes_nothing(tmp_path, units):
    data = units_file(
        unit_row("T-N1", parent="QNG-SYT-09"), unit_row("T-N2", **{"Loại đơn vị": "Bộ"})
    )
    before = counts()
    with pytest.raises(CommandError) as failure:
        call_command("import_org", write(tmp_path, data))
    assert failure.value.returncode == 2
    assert str(failure.value).splitlines() == [
        "Dòng 2, cột 'Mã đơn vị cha': không tồn tại 'QNG-SYT-09'",
        "Dòng 3, cột 'Loại đơn vị': giá trị không hợp lệ 'Bộ'",
    ]
    assert counts() == before


def test_import_org_with_a_forced_kind_rejects_the_other_kind(tmp_path, units):
    with pytest.raises(CommandError) as failure:
        call_command("import_org", write(tmp_path, units_file(unit_row("T-N1"))), kind="staff")
    assert failure.value.returncode == 2
    assert "Dòng 1, cột 'Mã HRMIS': thiếu cột này" in str(failure.value)


def test_import_org_refuses_a_missing_file(tmp_path, db):
    with pytest.raises(CommandError) as failure:
        call_command("import_org", str(tmp_path / "khong-co.xlsx"))
    assert failure.value.returncode == 2
    assert "Không tìm thấy tệp" in str(failure.value)


def test_import_org_as_a_user_is_limited_to_their_scope(tmp_path, sector_admin):
    data = units_file(unit_row("T-N1", parent="T-DANG"))
    with pytest.raises(CommandError) as failure:
        call_command("import_org", write(tmp_path, data), user="sector_admin")
    assert "nằm ngoài phạm vi quản lý của bạn" in str(failure.value)
    with pytest.raises(CommandError, match="không có quyền"):
        call_command("import_org", write(tmp_path, data), user="staff_a")


def test_export_org_then_import_org_changes_nothing(tmp_path, units):
    before = world_state()
    for kind in ("units", "staff"):
        path = str(tmp_path / f"{kind}.xlsx")
        call_command("export_org", kind, path, stdout=io.StringIO())
        out = io.StringIO()
        call_command("import_org", path, stdout=out)
        assert "thêm mới 0, cập nhật 0" in out.getvalue()
    assert world_state() == before


def test_the_real_command_line_exits_2_with_the_message_on_stderr(tmp_path):
    """Run as an operator would; the file is refused before the database is touched."""
    path = write(tmp_path, b"not a workbook", "sai.xlsx")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kpi_portal.settings.test"}
    done = subprocess.run(
        [sys.executable, "manage.py", "import_org", path],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "Tệp không phải định dạng Excel .xlsx." in done.stderr
    assert done.stdout == ""
