"""Back up the database (pg_dump custom format) and the media folder, with a manifest."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kpi_portal.backup import BackupError, backup


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và tệp đính kèm, kèm bản kê khai mã kiểm tra."

    def add_arguments(self, parser):
        parser.add_argument("--dest", default=str(Path(settings.VAR_DIR) / "backups"))

    def handle(self, *args, **options):
        try:
            folder = backup(Path(options["dest"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Đã sao lưu vào {folder}")
        return str(folder)
