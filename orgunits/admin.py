from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from guardian.admin import GuardedModelAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import (
    Assignment,
    Delegation,
    JobPosition,
    JobPositionGroup,
    OrgUnit,
    Person,
    RoleGrant,
    Sector,
    User,
)


@admin.register(User)
class KpiUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("KPI", {"fields": ("staff_code", "email_notifications")}))
    list_display = ("username", "email", "first_name", "last_name", "staff_code", "is_active")
    search_fields = ("username", "email", "first_name", "last_name", "staff_code")


@admin.register(OrgUnit)
class OrgUnitAdmin(GuardedModelAdmin, TreeAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ("name", "code", "kind", "bloc", "active_to")
    search_fields = ("name", "code")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("full_name", "hrmis_code", "category", "job_position", "is_active")
    search_fields = ("full_name", "hrmis_code")
    raw_id_fields = ("user",)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("person", "unit", "role", "is_primary", "start", "end")
    raw_id_fields = ("person", "unit")


admin.site.register([Sector, JobPositionGroup, JobPosition])
admin.site.register(RoleGrant, raw_id_fields=("user", "unit"))
admin.site.register(Delegation, raw_id_fields=("unit", "delegator", "delegate"))
