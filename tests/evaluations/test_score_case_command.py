import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

INDIVIDUAL = {
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
    "leader": {"subordinate_ratings": ["HTT", "HT"], "organizing": 1.0},
    "flags": {"disciplined": False, "degraded": False, "unit_corruption": False},
}
QUOTA = {
    "kind": "quota",
    "preset": "nd335",
    "members": [
        {"id": "a", "total": 95.5, "rating": "HTXS"},
        {"id": "b", "total": 92.0, "rating": "HTXS"},
        {"id": "c", "total": 91.0, "rating": "HTXS"},
        *({"id": f"t{n}", "total": 80, "rating": "HTT"} for n in range(10)),
        {"id": "h", "total": 60, "rating": "HT"},
    ],
}
ANNUAL = {
    "kind": "annual",
    "preset": "nd335",
    "periods": [{"total": 88.0}, {"not_rated": True}, {"total": 91}],
    "flags": {"disciplined": False, "degraded": False, "unit_corruption": False},
}


def run(text, *args):
    stdout = io.StringIO()
    call_command("score_case", *(args or ["-"]), stdin=io.StringIO(text), stdout=stdout)
    return stdout.getvalue()


def run_case(case):
    return json.loads(run(json.dumps(case, ensure_ascii=False)))


def run_invalid(text):
    with pytest.raises(CommandError) as excinfo:
        run(text)
    return excinfo.value


def test_individual_case_prints_the_brief_result():
    out = run(json.dumps(INDIVIDUAL))

    assert json.loads(out) == {
        "general": 26.5,
        "task": 64.17,
        "total": 90.67,
        "rating": "HTXS",
        "capped_by": None,
        "ratios": {"quantity": 1.0, "quality": 0.75, "timeliness": 1.0},
    }
    assert out.startswith('{"general": 26.5, "task": 64.17, "total": 90.67, "rating": "HTXS"')


def test_individual_case_reads_a_file(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(INDIVIDUAL), encoding="utf-8")

    assert json.loads(run("", str(path)))["total"] == 90.67


def test_individual_case_with_nothing_assigned_is_not_rated():
    case = {**INDIVIDUAL, "tasks": [{"coefficient": 1, "assigned": 0, "done": 3}]}

    assert run_case(case) == {
        "general": None,
        "task": None,
        "total": None,
        "rating": "CHUA_XEP_LOAI",
        "capped_by": None,
        "ratios": None,
    }


def test_individual_case_rounds_ratios_to_four_decimals():
    case = {**INDIVIDUAL, "tasks": [{"coefficient": 1, "assigned": 3, "done": 1}]}

    assert run_case(case)["ratios"]["quantity"] == 0.3333


def test_leader_case_uses_leader_factors_and_flags():
    case = {
        **INDIVIDUAL,
        "role": "leader",
        "leader": {"subordinate_ratings": ["KHT"], "organizing": 0.5},
        "flags": {"unit_corruption": True},
    }

    result = run_case(case)

    # 70 × (1 + 0.75 + 1 + 0.5 + 0.5) / 5
    assert result["task"] == 52.5
    assert result["rating"] == "KHT"
    assert result["capped_by"] == "unit_corruption"


def test_qd366_preset_applies_its_conditions():
    case = {**INDIVIDUAL, "preset": "qd366"}

    result = run_case(case)

    assert result["rating"] == "HTT"
    assert result["capped_by"] == "qd366_exceeded"


def test_khanh_hoa_preset_takes_two_general_groups():
    case = {**INDIVIDUAL, "preset": "khanh_hoa", "general": [18, 9.5]}

    assert run_case(case)["general"] == 27.5


def test_decimal_inputs_stay_exact():
    case = {**INDIVIDUAL, "general": [0.1, 0.2, 0.3]}

    assert run_case(case)["general"] == 0.6


def test_quota_case_prints_the_brief_result():
    assert run_case(QUOTA) == {
        "htxs": 3,
        "htt": 10,
        "cap": 2,
        "over_by": 1,
        "suggest_downgrade": ["c"],
    }


def test_quota_case_uses_the_exception_decision_only_with_an_exception_rate():
    assert run_case({**QUOTA, "exception_decision": "15/QĐ-UBND"})["cap"] == 2


def test_annual_case_prints_mean_rating_and_cap():
    assert run_case(ANNUAL) == {"total": 89.5, "rating": "HTT", "capped_by": None}


