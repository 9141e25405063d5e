"""Fetching helpers shared by the catalog views: outside a user's scope an object answers 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from ..models import (
    ConversionRule,
    ConversionTable,
    CriteriaSet,
    CriteriaSetVersion,
    Product,
    Quota,
)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def get_product_for_user(user, pk: int) -> Product:
    return get_object_or_404(
        Product.objects.visible_to(user).select_related("group", "owner_unit", "owner_sector"),
        pk=pk,
    )


def get_product_to_manage(user, pk: int) -> Product:
    return get_object_or_404(Product.objects.manageable_by(user), pk=pk)


def get_quota_to_manage(user, pk: int) -> Quota:
    return get_object_or_404(
        Quota.objects.manageable_by(user).select_related("unit", "group"), pk=pk
    )


def get_table_for_user(user, pk: int) -> ConversionTable:
    return get_object_or_404(
        ConversionTable.objects.visible_to(user).select_related("owner_unit", "owner_sector"), pk=pk
    )


def get_table_to_manage(user, pk: int) -> ConversionTable:
    return get_object_or_404(
        ConversionTable.objects.manageable_by(user).select_related("owner_unit", "owner_sector"),
        pk=pk,
    )


def get_rule_to_manage(user, pk: int) -> ConversionRule:
    tables = ConversionTable.objects.manageable_by(user)
    return get_object_or_404(
        ConversionRule.objects.filter(table__in=tables).select_related("table", "product"), pk=pk
    )


def get_set_for_user(user, pk: int) -> CriteriaSet:
    return get_object_or_404(
        CriteriaSet.objects.visible_to(user).select_related("owner_unit", "owner_sector"), pk=pk
    )


def get_set_to_manage(user, pk: int) -> CriteriaSet:
    return get_object_or_404(CriteriaSet.objects.manageable_by(user), pk=pk)


def get_version_for_user(user, pk: int) -> CriteriaSetVersion:
    versions = CriteriaSetVersion.objects.filter(
        criteria_set__in=CriteriaSet.objects.visible_to(user)
    ).select_related("criteria_set__owner_unit", "criteria_set__owner_sector")
    return get_object_or_404(versions, pk=pk)


def get_version_to_manage(user, pk: int) -> CriteriaSetVersion:
    versions = CriteriaSetVersion.objects.filter(
        criteria_set__in=CriteriaSet.objects.manageable_by(user)
    ).select_related("criteria_set__owner_unit", "criteria_set__owner_sector")
    return get_object_or_404(versions, pk=pk)
