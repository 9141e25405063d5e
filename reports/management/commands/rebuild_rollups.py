"""`rebuild_rollups`: recompute the dashboard figures of a month, quarter, year or everything."""

import time

from django.core.management.base import BaseCommand, CommandError

from evaluations.models import Frequency, Period
from reports import adoption, rollups
from reports.models import ScopeKind
from reports.rollups import Scope


class Command(BaseCommand):
    help = "Tính lại số liệu tổng hợp cho bảng điều khiển (một kỳ, một quý, một năm hoặc tất cả)."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--period", help="Tháng, ví dụ 2026-10 (mọi khối có kỳ tháng đó).")
        which.add_argument("--quarter", help="Quý, ví dụ 2026-Q3.")
        which.add_argument("--year", help="Năm, ví dụ 2026.")
        which.add_argument("--all", action="store_true", help="Mọi kỳ đánh giá.")

    def handle(self, *args, period=None, quarter=None, year=None, all=False, **options):
        started = time.monotonic()
        # A month goes through rebuild_period, which refreshes its adoption rows itself; the
        # quarter, year and --all paths batch the periods and skip that hook, so do it here.
        if all:
            count, label = rollups.rebuild_all(), "tất cả"
            adoption.rebuild_all()
        else:
            code = period or quarter or year
            scope = self._scope(code, period=period, quarter=quarter)
            if scope.kind == ScopeKind.MONTH:
                count = self._month(scope)
            elif scope.kind == ScopeKind.QUARTER:
                count = rollups.rebuild_quarter(scope.year, scope.number)
                first = 3 * scope.number - 2
                months = [Scope(ScopeKind.MONTH, scope.year, m) for m in range(first, first + 3)]
                for each in (*months, scope, Scope(ScopeKind.YEAR, scope.year, 0)):
                    adoption.rebuild_scope(each)
            else:
                count = rollups.rebuild_year(scope.year)
                adoption.rebuild_year(scope.year)
            label = scope.code
        self.stdout.write(
            f"Đã tính lại số liệu tổng hợp {label}: {count} kỳ đánh giá "
            f"({time.monotonic() - started:.1f} giây)."
        )

    def _scope(self, code: str, *, period, quarter) -> Scope:
        expected = ScopeKind.MONTH if period else ScopeKind.QUARTER if quarter else ScopeKind.YEAR
        try:
            scope = Scope.parse(code)
        except ValueError:
            scope = None
        if scope is None or scope.kind != expected:
            raise CommandError(f"Không hiểu kỳ “{code}” (ví dụ: 2026-10, 2026-Q3, 2026).")
        return scope

    def _month(self, scope: Scope) -> int:
        """Every bloc's period of that month (a quarterly bloc's quarter is left alone)."""
        periods = list(
            Period.objects.filter(kind=Frequency.MONTHLY, year=scope.year, number=scope.number)
        )
        if not periods:
            raise CommandError(f"Chưa có kỳ đánh giá tháng {scope.code}.")
        for each in periods:
            rollups.rebuild_period(each.pk, cascade=True)
        return len(periods)
