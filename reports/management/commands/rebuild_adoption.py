"""`rebuild_adoption`: recompute the pilot's adoption figures of a month, quarter, year or all."""

import time

from django.core.management.base import BaseCommand, CommandError

from reports import adoption
from reports.rollups import Scope


class Command(BaseCommand):
    help = (
        "Tính lại số liệu sử dụng phần mềm trong thí điểm (một tháng, quý, năm hoặc tất cả); "
        "chạy sau rebuild_rollups vì số liệu này đọc số liệu tổng hợp cá nhân."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--scope", help="Tháng 2026-10, quý 2026-Q3 hoặc năm 2026.")
        which.add_argument("--all", action="store_true", help="Mọi năm có kỳ đánh giá.")

    def handle(self, *args, scope=None, all=False, **options):
        started = time.monotonic()
        if all:
            count, label = adoption.rebuild_all(), "tất cả"
        else:
            try:
                chosen = Scope.parse(scope)
            except ValueError:
                raise CommandError(
                    f"Không hiểu kỳ “{scope}” (ví dụ: 2026-10, 2026-Q3, 2026)."
                ) from None
            count, label = adoption.rebuild_scope(chosen), chosen.code
        self.stdout.write(
            f"Đã tính lại số liệu sử dụng phần mềm {label}: {count} dòng đơn vị "
            f"({time.monotonic() - started:.1f} giây)."
        )
