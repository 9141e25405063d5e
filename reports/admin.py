"""Django admin for the reports app: system admins declare the quarterly reporting bodies."""

from django.contrib import admin

from .models import QuarterlyReport, QuarterlyReportVersion, ReportingBody


@admin.register(ReportingBody)
class ReportingBodyAdmin(admin.ModelAdmin):
    list_display = ["unit", "kind", "receiver", "due_days", "is_active"]
    list_filter = ["kind", "is_active"]
    autocomplete_fields = ["unit", "receiver", "covers"]
    search_fields = ["unit__name", "unit__code"]


class VersionInline(admin.TabularInline):
    model = QuarterlyReportVersion
    extra = 0
    can_delete = False
    fields = ["number", "submitted_by", "submitted_at", "outcome", "reviewed_by", "review_comment"]
    readonly_fields = fields


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(admin.ModelAdmin):
    """Read-only: reports change only through the flow's services, which write the audit log."""

    list_display = ["body", "year", "quarter", "state", "version", "submitted_at"]
    list_filter = ["state", "year", "quarter"]
    inlines = [VersionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
