"""Phiếu đánh giá screens: self-assessment, head's assessment, thẩm định, decision, publication."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluations import permissions
from evaluations.models import Evaluation, EvaluationState, Rating

from .assessment_helpers import DECISION_DATE, evaluation_of

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures", "tests.evaluations.assessment_fixtures"]

ISSUE_POINTS = {"point_0": "9.5", "point_1": "9", "point_2": "8"}


def _url(name, *args) -> str:
    return reverse(f"evaluations:{name}", args=args)


def _self(**extra) -> dict:
    return {
        **ISSUE_POINTS,
        "note_0": "Chấp hành tốt",
        "note_1": "",
        "note_2": "",
        "comment": "Hoàn thành kế hoạch",
        **extra,
    }


def _head(**extra) -> dict:
    return {**ISSUE_POINTS, "reason_0": "", "reason_1": "", "reason_2": "", **extra}


def _decision(**extra) -> dict:
    return {"decision_number": "15/QĐ-STN", "decision_date": "02/04/2026", **extra}


# ---- who may open what --------------------------------------------------------------------------

DETAIL = {
    None: 302,
    "staff_a": 200,  # their own
    "staff_a2": 404,  # a colleague sees grades only, on the unit page
    "head_a": 200,
    "deputy_a": 200,
    "delegate": 200,
    "head_agency": 200,
    "hr_officer": 200,
    "org_dept_viewer": 200,  # reads, never acts
    "system_admin": 200,
    "outsider_b": 404,
    "head_b": 404,
    "party_viewer": 404,
}


@pytest.mark.parametrize(("persona", "expected"), DETAIL.items())
def test_evaluation_page_answers_by_scope(status_for, mine, persona, expected):
    assert status_for(persona, _url("evaluation_detail", mine.pk)) == expected


SELF_ASSESS = {
    None: 302,
    "staff_a2": 404,
    "outsider_b": 404,
    "head_a": 403,
    "org_dept_viewer": 403,
    "hr_officer": 403,
}


@pytest.mark.parametrize(("persona", "expected"), SELF_ASSESS.items())
def test_only_the_person_self_assesses(status_for, mine, persona, expected):
    assert status_for(persona, _url("evaluation_self_assess", mine.pk), "post", _self()) == expected
    assert Evaluation.objects.get(pk=mine.pk).state == EvaluationState.DRAFT


HEAD_ASSESS = {
    None: 302,
    "staff_a": 403,  # nobody rates themself
    "staff_a2": 404,
    "org_dept_viewer": 403,
    "hr_officer": 403,
    "sector_admin": 403,
    "head_b": 404,
    "outsider_b": 404,
}


@pytest.mark.parametrize(("persona", "expected"), HEAD_ASSESS.items())
def test_only_the_persons_leaders_assess(status_for, self_assessed, persona, expected):
    url = _url("evaluation_head_assess", self_assessed.pk)
    assert status_for(persona, url, "post", _head()) == expected
    assert Evaluation.objects.get(pk=self_assessed.pk).state == EvaluationState.SELF_ASSESSED


@pytest.mark.parametrize("persona", ["head_a", "deputy_a", "delegate", "head_agency"])
def test_each_leader_above_the_person_may_assess(as_user, self_assessed, persona):
    response = as_user(persona).post(_url("evaluation_head_assess", self_assessed.pk), _head())
    assert response.status_code == 302
    assert Evaluation.objects.get(pk=self_assessed.pk).state == EvaluationState.HEAD_ASSESSED


def test_the_head_sees_the_form_and_a_viewer_only_reads(as_user, self_assessed):
    head = as_user("head_a").get(_url("evaluation_detail", self_assessed.pk))
    assert head.context["can_head_assess"] and head.context["head_form"]
    viewer = as_user("org_dept_viewer").get(_url("evaluation_detail", self_assessed.pk))
    assert not any(
        viewer.context[k] for k in ("can_self_assess", "can_head_assess", "can_hr_check")
    )
    assert "head_form" not in viewer.context


TEAM = {
    None: 302,
    "staff_a": 403,
    "head_a": 200,
    "deputy_a": 200,
    "delegate": 200,
    "head_b": 200,
    "org_dept_viewer": 403,
    "hr_officer": 403,
}


@pytest.mark.parametrize(("persona", "expected"), TEAM.items())
def test_team_list_is_for_leaders_and_delegates(status_for, opened, persona, expected):
    assert status_for(persona, _url("team_evaluations")) == expected


def test_team_list_holds_the_leaders_people_only(as_user, opened, head_a, staff_a, outsider_b):
    def names(persona):
        page = as_user(persona).get(_url("team_evaluations")).context["page"]
        return {e.person.user.username for e in page}

    assert names("head_a") == {"staff_a", "staff_a2", "deputy_a", "staff_a1a"}
    assert names("head_b") == {"outsider_b"}
    assert "head_a" in names("head_agency")  # a head's own evaluation goes up


def test_team_list_groups_by_state_and_offers_the_periods(as_user, self_assessed):
    response = as_user("head_a").get(_url("team_evaluations"), {"period": self_assessed.period_id})
    labels = [label for label, _n, _badge in response.context["counts"]]
    assert labels[0] == EvaluationState.SELF_ASSESSED.label
    assert response.context["period"] == self_assessed.period
    assert "Đã tự đánh giá" in response.content.decode()


HR_LIST = {
    None: 302,
    "hr_officer": 200,
    "staff_a": 403,
    "head_a": 403,
    "head_agency": 403,
    "org_dept_viewer": 403,
}


@pytest.mark.parametrize(("persona", "expected"), HR_LIST.items())
def test_hr_list_is_for_hr_officers(status_for, opened, persona, expected):
    assert status_for(persona, _url("hr_queue")) == expected


HR_CHECK = {
    None: 302,
    "head_a": 403,
    "org_dept_viewer": 403,
    "staff_a": 403,
    "outsider_b": 404,
    "head_b": 404,
}


@pytest.mark.parametrize(("persona", "expected"), HR_CHECK.items())
def test_only_the_agencys_hr_officer_checks(status_for, head_assessed, persona, expected):
    url = _url("evaluation_hr_check", head_assessed.pk)
    assert status_for(persona, url, "post", {"note": "Đúng quy trình"}) == expected
    assert Evaluation.objects.get(pk=head_assessed.pk).state == EvaluationState.HEAD_ASSESSED


# ---- the steps ----------------------------------------------------------------------------------


def test_the_live_score_follows_the_points_being_typed_and_saves_nothing(as_user, mine):
    response = as_user("staff_a").post(_url("evaluation_preview", mine.pk), _self(step="self"))
    score = response.context["score"]
    assert (score.general, score.task, score.total, score.rating) == (
        Decimal("26.50"),
        Decimal("64.17"),
        Decimal("90.67"),
        Rating.HTXS,
    )
    assert score.ratios["quality"] == Decimal("0.75")
    html = response.content.decode()
    assert "90,67" in html and "Hoàn thành xuất sắc nhiệm vụ" in html
    assert Evaluation.objects.get(pk=mine.pk).self_general == []


def test_the_live_score_names_a_point_out_of_range_in_vietnamese(as_user, mine):
    response = as_user("staff_a").post(
        _url("evaluation_preview", mine.pk), _self(point_0="11", step="self")
    )
    assert response.context["score"] is None
    assert "Không được lớn hơn 10" in response.content.decode()


def test_the_head_preview_counts_the_overrides_being_ticked(as_user, self_assessed):
    response = as_user("head_a").post(
        _url("evaluation_preview", self_assessed.pk), _head(step="head", disciplined="on")
    )
    score = response.context["score"]
    assert (score.band, score.rating, score.capped_by) == (Rating.HTXS, Rating.KHT, "disciplined")
    assert "Bị kỷ luật" in response.content.decode()
    assert not Evaluation.objects.get(pk=self_assessed.pk).disciplined


@pytest.mark.parametrize(("persona", "expected"), [("head_a", 403), ("outsider_b", 404)])
def test_nobody_else_previews_the_self_assessment(status_for, mine, persona, expected):
    url = _url("evaluation_preview", mine.pk)
    assert status_for(persona, url, "post", _self(step="self")) == expected


def test_the_person_self_assesses_with_justifications(as_user, mine):
    page = as_user("staff_a").get(_url("evaluation_detail", mine.pk))
    form = page.context["self_form"]
    assert [g.maximum for g in form.groups] == [10, 10, 10]
    assert [line.done for line in page.context["lines"]] == [Decimal("4.00")]
    response = as_user("staff_a").post(
        _url("evaluation_self_assess", mine.pk), _self(), follow=True
    )
    assert "Đã lưu phiếu tự đánh giá" in response.content.decode()
    saved = Evaluation.objects.get(pk=mine.pk)
    assert saved.state == EvaluationState.SELF_ASSESSED
    assert (saved.self_general, saved.self_notes[0]) == (["9.5", "9", "8"], "Chấp hành tốt")
    assert saved.total == Decimal("90.67")


def test_a_point_above_its_maximum_is_refused_in_vietnamese(as_user, mine):
    response = as_user("staff_a").post(_url("evaluation_self_assess", mine.pk), _self(point_1="12"))
    assert response.status_code == 200
    assert response.context["self_form"].errors["point_1"] == ["Không được lớn hơn 10."]
    assert Evaluation.objects.get(pk=mine.pk).state == EvaluationState.DRAFT


def test_the_head_must_give_a_reason_for_each_changed_point(as_user, self_assessed):
    url = _url("evaluation_head_assess", self_assessed.pk)
    refused = as_user("head_a").post(url, _head(point_0="8"))
    assert refused.status_code == 200
    assert "phải ghi lý do" in refused.context["head_form"].errors["reason_0"][0]
    response = as_user("head_a").post(url, _head(point_0="8", reason_0="Chậm báo cáo"), follow=True)
    assert "Đã lưu đánh giá của thủ trưởng" in response.content.decode()
    saved = Evaluation.objects.get(pk=self_assessed.pk)
    assert (saved.head_general[0], saved.head_reasons[0]) == ("8", "Chậm báo cáo")
    assert saved.state == EvaluationState.HEAD_ASSESSED


def test_the_head_form_shows_the_persons_own_points_beside(as_user, self_assessed):
    response = as_user("head_a").get(_url("evaluation_detail", self_assessed.pk))
    rows = response.context["head_form"].rows()
    assert [own for _g, own, _note, _point, _reason in rows] == [
        Decimal("9.50"),
        Decimal("9.00"),
        Decimal("8.00"),
    ]


def test_a_leaders_evaluation_asks_for_organizing_capacity(as_user, opened, head_a):
    from evaluations import assessment

    evaluation = assessment.evaluation_self_assess(
        by=head_a,
        evaluation=evaluation_of(head_a, opened),
        general=["10", "10", "10"],
        notes=[],
    )
    url = _url("evaluation_head_assess", evaluation.pk)
    points = {"point_0": "10", "point_1": "10", "point_2": "10"}
    refused = as_user("head_agency").post(url, points)
    assert "organizing" in refused.context["head_form"].errors
    as_user("head_agency").post(url, {**points, "organizing": "0.8", "unit_corruption": "on"})
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert (saved.organizing, saved.unit_corruption) == (Decimal("0.800"), True)
    assert (saved.computed_rating, saved.capped_by) == (Rating.KHT, "unit_corruption")


def test_the_head_returns_a_self_assessment_with_a_note(as_user, self_assessed):
    url = _url("evaluation_return", self_assessed.pk)
    refused = as_user("head_a").post(url, {"note": " "})
    assert refused.context["return_form"].errors["note"]
    as_user("head_a").post(url, {"note": "Bổ sung giải trình nhóm 2"})
    page = as_user("staff_a").get(_url("evaluation_detail", self_assessed.pk))
    assert page.context["evaluation"].state == EvaluationState.DRAFT
    assert page.context["can_self_assess"]
    assert "Bổ sung giải trình nhóm 2" in page.content.decode()


def test_the_hr_officer_checks_an_assessed_evaluation(as_user, head_assessed):
    listed = as_user("hr_officer").get(_url("hr_queue")).context["page"]
    assert head_assessed.pk in {e.pk for e in listed}
    response = as_user("hr_officer").post(
        _url("evaluation_hr_check", head_assessed.pk), {"note": "Đúng quy trình"}, follow=True
    )
    assert "Đã thẩm định" in response.content.decode()
    saved = Evaluation.objects.get(pk=head_assessed.pk)
    assert (saved.state, saved.hr_note) == (EvaluationState.HR_CHECKED, "Đúng quy trình")


def test_my_evaluation_opens_the_latest_unlocked_period(as_user, mine):
    response = as_user("staff_a").get(_url("evaluation_current"))
    assert response.status_code == 302
    assert response["Location"] == _url("evaluation_detail", mine.pk)


def test_without_any_evaluation_the_person_is_told_so(as_user, period):
    response = as_user("staff_a").get(_url("evaluation_current"))
    assert "Chưa có phiếu đánh giá nào" in response.content.decode()


# ---- decision and publication -------------------------------------------------------------------


def _decide_url(period, units) -> str:
    return _url("decision_detail", period.pk, units["T-SO"].pk)


DECISION_LIST = {
    None: 302,
    "head_agency": 200,
    "head_a": 403,  # leads a department: decides nothing
    "staff_a": 403,
    "hr_officer": 403,
    "org_dept_viewer": 403,
    "head_b": 403,
    "system_admin": 403,
}


@pytest.mark.parametrize(("persona", "expected"), DECISION_LIST.items())
def test_decision_list_is_for_deciders(status_for, opened, persona, expected):
    assert status_for(persona, _url("decision_list")) == expected


DECISION_PAGE = {
    None: 302,
    "head_agency": 200,
    "hr_officer": 403,
    "org_dept_viewer": 403,
    "sector_admin": 403,
    "head_a": 404,
    "head_b": 404,
    "outsider_b": 404,
    "staff_a": 404,
    "party_viewer": 404,
}


@pytest.mark.parametrize(("persona", "expected"), DECISION_PAGE.items())
def test_only_the_agencys_head_opens_its_decision(status_for, opened, units, persona, expected):
    assert status_for(persona, _decide_url(opened, units)) == expected


@pytest.mark.parametrize(("persona", "expected"), [("head_a", 404), ("hr_officer", 403)])
def test_nobody_else_decides_or_publishes(status_for, assessed, units, persona, expected):
    assert status_for(persona, _decide_url(assessed, units), "post", _decision()) == expected
    publish = _url("decision_publish", assessed.pk, units["T-SO"].pk)
    assert status_for(persona, publish, "post") == expected
    assert not Evaluation.objects.filter(state=EvaluationState.DECIDED).exists()


def test_decision_list_counts_the_agencys_evaluations_by_state(as_user, assessed, units):
    rows = as_user("head_agency").get(_url("decision_list")).context["rows"]
    assert [(r.unit, r.total, r.ready) for r in rows] == [(units["T-SO"], 11, 11)]


def test_the_decision_waits_for_every_head_assessment(as_user, self_assessed, units):
    response = as_user("head_agency").post(_decide_url(self_assessed.period, units), _decision())
    assert response.status_code == 200
    assert "chưa được thủ trưởng đánh giá" in str(response.context["form"].non_field_errors())
    assert not Evaluation.objects.filter(state=EvaluationState.DECIDED).exists()


def test_the_decision_page_shows_the_quota_and_suggests_the_downgrade(as_user, assessed, units):
    response = as_user("head_agency").get(_decide_url(assessed, units))
    [(group, is_over)] = response.context["quota"]
    assert is_over
    assert (group.result.htxs, group.result.htt, group.result.cap, group.result.over_by) == (
        2,
        5,
        1,
        1,
    )
    form = response.context["form"]
    ticked = [e.pk for e, pick, _reason in form.rows() if pick.value()]
    assert ticked == list(group.result.suggest_downgrade)
    assert len(form.rows()) == 2


def test_a_decision_over_quota_is_refused_in_vietnamese_and_writes_nothing(
    as_user, assessed, units
):
    response = as_user("head_agency").post(_decide_url(assessed, units), _decision())
    assert response.status_code == 200
    errors = str(response.context["form"].non_field_errors())
    assert "vượt tỷ lệ Hoàn thành xuất sắc nhiệm vụ" in errors
    assert not Evaluation.objects.filter(state=EvaluationState.DECIDED).exists()


def test_a_downgrade_without_a_reason_is_refused(as_user, assessed, units, staff_a):
    target = evaluation_of(staff_a, assessed)
    data = _decision(**{f"downgrade_{target.pk}": "on", f"reason_{target.pk}": ""})
    response = as_user("head_agency").post(_decide_url(assessed, units), data)
    assert "Phải ghi lý do hạ mức" in str(response.context["form"].non_field_errors())


def test_the_decider_downgrades_with_a_reason_then_publishes(as_user, assessed, units, staff_a):
    client = as_user("head_agency")
    target = evaluation_of(staff_a, assessed)
    data = _decision(**{f"downgrade_{target.pk}": "on", f"reason_{target.pk}": "Vượt tỷ lệ 20%"})
    response = client.post(_decide_url(assessed, units), data, follow=True)
    assert "Đã quyết định xếp loại 11 phiếu" in response.content.decode()
    target.refresh_from_db()
    assert (target.state, target.rating, target.downgrade_reason) == (
        EvaluationState.DECIDED,
        Rating.HTT,
        "Vượt tỷ lệ 20%",
    )
    assert target.decision_date == DECISION_DATE
    assert response.context["can_publish"]
    [(group, is_over)] = response.context["quota"]  # the downgrade keeps counting as HTT
    assert (group.result.htxs, group.result.over_by, is_over) == (1, 0, False)
    published = client.post(_url("decision_publish", assessed.pk, units["T-SO"].pk), follow=True)
    assert "Đã công bố kết quả xếp loại của 11 người" in published.content.decode()
    target.refresh_from_db()
    assert target.state == EvaluationState.PUBLISHED


def test_publishing_with_nothing_decided_is_explained(as_user, assessed, units):
    response = as_user("head_agency").post(
        _url("decision_publish", assessed.pk, units["T-SO"].pk), follow=True
    )
    assert "Không có kết quả nào đã quyết định để công bố" in response.content.decode()


# ---- publication and visibility -----------------------------------------------------------------


def test_the_person_sees_the_decision_only_once_published(as_user, decided, staff_a):
    evaluation = evaluation_of(staff_a, decided)
    url = _url("evaluation_detail", evaluation.pk)
    assert not as_user("staff_a").get(url).context["can_see_decision"]
    assert as_user("head_agency").get(url).context["can_see_decision"]


def test_after_publication_the_person_sees_the_full_breakdown(as_user, published, staff_a):
    evaluation = evaluation_of(staff_a, published)
    response = as_user("staff_a").get(_url("evaluation_detail", evaluation.pk))
    assert response.context["can_see_decision"]
    assert response.context["final_label"] == "Hoàn thành tốt nhiệm vụ"
    assert response.context["score"].total == evaluation.total
    assert "Vượt tỷ lệ" in response.content.decode()


UNIT_RESULTS = {
    None: 302,
    "staff_a": 200,
    "staff_a2": 200,
    "head_a": 200,
    "org_dept_viewer": 200,
    "outsider_b": 404,
    "head_b": 404,
    "party_viewer": 404,
}


@pytest.mark.parametrize(("persona", "expected"), UNIT_RESULTS.items())
def test_unit_results_are_for_colleagues_and_the_chain(
    status_for, published, units, persona, expected
):
    url = _url("unit_results", published.pk, units["T-A"].pk)
    assert status_for(persona, url) == expected


def test_colleagues_see_letter_grades_but_not_breakdowns(as_user, published, units, staff_a):
    evaluation = evaluation_of(staff_a, published)
    client = as_user("staff_a2")
    response = client.get(_url("unit_results", published.pk, units["T-A"].pk))
    html = response.content.decode()
    row = next(r for r in response.context["rows"] if r.pk == evaluation.pk)
    assert row.shown_rating == "Hoàn thành tốt nhiệm vụ" and not row.can_open
    assert "Nguyễn Văn staff_a" in html
    assert f"{evaluation.total:.2f}".replace(".", ",") not in html
    assert client.get(_url("evaluation_detail", evaluation.pk)).status_code == 404


def test_breakdown_predicates(published, staff_a, staff_a2, head_a, outsider_b):
    evaluation = evaluation_of(staff_a, published)
    assert permissions.can_see_breakdown(staff_a, evaluation)
    assert permissions.can_see_breakdown(head_a, evaluation)
    assert not permissions.can_see_breakdown(staff_a2, evaluation)
    assert not permissions.can_see_breakdown(outsider_b, evaluation)
    assert permissions.can_view_unit_results(staff_a2, evaluation.unit, published)
    assert not permissions.can_view_unit_results(outsider_b, evaluation.unit, published)


def test_the_decision_is_hidden_from_the_person_until_published(decided, staff_a, head_agency):
    evaluation = evaluation_of(staff_a, decided)
    assert not permissions.can_see_decision(staff_a, evaluation)
    assert permissions.can_see_decision(head_agency, evaluation)


def test_deciders_are_the_heads_of_agencies(opened, head_agency, head_a, deputy_a, units):
    assert list(permissions.deciding_units_for(head_agency)) == [units["T-SO"]]
    assert permissions.is_decider(head_agency)
    assert not permissions.is_decider(head_a)
    assert not permissions.can_decide_for(head_a, units["T-SO"])


def test_the_menu_offers_the_evaluation_screens_by_right(as_user, opened):
    def menu(persona):
        return as_user(persona).get(reverse("home")).content.decode()

    assert _url("decision_list") in menu("head_agency")
    assert _url("decision_list") not in menu("staff_a")
    assert _url("hr_queue") in menu("hr_officer")
    assert _url("evaluation_current") in menu("staff_a")
    assert _url("calculator") in menu("outsider_b")
