"""Khiếu nại screens (filing, the decider's list, resolution, attachments) and the year."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evaluations import assessment
from evaluations.models import (
    AnnualResult,
    Appeal,
    AppealStatus,
    CollectiveEvaluation,
    Evaluation,
    Rating,
)
from kpi_portal.models import AuditEvent

from .assessment_helpers import evaluation_of
from .view_helpers import PDF_BYTES

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures", "tests.evaluations.assessment_fixtures"]


def _url(name, *args) -> str:
    return reverse(f"evaluations:{name}", args=args)


def _pdf(name="bien-ban.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def contested(published, staff_a) -> Evaluation:
    """staff_a's published March result (downgraded to HTT over the quota)."""
    return evaluation_of(staff_a, published)


@pytest.fixture
def appeal(contested, staff_a, media) -> Appeal:
    return assessment.appeal_file(
        by=staff_a, evaluation=contested, text="Đề nghị xem xét lại", files=[_pdf()]
    )


# ---- filing ------------------------------------------------------------------------------------


def test_the_person_sees_the_deadline_and_files_with_attachments(as_user, contested, media):
    client = as_user("staff_a")
    page = client.get(_url("evaluation_detail", contested.pk))
    assert page.context["can_file_appeal"]
    assert "Hạn khiếu nại: hết ngày" in page.content.decode()
    data = {"text": "Tỷ lệ xuất sắc của nhóm còn chỉ tiêu", "files": [_pdf(), _pdf("don.pdf")]}
    response = client.post(_url("appeal_file", contested.pk), data, follow=True)
    assert "Đã gửi khiếu nại" in response.content.decode()
    appeal = Appeal.objects.get(evaluation=contested)
    assert sorted(a.name for a in appeal.attachments.all()) == ["bien-ban.pdf", "don.pdf"]
    assert not response.context["can_file_appeal"]  # one pending at a time


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(None, 302), ("staff_a2", 404), ("outsider_b", 404), ("head_agency", 403)],
)
def test_only_the_person_files_an_appeal(status_for, contested, persona, expected):
    url = _url("appeal_file", contested.pk)
    assert status_for(persona, url, "post", {"text": "Khiếu nại"}) == expected
    assert not Appeal.objects.exists()


def test_a_file_that_is_not_what_it_claims_is_refused(as_user, contested, media):
    fake = SimpleUploadedFile("anh.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = as_user("staff_a").post(
        _url("appeal_file", contested.pk), {"text": "Khiếu nại", "files": [fake]}
    )
    assert response.status_code == 200
    assert response.context["appeal_form"].errors
    assert not Appeal.objects.exists()


def test_an_appeal_without_text_is_refused_in_vietnamese(as_user, contested):
    response = as_user("staff_a").post(_url("appeal_file", contested.pk), {"text": " "})
    assert response.context["appeal_form"].errors["text"] == ["Không được để trống."]


def test_after_the_deadline_the_form_is_gone(as_user, contested):
    Evaluation.objects.filter(pk=contested.pk).update(
        published_at=timezone.now() - timedelta(days=14)
    )
    page = as_user("staff_a").get(_url("evaluation_detail", contested.pk))
    assert not page.context["can_file_appeal"]
    assert "Không còn trong thời hạn khiếu nại." in page.content.decode()


def test_an_undecided_evaluation_offers_no_appeal(as_user, mine):
    page = as_user("staff_a").get(_url("evaluation_detail", mine.pk))
    assert not page.context["can_file_appeal"]


# ---- the decider's list and resolution ---------------------------------------------------------

APPEAL_LIST = {
    None: 302,
    "head_agency": 200,
    "staff_a": 403,
    "head_a": 403,
    "hr_officer": 403,
    "org_dept_viewer": 403,
    "head_b": 403,
}


@pytest.mark.parametrize(("persona", "expected"), APPEAL_LIST.items())
def test_appeal_list_is_for_deciders(status_for, appeal, persona, expected):
    assert status_for(persona, _url("appeal_list")) == expected


