"""Queue the Celery tasks kept in the outbox while the broker was unreachable."""

from django.core.management.base import BaseCommand, CommandError

from kpi_portal.tasks_outbox import outbox_flush_all


class Command(BaseCommand):
    help = "Gửi lại các tác vụ nền còn chờ trong hàng đợi tạm (outbox)."

    def handle(self, *args, **options):
        sent, left = outbox_flush_all()
        self.stdout.write(f"Đã gửi {sent} tác vụ; còn chờ {left} tác vụ.")
        if left:
            raise CommandError("Chưa kết nối được hàng đợi tác vụ; hãy thử lại sau.", returncode=1)
