"""Dashboards read only rollups, in a bounded number of queries, and show what the rollups say."""

from __future__ import annotations

import json
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Evaluation, Rating, WorkEntry
from orgunits import services as org_services
from orgunits.models import OrgUnit, Person, UnitKind, User
from reports import rollups
from reports.models import PersonPeriodRollup, ScopeKind, UnitPeriodRollup

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.reports.rollup_data"]

RAW_TABLES = ("evaluations_workentry", "evaluations_planitem")
QUERY_BUDGET = 45


@pytest.fixture
def rolled(filled):
    for period in filled:
        rollups.rebuild_period(period.pk, cascade=True)
    return filled


def _url(name: str, *args, **query) -> str:
    url = reverse(f"reports:{name}", args=args)
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _get(client, url: str):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [q["sql"] for q in captured.captured_queries]


def _chart(response, element_id: str) -> dict:
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, element_id
    return json.loads(match.group(1))


def _pages(units, staff_a, head_a):
    return [
        ("system_admin", _url("province_dashboard")),
        ("system_admin", _url("unit_dashboard", units["T-SO"].pk, ky="2026-Q1", sort="-htxs")),
        ("system_admin", _url("unit_dashboard", units["T-A"].pk, ky="2026-03")),
        ("system_admin", _url("person_dashboard", staff_a.person.pk)),
        ("head_a", _url("team_dashboard")),
        ("staff_a", _url("personal_dashboard")),
    ]


def test_dashboards_read_no_raw_work_log_and_stay_within_a_query_budget(
    rolled, client_for, units, staff_a, head_a
):
    for persona, url in _pages(units, staff_a, head_a):
        response, queries = _get(client_for(User.objects.get(username=persona)), url)
        assert response.status_code == 200, url
        raw = [sql for sql in queries if any(table in sql for table in RAW_TABLES)]
        assert raw == [], url
        assert len(queries) <= QUERY_BUDGET, (url, len(queries))


def test_the_query_count_does_not_grow_with_the_number_of_periods(
    periods, products, quota, client_for, system_admin, units, fill_period
):
    rng = random.Random(5)
    fill_period(rng, periods[0], list(products.values()))
    rollups.rebuild_period(periods[0].pk, cascade=True)
    url = _url("unit_dashboard", units["T-SO"].pk, ky="2026-Q1")
    client = client_for(system_admin)
    client.get(url)  # the first request warms per-process caches (content types, …)
    _response, one_month = _get(client, url)
    fill_period(rng, periods[1], list(products.values()))
    rollups.rebuild_period(periods[1].pk, cascade=True)
    _response, two_months = _get(client, url)
    assert len(two_months) == len(one_month)


def test_the_province_dashboard_shows_headline_figures_charts_and_their_tables(
    rolled, client_for, system_admin, units
):
    response = client_for(system_admin).get(_url("province_dashboard", ky="2026-Q1"))
    province = UnitPeriodRollup.objects.get(
        unit=units["T-ROOT"], scope_kind=ScopeKind.QUARTER, year=2026, number=1
    )
    page = response.content.decode()
    assert "Quý 1/2026" in page
    assert f"{province.people_rated}<span" in page
    bands = _chart(response, "bands-data")
    assert bands["labels"] == ["Khối Chính quyền", "Khối Đảng"]
    assert [d["key"] for d in bands["datasets"]] == ["HTXS", "HTT", "HT", "KHT"]
    assert 'id="bang-don-vi"' in page  # the accessible table beside the chart
    assert _url("unit_dashboard", units["T-CQ"].pk) in page
    trend = _chart(response, "trend-data")
    assert trend["labels"] == ["Quý 1/2026"]


def test_a_month_or_a_year_can_be_chosen_and_an_unknown_one_falls_back_to_the_latest_quarter(
    rolled, client_for, system_admin
):
    client = client_for(system_admin)
    assert "Tháng 02/2026" in client.get(_url("province_dashboard", ky="2026-02")).content.decode()
    assert "Năm 2026" in client.get(_url("province_dashboard", ky="2026")).content.decode()
    assert "Quý 1/2026" in client.get(_url("province_dashboard", ky="2031-Q9")).content.decode()


def test_drilling_down_shows_the_children_with_breadcrumbs_back_up(
    rolled, client_for, system_admin, units
):
    response = client_for(system_admin).get(_url("unit_dashboard", units["T-A"].pk, ky="2026-03"))
    page = response.content.decode()
    crumbs = page.split('aria-label="Đường dẫn"')[1].split("</nav>")[0]
    assert re.findall(r'<a href="/bao-cao/don-vi/\d+/\?ky=2026-03">([^<]+)</a>', crumbs) == [
        "Tỉnh Thử nghiệm",
        "Khối Chính quyền",
        "Sở Thử nghiệm",
    ]
    assert _chart(response, "bands-data")["labels"] == ["Tổ A1"]
    people = page.split('id="bang-nguoi"')[1]
    assert "Nguyễn Văn staff_a" in people
    assert "Nguyễn Văn staff_a1a" not in people  # evaluated in Nhóm A1a, below


