"""`import_org FILE.xlsx`: the same checked, all-or-nothing import as the web page."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orgunits.imports import import_workbook
from orgunits.models import User
from orgunits.permissions import can_manage_unit
from orgunits.spreadsheets import MAX_BYTES, STAFF, UNITS

FAILED = 2  # distinct from 1 so scripts can tell a rejected file from a crash


class Command(BaseCommand):
    help = (
        "Nhập đơn vị hoặc cán bộ từ tệp Excel (.xlsx). Kiểm tra mọi dòng trước; có lỗi thì "
        "không ghi gì và thoát với mã 2."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Tệp .xlsx theo mẫu đơn vị hoặc mẫu cán bộ.")
        parser.add_argument(
            "--kind", choices=[UNITS, STAFF], help="Loại dữ liệu; mặc định nhận biết theo tiêu đề."
        )
        parser.add_argument(
            "--user",
            help="Tên đăng nhập người thực hiện: ghi vào nhật ký và giới hạn theo phạm vi quản lý.",
        )

    def handle(self, *args, path: str, kind: str | None, user: str | None, **options):
        by = self._acting_user(user) if user else None
        file = Path(path)
        result = import_workbook(self._read(file), by=by, filename=file.name, kind=kind)
        if not result.ok:
            raise CommandError("\n".join(str(issue) for issue in result.issues), returncode=FAILED)
        self.stdout.write(result.summary())

    def _read(self, file: Path) -> bytes:
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp '{file}'.", returncode=FAILED)
        if file.stat().st_size > MAX_BYTES:
            raise CommandError("Tệp vượt quá 10 MB.", returncode=FAILED)
        return file.read_bytes()

    def _acting_user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Không có tài khoản '{username}'.", returncode=FAILED)
        if not can_manage_unit(user):
            raise CommandError(
                f"Tài khoản '{username}' không có quyền quản lý đơn vị, cán bộ.", returncode=FAILED
            )
        return user
