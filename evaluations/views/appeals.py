"""Khiếu nại: filing against a published result, the decider's list, resolution, attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import assessment, permissions
from ..forms_assessment import AppealForm, AppealResolveForm
from ..models import Appeal, AppealAttachment, AppealStatus, Evaluation
from . import scorecard
from .assessment import DETAIL, detail_context, get_evaluation_for_user
from .common import add_errors, require

PAGE_SIZE = 50
OVERDUE_SHOWN = 20
STATUS_BADGES = {
    AppealStatus.OPEN: "text-bg-warning",
    AppealStatus.ACCEPTED: "text-bg-success",
    AppealStatus.REJECTED: "text-bg-secondary",
}


def get_appeal_for_user(user, pk: int) -> Appeal:
    appeals = Appeal.objects.filter(
        evaluation__in=Evaluation.objects.visible_to(user)
    ).select_related(
        "evaluation__period",
        "evaluation__person__user",
        "evaluation__unit",
        "evaluation__deciding_unit",
        "evaluation__criteria_version",
        "resolved_by",
    )
    return get_object_or_404(appeals.prefetch_related("attachments"), pk=pk)


def overdue_of(user, units) -> list[Appeal]:
    """Open appeals past their resolution date that the user sees, for the banner on top."""
    overdue = assessment.overdue_appeals(units).filter(
        evaluation__in=Evaluation.objects.visible_to(user)
    )
    return list(overdue[:OVERDUE_SHOWN])


@login_required
@require_POST
def appeal_file(request, pk: int):
    evaluation = get_evaluation_for_user(request.user, pk)
    require(evaluation.person.user_id == request.user.pk)
    form = AppealForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            assessment.appeal_file(
                by=request.user,
                evaluation=evaluation,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("Đã gửi khiếu nại; người có thẩm quyền sẽ xem xét, giải quyết.")
            )
            return redirect(evaluation)
    return render(request, DETAIL, detail_context(request, evaluation, appeal_form=form))


@login_required
def appeal_list(request):
    """Khiếu nại of the units the user decides for; the open ones first by due date."""
    units = permissions.deciding_units_for(request.user)
    require(units.exists())
    status = request.GET.get("status", AppealStatus.OPEN)
    appeals = Appeal.objects.filter(
        evaluation__in=Evaluation.objects.visible_to(request.user),
        evaluation__deciding_unit__in=units,
    ).select_related("evaluation__person", "evaluation__period", "evaluation__unit")
    if status in AppealStatus.values:
        appeals = appeals.filter(status=status)
    page = Paginator(appeals.order_by("due_on", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for appeal in page:
        appeal.badge = STATUS_BADGES[appeal.status]
        appeal.is_overdue = appeal.is_overdue_on(today)
    context = {
        "page": page,
        "status": status,
        "statuses": [(s.value, s.label) for s in AppealStatus],
        "overdue": overdue_of(request.user, units),
    }
    return render(request, "evaluations/assessment/appeal_list.html", context)


@login_required
def appeal_detail(request, pk: int):
    """One khiếu nại: its text and files, the result it contests, and the decider's resolution."""
    appeal = get_appeal_for_user(request.user, pk)
    evaluation = appeal.evaluation
    can_resolve = permissions.can_resolve_appeal(request.user, appeal)
    if request.method == "POST":
        require(can_resolve)
    form = AppealResolveForm(request.POST or None, evaluation=evaluation) if can_resolve else None
    if form is not None and form.is_bound and form.is_valid():
        try:
            assessment.appeal_resolve(by=request.user, appeal=appeal, **form.service_kwargs())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã giải quyết khiếu nại của %(n)s.") % {"n": evaluation.person.full_name},
            )
            return redirect("evaluations:appeal_detail", appeal.pk)
    context = {
        "appeal": appeal,
        "evaluation": evaluation,
        "score": scorecard.from_evaluation(evaluation),
        "final_label": scorecard.rating_label(evaluation.rating),
        "final_badge": scorecard.rating_badge(evaluation.rating),
        "badge": STATUS_BADGES[appeal.status],
        "is_overdue": appeal.is_overdue_on(timezone.localdate()),
        "can_resolve": can_resolve,
        "form": form,
        "decisions": evaluation.decisions.select_related("decided_by"),
    }
    return render(request, "evaluations/assessment/appeal_detail.html", context)


@login_required
def appeal_attachment(request, pk: int):
    """An appeal's file, only through this check, downloaded and never rendered inline."""
    attachments = AppealAttachment.objects.filter(
        appeal__evaluation__in=Evaluation.objects.visible_to(request.user)
    ).select_related("appeal__evaluation__person")
    attachment = get_object_or_404(attachments, pk=pk)
    if not permissions.can_download_appeal_attachment(request.user, attachment):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name or "tep-dinh-kem",
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
