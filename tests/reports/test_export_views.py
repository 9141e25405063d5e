"""Báo cáo của tôi: who may request, watch, download and retry export jobs, and what they see."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orgunits.models import User
from reports.models import ExportKind, ExportStatus, ReportExport
from tests.evaluations import conftest as evaluation_fixtures

pytestmark = pytest.mark.django_db

period = evaluation_fixtures.period

LIST = "/bao-cao/xuat/"
CREATE = "/bao-cao/xuat/tao/"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def post(client_for, django_capture_on_commit_callbacks):
    """POST as a persona; the eager export task runs when the request's transaction commits."""

    def send(user, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client_for(user).post(url, data or {})

    return send


def job(user, status=ExportStatus.QUEUED, **fields) -> ReportExport:
    return ReportExport.objects.create(
        kind=fields.pop("kind", ExportKind.UNIT_SUMMARY),
        format="xlsx",
        parameters=fields.pop("parameters", {}),
        title=fields.pop("title", "Biểu tổng hợp — Phòng A"),
        status=status,
        requested_by=user,
        expires_at=fields.pop("expires_at", timezone.now() + timedelta(days=7)),
        **fields,
    )


@pytest.fixture
def done_job(post, head_a, units, period) -> ReportExport:
    post(
        head_a, CREATE, {"kind": "unit_summary", "ky-unit": units["T-A"].pk, "ky-period": period.pk}
    )
    export = ReportExport.objects.get(requested_by=head_a)
    assert export.status == ExportStatus.DONE
    return export


# ---- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [LIST, "/bao-cao/xuat/1/trang-thai/", "/bao-cao/xuat/1/tai-ve/", "/bao-cao/xuat/1/thu-lai/"],
)
def test_anonymous_visitors_are_sent_to_log_in(client_for, url):
    response = client_for(None).get(url)
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_an_account_with_no_staff_record_and_no_scope_has_no_report_page(client_for, units):
    bare = User.objects.create_user("bare", password="x-" * 8)
    assert client_for(bare).get(LIST).status_code == 403


def test_an_overseer_picks_among_the_units_they_oversee_and_both_groups_of_reports(
    client_for, org_dept_viewer, period
):
    response = client_for(org_dept_viewer).get(LIST)
    assert response.status_code == 200
    units = [u.code for u in response.context["period_form"].fields["unit"].queryset]
    assert units == ["T-CQ", "T-SO", "T-A", "T-A1", "T-A1a", "T-B"]  # not their own T-BTC
    quarter_kinds = {value for value, _label in response.context["quarter_form"].kinds}
    assert quarter_kinds == {ExportKind.PROVINCE_QUARTER, ExportKind.STANDING_COMMITTEE_PDF}
    html = response.content.decode()
    assert "Báo cáo quý gửi Ban Thường vụ (PDF)" in html
    assert "Báo cáo của tôi" in html


def test_staff_get_only_their_own_papers_to_export(client_for, staff_a, period):
    response = client_for(staff_a).get(LIST)
    form = response.context["period_form"]
    assert "unit" not in form.fields
    assert form["person"].initial == staff_a.person.hrmis_code
    assert {value for value, _label in form.kinds} == {
        ExportKind.PERSON_DETAIL,
        ExportKind.WORKLOG,
        ExportKind.FORM01_PDF,
    }
    assert response.context["quarter_form"] is None


def test_the_page_lists_only_the_users_own_jobs(client_for, head_a, head_b):
    mine = job(head_a, title="Của tôi")
    job(head_b, title="Của người khác")
    rows = client_for(head_a).get(LIST).context["rows"]
    assert [row.export for row in rows] == [mine]


# ---- requesting -------------------------------------------------------------------------------


def test_a_request_is_queued_run_and_shown_done(post, client_for, head_a, units, period):
    response = post(
        head_a, CREATE, {"kind": "unit_summary", "ky-unit": units["T-A"].pk, "ky-period": period.pk}
    )
    assert response.status_code == 302 and response["Location"] == LIST
    export = ReportExport.objects.get(requested_by=head_a)
    assert (export.status, export.parameters) == (
        ExportStatus.DONE,
        {"unit": units["T-A"].pk, "period": period.pk},
    )
    page = client_for(head_a).get(LIST).content.decode()
    assert f"/bao-cao/xuat/{export.pk}/tai-ve/" in page


def test_a_quarterly_report_is_requested_with_a_year_and_a_quarter(
    post, org_dept_viewer, units, period
):
    data = {"kind": "province_quarter", "quy-unit": units["T-CQ"].pk, "quy-year": 2026}
    post(org_dept_viewer, CREATE, {**data, "quy-quarter": 1})
    export = ReportExport.objects.get(requested_by=org_dept_viewer)
    assert export.parameters == {"unit": units["T-CQ"].pk, "year": 2026, "quarter": 1}
    assert export.status == ExportStatus.DONE