def test_annual_case_applies_flags():
    case = {**ANNUAL, "flags": {"disciplined": True}}

    assert run_case(case) == {"total": 89.5, "rating": "KHT", "capped_by": "disciplined"}


def test_annual_case_with_no_rated_period_is_not_rated():
    case = {**ANNUAL, "periods": [{"not_rated": True}]}

    assert run_case(case) == {"total": None, "rating": "CHUA_XEP_LOAI", "capped_by": None}


def test_output_keeps_vietnamese_text_unescaped():
    text = json.dumps(INDIVIDUAL, ensure_ascii=False)

    assert "\\u" not in run(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"kind": "individual",', "JSON không hợp lệ"),
        ("[1, 2]", "phải là một đối tượng JSON"),
        ('{"kind": "salary", "preset": "nd335"}', "kind không hợp lệ ('salary')"),
        (json.dumps({k: v for k, v in INDIVIDUAL.items() if k != "kind"}), "kind không hợp lệ"),
        (json.dumps({**INDIVIDUAL, "preset": "nd999"}), "preset không hợp lệ"),
        (json.dumps({**INDIVIDUAL, "role": "boss"}), "role không hợp lệ"),
        (json.dumps({k: v for k, v in INDIVIDUAL.items() if k != "tasks"}), "thiếu khóa: tasks"),
        (json.dumps({**INDIVIDUAL, "bonus": 5}), "khóa không hợp lệ: bonus"),
        (
            json.dumps({**INDIVIDUAL, "tasks": [{"coefficient": 1, "assigned": -4, "done": 4}]}),
            "số lượng được giao không được âm",
        ),
        (json.dumps({**INDIVIDUAL, "general": [10.5, 9, 8]}), "phải nằm trong khoảng 0 đến 10"),
        (json.dumps({**INDIVIDUAL, "general": ["9", 9, 8]}), "general[0] phải là một số"),
        (
            json.dumps(
                {
                    **INDIVIDUAL,
                    "tasks": [{"coefficient": 1, "assigned": 1, "done": 1, "quality": "ok"}],
                }
            ),
            "tasks[0].quality không hợp lệ",
        ),
        (
            json.dumps(
                {
                    **INDIVIDUAL,
                    "tasks": [{"coefficient": 1, "assigned": 1, "done": 1, "delays": 1.5}],
                }
            ),
            "tasks[0].delays phải là một số nguyên",
        ),
        (json.dumps({**INDIVIDUAL, "flags": {"disciplined": 1}}), "true hoặc false"),
        (json.dumps({**INDIVIDUAL, "role": "leader", "leader": None}), "leader phải là một đối"),
        (
            json.dumps(
                {k: v for k, v in {**INDIVIDUAL, "role": "leader"}.items() if k != "leader"}
            ),
            "thiếu khóa 'leader'",
        ),
        (
            json.dumps(
                {
                    **INDIVIDUAL,
                    "role": "leader",
                    "leader": {"subordinate_ratings": [], "organizing": 2},
                }
            ),
            "Năng lực tổ chức",
        ),
        ('{"kind": "annual", "preset": "nd335", "periods": [{"total": NaN}]}', "hữu hạn"),
        ('{"kind": "annual", "preset": "nd335", "periods": [{"total": 1e999999}]}', "quá lớn"),
        ('{"kind": "annual", "preset": "nd335", "periods": [{}]}', "not_rated"),
        ('{"kind": "annual", "preset": "nd335", "periods": [{"total": 101}]}', "0 đến 100"),
        ('{"kind": "quota", "preset": "nd335", "members": [{"id": "a"}]}', "thiếu khóa"),
        (
            '{"kind": "quota", "preset": "nd335", '
            '"members": [{"id": true, "total": 1, "rating": "HT"}]}',
            "id phải là chuỗi hoặc số nguyên",
        ),
    ],
)
def test_invalid_input_exits_2_with_a_vietnamese_message(text, message):
    error = run_invalid(text)

    assert error.returncode == 2
    assert message in str(error)


def test_missing_file_exits_2():
    with pytest.raises(CommandError, match="Không đọc được tệp") as excinfo:
        call_command("score_case", "/nonexistent/case.json", stdout=io.StringIO())

    assert excinfo.value.returncode == 2
