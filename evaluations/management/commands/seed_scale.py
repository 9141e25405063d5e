"""`seed_scale`: a province of N staff with months of plans, work logs and evaluations."""

from __future__ import annotations

import re
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from catalog import demo as catalog_demo
from evaluations import scale
from orgunits import demo as org_demo

SQLITE_REFUSAL = (
    "seed_scale không chạy trên SQLite: lệnh cần PostgreSQL (COPY ... FROM STDIN). "
    "Hãy đặt DATABASE_URL=postgres://… rồi chạy lại."
)


def _month(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not 1 <= int(match[2]) <= 12:
        raise CommandError(f"--end phải có dạng YYYY-MM (ví dụ 2026-03), không phải “{value}”.")
    return int(match[1]), int(match[2])


class Command(BaseCommand):
    help = (
        "Tạo (hoặc bổ sung) dữ liệu quy mô tỉnh để đo hiệu năng: cán bộ, danh mục, kỳ đánh giá, "
        "nhiệm vụ, nhật ký công việc và phiếu đánh giá; tháng đã có dữ liệu được bỏ qua."
    )

    def add_arguments(self, parser):
        parser.add_argument("--staff", type=int, default=50_000, help="Số cán bộ (mặc định 50000).")
        parser.add_argument("--months", type=int, default=3, help="Số tháng (mặc định 3).")
        parser.add_argument(
            "--end", type=_month, default=None, help="Tháng cuối, YYYY-MM (mặc định: tháng này)."
        )
        parser.add_argument("--seed", type=int, default=335, help="Hạt giống ngẫu nhiên.")

    def handle(self, *args, staff: int, months: int, end, seed: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError(SQLITE_REFUSAL, returncode=2)
        if staff < 0 or months < 1:
            raise CommandError("--staff phải không âm và --months phải từ 1 trở lên.")
        today = timezone.localdate()
        end = end or (today.year, today.month)
        started = time.perf_counter()

        step = time.perf_counter()
        # One shared hash for every generated account, as the demo does: hashing 50,000 times
        # would take longer than the rest of the seeding.
        password_hash = make_password(org_demo.DEMO_PASSWORD, salt="kpidemo")
        with transaction.atomic():
            units = org_demo.seed_units()
            org_demo.seed_accounts(units, password_hash)
        added = org_demo.seed_people(units, staff, password_hash)
        self._rate("cán bộ (tài khoản, hồ sơ, quá trình công tác)", added, step)

        step = time.perf_counter()
        catalog = catalog_demo.seed(catalog_demo.demo_units())
        self.stdout.write(
            f"Danh mục: {catalog['products']} sản phẩm, {catalog['quotas']} định mức "
            f"({time.perf_counter() - step:.1f} giây)."
        )

        tally = scale.Tally()
        try:
            scale.seed_months(
                months=scale.months_back(end, months),
                seed=seed,
                tally=tally,
                today=today,
                log=self._month_line,
            )
        except scale.ScaleError as error:
            raise CommandError(str(error)) from error
        for table, counted in tally.tables.items():
            if not counted.rows:
                continue
            self.stdout.write(
                f"  {table}: {counted.rows:,} dòng trong {counted.seconds:.1f} giây "
                f"= {counted.per_second:,.0f} dòng/giây"
            )
        self.stdout.write(f"ANALYZE: {scale.analyze():.1f} giây.")
        self.stdout.write(self.style.SUCCESS(f"Xong sau {time.perf_counter() - started:.1f} giây."))

    def _rate(self, label: str, rows: int, since: float) -> None:
        seconds = time.perf_counter() - since
        rate = f" = {rows / seconds:,.0f} người/giây" if rows and seconds else ""
        self.stdout.write(f"Thêm {rows:,} {label} trong {seconds:.1f} giây{rate}.")

    def _month_line(self, result: scale.MonthResult, seconds: float) -> None:
        if not result.people:
            self.stdout.write(
                f"Kỳ {result.label}: đã có dữ liệu ({result.skipped:,} người), bỏ qua."
            )
            return
        self.stdout.write(
            f"Kỳ {result.label}: {result.people:,} người × {result.days} ngày làm việc "
            f"trong {seconds:.1f} giây; {result.entries:,} sản phẩm, "
            f"{result.entries / max(result.entry_seconds, 1e-9):,.0f} dòng/giây"
            + (f" (bỏ qua {result.skipped:,} người đã có)" if result.skipped else "")
        )
