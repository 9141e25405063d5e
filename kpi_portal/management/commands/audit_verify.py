"""Walk the audit hash chain in id order and name the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from kpi_portal.models import AuditEvent, audit_hash


def first_break(events) -> str | None:
    """A Vietnamese description of the first event whose link or content does not check out."""
    prev = ""
    for event in events:
        if event.prev_hash != prev:
            return (
                f"Chuỗi nhật ký bị đứt tại sự kiện #{event.id}: sự kiện liền trước đã bị xóa "
                "hoặc sửa."
            )
        if audit_hash(event, prev) != event.hash:
            return f"Chuỗi nhật ký bị đứt tại sự kiện #{event.id}: nội dung sự kiện đã bị sửa."
        prev = event.hash
    return None


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn của chuỗi nhật ký hệ thống."

    def handle(self, *args, **options):
        events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
        problem = first_break(events)
        if problem:
            raise CommandError(problem, returncode=2)
        count = AuditEvent.objects.count()
        self.stdout.write(f"Chuỗi nhật ký toàn vẹn: {count} sự kiện")
