"""Tính thử điểm: the what-if calculator gives the engine's own answer and explains bad input."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures"]

URL = reverse("evaluations:calculator")
ISSUE_CASE = {
    "kind": "individual",
    "preset": "nd335",
    "role": "staff",
    "general": [9.5, 9, 8],
    "tasks": [
        {
            "coefficient": 1.5,
            "assigned": 4,
            "done": 4,
            "quality": "pass",
            "major_errors": 1,
            "delays": 0,
            "exempt": False,
            "exceeded": False,
        }
    ],
    "flags": {"disciplined": False, "degraded": False, "unit_corruption": False},
}


def _form(**extra) -> dict:
    """The issue's example as the page posts it: one line k=1.5, a=4, d=4, one major error."""
    data = {
        "preset": "nd335",
        "shown_preset": "nd335",
        "role": "staff",
        "subordinates": "ok",
        "organizing": "1",
        "point_0": "9.5",
        "point_1": "9",
        "point_2": "8",
        "line-TOTAL_FORMS": "1",
        "line-INITIAL_FORMS": "1",
        "line-MIN_NUM_FORMS": "0",
        "line-MAX_NUM_FORMS": "30",
        "line-0-coefficient": "1.5",
        "line-0-assigned": "4",
        "line-0-done": "4",
        "line-0-quality_pass": "1",
        "line-0-major_errors": "1",
        "line-0-delays": "0",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def _score_case(case: dict) -> dict:
    out = StringIO()
    call_command("score_case", "-", stdin=StringIO(json.dumps(case)), stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(None, 302), ("staff_a", 200), ("outsider_b", 200), ("org_dept_viewer", 200), ("root", 200)],
)
def test_anyone_logged_in_may_use_the_calculator(status_for, persona, expected):
    assert status_for(persona, URL) == expected


def test_the_calculator_gives_score_cases_answer_for_the_issues_example(as_user):
    score = as_user("staff_a").post(URL, _form()).context["score"]
    expected = _score_case(ISSUE_CASE)
    assert expected == {
        "general": 26.5,
        "task": 64.17,
        "total": 90.67,
        "rating": "HTXS",
        "capped_by": None,
        "ratios": {"quantity": 1.0, "quality": 0.75, "timeliness": 1.0},
    }
    assert (float(score.general), float(score.task), float(score.total)) == (26.5, 64.17, 90.67)
    assert (score.rating, score.capped_by or None) == (expected["rating"], expected["capped_by"])
    assert {k: float(v) for k, v in score.ratios.items()} == expected["ratios"]


def test_the_result_is_printed_in_vietnamese_with_two_decimals(as_user):
    html = as_user("staff_a").post(URL, _form()).content.decode()
    assert "90,67" in html and "64,17" in html and "26,50" in html
    assert "Hoàn thành xuất sắc nhiệm vụ" in html
    assert "Q = 1,0000" in html and "C = 0,7500" in html


def test_a_leader_and_the_qd366_conditions_match_score_case(as_user):
    case = {
        **ISSUE_CASE,
        "preset": "qd366",
        "role": "leader",
        "leader": {"subordinate_ratings": ["KHT"], "organizing": 0.5},
    }
    expected = _score_case(case)
    form = _form(preset="qd366", shown_preset="qd366", role="leader", subordinates="kht")
    score = as_user("staff_a").post(URL, {**form, "organizing": "0.5"}).context["score"]
    assert float(score.total) == expected["total"]
    assert (score.rating, score.capped_by or None) == (expected["rating"], expected["capped_by"])


def test_an_override_is_explained(as_user):
    response = as_user("staff_a").post(URL, _form(disciplined="on"))
    score = response.context["score"]
    assert (score.band, score.rating, score.capped_by) == ("HTXS", "KHT", "disciplined")
    assert "Bị kỷ luật từ khiển trách trở lên" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("point_0", "11", "Không được lớn hơn 10."),
        ("point_1", "chín", "Hãy nhập một số (ví dụ 9,5)."),
        ("point_2", "8.555", "Chỉ được tối đa 2 chữ số thập phân."),
        ("line-0-assigned", "-1", "Phải từ 0 trở lên."),
        ("line-0-coefficient", "0", "Hệ số quy đổi phải lớn hơn 0."),
        ("line-0-major_errors", "1.5", "Hãy nhập một số nguyên."),
        ("line-0-done", "", "Hãy nhập số."),
    ],
)
def test_bad_numbers_are_refused_in_vietnamese(as_user, field, value, message):
    response = as_user("staff_a").post(URL, _form(**{field: value}))
    assert response.context["score"] is None
    assert message in response.content.decode()


def test_a_leader_without_organizing_capacity_is_told_so(as_user):
    response = as_user("staff_a").post(URL, _form(role="leader", organizing=""))
    assert response.context["score"] is None
    assert "phải có điểm năng lực tổ chức" in response.content.decode()


def test_nothing_assigned_is_not_rated_and_says_why(as_user):
    response = as_user("staff_a").post(URL, _form(**{"line-0-assigned": "0"}))
    score = response.context["score"]
    assert (score.rating, score.total) == ("CHUA_XEP_LOAI", None)
    assert "Không có nhiệm vụ nào được giao" in response.content.decode()


def test_every_line_removed_is_refused(as_user):
    response = as_user("staff_a").post(URL, _form(**{"line-0-DELETE": "on"}))
    assert response.context["score"] is None
    assert "Phải có ít nhất một dòng nhiệm vụ." in response.content.decode()


def test_a_row_is_added_through_htmx(as_user):
    response = as_user("staff_a").post(URL, _form(add_line="1"), HTTP_HX_REQUEST="true")
    assert next(t.name for t in response.templates).endswith("partials/_calculator.html")
    assert response.context["lines"].total_form_count() == 2
    assert 'name="line-1-coefficient"' in response.content.decode()
    assert response.context["score"] is None  # adding a row does not compute yet


def test_a_blank_added_row_is_ignored_and_a_filled_one_counts(as_user):
    client = as_user("staff_a")
    # The browser posts the select's "Đạt" for a row nobody touched.
    untouched = {"line-TOTAL_FORMS": "2", "line-1-quality_pass": "1"}
    blank = client.post(URL, _form(**untouched)).context["score"]
    assert blank.total == Decimal("90.67")
    second = {
        "line-TOTAL_FORMS": "2",
        "line-1-coefficient": "1",
        "line-1-assigned": "2",
        "line-1-done": "0",
        "line-1-quality_pass": "1",
    }
    assert client.post(URL, _form(**second)).context["score"].total < Decimal("90.67")


def test_changing_the_preset_resets_the_general_groups_to_its_maxima(as_user):
    response = as_user("staff_a").post(URL, _form(preset="khanh_hoa"), HTTP_HX_REQUEST="true")
    form = response.context["form"]
    assert [(g.name, g.maximum) for g in form.groups] == [
        ("Phẩm chất, năng lực, đạo đức", Decimal(20)),
        ("Cải cách hành chính, chuyển đổi số", Decimal(10)),
    ]
    assert form.cleaned_data["point_0"] == Decimal(20)
    assert response.context["score"].general == Decimal("30.00")
