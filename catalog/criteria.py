"""The schema of a criteria version's rules, the presets, and a readable diff between versions.

The rules are stored as the JSON of `evaluations.scoring.ScoringRules.to_dict()`, key for key,
so the scoring engine reads a version with `ScoringRules.from_dict(version.rules)`. The schema
is written out here because catalog sits below evaluations and must not import it; the checks
are at least as strict as `ScoringRules.validate()`, so a version valid here always loads there.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

RATINGS = ("HTXS", "HTT", "HT")
RATING_LABELS = {
    "HTXS": gettext_lazy("Hoàn thành xuất sắc nhiệm vụ"),
    "HTT": gettext_lazy("Hoàn thành tốt nhiệm vụ"),
    "HT": gettext_lazy("Hoàn thành nhiệm vụ"),
}
CAP_DENOMINATORS = {
    "htt": gettext_lazy("Số người được xếp loại Hoàn thành tốt nhiệm vụ"),
    "rated": gettext_lazy("Số người được xếp loại"),
}
MAX_GROUPS = 8

# Labels of every scalar key, in the order of ScoringRules.to_dict().
DECIMAL_KEYS = {
    "task_max": gettext_lazy("Điểm tối đa kết quả thực hiện nhiệm vụ"),
    "error_deduction": gettext_lazy("Mức trừ mỗi lỗi lớn"),
    "delay_deduction": gettext_lazy("Mức trừ mỗi lần chậm tiến độ"),
    "leader_unit_ok": gettext_lazy("Hệ số khi đơn vị đạt yêu cầu (lãnh đạo)"),
    "leader_unit_not_ok": gettext_lazy("Hệ số khi đơn vị không đạt yêu cầu (lãnh đạo)"),
    "qd366_exceeded_min": gettext_lazy("Tỷ lệ nhiệm vụ vượt yêu cầu tối thiểu (QĐ 366)"),
    "qd366_late_share_max": gettext_lazy("Tỷ lệ nhiệm vụ chậm tiến độ tối đa (QĐ 366)"),
    "htxs_cap_rate": gettext_lazy("Tỷ lệ tối đa Hoàn thành xuất sắc nhiệm vụ"),
}
RATE_KEYS = (
    "error_deduction",
    "delay_deduction",
    "leader_unit_ok",
    "leader_unit_not_ok",
    "qd366_exceeded_min",
    "qd366_late_share_max",
    "htxs_cap_rate",
)
TOGGLE_KEYS = {
    "override_disciplined": gettext_lazy(
        "Bị kỷ luật từ khiển trách trở lên → Không hoàn thành nhiệm vụ"
    ),
    "override_degraded": gettext_lazy(
        "Có kết luận suy thoái tư tưởng chính trị, đạo đức, lối sống → Không hoàn thành nhiệm vụ"
    ),
    "override_unit_corruption": gettext_lazy(
        "Người đứng đầu để xảy ra tham nhũng, lãng phí trong đơn vị → Không hoàn thành nhiệm vụ"
    ),
    "qd366_conditions": gettext_lazy("Áp dụng điều kiện hoàn thành nhiệm vụ của Quy định 366"),
}
WEIGHT_LABELS = {
    "weights": (
        gettext_lazy("Trọng số số lượng"),
        gettext_lazy("Trọng số chất lượng"),
        gettext_lazy("Trọng số tiến độ"),
    ),
    "leader_weights": (
        gettext_lazy("Trọng số số lượng (lãnh đạo)"),
        gettext_lazy("Trọng số chất lượng (lãnh đạo)"),
        gettext_lazy("Trọng số tiến độ (lãnh đạo)"),
        gettext_lazy("Trọng số kết quả của đơn vị (lãnh đạo)"),
        gettext_lazy("Trọng số năng lực tổ chức thực hiện (lãnh đạo)"),
    ),
}
RULE_KEYS = (
    "general_groups",
    "task_max",
    "weights",
    "leader_weights",
    "error_deduction",
    "delay_deduction",
    "leader_unit_ok",
    "leader_unit_not_ok",
    "bands",
    "override_disciplined",
    "override_degraded",
    "override_unit_corruption",
    "qd366_conditions",
    "qd366_exceeded_min",
    "qd366_late_share_max",
    "htxs_cap_rate",
    "htxs_cap_denominator",
    "htxs_exception_rate",
)


class _Invalid(Exception):
    pass


def _decimal(value: Any) -> Decimal:
    # Floats are refused for the same reason as in the scoring engine: 0.1 is not exact.
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _Invalid
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise _Invalid from None
    if not number.is_finite():
        raise _Invalid
    return number


def _fraction(value: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal | Fraction):
        raise _Invalid
    try:
        return Fraction(str(value).strip().replace(",", "."))
    except (ValueError, ZeroDivisionError):
        raise _Invalid from None


def validate_rules(data: Any) -> list[str]:
    """Return the Vietnamese messages explaining why `data` is not a consistent rule set."""
    if not isinstance(data, Mapping):
        return [_("Quy tắc chấm điểm phải là một đối tượng JSON.")]
    errors: list[str] = []
    missing = [key for key in RULE_KEYS if key not in data]
    unknown = sorted(set(data) - set(RULE_KEYS))
    if missing:
        errors.append(_("Thiếu các mục: %(keys)s.") % {"keys": ", ".join(missing)})
    if unknown:
        errors.append(_("Có các mục không hợp lệ: %(keys)s.") % {"keys": ", ".join(unknown)})
    if errors:
        return errors

    general_max = _check_groups(data["general_groups"], errors)
    numbers: dict[str, Decimal] = {}
    for key, label in DECIMAL_KEYS.items():
        try:
            numbers[key] = _decimal(data[key])
        except _Invalid:
            errors.append(_("%(label)s phải là một số.") % {"label": label})
    task_max = numbers.get("task_max")
    if task_max is not None and task_max < 0:
        errors.append(_("Điểm tối đa kết quả thực hiện nhiệm vụ không được âm."))
    if general_max is not None and task_max is not None and general_max + task_max != 100:
        errors.append(
            _(
                "Tổng điểm tối đa của tiêu chí chung và kết quả thực hiện nhiệm vụ phải bằng 100"
                " (hiện là %(total)s)."
            )
            % {"total": _plain(general_max + task_max)}
        )
    _check_weights(data, errors)
    for key in RATE_KEYS:
        if key in numbers and not 0 <= numbers[key] <= 1:
            errors.append(
                _("%(label)s phải nằm trong khoảng từ 0 đến 1.") % {"label": DECIMAL_KEYS[key]}
            )
    _check_bands(data["bands"], errors)
    for key, label in TOGGLE_KEYS.items():
        if not isinstance(data[key], bool):
            errors.append(_("Mục “%(label)s” phải là có/không.") % {"label": label})
    if data["htxs_cap_denominator"] not in CAP_DENOMINATORS:
        errors.append(_("Cách tính tỷ lệ Hoàn thành xuất sắc nhiệm vụ phải là 'htt' hoặc 'rated'."))
    _check_exception_rate(data["htxs_exception_rate"], numbers.get("htxs_cap_rate"), errors)
    return errors


def _check_groups(groups: Any, errors: list[str]) -> Decimal | None:
    if not isinstance(groups, list) or not 1 <= len(groups) <= MAX_GROUPS:
        errors.append(
            _("Phải có từ 1 đến %(n)s nhóm tiêu chí chung, mỗi nhóm gồm tên và điểm tối đa.")
            % {"n": MAX_GROUPS}
        )
        return None
    total, names = Decimal(0), set()
    for index, group in enumerate(groups, start=1):
        if not isinstance(group, list | tuple) or len(group) != 2:
            errors.append(
                _("Nhóm tiêu chí chung %(i)s phải gồm tên và điểm tối đa.") % {"i": index}
            )
            return None
        name, points = group
        if not isinstance(name, str) or not name.strip():
            errors.append(_("Nhóm tiêu chí chung %(i)s chưa có tên.") % {"i": index})
        elif name.strip() in names:
            errors.append(_("Tên nhóm tiêu chí chung “%(name)s” bị trùng.") % {"name": name})
        else:
            names.add(name.strip())
        try:
            value = _decimal(points)
        except _Invalid:
            errors.append(_("Điểm tối đa của nhóm tiêu chí chung %(i)s phải là số.") % {"i": index})
            return None
        if value < 0:
            errors.append(_("Điểm tối đa của nhóm tiêu chí chung không được âm."))
        total += value
    return total


def _check_weights(data: Mapping, errors: list[str]) -> None:
    for key, size, what in (
        ("weights", 3, _("số lượng, chất lượng, tiến độ")),
        ("leader_weights", 5, _("của người đứng đầu, cấp phó")),
    ):
        weights = data[key]
        if not isinstance(weights, list) or len(weights) != size:
            errors.append(_("Phải có đúng %(n)s trọng số %(what)s.") % {"n": size, "what": what})
            continue
        try:
            values = [_fraction(w) for w in weights]
        except _Invalid:
            errors.append(
                _("Trọng số %(what)s phải là số hoặc phân số (ví dụ 1/3).") % {"what": what}
            )
            continue
        if any(w < 0 for w in values) or sum(values) != 1:
            errors.append(
                _("Các trọng số %(what)s phải không âm và có tổng bằng 1.") % {"what": what}
            )


def _check_bands(bands: Any, errors: list[str]) -> None:
    shape_ok = isinstance(bands, list) and all(
        isinstance(b, list | tuple) and len(b) == 2 for b in bands
    )
    if not shape_ok or tuple(b[0] for b in bands) != RATINGS:
        errors.append(_("Các mức xếp loại phải theo thứ tự HTXS, HTT, HT, mỗi mức có một ngưỡng."))
        return
    try:
        thresholds = [_decimal(b[1]) for b in bands]
    except _Invalid:
        errors.append(_("Ngưỡng điểm các mức xếp loại phải là số."))
        return
    if any(not 0 < t <= 100 for t in thresholds):
        errors.append(_("Ngưỡng điểm các mức xếp loại phải lớn hơn 0 và không quá 100."))
    if any(a <= b for a, b in itertools.pairwise(thresholds)):
        errors.append(_("Ngưỡng điểm các mức xếp loại phải giảm dần (HTXS > HTT > HT)."))


def _check_exception_rate(value: Any, cap: Decimal | None, errors: list[str]) -> None:
    if value is None:
        return
    try:
        rate = _decimal(value)
    except _Invalid:
        errors.append(_("Tỷ lệ Hoàn thành xuất sắc nhiệm vụ ngoại lệ phải là số hoặc để trống."))
        return
    if not 0 <= rate <= 1:
        errors.append(_("Tỷ lệ Hoàn thành xuất sắc nhiệm vụ ngoại lệ phải từ 0 đến 1."))
    elif cap is not None and rate < cap:
        errors.append(_("Tỷ lệ ngoại lệ không được thấp hơn tỷ lệ thông thường."))


def clean_rules(data: Any) -> dict[str, Any]:
    """Return the rules in the canonical JSON form, or raise ValidationError with every problem."""
    errors = validate_rules(data)
    if errors:
        raise ValidationError(errors)
    result: dict[str, Any] = {
        "general_groups": [[name.strip(), str(_decimal(p))] for name, p in data["general_groups"]],
        "task_max": str(_decimal(data["task_max"])),
        "weights": [str(_fraction(w)) for w in data["weights"]],
        "leader_weights": [str(_fraction(w)) for w in data["leader_weights"]],
    }
    for key in RULE_KEYS:
        if key in result:
            continue
        value = data[key]
        if key == "bands":
            result[key] = [[rating, str(_decimal(t))] for rating, t in value]
        elif key in DECIMAL_KEYS:
            result[key] = str(_decimal(value))
        elif key == "htxs_exception_rate":
            result[key] = None if value is None else str(_decimal(value))
        else:
            result[key] = value
    return result


def clean_descriptions(descriptions: Any, rules: Mapping) -> list[str]:
    """One description per general group, padded or cut to the number of groups."""
    count = len(rules.get("general_groups") or [])
    items = descriptions if isinstance(descriptions, list) else []
    texts = [str(d).strip() if d is not None else "" for d in items[:count]]
    return texts + [""] * (count - len(texts))


# ---- presets ------------------------------------------------------------------------------


def _base_rules(**changes: Any) -> dict[str, Any]:
    rules: dict[str, Any] = {
        "general_groups": [
            ["Phẩm chất chính trị, đạo đức, ý thức kỷ luật", "10"],
            ["Tinh thần trách nhiệm, thái độ phục vụ nhân dân, doanh nghiệp", "10"],
            ["Năng lực đổi mới sáng tạo, dám nghĩ, dám làm", "10"],
        ],
        "task_max": "70",
        "weights": ["1/3", "1/3", "1/3"],
        "leader_weights": ["1/5", "1/5", "1/5", "1/5", "1/5"],
        "error_deduction": "0.25",
        "delay_deduction": "0.25",
        "leader_unit_ok": "1",
        "leader_unit_not_ok": "0.5",
        "bands": [["HTXS", "90"], ["HTT", "70"], ["HT", "50"]],
        "override_disciplined": True,
        "override_degraded": True,
        "override_unit_corruption": True,
        "qd366_conditions": False,
        "qd366_exceeded_min": "0.30",
        "qd366_late_share_max": "0.20",
        "htxs_cap_rate": "0.20",
        "htxs_cap_denominator": "htt",
        "htxs_exception_rate": None,
    }
    rules.update(changes)
    return rules


_DEFAULT_DESCRIPTIONS = [
    "Phẩm chất chính trị, đạo đức, lối sống, ý thức tổ chức kỷ luật.",
    "Năng lực, trách nhiệm, thái độ phục vụ nhân dân, doanh nghiệp.",
    "Đổi mới sáng tạo, dám nghĩ, dám làm, dám chịu trách nhiệm vì lợi ích chung.",
]


@dataclass(frozen=True)
class Preset:
    code: str
    name: str
    rules: dict[str, Any]
    descriptions: tuple[str, ...]

    def fresh_rules(self) -> dict[str, Any]:
        """A copy of the rules that the caller may change."""
        return clean_rules(self.rules)


PRESETS: dict[str, Preset] = {
    preset.code: preset
    for preset in (
        Preset(
            "nd335",
            "Nghị định 335/2025/NĐ-CP (khối chính quyền)",
            _base_rules(),
            tuple(_DEFAULT_DESCRIPTIONS),
        ),
        Preset(
            "qd366",
            "Quy định 366-QĐ/TW (khối Đảng, MTTQ, đoàn thể)",
            _base_rules(qd366_conditions=True),
            tuple(_DEFAULT_DESCRIPTIONS),
        ),
        Preset(
            "khanh_hoa",
            "Khánh Hòa (biến thể cấp tỉnh)",
            _base_rules(
                general_groups=[
                    ["Phẩm chất, năng lực, đạo đức", "20"],
                    ["Cải cách hành chính, chuyển đổi số", "10"],
                ],
                bands=[["HTXS", "90"], ["HTT", "80"], ["HT", "50"]],
            ),
            (
                "Phẩm chất chính trị, đạo đức, lối sống; năng lực, trách nhiệm, thái độ phục vụ.",
                "Kết quả cải cách hành chính, chuyển đổi số của cá nhân.",
            ),
        ),
    )
}
PRESET_CHOICES = [(p.code, p.name) for p in PRESETS.values()]


# ---- reading and comparing ----------------------------------------------------------------


def _plain(value: Any) -> str:
    """A number as Vietnamese readers write it: no trailing zeros, comma as decimal mark."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    text = str(value)
    if "/" in text:
        return text
    try:
        number = Decimal(text).normalize()
    except InvalidOperation:
        return text
    if number == number.to_integral():
        number = number.quantize(Decimal(1))
    return format(number, "f").replace(".", ",")


