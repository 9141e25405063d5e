"""`export_catalog --owner UNIT_CODE -o FILE.xlsx`: the workbook `import_catalog` reads back."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.exports import export_workbook
from orgunits.models import OrgUnit, Sector


class Command(BaseCommand):
    help = "Xuất danh mục sản phẩm, định mức, bảng quy đổi của một đơn vị hoặc ngành ra tệp Excel."

    def add_arguments(self, parser):
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--owner", help="Mã đơn vị ban hành danh mục.")
        owner.add_argument("--sector", help="Mã ngành, lĩnh vực ban hành danh mục.")
        parser.add_argument("-o", "--output", required=True, help="Tệp .xlsx sẽ ghi.")

    def handle(self, *args, owner, sector, output, **options):
        target = (
            OrgUnit.objects.filter(code=owner).first()
            if owner
            else Sector.objects.filter(code=sector).first()
        )
        if target is None:
            raise CommandError(f"Không có đơn vị hoặc ngành mã “{owner or sector}”.", returncode=2)
        Path(output).write_bytes(export_workbook(target))
        self.stdout.write(self.style.SUCCESS(f"Đã ghi {output}."))
