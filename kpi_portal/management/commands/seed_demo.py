"""`seed_demo`: the one entry point that builds the demo province, module by module."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog import demo as catalog_demo
from evaluations import demo as evaluations_demo
from orgunits import demo as org_demo
from reports import demo as reports_demo
from reports import demo_pilot

# Plans, logs and scored evaluations are written for this many people at most: enough for every
# screen, while `--staff 50000` still seeds in minutes (seed_scale builds full-size work data).
WORKED_SAMPLE = 5000


class Command(BaseCommand):
    help = "Tạo (hoặc bổ sung) dữ liệu trình diễn tỉnh Quảng Ngãi; chạy lại không thay đổi gì."

    def add_arguments(self, parser):
        parser.add_argument("--staff", type=int, default=300, help="Số cán bộ (mặc định 300).")
        parser.add_argument("--quiet-logins", action="store_true", help="Không in tài khoản mẫu.")

    def handle(self, *args, staff: int, quiet_logins: bool, **options):
        if staff < 0:
            raise CommandError("--staff phải là số không âm.")
        started = time.monotonic()
        result = org_demo.seed(staff=staff)
        catalog = catalog_demo.seed(catalog_demo.demo_units())
        self.stdout.write(
            f"Danh mục: {catalog['products']} sản phẩm, {catalog['quotas']} định mức, "
            f"{catalog['criteria_sets']} bộ tiêu chí."
        )
        work = evaluations_demo.seed(limit=WORKED_SAMPLE)
        self.stdout.write(
            f"Nhật ký công việc: {work['plan_items']} nhiệm vụ, {work['entries']} sản phẩm."
        )
        rated = evaluations_demo.seed_evaluations()
        self.stdout.write(
            f"Phiếu đánh giá: {rated['opened']} mở mới, {rated['decided']} đã quyết định, công bố."
        )
        self.stdout.write(
            "Số liệu tổng hợp: {months} tháng bổ sung, {periods} kỳ.".format(
                **reports_demo.seed(limit=WORKED_SAMPLE)
            )
        )
        self.stdout.write("Góp ý thí điểm: {feedback} mục mới.".format(**demo_pilot.seed()))
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Đơn vị: {result['units']}; cán bộ thêm mới: {result['people_added']} "
            f"({elapsed:.1f} giây)."
        )
        if settings.DEMO_MODE and not quiet_logins:
            self._print_logins(result["accounts"])

    def _print_logins(self, accounts) -> None:
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Tài khoản trình diễn (mật khẩu chung: {org_demo.DEMO_PASSWORD})")
        )
        for account in accounts:
            self.stdout.write(f"  {account.username:<14} {account.role_label}")
        self.stdout.write(
            "  qng000001…     mọi cán bộ được tạo tự động (tên đăng nhập = mã HRMIS viết thường)"
        )
