"""Góp ý, kiến nghị: send, my items, the owners' inbox, one item, and the register."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import CriteriaSet, Product

from . import permissions, pilot
from .forms_pilot import AcceptForm, AnswerForm, DeclineForm, FeedbackForm, RegisterFilterForm
from .models import Feedback, FeedbackStatus, FeedbackTopic

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get_feedback_for_user(user, pk: int) -> Feedback:
    """The sender, the owners and the register's readers open an item; anyone else gets 404."""
    items = Feedback.objects.visible_to(user).select_related(
        "sender", "criteria_set", "product", "routed_to_unit", "routed_to_sector"
    )
    return get_object_or_404(items, pk=pk)


def _render(request, template: str, context: dict, status: int = 200):
    """Render with the booleans the feedback tabs need."""
    context["nav_feedback"] = {
        "handle": permissions.can_handle_feedback(request.user),
        "register": permissions.can_view_feedback_register(request.user),
    }
    return render(request, template, context, status=status)


def _prefill(request) -> dict:
    """Initial values from the "Góp ý" buttons of product and criteria-set pages."""
    user, initial = request.user, {}
    product_id, set_id = request.GET.get("san_pham", ""), request.GET.get("bo_tieu_chi", "")
    if product_id.isdecimal():
        product = get_object_or_404(Product.objects.visible_to(user), pk=product_id)
        initial.update(topic=FeedbackTopic.PRODUCT, product=product.pk, product_code=product.code)
    elif set_id.isdecimal():
        criteria_set = get_object_or_404(CriteriaSet.objects.visible_to(user), pk=set_id)
        initial.update(topic=FeedbackTopic.CRITERIA_SET, criteria_set=criteria_set.pk)
    return initial


def _apply(form, request, service, **kwargs) -> bool:
    """Run a service with the form's data; its validation errors land on the form."""
    try:
        service(by=request.user, **kwargs)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return False
    return True


@login_required
def feedback_create(request):
    if not permissions.can_send_feedback(request.user):
        raise PermissionDenied
    form = FeedbackForm(request.POST or None, user=request.user, initial=_prefill(request))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "product_code"}
        if _apply(form, request, pilot.feedback_send, **data):
            messages.success(request, _("Đã gửi góp ý. Bạn sẽ nhận thông báo khi có trả lời."))
            return redirect("reports:feedback_mine")
    return _render(request, "reports/pilot/feedback_form.html", {"form": form})


@login_required
def feedback_mine(request):
    items = Feedback.objects.filter(sender=request.user).select_related("criteria_set", "product")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "reports/pilot/feedback_list.html",
        {"page": page, "heading": _("Góp ý của tôi"), "mine": True},
    )


@login_required
def feedback_inbox(request):
    if not permissions.can_handle_feedback(request.user):
        raise PermissionDenied
    items = Feedback.objects.handled_by(request.user).filter(status__in=pilot.OPEN_STATUSES)
    items = items.select_related("sender", "criteria_set", "product")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "reports/pilot/feedback_list.html",
        {"page": page, "heading": _("Góp ý cần xử lý"), "inbox": True},
    )


@login_required
def feedback_register(request):
    if not permissions.can_view_feedback_register(request.user):
        raise PermissionDenied
    form = RegisterFilterForm(request.GET or None)
    items = form.apply(Feedback.objects.visible_to(request.user))
    items = items.select_related(
        "sender", "criteria_set", "product", "routed_to_unit", "routed_to_sector"
    )
    if request.GET.get("xuat") == "xlsx":
        response = HttpResponse(pilot.register_xlsx(items.order_by("created_at")), XLSX)
        name = f"so-theo-doi-gop-y-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "reports/pilot/register.html", {"page": page, "form": form})


def _detail_context(request, item: Feedback, **forms) -> dict:
    can_handle = permissions.can_handle_feedback(request.user, item) and not item.is_closed
    context = {
        "item": item,
        "can_handle": can_handle,
        "can_start_review": can_handle and item.status == FeedbackStatus.NEW,
        "route_label": pilot.route_label(item),
    }
    if can_handle:
        context["answer_form"] = forms.get("answer_form") or AnswerForm(
            initial={"answer": item.answer}
        )
        context["accept_form"] = forms.get("accept_form") or AcceptForm(
            user=request.user, item=item
        )
        context["decline_form"] = forms.get("decline_form") or DeclineForm()
    return context


@login_required
def feedback_detail(request, pk: int):
    item = get_feedback_for_user(request.user, pk)
    return _render(request, "reports/pilot/feedback_detail.html", _detail_context(request, item))


def _handled_item(request, pk: int) -> Feedback:
    item = get_feedback_for_user(request.user, pk)
    if not permissions.can_handle_feedback(request.user, item):
        raise PermissionDenied
    return item


@login_required
@require_POST
def feedback_start_review(request, pk: int):
    item = _handled_item(request, pk)
    try:
        pilot.feedback_start_review(by=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(item)


def _act(request, pk: int, form_class, form_name: str, service, done: str):
    item = _handled_item(request, pk)
    kwargs = {"user": request.user, "item": item} if form_class is AcceptForm else {}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if _apply(form, request, service, item=item, **data):
            messages.success(request, done)
            return redirect(item)
    context = _detail_context(request, item, **{form_name: form})
    return _render(request, "reports/pilot/feedback_detail.html", context, status=400)


@login_required
@require_POST
def feedback_answer(request, pk: int):
    done = _("Đã gửi trả lời cho người góp ý.")
    return _act(request, pk, AnswerForm, "answer_form", pilot.feedback_answer, done)


@login_required
@require_POST
def feedback_accept(request, pk: int):
    done = _("Đã chấp nhận góp ý.")
    return _act(request, pk, AcceptForm, "accept_form", pilot.feedback_accept, done)


@login_required
@require_POST
def feedback_decline(request, pk: int):
    done = _("Đã ghi nhận không chấp nhận góp ý.")
    return _act(request, pk, DeclineForm, "decline_form", pilot.feedback_decline, done)
