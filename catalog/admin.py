from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from .criteria import clean_rules
from .models import (
    ConversionRule,
    ConversionTable,
    CriteriaSet,
    CriteriaSetVersion,
    Product,
    ProductGroup,
    Quota,
    VersionStatus,
)


@admin.register(ProductGroup)
class ProductGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "position")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "group",
        "coefficient",
        "owner_unit",
        "owner_sector",
        "active_to",
    )
    list_filter = ("group",)
    search_fields = ("code", "name")
    raw_id_fields = ("owner_unit",)
    filter_horizontal = ("position_groups",)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Logged work points at products; they are retired (active_to), never deleted.
        return False


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ("unit", "group", "per_month", "valid_from", "valid_to")
    raw_id_fields = ("unit",)


class ConversionRuleInline(admin.TabularInline):
    model = ConversionRule
    raw_id_fields = ("product",)
    extra = 0


@admin.register(ConversionTable)
class ConversionTableAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "owner_unit", "owner_sector")
    raw_id_fields = ("owner_unit",)
    inlines = [ConversionRuleInline]


@admin.register(CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "owner_unit", "owner_sector", "preset")
    raw_id_fields = ("owner_unit",)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.versions.exclude(status=VersionStatus.DRAFT).exists():
            return False
        return super().has_delete_permission(request, obj)


class VersionAdminForm(forms.ModelForm):
    class Meta:
        model = CriteriaSetVersion
        fields = [
            "criteria_set",
            "number",
            "valid_from",
            "rules",
            "general_descriptions",
            "note",
            "based_on",
            "created_by",
        ]

    def clean_rules(self):
        try:
            return clean_rules(self.cleaned_data["rules"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


@admin.register(CriteriaSetVersion)
class CriteriaSetVersionAdmin(admin.ModelAdmin):
    """Drafts may be repaired here; publishing happens in the app, and published rows are frozen."""

    form = VersionAdminForm
    list_display = ("criteria_set", "number", "status", "valid_from", "retired_on")
    list_filter = ("status",)
    readonly_fields = (
        "status",
        "published_at",
        "published_by",
        "retired_on",
        "retired_at",
        "retired_by",
    )
    raw_id_fields = ("criteria_set", "based_on", "created_by")

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # The bulk delete would skip has_delete_permission(obj) for each published row.
        actions.pop("delete_selected", None)
        return actions
