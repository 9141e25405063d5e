"""`import_catalog FILE.xlsx --owner UNIT_CODE`: all rows or none; exit status 2 on any error."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.imports import import_catalog
from orgunits.models import OrgUnit, Sector, User


class Command(BaseCommand):
    help = "Nhập danh mục sản phẩm, định mức, bảng quy đổi từ tệp Excel (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Đường dẫn tệp .xlsx.")
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--owner", help="Mã đơn vị ban hành danh mục.")
        owner.add_argument("--sector", help="Mã ngành, lĩnh vực ban hành danh mục.")
        parser.add_argument("--user", help="Tên đăng nhập ghi vào nhật ký hệ thống.")

    def handle(self, *args, file: str, owner: str | None, sector: str | None, user, **options):
        path = Path(file)
        if path.suffix.lower() != ".xlsx":
            raise CommandError("Chỉ nhận tệp Excel .xlsx.", returncode=2)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp: {exc}", returncode=2) from exc
        target = self._owner(owner, sector)
        by = User.objects.filter(username=user).first() if user else None
        if user and by is None:
            raise CommandError(f"Không có tài khoản “{user}”.", returncode=2)
        result = import_catalog(data=data, owner=target, by=by)
        if not result.ok:
            lines = "\n".join(str(issue) for issue in result.issues)
            raise CommandError(
                f"Không nhập gì vì có {len(result.issues)} lỗi:\n{lines}", returncode=2
            )
        self.stdout.write(self.style.SUCCESS(result.summary()))

    def _owner(self, owner: str | None, sector: str | None):
        if owner:
            unit = OrgUnit.objects.filter(code=owner).first()
            if unit is None:
                raise CommandError(f"Không có đơn vị mã “{owner}”.", returncode=2)
            return unit
        found = Sector.objects.filter(code=sector).first()
        if found is None:
            raise CommandError(f"Không có ngành mã “{sector}”.", returncode=2)
        return found
