"""Restore a backup into an empty (or new) database and an empty media folder."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kpi_portal.backup import BackupError, restore


class Command(BaseCommand):
    help = "Khôi phục bản sao lưu vào một cơ sở dữ liệu trống, sau khi kiểm tra mã kiểm tra."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--database-url", required=True)
        parser.add_argument("--media-dir", default=str(settings.MEDIA_ROOT))

    def handle(self, *args, **options):
        try:
            manifest = restore(
                Path(options["folder"]),
                database_url=options["database_url"],
                media_dir=Path(options["media_dir"]),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        total = sum(manifest["row_counts"].values())
        self.stdout.write(f"Đã khôi phục {total} dòng dữ liệu và tệp vào {options['media_dir']}")