def test_requesting_a_unit_outside_scope_answers_404_and_queues_nothing(
    post, head_a, org_dept_viewer, units, period
):
    for user, unit in ((head_a, "T-B"), (org_dept_viewer, "T-BTC")):
        data = {"kind": "unit_summary", "ky-unit": units[unit].pk, "ky-period": period.pk}
        assert post(user, CREATE, data).status_code == 404
    assert not ReportExport.objects.exists()


def test_staff_may_not_request_a_unit_wide_report(post, staff_a, units, period):
    data = {"kind": "unit_summary", "ky-unit": units["T-A"].pk, "ky-period": period.pk}
    assert post(staff_a, CREATE, data).status_code == 403
    assert not ReportExport.objects.exists()


def test_staff_request_their_own_form_and_no_one_elses(post, staff_a, head_a, period):
    own = {"kind": "form01_pdf", "ky-person": staff_a.person.hrmis_code, "ky-period": period.pk}
    other = {**own, "ky-person": head_a.person.hrmis_code}
    response = post(staff_a, CREATE, other)
    assert response.status_code == 200
    assert "Không tìm thấy cán bộ có mã này trong phạm vi của bạn." in response.content.decode()
    assert not ReportExport.objects.exists()
    post(staff_a, CREATE, own)
    export = ReportExport.objects.get()
    assert export.parameters == {"person": staff_a.person.pk, "period": period.pk}
    assert export.format == "pdf"


def test_an_unknown_kind_answers_404(post, head_a, units, period):
    data = {"kind": "everything", "ky-unit": units["T-A"].pk, "ky-period": period.pk}
    assert post(head_a, CREATE, data).status_code == 404


# ---- polling ----------------------------------------------------------------------------------


def test_a_running_row_polls_every_two_seconds_and_a_finished_one_stops(client_for, head_a):
    running = job(head_a, status=ExportStatus.RUNNING, progress=40)
    client = client_for(head_a)
    html = client.get(f"/bao-cao/xuat/{running.pk}/trang-thai/", HTTP_HX_REQUEST="true")
    html = html.content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="40"' in html and "Đang tạo" in html
    ReportExport.objects.filter(pk=running.pk).update(status=ExportStatus.FAILED, error="Hỏng")
    html = client.get(f"/bao-cao/xuat/{running.pk}/trang-thai/").content.decode()
    assert "hx-trigger" not in html and "Hỏng" in html and "Thử lại" in html


def test_someone_elses_job_status_is_404(client_for, head_a, head_b):
    other = job(head_b)
    assert client_for(head_a).get(f"/bao-cao/xuat/{other.pk}/trang-thai/").status_code == 404


# ---- downloading ------------------------------------------------------------------------------


def test_the_requester_downloads_an_attachment_that_is_not_sniffed(client_for, done_job, head_a):
    response = client_for(head_a).get(f"/bao-cao/xuat/{done_job.pk}/tai-ve/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert done_job.filename in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(response.streaming_content).startswith(b"PK")


@pytest.mark.parametrize("persona", ["head_agency", "deputy_a", "org_dept_viewer", "staff_a"])
def test_anyone_but_the_requester_gets_404_even_with_a_wider_scope(client_for, done_job, persona):
    user = User.objects.get(username=persona)
    assert client_for(user).get(f"/bao-cao/xuat/{done_job.pk}/tai-ve/").status_code == 404


def test_a_system_administrator_may_download_any_job(client_for, done_job, system_admin):
    assert client_for(system_admin).get(f"/bao-cao/xuat/{done_job.pk}/tai-ve/").status_code == 200


def test_an_expired_or_unfinished_job_has_nothing_to_download(client_for, done_job, head_a):
    ReportExport.objects.filter(pk=done_job.pk).update(expires_at=timezone.now())
    assert client_for(head_a).get(f"/bao-cao/xuat/{done_job.pk}/tai-ve/").status_code == 404
    queued = job(head_a)
    assert client_for(head_a).get(f"/bao-cao/xuat/{queued.pk}/tai-ve/").status_code == 404


# ---- retrying ---------------------------------------------------------------------------------


def test_the_requester_retries_a_failed_job(post, head_a, units, period):
    failed = job(
        head_a,
        status=ExportStatus.FAILED,
        error="Không tìm thấy kỳ đánh giá cần xuất báo cáo.",
        parameters={"unit": units["T-A"].pk, "period": period.pk},
        attempts=1,
    )
    response = post(head_a, f"/bao-cao/xuat/{failed.pk}/thu-lai/")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == (ExportStatus.DONE, "", 2)


def test_nobody_retries_someone_elses_job_or_one_that_did_not_fail(post, head_a, head_b):
    failed = job(head_b, status=ExportStatus.FAILED)
    assert post(head_a, f"/bao-cao/xuat/{failed.pk}/thu-lai/").status_code == 404
    done = job(head_a, status=ExportStatus.DONE)
    assert post(head_a, f"/bao-cao/xuat/{done.pk}/thu-lai/").status_code == 403
