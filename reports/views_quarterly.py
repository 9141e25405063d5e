"""Báo cáo quý: the preparers' reports, one report, Ban Tổ chức's tracking and consolidation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kpi_portal.forms import StyledFormMixin

from . import permissions, quarterly
from .models import QuarterlyReport, QuarterlyState, ReportingBody


class NarrativeForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = QuarterlyReport
        fields = ["general_assessment", "difficulties", "proposals"]
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in fields}


class ReviewForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Ý kiến của Ban Tổ chức"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("Bắt buộc khi trả lại: nêu rõ nội dung cần sửa, bổ sung."),
    )


def _chosen_quarter(request) -> tuple[int, int]:
    return quarterly.parse_quarter(request.GET.get("quy", "")) or quarterly.last_ended_quarter()


def _quarter_choices(year: int, quarter: int) -> list[dict]:
    """The last six quarters up to the current one, for the quarter picker."""
    choices, current = [], quarterly.quarter_of(timezone.localdate())
    for _step in range(6):
        code = quarterly.quarter_code(*current)
        label = _("Quý %(q)s/%(y)s") % {"q": current[1], "y": current[0]}
        choices.append({"code": code, "label": label, "selected": current == (year, quarter)})
        current = quarterly.previous_quarter(*current)
    return choices


def _service_error(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
def quarterly_mine(request):
    bodies = ReportingBody.objects.prepared_by(request.user)
    if not bodies.exists():
        raise Http404
    year, quarter = _chosen_quarter(request)
    context = {
        "rows": quarterly.tracking(bodies, year, quarter),
        "year": year,
        "quarter": quarter,
        "quarters": _quarter_choices(year, quarter),
    }
    return render(request, "reports/quarterly/mine.html", context)


@login_required
def quarterly_edit(request, body_id: int, year: int, quarter: int):
    body = get_object_or_404(ReportingBody.objects.prepared_by(request.user), pk=body_id)
    report = QuarterlyReport.objects.filter(body=body, year=year, quarter=quarter).first()
    if report is not None and not report.is_editable:
        return redirect(report)
    form = NarrativeForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            report = quarterly.quarterly_report_save(
                by=request.user, body=body, year=year, quarter=quarter, **form.cleaned_data
            )
            if "gui" in request.POST:
                quarterly.quarterly_report_submit(by=request.user, report=report)
                messages.success(request, _("Đã gửi báo cáo quý đến Ban Tổ chức."))
            else:
                messages.success(request, _("Đã lưu báo cáo quý."))
            return redirect(report)
        except ValidationError as error:
            form.add_error(None, error.messages)
    context = {
        "body": body,
        "report": report,
        "form": form,
        "year": year,
        "quarter": quarter,
        "deadline": body.deadline(year, quarter),
        "figures": quarterly.figures(body, year, quarter),
    }
    return render(
        request, "reports/quarterly/edit.html", context, status=400 if form.errors else 200
    )


@login_required
def quarterly_detail(request, pk: int):
    reports = QuarterlyReport.objects.visible_to(request.user).select_related("body__unit")
    report = get_object_or_404(reports, pk=pk)
    can_prepare = permissions.can_prepare_quarterly(request.user, report.body)
    can_review = permissions.can_review_quarterly(request.user, report.body)
    context = {
        "report": report,
        "figures": report.figures
        if report.version
        else quarterly.figures(report.body, report.year, report.quarter),
        "versions": report.versions.select_related("submitted_by", "reviewed_by"),
        "can_edit": can_prepare and report.is_editable,
        "can_review": can_review and report.state == QuarterlyState.SUBMITTED,
        "can_track": permissions.can_view_quarterly_tracking(request.user),
        "review_form": ReviewForm(),
    }
    return render(request, "reports/quarterly/detail.html", context)


@login_required
@require_POST
def quarterly_submit(request, pk: int):
    bodies = ReportingBody.objects.prepared_by(request.user)
    report = get_object_or_404(QuarterlyReport, pk=pk, body__in=bodies)
    try:
        quarterly.quarterly_report_submit(by=request.user, report=report)
        messages.success(request, _("Đã gửi báo cáo quý đến Ban Tổ chức."))
    except ValidationError as error:
        _service_error(request, error)
    return redirect(report)


def _review(request, pk: int, service, done: str):
    bodies = ReportingBody.objects.reviewed_by(request.user)
    report = get_object_or_404(QuarterlyReport, pk=pk, body__in=bodies)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        service(by=request.user, report=report, comment=form.cleaned_data.get("comment", ""))
        messages.success(request, done)
    except ValidationError as error:
        _service_error(request, error)
    return redirect(report)


@login_required
@require_POST
def quarterly_return(request, pk: int):
    done = _("Đã trả lại báo cáo để cơ quan sửa và gửi lại.")
    return _review(request, pk, quarterly.quarterly_report_return, done)


@login_required
@require_POST
def quarterly_accept(request, pk: int):
    return _review(request, pk, quarterly.quarterly_report_accept, _("Đã tiếp nhận báo cáo."))


@login_required
def quarterly_tracking(request):
    if not permissions.can_view_quarterly_tracking(request.user):
        raise Http404
    year, quarter = _chosen_quarter(request)
    rows = quarterly.tracking(quarterly.tracked_bodies(request.user), year, quarter)
    context = {
        "rows": rows,
        "year": year,
        "quarter": quarter,
        "quarters": _quarter_choices(year, quarter),
        "code": quarterly.quarter_code(year, quarter),
        "can_consolidate": permissions.can_review_quarterly(request.user),
        "submitted": sum(1 for row in rows if not quarterly.not_sent(row.report)),
        "overdue": sum(1 for row in rows if row.overdue),
    }
    return render(request, "reports/quarterly/tracking.html", context)


@login_required
def quarterly_consolidated(request, year: int, quarter: int, fmt: str):
    """The province report, built on request: a handful of bodies make a small document."""
    if fmt not in quarterly.CONSOLIDATED_FORMATS or not 1 <= quarter <= 4:
        raise Http404
    if not ReportingBody.objects.reviewed_by(request.user).filter(is_active=True).exists():
        raise Http404
    content, name, content_type = quarterly.quarterly_consolidate(
        by=request.user, year=year, quarter=quarter, fmt=fmt
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