def test_tables_sort_on_the_server_by_the_column_asked_for(rolled, client_for, system_admin, units):
    client = client_for(system_admin)
    url = _url("unit_dashboard", units["T-SO"].pk, ky="2026-Q1")
    ascending = _chart(client.get(url + "&sort=nguoi"), "bands-data")["labels"]
    descending = _chart(client.get(url + "&sort=-nguoi"), "bands-data")["labels"]
    assert ascending == ["Phòng B", "Phòng A"]
    assert descending == ["Phòng A", "Phòng B"]
    page = client.get(url + "&sort=-nguoi").content.decode()
    assert 'aria-sort="descending"' in page
    assert client.get(url + "&sort=drop-table").status_code == 200


def test_a_bloc_viewer_starts_at_the_bloc_and_never_sees_the_province_crumb(
    rolled, client_for, org_dept_viewer, units
):
    page = client_for(org_dept_viewer).get(_url("province_dashboard")).content.decode()
    assert '<h1 class="h4">Khối Chính quyền' in page
    crumbs = page.split('aria-label="Đường dẫn"')[1].split("</nav>")[0]
    assert "Tỉnh Thử nghiệm" not in crumbs


def test_outliers_list_units_over_the_cap_all_excellent_without_logs_and_flagged_people(
    periods, products, quota, client_for, system_admin, units, staff_a
):
    march = periods[1]
    from evaluations import assessment

    assessment.evaluations_open(period=march)
    # Everyone of the agency computed "xuất sắc": over the cap, and all excellent.
    Evaluation.objects.filter(period=march).update(computed_rating=Rating.HTXS, total=95)
    WorkEntry.objects.create(
        period=march,
        person=staff_a.person,
        unit=units["T-A"],
        author_role="staff",
        product=products["BC"],
        quantity=1,
        coefficient=1,
        completed_on=march.start,
        status="submitted",
        submitted_at=timezone.now(),
        flags=["day_over_pace"],
    )
    rollups.rebuild_period(march.pk, cascade=True)
    page = (
        client_for(system_admin)
        .get(_url("unit_dashboard", units["T-ROOT"].pk, ky="2026-03"))
        .content.decode()
    )
    section = page.split('id="outliers-title"')[1]
    over = section.split('id="vuot-ty-le"')[1].split("</ul>")[0]
    assert "Sở Thử nghiệm" in over and "Ban Tổ chức" in over
    excellent = section.split('id="deu-xuat-sac"')[1].split("</ul>")[0]
    assert "Sở Thử nghiệm" in excellent
    no_logs = section.split('id="khong-ghi-nhan"')[1].split("</ul>")[0]
    assert "Phòng B" in no_logs and "Phòng A" not in no_logs
    flagged = section.split('id="canh-bao"')[1].split("</ul>")[0]
    assert "Nguyễn Văn staff_a" in flagged


def test_communes_appear_as_a_grid_of_tiles_with_their_table(
    rolled, client_for, system_admin, units
):
    system = User.objects.get(username="root")
    commune = org_services.unit_create(
        by=system,
        parent=units["T-CQ"],
        code="T-XA",
        name="Xã Thử nghiệm",
        kind=UnitKind.COMMUNE,
        bloc=units["T-CQ"].bloc,
        active_from=units["T-CQ"].active_from,
    )
    UnitPeriodRollup.objects.create(
        unit=commune,
        unit_path=commune.path,
        depth=commune.depth,
        unit_kind=commune.kind,
        bloc=commune.bloc,
        scope_kind=ScopeKind.QUARTER,
        year=2026,
        number=1,
        people=4,
        count_htxs=1,
        count_htt=2,
        count_ht=1,
        updated_at=timezone.now(),
    )
    response = client_for(system_admin).get(_url("province_dashboard", ky="2026-Q1"))
    page = response.content.decode()
    grid = page.split('class="dash-grid')[1].split("</ul>")[0]
    assert "dash-tile-3" in grid and "75%" in grid  # 3 of 4 rated HTT or better
    assert 'id="bang-xa"' in page
    assert "Xã Thử nghiệm" not in str(_chart(response, "bands-data")["labels"])


def test_the_head_sees_each_persons_progress_and_who_has_not_logged_or_self_assessed(
    rolled, client_for, head_a, units
):
    march = rolled[1]
    rows = PersonPeriodRollup.objects.filter(period=march, unit_path__startswith=units["T-A"].path)
    response = client_for(head_a).get(_url("team_dashboard"))
    page = response.content.decode()
    assert "Nguyễn Văn staff_a1a" in page and "Nguyễn Văn outsider_b" not in page
    assert "Nguyễn Văn head_a" not in page.split('id="bang-tien-do"')[1]
    waiting = sum(r.entries_submitted for r in rows.exclude(person__user=head_a))
    assert f'id="hang-cho">{waiting}<' in page
    silent = rows.exclude(person__user=head_a)
    not_logged = sum(1 for r in silent if r.entries_total == 0)
    assert page.count("Chưa ghi nhận</span>") == not_logged


