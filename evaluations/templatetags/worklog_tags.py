"""Labels and colours for work-log states, so templates never spell them out twice."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

from evaluations.models import EntryStatus, PeriodState, PlanStatus
from evaluations.services import FLAG_LABELS

register = template.Library()

BADGES = {
    EntryStatus.DRAFT: "text-bg-secondary",
    EntryStatus.SUBMITTED: "text-bg-primary",
    EntryStatus.APPROVED: "text-bg-success",
    EntryStatus.RETURNED: "text-bg-danger",
    PlanStatus.ASSIGNED: "text-bg-success",
    PlanStatus.PROPOSED: "text-bg-warning",
    PlanStatus.DECLINED: "text-bg-secondary",
    PeriodState.OPEN: "text-bg-success",
    PeriodState.IN_REVIEW: "text-bg-primary",
    PeriodState.DECIDED: "text-bg-info",
    PeriodState.PUBLISHED: "text-bg-warning",
    PeriodState.LOCKED: "text-bg-dark",
}


@register.filter
def badge(status: str) -> str:
    return BADGES.get(status, "text-bg-light")


@register.filter
def flag_label(code: str) -> str:
    return FLAG_LABELS.get(code, code)


@register.filter
def coefficient(value) -> str:
    """A hệ số quy đổi with only the decimals it has: 4, 1,2, 0,35."""
    if value in (None, ""):
        return ""
    number = Decimal(value).normalize()
    return floatformat(number, max(0, -number.as_tuple().exponent))