@dataclass(frozen=True)
class RuleLine:
    key: str
    label: str
    value: str


def rule_lines(rules: Mapping, descriptions: list[str] | None = None) -> list[RuleLine]:
    """The rules as labelled lines, in a fixed order, for the detail and diff pages."""
    descriptions = clean_descriptions(descriptions or [], rules)
    lines: list[RuleLine] = []
    for index, (name, points) in enumerate(rules.get("general_groups") or [], start=1):
        lines.append(RuleLine(f"g{index}.name", _("Nhóm tiêu chí chung %s") % index, name))
        lines.append(
            RuleLine(f"g{index}.desc", _("Nhóm %s — mô tả") % index, descriptions[index - 1])
        )
        lines.append(RuleLine(f"g{index}.max", _("Nhóm %s — điểm tối đa") % index, _plain(points)))
    lines.append(RuleLine("task_max", str(DECIMAL_KEYS["task_max"]), _plain(rules["task_max"])))
    for key, labels in WEIGHT_LABELS.items():
        for index, (label, weight) in enumerate(zip(labels, rules[key], strict=False)):
            lines.append(RuleLine(f"{key}.{index}", str(label), _plain(weight)))
    for key in ("error_deduction", "delay_deduction", "leader_unit_ok", "leader_unit_not_ok"):
        lines.append(RuleLine(key, str(DECIMAL_KEYS[key]), _plain(rules[key])))
    for rating, threshold in rules["bands"]:
        label = _("Ngưỡng %(rating)s (từ … điểm)") % {"rating": RATING_LABELS.get(rating, rating)}
        lines.append(RuleLine(f"band.{rating}", label, _plain(threshold)))
    for key, label in TOGGLE_KEYS.items():
        lines.append(RuleLine(key, str(label), _plain(rules[key])))
    for key in ("qd366_exceeded_min", "qd366_late_share_max", "htxs_cap_rate"):
        lines.append(RuleLine(key, str(DECIMAL_KEYS[key]), _plain(rules[key])))
    denominator = rules["htxs_cap_denominator"]
    lines.append(
        RuleLine(
            "htxs_cap_denominator",
            _("Tỷ lệ Hoàn thành xuất sắc nhiệm vụ tính trên"),
            str(CAP_DENOMINATORS.get(denominator, denominator)),
        )
    )
    lines.append(
        RuleLine(
            "htxs_exception_rate",
            _("Tỷ lệ ngoại lệ (khi có quyết định của cấp có thẩm quyền)"),
            _plain(rules["htxs_exception_rate"]),
        )
    )
    return lines


@dataclass(frozen=True)
class RuleChange:
    label: str
    old: str
    new: str


def rules_diff(
    old_rules: Mapping,
    new_rules: Mapping,
    old_descriptions: list[str] | None = None,
    new_descriptions: list[str] | None = None,
) -> list[RuleChange]:
    """What differs between two versions, line by line; lines only one side has count too."""
    old = {line.key: line for line in rule_lines(old_rules, old_descriptions)}
    new = {line.key: line for line in rule_lines(new_rules, new_descriptions)}
    keys = list(old) + [k for k in new if k not in old]
    changes = []
    for key in keys:
        before, after = old.get(key), new.get(key)
        if before is not None and after is not None and before.value == after.value:
            continue
        label = (after or before).label
        changes.append(
            RuleChange(label, before.value if before else "—", after.value if after else "—")
        )
    return changes