def test_my_dashboard_shows_my_period_and_history_and_the_engine_projects_my_score(
    rolled, client_for, staff_a
):
    client = client_for(staff_a)
    page = client.get(_url("personal_dashboard")).content.decode()
    assert "Tháng 03/2026" in page
    assert 'hx-get="/bao-cao/ca-nhan/du-kien/"' in page
    projection = client.get(_url("personal_projection"))
    assert projection.status_code == 200
    assert "Tổng điểm dự kiến" in projection.content.decode()


def test_a_persons_page_lists_each_period_with_a_link_to_the_phieu(
    rolled, client_for, org_dept_viewer, staff_a
):
    page = (
        client_for(org_dept_viewer)
        .get(_url("person_dashboard", staff_a.person.pk))
        .content.decode()
    )
    assert "Tháng 02/2026" in page and "Tháng 03/2026" in page
    evaluation = Evaluation.objects.filter(person=staff_a.person).first()
    assert reverse("evaluations:evaluation_detail", args=[evaluation.pk]) in page


def test_without_any_rollup_the_dashboard_says_so_instead_of_failing(
    client_for, system_admin, units
):
    response = client_for(system_admin).get(_url("province_dashboard"))
    assert response.status_code == 200
    assert "Chưa có số liệu tổng hợp" in response.content.decode()


def test_the_menu_offers_the_dashboards_each_role_may_open(rolled, client_for, units):
    def menu(name):
        page = client_for(User.objects.get(username=name)).get("/").content.decode()
        return (
            page.split("Báo cáo, thống kê")[1].split("</ul>")[0]
            if "Báo cáo, thống kê" in page
            else ""
        )

    assert "Toàn tỉnh, khối" in menu("org_dept_viewer")
    assert "Toàn tỉnh, khối" not in menu("staff_a")
    assert "Đơn vị của tôi" in menu("head_a")
    assert "Kết quả của tôi" in menu("staff_a")


def test_unit_rollup_rows_exist_for_the_units_used_above(rolled):
    assert OrgUnit.objects.filter(code="T-BTC").exists()
    assert UnitPeriodRollup.objects.filter(unit__code="T-BTC", scope_kind="quarter").exists()


def _add_people(units, period, count: int) -> list[PersonPeriodRollup]:
    """Rollup rows for `count` more people of Phòng A who logged, copied from a real row."""
    model = PersonPeriodRollup.objects.filter(period=period, unit=units["T-A"]).first()
    added = []
    for n in range(count):
        user = User.objects.create(username=f"dong_{period.pk}_{n}", staff_code=f"DONG{n:04d}")
        person = Person.objects.create(
            user=user,
            full_name=f"Trần Thị Đông {n:03d}",
            category="cong_chuc",
            hrmis_code=f"DONG{n:04d}",
        )
        row = PersonPeriodRollup.objects.get(pk=model.pk)
        row.pk, row.person, row.evaluation = None, person, None
        row.entries_approved = row.entries_submitted = 1
        row.entries_draft = row.entries_returned = 0
        row.save()
        added.append(row)
    return added


def test_the_head_dashboard_uses_the_same_number_of_queries_for_a_few_or_many_people(
    rolled, client_for, head_a, units
):
    client = client_for(head_a)
    url = _url("team_dashboard")
    client.get(url)  # the first request warms per-process caches
    _response, few = _get(client, url)
    _add_people(units, rolled[1], 120)
    response, many = _get(client, url)
    assert len(many) == len(few)
    assert len(many) <= QUERY_BUDGET
    table = response.content.decode().split('id="bang-tien-do"')[1]
    assert table.count('<th scope="row"') == 50  # one page; the rest a click away


def test_a_head_of_a_big_unit_finds_anyone_by_name_code_or_what_they_still_owe(
    rolled, client_for, head_a, units
):
    added = _add_people(units, rolled[1], 60)
    behind = added[-1]
    PersonPeriodRollup.objects.filter(pk=behind.pk).update(entries_approved=0, entries_submitted=0)
    client = client_for(head_a)

    page = client.get(_url("team_dashboard", q="đông 059")).content.decode()
    assert "Trần Thị Đông 059" in page and "Trần Thị Đông 058" not in page
    page = client.get(_url("team_dashboard", q="dong0007")).content.decode()
    assert "Trần Thị Đông 007" in page.split('id="bang-tien-do"')[1]

    page = client.get(_url("team_dashboard", loc="chua-ghi-nhan")).content.decode()
    table = page.split('id="bang-tien-do"')[1]
    assert "Trần Thị Đông 059" in table and "Trần Thị Đông 000" not in table
    not_logged = int(re.search(r'id="chua-ghi-nhan">(\d+)<', page).group(1))
    assert table.count("Chưa ghi nhận</span>") == not_logged  # the list behind the count

    second = client.get(_url("team_dashboard", sort="ten", page=2)).content.decode()
    assert "Trần Thị Đông" in second.split('id="bang-tien-do"')[1]
    assert "Hiển thị 51–" in second
    assert client.get(_url("team_dashboard", page="x", sort="drop")).status_code == 200
    nobody = client.get(_url("team_dashboard", q="không có ai tên này")).content.decode()
    assert "Không có ai khớp với điều kiện lọc." in nobody