def test_appeal_list_shows_open_appeals_by_default(as_user, appeal):
    client = as_user("head_agency")
    assert list(client.get(_url("appeal_list")).context["page"]) == [appeal]
    assert list(client.get(_url("appeal_list"), {"status": "rejected"}).context["page"]) == []
    assert list(client.get(_url("appeal_list"), {"status": "all"}).context["page"]) == [appeal]


APPEAL_PAGE = {
    None: 302,
    "head_agency": 200,
    "staff_a": 200,  # their own, read-only
    "org_dept_viewer": 200,  # read-only
    "staff_a2": 404,
    "outsider_b": 404,
    "head_b": 404,
}


@pytest.mark.parametrize(("persona", "expected"), APPEAL_PAGE.items())
def test_appeal_page_answers_by_scope(status_for, appeal, persona, expected):
    assert status_for(persona, _url("appeal_detail", appeal.pk)) == expected


def test_only_the_decider_gets_the_resolution_form(as_user, appeal):
    assert as_user("head_agency").get(_url("appeal_detail", appeal.pk)).context["can_resolve"]
    for persona in ("staff_a", "org_dept_viewer", "hr_officer"):
        page = as_user(persona).get(_url("appeal_detail", appeal.pk))
        assert not page.context["can_resolve"] and page.context["form"] is None


RESOLVE = {
    None: 302,
    "staff_a": 403,
    "org_dept_viewer": 403,
    "hr_officer": 403,
    "staff_a2": 404,
    "outsider_b": 404,
}


@pytest.mark.parametrize(("persona", "expected"), RESOLVE.items())
def test_nobody_else_resolves(status_for, appeal, persona, expected):
    data = {"decision": "reject", "resolution": "Không có căn cứ"}
    assert status_for(persona, _url("appeal_detail", appeal.pk), "post", data) == expected
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.OPEN


def test_a_resolution_needs_reasons(as_user, appeal):
    response = as_user("head_agency").post(_url("appeal_detail", appeal.pk), {"decision": "reject"})
    assert response.context["form"].errors["resolution"] == ["Không được để trống."]


def test_the_decider_rejects_with_reasons(as_user, appeal, contested):
    data = {"decision": "reject", "resolution": "Đúng quy định về tỷ lệ"}
    response = as_user("head_agency").post(_url("appeal_detail", appeal.pk), data, follow=True)
    assert "Đã giải quyết khiếu nại" in response.content.decode()
    appeal.refresh_from_db()
    assert (appeal.status, appeal.resolution) == (AppealStatus.REJECTED, "Đúng quy định về tỷ lệ")
    contested.refresh_from_db()
    assert contested.rating == Rating.HTT


def test_the_decider_accepts_with_a_rescore_into_a_new_decision(as_user, appeal, contested):
    data = {
        "decision": "accept",
        "resolution": "Nhóm còn chỉ tiêu xuất sắc",
        "rating": Rating.HTXS,
        "point_1": "9.5",
    }
    as_user("head_agency").post(_url("appeal_detail", appeal.pk), data)
    contested.refresh_from_db()
    assert contested.rating == Rating.HTXS
    assert contested.head_general == ["10", "9.5", "10"]
    assert [d.number for d in contested.decisions.all()] == [1, 2]
    assert AuditEvent.objects.filter(action="appeal.accept").exists()
    page = as_user("staff_a").get(_url("evaluation_detail", contested.pk))
    assert page.context["final_label"] == "Hoàn thành xuất sắc nhiệm vụ"
    assert "Nhóm còn chỉ tiêu xuất sắc" in page.content.decode()


ATTACHMENT = {
    None: 302,
    "staff_a": 200,
    "head_agency": 200,
    "staff_a2": 404,
    "outsider_b": 404,
    "head_b": 404,
}


