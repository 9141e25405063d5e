"""The work-log screens: logging, favourites, repeating, editing, evidence and history."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations import services
from evaluations.models import EntryStatus, FavouriteProduct, Period, PeriodState, WorkEntry
from kpi_portal.models import AuditEvent

from .view_helpers import PDF_BYTES, log

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures"]

# Persona → status for pages about one entry of staff_a (Phòng A).
ENTRY_DETAIL = {
    None: 302,
    "staff_a": 200,  # the author
    "staff_a2": 404,  # a colleague sees nothing of it
    "head_a": 200,
    "deputy_a": 200,
    "delegate": 200,
    "expired_delegate": 404,
    "head_agency": 200,
    "head_b": 404,
    "outsider_b": 404,
    "hr_officer": 200,
    "org_dept_viewer": 200,  # read-only oversight
    "party_viewer": 404,
    "system_admin": 200,
}

ENTRY_EDIT = {
    None: 302,
    "staff_a": 200,
    "staff_a2": 404,
    "head_a": 403,  # sees it, may not change it
    "delegate": 403,
    "head_b": 404,
    "outsider_b": 404,
    "org_dept_viewer": 403,
}

EVIDENCE = {
    None: 302,
    "staff_a": 200,
    "head_a": 200,
    "delegate": 200,
    "org_dept_viewer": 200,
    "staff_a2": 404,
    "expired_delegate": 404,
    "head_b": 404,
    "outsider_b": 404,
    "party_viewer": 404,
}


def _form(product, **overrides) -> dict:
    data = {"product": product.pk, "quantity": "3", "completed_on": ""}
    data.update(overrides)
    return data


def _today_text(workday) -> str:
    return workday.strftime("%d/%m/%Y")


# ---- who may open what --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(None, 302), ("staff_a", 200), ("outsider_b", 200), ("head_a", 200), ("root", 403)],
)
def test_work_log_opens_for_anyone_working_somewhere(status_for, period, persona, expected):
    assert status_for(persona, reverse("evaluations:worklog", args=[period.pk])) == expected


def test_work_log_without_period_redirects_to_the_period_of_todays_work(as_user, units):
    response = as_user("staff_a").get(reverse("evaluations:worklog_current"))
    today = services.period_for_work(bloc=units["T-A"].bloc, completed_on=timezone.localdate())
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluations:worklog", args=[today.pk])


def test_work_log_lists_only_own_entries(as_user, draft, period):
    url = reverse("evaluations:worklog", args=[period.pk])
    mine = as_user("staff_a").get(url)
    theirs = as_user("outsider_b").get(url)
    assert draft.get_absolute_url() in mine.content.decode()
    assert draft.get_absolute_url() not in theirs.content.decode()


@pytest.mark.parametrize(("persona", "expected"), ENTRY_DETAIL.items())
def test_entry_page_answers_by_scope(status_for, draft, persona, expected):
    assert status_for(persona, draft.get_absolute_url()) == expected


@pytest.mark.parametrize(("persona", "expected"), ENTRY_EDIT.items())
def test_only_the_author_edits_an_entry(status_for, draft, persona, expected):
    assert status_for(persona, reverse("evaluations:entry_edit", args=[draft.pk])) == expected


@pytest.mark.parametrize(("persona", "expected"), EVIDENCE.items())
def test_evidence_downloads_only_for_who_sees_the_entry(
    status_for, with_evidence, persona, expected
):
    url = reverse("evaluations:entry_evidence", args=[with_evidence.pk])
    assert status_for(persona, url) == expected


@pytest.mark.parametrize("name", ["entry_submit", "entry_delete", "entry_repeat"], ids=lambda n: n)
def test_others_cannot_act_on_an_entry(status_for, draft, name):
    url = reverse(f"evaluations:{name}", args=[draft.pk])
    assert status_for("head_a", url, "post") == 403
    assert status_for("outsider_b", url, "post") == 404
    assert status_for(None, url, "post") == 302
    assert WorkEntry.objects.filter(person__user__username="staff_a").count() == 1
    assert WorkEntry.objects.get(pk=draft.pk).status == EntryStatus.DRAFT


# ---- logging ------------------------------------------------------------------------------


def test_quick_add_logs_a_draft_with_a_dd_mm_yyyy_date(as_user, staff_a, products, period, workday):
    url = reverse("evaluations:worklog", args=[period.pk])
    data = _form(products["VB"], completed_on=_today_text(workday), doc_number="12/BC-SNV")
    response = as_user("staff_a").post(url, data)
    assert response.status_code == 302
    entry = WorkEntry.objects.get(person=staff_a.person)
    assert (entry.product, entry.quantity, entry.status) == (
        products["VB"],
        Decimal("3"),
        EntryStatus.DRAFT,
    )
    assert entry.doc_number == "12/BC-SNV"
    assert AuditEvent.objects.filter(action="worklog.create", object_id=str(entry.pk)).exists()


def test_quick_add_without_a_product_asks_for_one(as_user, period, workday, products):
    url = reverse("evaluations:worklog", args=[period.pk])
    response = as_user("staff_a").post(url, {"quantity": "1", "completed_on": "x"})
    assert response.status_code == 200
    assert "Hãy chọn sản phẩm đã hoàn thành." in response.content.decode()
    assert not WorkEntry.objects.exists()


def test_quick_add_rejects_a_renamed_executable_and_writes_nothing(
    as_user, media, products, period, workday
):
    upload = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 512)
    data = _form(products["BC"], completed_on=_today_text(workday), evidence=upload)
    response = as_user("staff_a").post(reverse("evaluations:worklog", args=[period.pk]), data)
    assert response.status_code == 200
    assert "không đúng định dạng cho phép" in response.content.decode()
    assert not WorkEntry.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_quick_add_rejects_a_file_over_ten_megabytes_and_writes_nothing(
    as_user, media, products, period, workday
):
    upload = SimpleUploadedFile("bao-cao.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024 + 1))
    data = _form(products["BC"], completed_on=_today_text(workday), evidence=upload)
    response = as_user("staff_a").post(reverse("evaluations:worklog", args=[period.pk]), data)
    assert response.status_code == 200
    assert "lớn hơn 10 MB" in response.content.decode()
    assert not WorkEntry.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_quick_add_stores_a_real_pdf_privately(as_user, media, staff_a, products, period, workday):
    upload = SimpleUploadedFile("Biên bản họp.pdf", PDF_BYTES)
    data = _form(products["BC"], completed_on=_today_text(workday), evidence=upload)
    as_user("staff_a").post(reverse("evaluations:worklog", args=[period.pk]), data)
    entry = WorkEntry.objects.get(person=staff_a.person)
    assert entry.evidence_name == "Biên bản họp.pdf"
    assert entry.evidence_type == "application/pdf"
    assert "Biên bản" not in entry.evidence.name  # stored under a random name


def test_evidence_download_is_an_attachment_with_the_stored_type(as_user, with_evidence):
    url = reverse("evaluations:entry_evidence", args=[with_evidence.pk])
    response = as_user("head_a").get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="bien-ban.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_entry_without_a_file_has_no_evidence_download(as_user, draft):
    url = reverse("evaluations:entry_evidence", args=[draft.pk])
    assert as_user("staff_a").get(url).status_code == 404


def test_quick_add_offers_only_assigned_plan_items_of_the_period(
    as_user, plan_item, proposal, period
):
    page = as_user("staff_a").get(reverse("evaluations:worklog", args=[period.pk]))
    choices = list(page.context["form"].fields["plan_item"].queryset)
    assert choices == [plan_item]
    assert f"Báo cáo định kỳ × 10, hạn {plan_item.due_date:%d/%m/%Y}" in page.content.decode()


def test_entry_linked_to_an_assigned_item_shows_its_due_date(
    as_user, staff_a, plan_item, products, period, workday
):
    data = _form(products["BC"], completed_on=_today_text(workday), plan_item=plan_item.pk)
    as_user("staff_a").post(reverse("evaluations:worklog", args=[period.pk]), data)
    assert WorkEntry.objects.get(person=staff_a.person).plan_item == plan_item
    page = as_user("staff_a").get(reverse("evaluations:worklog", args=[period.pk]))
    assert plan_item.due_date.strftime("%d/%m/%Y") in page.content.decode()


# ---- search, favourites, recent -----------------------------------------------------------


def test_product_search_shows_code_name_unit_and_coefficient(as_user, products):
    url = reverse("evaluations:product_search")
    response = as_user("staff_a").get(url, {"q": "hồ sơ"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Giải quyết hồ sơ thủ tục hành chính" in html
    assert "HS" in html
    assert "hồ sơ" in html
    assert "0,3" in html  # hệ số quy đổi, in Vietnamese notation
    assert "Báo cáo định kỳ" not in html


def test_product_search_needs_a_person(status_for, products):
    assert status_for("root", reverse("evaluations:product_search") + "?q=a") == 403


def test_star_toggles_a_favourite_shown_on_top_of_the_log(as_user, staff_a, products, period):
    client = as_user("staff_a")
    url = reverse("evaluations:favourite_toggle", args=[products["HS"].pk])
    response = client.post(url, headers={"HX-Request": "true"})
    assert "bi-star-fill" in response.content.decode()
    assert FavouriteProduct.objects.filter(person=staff_a.person, product=products["HS"]).exists()
    page = client.get(reverse("evaluations:worklog", args=[period.pk]))
    assert list(page.context["favourites"]) == [products["HS"]]
    client.post(url, headers={"HX-Request": "true"})
    assert not FavouriteProduct.objects.filter(person=staff_a.person).exists()


def test_recent_lists_the_last_distinct_products_with_a_repeat_button(
    as_user, staff_a, products, period, workday, quota
):
    first = log(staff_a, products["BC"], "1", workday)
    log(staff_a, products["HS"], "5", workday)
    latest_bc = log(staff_a, products["BC"], "2", workday)
    page = as_user("staff_a").get(reverse("evaluations:worklog", args=[period.pk]))
    recent = list(page.context["recent"])
    assert [e.product.code for e in recent] == ["BC", "HS"]
    assert recent[0] == latest_bc and first not in recent
    html = page.content.decode()
    assert reverse("evaluations:entry_repeat", args=[latest_bc.pk]) in html


def test_ghi_lai_repeats_a_recent_entry_for_today_in_one_click(as_user, staff_a, draft):
    response = as_user("staff_a").post(reverse("evaluations:entry_repeat", args=[draft.pk]))
    copy = WorkEntry.objects.exclude(pk=draft.pk).get(person=staff_a.person)
    assert response["Location"] == reverse("evaluations:worklog", args=[copy.period_id])
    assert (copy.product_id, copy.quantity, copy.completed_on, copy.status) == (
        draft.product_id,
        draft.quantity,
        timezone.localdate(),
        EntryStatus.DRAFT,
    )


# ---- submit, edit, delete ------------------------------------------------------------------


def test_submit_one_entry(as_user, draft):
    as_user("staff_a").post(reverse("evaluations:entry_submit", args=[draft.pk]))
    assert WorkEntry.objects.get(pk=draft.pk).status == EntryStatus.SUBMITTED


def test_submit_all_sends_every_draft_of_the_period(as_user, staff_a, products, period, workday):
    log(staff_a, products["BC"], "1", workday)
    log(staff_a, products["HS"], "2", workday)
    response = as_user("staff_a").post(reverse("evaluations:submit_all", args=[period.pk]))
    assert response.status_code == 302
    statuses = set(WorkEntry.objects.values_list("status", flat=True))
    assert statuses == {EntryStatus.SUBMITTED}


def test_submit_all_with_nothing_to_send_says_so(as_user, period, products):
    client = as_user("staff_a")
    response = client.post(reverse("evaluations:submit_all", args=[period.pk]), follow=True)
    assert "Không có sản phẩm nháp nào để gửi." in response.content.decode()


def test_edit_changes_quantity_and_is_audited(as_user, draft, workday):
    url = reverse("evaluations:entry_edit", args=[draft.pk])
    data = _form(draft.product, quantity="5", completed_on=_today_text(workday), note="bổ sung")
    response = as_user("staff_a").post(url, data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.quantity, draft.note) == (Decimal("5"), "bổ sung")
    assert AuditEvent.objects.filter(action="worklog.update", object_id=str(draft.pk)).exists()


def test_submitted_entry_is_no_longer_editable(status_for, submitted):
    assert status_for("staff_a", reverse("evaluations:entry_edit", args=[submitted.pk])) == 403


def test_delete_removes_a_draft(as_user, draft):
    as_user("staff_a").post(reverse("evaluations:entry_delete", args=[draft.pk]))
    assert not WorkEntry.objects.filter(pk=draft.pk).exists()


def test_returned_entry_shows_the_reviewers_reason_and_can_be_fixed(
    as_user, submitted, head_a, period
):
    services.entry_review(
        by=head_a, entry=submitted, review=services.Review(approve=False, note="Thiếu số văn bản")
    )
    page = as_user("staff_a").get(reverse("evaluations:worklog", args=[period.pk]))
    html = page.content.decode()
    assert "Thiếu số văn bản" in html
    assert reverse("evaluations:entry_edit", args=[submitted.pk]) in html


# ---- locked periods -----------------------------------------------------------------------


@pytest.fixture
def locked(period) -> Period:
    Period.objects.filter(pk=period.pk).update(state=PeriodState.LOCKED)
    period.refresh_from_db()
    return period


def test_locked_period_refuses_edits_through_the_views(as_user, draft, locked, workday):
    client = as_user("staff_a")
    edit = reverse("evaluations:entry_edit", args=[draft.pk])
    data = _form(draft.product, quantity="9", completed_on=_today_text(workday))
    assert client.get(edit).status_code == 403
    assert client.post(edit, data).status_code == 403
    response = client.post(reverse("evaluations:entry_submit", args=[draft.pk]), follow=True)
    assert "không thể thay đổi" in response.content.decode()
    client.post(reverse("evaluations:entry_delete", args=[draft.pk]))
    draft.refresh_from_db()
    assert (draft.quantity, draft.status) == (Decimal("2"), EntryStatus.DRAFT)


def test_locked_period_refuses_new_entries_with_a_message(
    as_user, staff_a, locked, products, workday
):
    url = reverse("evaluations:worklog", args=[locked.pk])
    data = _form(products["BC"], completed_on=_today_text(workday))
    response = as_user("staff_a").post(url, data)
    assert response.status_code == 200
    assert "Đã khóa" in response.content.decode()
    assert not WorkEntry.objects.filter(person=staff_a.person).exists()


def test_locked_period_page_hides_entry_actions(as_user, draft, locked):
    page = as_user("staff_a").get(reverse("evaluations:worklog", args=[locked.pk]))
    html = page.content.decode()
    assert reverse("evaluations:entry_edit", args=[draft.pk]) not in html
    assert reverse("evaluations:submit_all", args=[locked.pk]) not in html


# ---- the page itself ----------------------------------------------------------------------


def test_progress_card_counts_standard_products_by_status(
    as_user, staff_a, products, period, workday, quota
):
    log(staff_a, products["VB"], "2", workday)  # 8 sản phẩm chuẩn, draft
    page = as_user("staff_a").get(reverse("evaluations:worklog", args=[period.pk]))
    progress = page.context["progress"]
    assert progress.logged == Decimal("8")
    assert progress.quota == Decimal("44")
    assert "8,00" in page.content.decode()


def test_entry_page_shows_the_authors_audit_history(as_user, submitted):
    page = as_user("staff_a").get(submitted.get_absolute_url())
    labels = [event.label for event in page.context["history"]]
    assert labels == ["Gửi phê duyệt", "Ghi nhận"]
    assert "Chờ phê duyệt" in page.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        client.get(url)
    return len(context)


def test_work_log_page_queries_do_not_grow_with_entries(
    as_user, staff_a, products, period, workday, quota
):
    client, url = as_user("staff_a"), reverse("evaluations:worklog", args=[period.pk])
    log(staff_a, products["HS"], "1", workday)
    client.get(url)  # opens today's period once
    few = _queries(client, url)
    for _ in range(30):
        log(staff_a, products["BC"], "1", workday)
    assert _queries(client, url) == few
