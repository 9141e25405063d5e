"""The rules schema of a criteria version, its presets and the diff between versions."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from catalog.criteria import PRESETS, clean_rules, rule_lines, rules_diff, validate_rules
from evaluations.scoring import ScoringRules

SCORING_PRESETS = {
    "nd335": ScoringRules.nd335(),
    "qd366": ScoringRules.qd366(),
    "khanh_hoa": ScoringRules.khanh_hoa(),
}


def rules(**changes):
    return {**PRESETS["nd335"].fresh_rules(), **changes}


@pytest.mark.parametrize("code", sorted(PRESETS))
def test_preset_is_valid(code):
    assert validate_rules(PRESETS[code].rules) == []


@pytest.mark.parametrize("code", sorted(PRESETS))
def test_preset_matches_the_scoring_engine_key_for_key(code):
    assert PRESETS[code].rules == SCORING_PRESETS[code].to_dict()


@pytest.mark.parametrize("code", sorted(PRESETS))
def test_preset_round_trips_through_scoring_rules(code):
    loaded = ScoringRules.from_dict(PRESETS[code].fresh_rules())
    assert loaded == SCORING_PRESETS[code]
    assert clean_rules(loaded.to_dict()) == PRESETS[code].fresh_rules()


def test_qd366_preset_switches_on_the_completion_conditions_only():
    diff = rules_diff(PRESETS["nd335"].rules, PRESETS["qd366"].rules)
    assert [(c.old, c.new) for c in diff] == [("Không", "Có")]


def test_khanh_hoa_preset_has_two_general_groups_and_band_80():
    preset = PRESETS["khanh_hoa"].rules
    assert [points for _, points in preset["general_groups"]] == ["20", "10"]
    assert preset["bands"][1] == ["HTT", "80"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"task_max": "60"}, "phải bằng 100 (hiện là 90)"),
        ({"weights": ["0.5", "0.5", "0.5"]}, "có tổng bằng 1"),
        ({"weights": ["1/2", "1/2"]}, "Phải có đúng 3 trọng số"),
        ({"leader_weights": ["1/5"] * 4}, "Phải có đúng 5 trọng số"),
        ({"bands": [["HTXS", "90"], ["HTT", "90"], ["HT", "50"]]}, "phải giảm dần"),
        ({"bands": [["HTT", "90"], ["HTXS", "70"], ["HT", "50"]]}, "theo thứ tự HTXS, HTT, HT"),
        ({"bands": [["HTXS", "120"], ["HTT", "70"], ["HT", "50"]]}, "không quá 100"),
        ({"error_deduction": "1.5"}, "Mức trừ mỗi lỗi lớn phải nằm trong khoảng từ 0 đến 1"),
        ({"htxs_cap_rate": "-0.1"}, "từ 0 đến 1"),
        ({"htxs_exception_rate": "0.1"}, "không được thấp hơn tỷ lệ thông thường"),
        ({"htxs_cap_denominator": "all"}, "'htt' hoặc 'rated'"),
        ({"qd366_conditions": "yes"}, "phải là có/không"),
        ({"task_max": 70.0}, "phải là một số"),
        ({"general_groups": [["", "10"], ["B", "10"], ["C", "10"]]}, "chưa có tên"),
        ({"general_groups": [["A", "15"], ["A", "15"]]}, "bị trùng"),
        ({"general_groups": []}, "Phải có từ 1 đến"),
    ],
)
def test_inconsistent_rules_are_refused_with_a_vietnamese_message(changes, message):
    errors = validate_rules(rules(**changes))
    assert any(message in error for error in errors), errors


def test_missing_and_unknown_keys_are_named():
    data = rules(extra=1)
    del data["task_max"]
    errors = validate_rules(data)
    assert "Thiếu các mục: task_max." in errors
    assert "Có các mục không hợp lệ: extra." in errors


def test_clean_rules_raises_every_problem_at_once():
    with pytest.raises(ValidationError) as caught:
        clean_rules(rules(task_max="60", error_deduction="2"))
    assert len(caught.value.messages) == 2


def test_clean_rules_accepts_decimal_commas_and_writes_canonical_strings():
    cleaned = clean_rules(rules(error_deduction="0,5", weights=["0.5", "0.25", "1/4"]))
    assert cleaned["error_deduction"] == "0.5"
    assert cleaned["weights"] == ["1/2", "1/4", "1/4"]


def test_diff_names_each_changed_line_with_old_and_new_values():
    new = rules(
        task_max="60",
        general_groups=[["Phẩm chất", "20"], ["Trách nhiệm", "10"], ["Đổi mới", "10"]],
    )
    changes = {c.label: (c.old, c.new) for c in rules_diff(rules(), new)}
    assert changes["Điểm tối đa kết quả thực hiện nhiệm vụ"] == ("70", "60")
    assert changes["Nhóm 1 — điểm tối đa"] == ("10", "20")
    assert changes["Nhóm tiêu chí chung 1"][1] == "Phẩm chất"


def test_diff_of_identical_rules_is_empty():
    assert rules_diff(rules(), rules()) == []


def test_rule_lines_write_numbers_the_vietnamese_way():
    lines = {line.key: line.value for line in rule_lines(rules(error_deduction="0.25"))}
    assert lines["error_deduction"] == "0,25"
    assert lines["weights.0"] == "1/3"


thresholds = st.integers(min_value=1, max_value=100)
rates = st.decimals(min_value=0, max_value=1, places=2)


@given(
    general=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=4),
    bands=st.tuples(thresholds, thresholds, thresholds),
    cap=rates,
    exception=st.none() | rates,
    deduction=rates,
)
def test_rules_valid_here_always_load_in_the_scoring_engine(
    general, bands, cap, exception, deduction
):
    data = rules(
        general_groups=[[f"Nhóm {i}", str(p)] for i, p in enumerate(general)],
        task_max=str(100 - sum(general)),
        bands=[["HTXS", str(bands[0])], ["HTT", str(bands[1])], ["HT", str(bands[2])]],
        htxs_cap_rate=str(cap),
        htxs_exception_rate=None if exception is None else str(exception),
        error_deduction=str(deduction),
    )
    if validate_rules(data):
        return
    loaded = ScoringRules.from_dict(clean_rules(data))
    assert loaded.task_max + loaded.general_max == Decimal(100)
