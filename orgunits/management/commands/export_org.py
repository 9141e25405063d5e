"""`export_org units|staff OUT.xlsx`: a subtree (or everything) in the import format."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orgunits.exports import staff_workbook, units_workbook
from orgunits.models import OrgUnit
from orgunits.spreadsheets import STAFF, UNITS


class Command(BaseCommand):
    help = "Xuất đơn vị hoặc cán bộ ra tệp Excel theo đúng mẫu nhập."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[UNITS, STAFF])
        parser.add_argument("path", help="Tệp .xlsx sẽ ghi.")
        parser.add_argument("--unit", help="Mã đơn vị gốc của cây con; mặc định: toàn bộ.")

    def handle(self, *args, kind: str, path: str, unit: str | None, **options):
        root = None
        if unit:
            root = OrgUnit.objects.filter(code=unit).first()
            if root is None:
                raise CommandError(f"Không có đơn vị mã '{unit}'.", returncode=2)
        data = units_workbook(root) if kind == UNITS else staff_workbook(root)
        Path(path).write_bytes(data)
        self.stdout.write(f"Đã ghi {path} ({len(data):,} byte).")