@pytest.mark.parametrize(("persona", "expected"), ATTACHMENT.items())
def test_attachments_download_only_through_the_check(status_for, appeal, persona, expected):
    attachment = appeal.attachments.get()
    assert status_for(persona, _url("appeal_attachment", attachment.pk)) == expected


def test_an_attachment_downloads_as_a_file_never_inline(as_user, appeal):
    response = as_user("staff_a").get(_url("appeal_attachment", appeal.attachments.get().pk))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


# ---- the year and the collective ---------------------------------------------------------------

ANNUAL = {None: 302, "staff_a": 200, "head_agency": 200, "outsider_b": 200, "root": 200}


@pytest.mark.parametrize(("persona", "expected"), ANNUAL.items())
def test_the_year_page_is_for_everyone_logged_in(status_for, opened, persona, expected):
    assert status_for(persona, _url("annual", 2026)) == expected


def test_an_impossible_year_is_not_found(as_user):
    assert as_user("staff_a").get(_url("annual", 1999)).status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"), [(None, 302), ("head_a", 404), ("hr_officer", 403), ("staff_a", 404)]
)
def test_only_the_decider_computes_and_decides_the_year(
    status_for, published, units, persona, expected
):
    unit = units["T-SO"].pk
    assert status_for(persona, _url("annual_compute", 2026, unit), "post") == expected
    assert status_for(persona, _url("annual_decide", 2026, unit), "post") == expected
    assert not AnnualResult.objects.exists()


def test_the_decider_computes_decides_publishes_and_the_person_sees_their_year(
    as_user, published, units, staff_a2
):
    client = as_user("head_agency")
    page = client.get(_url("annual", 2026))
    assert page.context["unit"] == units["T-SO"]
    response = client.post(_url("annual_compute", 2026, units["T-SO"].pk), follow=True)
    assert "Đã tính kết quả năm 2026 cho 11 người." in response.content.decode()
    march = evaluation_of(staff_a2, published)
    rows = dict(response.context["rows"])
    result = rows[staff_a2.person]
    assert (result.periods_rated, result.total) == (1, march.total)
    assert as_user("staff_a2").get(_url("annual", 2026)).context["own"] is None
    decided = client.post(_url("annual_decide", 2026, units["T-SO"].pk), follow=True)
    assert "Đã quyết định xếp loại năm 2026 của 11 người." in decided.content.decode()
    assert as_user("staff_a2").get(_url("annual", 2026)).context["own"] is None
    client.post(_url("annual_publish", 2026, units["T-SO"].pk))
    own = as_user("staff_a2").get(_url("annual", 2026)).context["own"]
    assert own.rating == march.computed_rating
    deciding_again = client.post(_url("annual_decide", 2026, units["T-SO"].pk), follow=True)
    assert "Chưa có kết quả năm nào được tính" in deciding_again.content.decode()


COLLECTIVE = {
    None: 302,
    "system_admin": 200,
    "head_agency": 403,  # an agency is rated by the body above it
    "org_dept_viewer": 403,
    "head_a": 404,
    "outsider_b": 404,
}


@pytest.mark.parametrize(("persona", "expected"), COLLECTIVE.items())
def test_the_collective_form_is_for_the_superior_body(status_for, units, persona, expected):
    assert status_for(persona, _url("collective", 2026, units["T-SO"].pk)) == expected


def test_a_system_admin_assesses_an_agency_with_the_head_cap(as_user, published, units):
    data = {"point_0": "10", "point_1": "9", "point_2": "9", "head_capped": "on"}
    response = as_user("system_admin").post(
        _url("collective", 2026, units["T-SO"].pk), data, follow=True
    )
    assert "Đã đánh giá tập thể Sở Thử nghiệm năm 2026" in response.content.decode()
    collective = CollectiveEvaluation.objects.get(unit=units["T-SO"], year=2026)
    assert collective.head_capped and collective.general == ["10", "9", "9"]
    assert collective.total > Decimal("28")
