"""Hàng chờ phê duyệt: submitted entries of the people a leader (or delegate) reviews."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgunits import roles

from .. import permissions, services
from ..filters import ReviewQueueFilter
from ..forms import ReviewForm
from ..models import EntryStatus, Period, WorkEntry
from .common import (
    acting_head,
    add_errors,
    done,
    get_entry_for_user,
    require,
    safe_next,
    scope_units,
)

PAGE_SIZE = 50
COUNT_STEP = 1000


class QueuePaginator(Paginator):
    """Counts the queue only up to the next multiple of COUNT_STEP past the asked page."""

    # An agency head's queue can hold tens of thousands of entries, and counting them all cost
    # more than the page itself. Above the cap `count` is `cap + 1`, so the next page still
    # exists, and `capped` tells the template to say "hơn 1.000".

    def __init__(self, object_list, per_page: int, *, asked):
        super().__init__(object_list, per_page)
        wanted = int(asked) if str(asked).isdecimal() and int(asked) > 0 else 1
        self.cap = -(-(wanted * per_page + 1) // COUNT_STEP) * COUNT_STEP

    @cached_property
    def count(self) -> int:
        # Unordered: a sorted subquery would sort the whole queue just to count it.
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


@login_required
def review_queue(request):
    user = request.user
    require(permissions.can_review(user))
    today = timezone.localdate()
    filterset = ReviewQueueFilter(
        request.GET or None,
        queryset=WorkEntry.objects.review_queue(user, today),
        units=scope_units(user, today),
        periods=Period.objects.filter(state__in=services.REVIEWABLE_STATES),
    )
    # Two steps: the page's ids from the narrow scoped query (sorting tens of thousands of
    # joined rows to keep 50 was the slow part at province scale), then only those rows joined.
    ids = filterset.qs.order_by("submitted_at", "pk").values_list("pk", flat=True)
    asked = request.GET.get("page")
    page = QueuePaginator(ids, PAGE_SIZE, asked=asked).get_page(asked)
    page.object_list = list(
        WorkEntry.objects.filter(pk__in=list(page.object_list))
        .select_related("person", "unit", "product", "period", "plan_item")
        .order_by("submitted_at", "pk")
    )
    context = {
        "filter": filterset,
        "page": page,
        "acting_for": roles.delegations_to(user, today),
        "here": request.get_full_path(),
    }
    template = (
        "evaluations/partials/_review_rows.html"
        if request.htmx
        else "evaluations/review_queue.html"
    )
    return render(request, template, context)


def _entry_ids(values: list[str]) -> list[int]:
    return sorted({int(v) for v in values if v.isdecimal()})


@login_required
@require_POST
def review_bulk_approve(request):
    user = request.user
    back = safe_next(request, reverse("evaluations:review_queue"))
    ids = _entry_ids(request.POST.getlist("entries"))
    if not ids:
        messages.error(request, _("Hãy đánh dấu ít nhất một sản phẩm để phê duyệt."))
        return done(request, back)
    if WorkEntry.objects.visible_to(user).filter(pk__in=ids).count() != len(ids):
        raise Http404
    try:
        count = services.entries_bulk_approve(by=user, entry_ids=ids)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã phê duyệt %(c)s sản phẩm.") % {"c": count})
    return done(request, back)


@login_required
def entry_review(request, pk: int):
    """One entry's review: a page, or the queue's modal when asked by HTMX."""
    user = request.user
    entry = get_entry_for_user(user, pk)
    if entry.status == EntryStatus.SUBMITTED:
        require(permissions.can_review_entry(user, entry))
    form = ReviewForm(request.POST or None, entry=entry)
    conflict = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_review(
                by=user,
                entry=entry,
                review=form.review(),
                expected_version=form.cleaned_data["version"],
            )
        except services.ConflictError as error:
            conflict = " ".join(error.messages)
            entry = get_entry_for_user(user, pk)
            form = ReviewForm(entry=entry)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã lưu kết quả phê duyệt “%(p)s”.") % {"p": entry.product})
            return done(request, safe_next(request, reverse("evaluations:review_queue")))
    context = {
        "entry": entry,
        "form": form,
        "conflict": conflict,
        "can_review": permissions.can_review_entry(user, entry),
        "acting_head": acting_head(user, entry),
        "next": safe_next(request, reverse("evaluations:review_queue")),
    }
    template = (
        "evaluations/partials/_review_panel.html"
        if request.htmx
        else "evaluations/entry_review.html"
    )
    return render(request, template, context)
