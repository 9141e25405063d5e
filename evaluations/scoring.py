"""Pure scoring, banding and quota rules for evaluating civil servants by task results."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from typing import Any

__all__ = [
    "PRESETS",
    "AnnualResult",
    "Flags",
    "IndividualResult",
    "LeaderFactors",
    "QuotaMember",
    "QuotaResult",
    "Rating",
    "Ratios",
    "ScoringInputError",
    "ScoringRules",
    "TaskLine",
    "band_for",
    "check_quota",
    "round_half_up",
    "score_annual",
    "score_individual",
]


class ScoringInputError(ValueError):
    """Raised when scoring inputs or rules are out of range; the message is in Vietnamese."""


class Rating(StrEnum):
    """Quality rating of one person for a period or a year."""

    HTXS = "HTXS"
    HTT = "HTT"
    HT = "HT"
    KHT = "KHT"
    NOT_RATED = "CHUA_XEP_LOAI"

    @property
    def label(self) -> str:
        """Return the legal Vietnamese name of the rating."""
        return _RATING_LABELS[self]

    @property
    def rank(self) -> int:
        """Return a number that orders ratings, higher is better, NOT_RATED lowest."""
        return _RATING_RANKS[self]


_RATING_LABELS = {
    Rating.HTXS: "Hoàn thành xuất sắc nhiệm vụ",
    Rating.HTT: "Hoàn thành tốt nhiệm vụ",
    Rating.HT: "Hoàn thành nhiệm vụ",
    Rating.KHT: "Không hoàn thành nhiệm vụ",
    Rating.NOT_RATED: "Chưa xếp loại",
}
_RATING_RANKS = {
    Rating.HTXS: 4,
    Rating.HTT: 3,
    Rating.HT: 2,
    Rating.KHT: 1,
    Rating.NOT_RATED: 0,
}
_NEXT_LOWER = {Rating.HTXS: Rating.HTT, Rating.HTT: Rating.HT, Rating.HT: Rating.KHT}

ROLES = ("staff", "leader")
CAP_DENOMINATORS = ("htt", "rated")


@dataclass(frozen=True)
class TaskLine:
    """One assigned product or job line of a person for a period, in converted units."""

    coefficient: Decimal
    assigned: Decimal
    done: Decimal
    quality_pass: bool = True
    major_errors: int = 0
    delays: int = 0
    exempt: bool = False
    exceeded: bool = False


@dataclass(frozen=True)
class LeaderFactors:
    """Extra inputs for a leader: ratings of direct subordinates and organizing capacity."""

    subordinate_ratings: tuple[Rating | str, ...]
    organizing: Decimal


@dataclass(frozen=True)
class Flags:
    """Findings that force a Không hoàn thành nhiệm vụ rating whatever the points."""

    disciplined: bool = False
    degraded: bool = False
    unit_corruption: bool = False


def _third() -> tuple[Fraction, ...]:
    return (Fraction(1, 3),) * 3


def _fifth() -> tuple[Fraction, ...]:
    return (Fraction(1, 5),) * 5


_DEFAULT_GROUPS = (
    ("Phẩm chất chính trị, đạo đức, ý thức kỷ luật", Decimal(10)),
    ("Tinh thần trách nhiệm, thái độ phục vụ nhân dân, doanh nghiệp", Decimal(10)),
    ("Năng lực đổi mới sáng tạo, dám nghĩ, dám làm", Decimal(10)),
)
_DEFAULT_BANDS = ((Rating.HTXS, Decimal(90)), (Rating.HTT, Decimal(70)), (Rating.HT, Decimal(50)))


@dataclass(frozen=True)
class ScoringRules:
    """Every constant of the scoring method; the defaults are those of Nghị định 335."""

    general_groups: tuple[tuple[str, Decimal], ...] = _DEFAULT_GROUPS
    task_max: Decimal = Decimal(70)
    # Fractions keep equal thirds exact, so 70 × (Q + C + P) / 3 is reproduced to the last digit.
    weights: tuple[Fraction, ...] = field(default_factory=_third)
    leader_weights: tuple[Fraction, ...] = field(default_factory=_fifth)
    error_deduction: Decimal = Decimal("0.25")
    delay_deduction: Decimal = Decimal("0.25")
    leader_unit_ok: Decimal = Decimal(1)
    leader_unit_not_ok: Decimal = Decimal("0.5")
    bands: tuple[tuple[Rating, Decimal], ...] = _DEFAULT_BANDS
    override_disciplined: bool = True
    override_degraded: bool = True
    override_unit_corruption: bool = True
    qd366_conditions: bool = False
    qd366_exceeded_min: Decimal = Decimal("0.30")
    qd366_late_share_max: Decimal = Decimal("0.20")
    htxs_cap_rate: Decimal = Decimal("0.20")
    htxs_cap_denominator: str = "htt"
    htxs_exception_rate: Decimal | None = None

    @classmethod
    def nd335(cls) -> ScoringRules:
        """Return the rules of Nghị định 335/2025/NĐ-CP."""
        return cls()

    @classmethod
    def qd366(cls) -> ScoringRules:
        """Return the rules of Quy định 366, which add conditions on completion and lateness."""
        return cls(qd366_conditions=True)

    @classmethod
    def khanh_hoa(cls) -> ScoringRules:
        """Return the rules adopted by Khánh Hòa province."""
        return cls(
            general_groups=(
                ("Phẩm chất, năng lực, đạo đức", Decimal(20)),
                ("Cải cách hành chính, chuyển đổi số", Decimal(10)),
            ),
            bands=((Rating.HTXS, Decimal(90)), (Rating.HTT, Decimal(80)), (Rating.HT, Decimal(50))),
        )

    @property
    def general_max(self) -> Decimal:
        """Return the highest possible sum of the general-criteria groups."""
        return sum((points for _, points in self.general_groups), Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict with decimals and fractions as strings."""
        return {
            "general_groups": [[name, str(points)] for name, points in self.general_groups],
            "task_max": str(self.task_max),
            "weights": [str(w) for w in self.weights],
            "leader_weights": [str(w) for w in self.leader_weights],
            "error_deduction": str(self.error_deduction),
            "delay_deduction": str(self.delay_deduction),
            "leader_unit_ok": str(self.leader_unit_ok),
            "leader_unit_not_ok": str(self.leader_unit_not_ok),
            "bands": [[rating.value, str(threshold)] for rating, threshold in self.bands],
            "override_disciplined": self.override_disciplined,
            "override_degraded": self.override_degraded,
            "override_unit_corruption": self.override_unit_corruption,
            "qd366_conditions": self.qd366_conditions,
            "qd366_exceeded_min": str(self.qd366_exceeded_min),
            "qd366_late_share_max": str(self.qd366_late_share_max),
            "htxs_cap_rate": str(self.htxs_cap_rate),
            "htxs_cap_denominator": self.htxs_cap_denominator,
            "htxs_exception_rate": (
                None if self.htxs_exception_rate is None else str(self.htxs_exception_rate)
            ),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoringRules:
        """Build rules from `to_dict()` output, defaulting missing keys, refusing invalid rules."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ScoringInputError(f"Bộ quy tắc có khóa không hợp lệ: {', '.join(unknown)}.")
        kwargs: dict[str, Any] = {}
        try:
            for key, value in data.items():
                if key == "general_groups":
                    kwargs[key] = tuple((str(name), Decimal(points)) for name, points in value)
                elif key in ("weights", "leader_weights"):
                    kwargs[key] = tuple(Fraction(w) for w in value)
                elif key == "bands":
                    kwargs[key] = tuple((Rating(r), Decimal(t)) for r, t in value)
                elif key == "htxs_cap_denominator":
                    kwargs[key] = str(value)
                elif key.startswith("override_") or key == "qd366_conditions":
                    if not isinstance(value, bool):
                        raise TypeError(key)
                    kwargs[key] = value
                elif key == "htxs_exception_rate" and value is None:
                    kwargs[key] = None
                else:
                    kwargs[key] = Decimal(value)
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise ScoringInputError(f"Bộ quy tắc có giá trị không hợp lệ ({exc}).") from exc
        rules = cls(**kwargs)
        errors = rules.validate()
        if errors:
            raise ScoringInputError(" ".join(errors))
        return rules

    def validate(self) -> list[str]:
        """Return the Vietnamese messages describing why these rules are inconsistent."""
        errors = []
        if any(points < 0 for _, points in self.general_groups):
            errors.append("Điểm tối đa của nhóm tiêu chí chung không được âm.")
        if self.general_max + self.task_max != 100:
            errors.append(
                "Tổng điểm tối đa của tiêu chí chung và kết quả thực hiện nhiệm vụ phải bằng 100"
                f" (hiện là {self.general_max + self.task_max})."
            )
        for name, weights, size in (
            ("số lượng, chất lượng, tiến độ", self.weights, 3),
            ("của người đứng đầu, cấp phó", self.leader_weights, 5),
        ):
            if len(weights) != size:
                errors.append(f"Phải có đúng {size} trọng số {name}.")
            elif any(w < 0 for w in weights) or sum(weights) != 1:
                errors.append(f"Các trọng số {name} phải không âm và có tổng bằng 1.")
        ratings = tuple(rating for rating, _ in self.bands)
        thresholds = [threshold for _, threshold in self.bands]
        if ratings != (Rating.HTXS, Rating.HTT, Rating.HT):
            errors.append("Các mức xếp loại phải theo thứ tự HTXS, HTT, HT.")
        if any(a <= b for a, b in itertools.pairwise(thresholds)):
            errors.append("Ngưỡng điểm các mức xếp loại phải giảm dần.")
        for label, value in (
            ("Mức trừ khi có lỗi lớn", self.error_deduction),
            ("Mức trừ khi chậm tiến độ", self.delay_deduction),
            ("Hệ số đơn vị đạt yêu cầu", self.leader_unit_ok),
            ("Hệ số đơn vị không đạt yêu cầu", self.leader_unit_not_ok),
            ("Tỷ lệ vượt yêu cầu tối thiểu", self.qd366_exceeded_min),
            ("Tỷ lệ chậm tiến độ tối đa", self.qd366_late_share_max),
            ("Tỷ lệ Hoàn thành xuất sắc nhiệm vụ", self.htxs_cap_rate),
            ("Tỷ lệ Hoàn thành xuất sắc nhiệm vụ ngoại lệ", self.htxs_exception_rate),
        ):
            if value is not None and not 0 <= value <= 1:
                errors.append(f"{label} phải nằm trong khoảng từ 0 đến 1.")
        if self.htxs_cap_denominator not in CAP_DENOMINATORS:
            errors.append(
                "Cách tính tỷ lệ Hoàn thành xuất sắc nhiệm vụ phải là 'htt' hoặc 'rated'."
            )
        if self.htxs_exception_rate is not None and self.htxs_exception_rate < self.htxs_cap_rate:
            errors.append("Tỷ lệ ngoại lệ không được thấp hơn tỷ lệ thông thường.")
        return errors


PRESETS = {
    "nd335": ScoringRules.nd335(),
    "qd366": ScoringRules.qd366(),
    "khanh_hoa": ScoringRules.khanh_hoa(),
}


@dataclass(frozen=True)
class Ratios:
    """Quantity, quality and timeliness ratios, each in [0, 1] and not rounded."""

    quantity: Decimal
    quality: Decimal
    timeliness: Decimal


@dataclass(frozen=True)
class IndividualResult:
    """Points and rating of one person for one period."""

    general: Decimal | None
    task: Decimal | None
    total: Decimal | None
    rating: Rating
    capped_by: str | None
    ratios: Ratios | None
    band_rating: Rating


@dataclass(frozen=True)
class QuotaMember:
    """One rated person of a quota group."""

    id: Any
    total: Decimal | None
    rating: Rating


@dataclass(frozen=True)
class QuotaResult:
    """Outcome of checking the Hoàn thành xuất sắc nhiệm vụ quota of one group."""

    htxs: int
    htt: int
    cap: int
    over_by: int
    suggest_downgrade: tuple


@dataclass(frozen=True)
class AnnualResult:
    """Points and rating of one person for a year."""

    total: Decimal | None
    rating: Rating
    capped_by: str | None


def round_half_up(x: Decimal | Fraction | int, places: int = 2) -> Decimal:
    """Round a number half away from zero to `places` decimals, exactly."""
    value = _exact(x, "Giá trị cần làm tròn")
    scaled = abs(value) * 10**places
    units = math.floor(scaled + Fraction(1, 2))
    if value < 0:
        units = -units
    return Decimal(units).scaleb(-places)


def band_for(total: Decimal, rules: ScoringRules) -> Rating:
    """Return the rating whose threshold the total reaches, Không hoàn thành nhiệm vụ otherwise."""
    for rating, threshold in rules.bands:
        if total >= threshold:
            return rating
    return Rating.KHT


def score_individual(
    *,
    rules: ScoringRules,
    general: Sequence[Decimal],
    tasks: Sequence[TaskLine],
    role: str = "staff",
    leader: LeaderFactors | None = None,
    flags: Flags = Flags(),
) -> IndividualResult:
    """Score one person for one period.

    `capped_by` names what lowered the rating below its band, or is None when the final
    rating equals the band (an override on an already KHT band is not reported). Overrides
    take precedence, checked in the order disciplined, degraded, unit_corruption. Under the
    Quy định 366 cascade the reported condition is the one that failed last, i.e. the one
    explaining why the rating is not one level higher; within a level the conditions are
    checked in the order all_done, no_late, exceeded or late_share.
    """
    if role not in ROLES:
        raise ScoringInputError(f"Vai trò '{role}' không hợp lệ; chỉ nhận 'staff' hoặc 'leader'.")
    general_points = _check_general(general, rules)
    lines = [_check_line(i, line) for i, line in enumerate(tasks)]
    unit_ok, organizing = True, Fraction(0)
    if role == "leader":
        if leader is None:
            raise ScoringInputError("Người đứng đầu, cấp phó phải có thông tin đánh giá lãnh đạo.")
        unit_ok, organizing = _check_leader(leader)

    assigned = sum((line.assigned * line.coefficient for line in lines), Fraction(0))
    if assigned == 0:
        # Nothing assigned means no baseline to compare against, so the period is not rated.
        return IndividualResult(
            general=None,
            task=None,
            total=None,
            rating=Rating.NOT_RATED,
            capped_by=None,
            ratios=None,
            band_rating=Rating.NOT_RATED,
        )

    done = quality = timely = late_done = exceeded_assigned = Fraction(0)
    error_deduction = Fraction(rules.error_deduction)
    delay_deduction = Fraction(rules.delay_deduction)
    any_late = False
    for line in lines:
        weight = line.done * line.coefficient
        errors = 0 if line.exempt else line.major_errors
        delays = 0 if line.exempt else line.delays
        done += weight
        if line.quality_pass:
            quality += weight * max(Fraction(0), 1 - error_deduction * errors)
        timely += weight * max(Fraction(0), 1 - delay_deduction * delays)
        if delays > 0:
            any_late = True
            late_done += weight
        if line.exceeded:
            exceeded_assigned += line.assigned * line.coefficient

    q = min(Fraction(1), done / assigned)
    c = min(Fraction(1), quality / assigned)
    p = min(Fraction(1), timely / assigned)
    if role == "leader":
        unit = Fraction(rules.leader_unit_ok if unit_ok else rules.leader_unit_not_ok)
        parts = (q, c, p, unit, organizing)
        share = sum((w * x for w, x in zip(rules.leader_weights, parts, strict=True)), Fraction(0))
    else:
        share = sum((w * x for w, x in zip(rules.weights, (q, c, p), strict=True)), Fraction(0))
    task = round_half_up(Fraction(rules.task_max) * share)
    total = general_points + task
    band = band_for(total, rules)

    reason = _override_reason(flags, rules, is_leader=role == "leader")
    if reason is not None:
        rating = Rating.KHT
    elif rules.qd366_conditions:
        late_share = late_done / done if done else Fraction(0)
        rating, reason = _apply_qd366(
            band,
            all_done=done >= assigned,
            no_late=not any_late,
            exceeded_ok=exceeded_assigned / assigned >= Fraction(rules.qd366_exceeded_min),
            late_share_ok=late_share <= Fraction(rules.qd366_late_share_max),
        )
    else:
        rating = band
    return IndividualResult(
        general=general_points,
        task=task,
        total=total,
        rating=rating,
        capped_by=reason if rating != band else None,
        ratios=Ratios(quantity=_to_decimal(q), quality=_to_decimal(c), timeliness=_to_decimal(p)),
        band_rating=band,
    )


def check_quota(
    *,
    rules: ScoringRules,
    members: Sequence[QuotaMember],
    exception_decision: str | None = None,
) -> QuotaResult:
    """Check the Hoàn thành xuất sắc nhiệm vụ cap of one group and name who should drop to HTT."""
    ratings = [_check_rating(m.rating, f"Xếp loại của thành viên {m.id!r}") for m in members]
    htxs = [m for m, r in zip(members, ratings, strict=True) if r is Rating.HTXS]
    htt_count = sum(1 for r in ratings if r is Rating.HTT)
    if rules.htxs_cap_denominator == "rated":
        base = sum(1 for r in ratings if r is not Rating.NOT_RATED)
    else:
        base = htt_count
    rate = rules.htxs_cap_rate
    if exception_decision and exception_decision.strip() and rules.htxs_exception_rate is not None:
        rate = rules.htxs_exception_rate
    cap = math.floor(Fraction(rate) * base)
    over_by = max(0, len(htxs) - cap)
    for member in htxs:
        if member.total is None:
            raise ScoringInputError(
                f"Thành viên {member.id!r} xếp loại Hoàn thành xuất sắc nhiệm vụ"
                " nhưng thiếu tổng điểm."
            )
    try:
        ordered = sorted(htxs, key=lambda m: (_exact(m.total, "Tổng điểm"), m.id))
    except TypeError as exc:
        raise ScoringInputError("Mã các thành viên phải cùng kiểu để so sánh được.") from exc
    return QuotaResult(
        htxs=len(htxs),
        htt=htt_count,
        cap=cap,
        over_by=over_by,
        suggest_downgrade=tuple(m.id for m in ordered[:over_by]),
    )


def score_annual(
    *,
    rules: ScoringRules,
    period_totals: Sequence[Decimal | None],
    flags: Flags = Flags(),
) -> AnnualResult:
    """Rate a year from the mean of its rated periods' totals.

    The unit_corruption flag applies whatever the role, because the year has none; callers
    set it only for leaders. `capped_by` follows the rule of `score_individual`.
    """
    highest = rules.general_max + rules.task_max
    rated = []
    for i, total in enumerate(period_totals):
        if total is None:
            continue
        value = _exact(total, f"Tổng điểm kỳ {i + 1}")
        if not 0 <= value <= highest:
            raise ScoringInputError(f"Tổng điểm kỳ {i + 1} phải nằm trong khoảng 0 đến {highest}.")
        rated.append(value)
    if not rated:
        return AnnualResult(total=None, rating=Rating.NOT_RATED, capped_by=None)
    total = round_half_up(sum(rated, Fraction(0)) / len(rated))
    band = band_for(total, rules)
    reason = _override_reason(flags, rules, is_leader=True)
    rating = Rating.KHT if reason is not None else band
    return AnnualResult(total=total, rating=rating, capped_by=reason if rating != band else None)


def _override_reason(flags: Flags, rules: ScoringRules, *, is_leader: bool) -> str | None:
    if flags.disciplined and rules.override_disciplined:
        return "disciplined"
    if flags.degraded and rules.override_degraded:
        return "degraded"
    if flags.unit_corruption and is_leader and rules.override_unit_corruption:
        return "unit_corruption"
    return None


def _apply_qd366(
    band: Rating, *, all_done: bool, no_late: bool, exceeded_ok: bool, late_share_ok: bool
) -> tuple[Rating, str | None]:
    conditions = {
        Rating.HTXS: (
            ("qd366_all_done", all_done),
            ("qd366_no_late", no_late),
            ("qd366_exceeded", exceeded_ok),
        ),
        Rating.HTT: (("qd366_all_done", all_done), ("qd366_no_late", no_late)),
        Rating.HT: (("qd366_all_done", all_done), ("qd366_late_share", late_share_ok)),
    }
    rating, reason = band, None
    while rating in conditions:
        failed = next((name for name, ok in conditions[rating] if not ok), None)
        if failed is None:
            break
        rating, reason = _NEXT_LOWER[rating], failed
    return rating, reason


@dataclass(frozen=True)
class _Line:
    coefficient: Fraction
    assigned: Fraction
    done: Fraction
    quality_pass: bool
    major_errors: int
    delays: int
    exempt: bool
    exceeded: bool


def _check_general(general: Sequence[Decimal], rules: ScoringRules) -> Decimal:
    if len(general) != len(rules.general_groups):
        raise ScoringInputError(
            f"Cần đúng {len(rules.general_groups)} điểm tiêu chí chung, nhận được {len(general)}."
        )
    total = Fraction(0)
    for points, (name, max_points) in zip(general, rules.general_groups, strict=True):
        value = _exact(points, f"Điểm nhóm '{name}'")
        if not 0 <= value <= max_points:
            raise ScoringInputError(
                f"Điểm nhóm '{name}' phải nằm trong khoảng 0 đến {max_points}, nhận được {points}."
            )
        if (value * 100).denominator != 1:
            # More than two decimals would make the printed general and task not add up.
            raise ScoringInputError(f"Điểm nhóm '{name}' chỉ được có tối đa 2 chữ số thập phân.")
        total += value
    return round_half_up(total)


def _check_line(index: int, line: TaskLine) -> _Line:
    where = f"Dòng nhiệm vụ {index + 1}"
    coefficient = _exact(line.coefficient, f"{where}: hệ số quy đổi")
    assigned = _exact(line.assigned, f"{where}: số lượng được giao")
    done = _exact(line.done, f"{where}: số lượng hoàn thành")
    if coefficient <= 0:
        raise ScoringInputError(f"{where}: hệ số quy đổi phải lớn hơn 0.")
    if assigned < 0:
        raise ScoringInputError(f"{where}: số lượng được giao không được âm.")
    if done < 0:
        raise ScoringInputError(f"{where}: số lượng hoàn thành không được âm.")
    for label, count in (("số lỗi lớn", line.major_errors), ("số lần chậm tiến độ", line.delays)):
        if isinstance(count, bool) or not isinstance(count, int):
            raise ScoringInputError(f"{where}: {label} phải là số nguyên.")
        if count < 0:
            raise ScoringInputError(f"{where}: {label} không được âm.")
    for label, flag in (
        ("chất lượng đạt", line.quality_pass),
        ("miễn trừ", line.exempt),
        ("vượt yêu cầu", line.exceeded),
    ):
        if not isinstance(flag, bool):
            raise ScoringInputError(f"{where}: '{label}' phải là đúng/sai.")
    return _Line(
        coefficient=coefficient,
        assigned=assigned,
        done=done,
        quality_pass=line.quality_pass,
        major_errors=line.major_errors,
        delays=line.delays,
        exempt=line.exempt,
        exceeded=line.exceeded,
    )


def _check_leader(leader: LeaderFactors) -> tuple[bool, Fraction]:
    organizing = _exact(leader.organizing, "Năng lực tổ chức thực hiện nhiệm vụ")
    if not 0 <= organizing <= 1:
        raise ScoringInputError(
            "Năng lực tổ chức thực hiện nhiệm vụ phải nằm trong khoảng 0 đến 1."
        )
    ratings = [_check_rating(r, "Xếp loại của cấp dưới") for r in leader.subordinate_ratings]
    # Subordinates without a rating had nothing assigned, so they say nothing about the unit.
    unit_ok = all(r.rank >= Rating.HT.rank for r in ratings if r is not Rating.NOT_RATED)
    return unit_ok, organizing


def _check_rating(value: Rating | str, label: str) -> Rating:
    try:
        return Rating(value)
    except ValueError:
        raise ScoringInputError(f"{label} '{value}' không hợp lệ.") from None


def _exact(value: Any, label: str) -> Fraction:
    # Floats are refused because 0.1 as a float is not 0.1 and the rules require exact sums.
    if isinstance(value, bool) or not isinstance(value, Decimal | Fraction | int):
        raise ScoringInputError(f"{label} phải là số chính xác (Decimal hoặc số nguyên).")
    try:
        return Fraction(value)
    except (ArithmeticError, ValueError):
        raise ScoringInputError(f"{label} không phải là một số hữu hạn.") from None


def _to_decimal(value: Fraction) -> Decimal:
    # A ratio such as 1/3 has no finite decimal, so 40 significant digits stand in for it.
    with localcontext(prec=40):
        return Decimal(value.numerator) / Decimal(value.denominator)
