"""A score as the screens show it: parts, band, rating and what lowered it, in Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .. import scoring, tasklines
from ..models import Evaluation, EvaluationState, Rating

CAPPED_BY = {
    "disciplined": _(
        "Bị kỷ luật từ khiển trách trở lên trong năm: xếp loại Không hoàn thành nhiệm vụ."
    ),
    "degraded": _("Có kết luận suy thoái: xếp loại Không hoàn thành nhiệm vụ."),
    "unit_corruption": _(
        "Cơ quan, đơn vị do mình phụ trách để xảy ra tham nhũng: "
        "xếp loại Không hoàn thành nhiệm vụ."
    ),
    "qd366_all_done": _("Chưa hoàn thành hết nhiệm vụ được giao (Quy định 366): hạ một mức."),
    "qd366_no_late": _("Có nhiệm vụ chậm tiến độ (Quy định 366): hạ một mức."),
    "qd366_exceeded": _(
        "Tỷ lệ nhiệm vụ vượt yêu cầu chưa đạt mức tối thiểu (Quy định 366): hạ một mức."
    ),
    "qd366_late_share": _(
        "Tỷ lệ nhiệm vụ chậm tiến độ vượt mức cho phép (Quy định 366): "
        "xếp loại Không hoàn thành nhiệm vụ."
    ),
}
NOTHING_ASSIGNED = _("Không có nhiệm vụ nào được giao (tổng được giao bằng 0) nên chưa xếp loại.")
RATING_BADGES = {
    Rating.HTXS: "text-bg-success",
    Rating.HTT: "text-bg-primary",
    Rating.HT: "text-bg-info",
    Rating.KHT: "text-bg-danger",
    Rating.NOT_RATED: "text-bg-secondary",
}
STATE_BADGES = {
    EvaluationState.DRAFT: "text-bg-secondary",
    EvaluationState.SELF_ASSESSED: "text-bg-warning",
    EvaluationState.HEAD_ASSESSED: "text-bg-primary",
    EvaluationState.HR_CHECKED: "text-bg-info",
    EvaluationState.DECIDED: "text-bg-success",
    EvaluationState.PUBLISHED: "text-bg-dark",
}


def rating_label(code: str) -> str:
    return str(Rating(code).label) if code in Rating.values else "—"


def rating_badge(code: str) -> str:
    return RATING_BADGES.get(code, "text-bg-light")


def capped_text(code: str) -> str:
    return str(CAPPED_BY.get(code, code)) if code else ""


@dataclass(frozen=True)
class Scorecard:
    """General, task and total points, the band, the rating and why it is lower than the band."""

    general: Decimal | None
    task: Decimal | None
    total: Decimal | None
    band: str
    rating: str
    capped_by: str = ""
    ratios: dict[str, Decimal] | None = None
    not_rated_reason: str = ""

    @property
    def is_rated(self) -> bool:
        return self.rating not in ("", Rating.NOT_RATED)

    @property
    def rating_label(self) -> str:
        return rating_label(self.rating)

    @property
    def band_label(self) -> str:
        return rating_label(self.band)

    @property
    def badge(self) -> str:
        return rating_badge(self.rating)

    @property
    def capped_text(self) -> str:
        return capped_text(self.capped_by)


def from_result(result: scoring.IndividualResult, not_rated_reason: str = "") -> Scorecard:
    ratios = None
    if result.ratios is not None:
        ratios = {k: scoring.round_half_up(v, 4) for k, v in vars(result.ratios).items()}
    return Scorecard(
        general=result.general,
        task=result.task,
        total=result.total,
        band=str(result.band_rating),
        rating=str(result.rating),
        capped_by=result.capped_by or "",
        ratios=ratios,
        not_rated_reason=not_rated_reason,
    )


def from_evaluation(evaluation: Evaluation) -> Scorecard:
    """The stored (last computed, or decided) score of an evaluation."""
    ratios = {k: Decimal(v) for k, v in evaluation.ratios.items()} or None
    return Scorecard(
        general=evaluation.general_score,
        task=evaluation.task_score,
        total=evaluation.total,
        band=evaluation.band_rating,
        rating=evaluation.computed_rating,
        capped_by=evaluation.capped_by,
        ratios=ratios,
        not_rated_reason=evaluation.not_rated_reason,
    )


@dataclass(frozen=True)
class Line:
    """One row of the task summary: quantities, sản phẩm chuẩn and the reviewer's verdicts."""

    label: str
    coefficient: Decimal
    assigned: Decimal
    done: Decimal
    quality_pass: bool
    major_errors: int
    delays: int
    exempt: bool
    exceeded: bool

    @property
    def assigned_standard(self) -> Decimal:
        return self.assigned * self.coefficient

    @property
    def done_standard(self) -> Decimal:
        return self.done * self.coefficient


def lines_of(lines: tasklines.Lines) -> list[Line]:
    return [
        Line(label, *(getattr(line, f) for f in LINE_ATTRS))
        for label, line in zip(lines.labels, lines.lines, strict=True)
    ]


def stored_lines(rows: list[dict]) -> list[Line]:
    engine = tasklines.lines_from_json(rows)
    return [
        Line(row.get("label", ""), *(getattr(line, f) for f in LINE_ATTRS))
        for row, line in zip(rows, engine, strict=True)
    ]


LINE_ATTRS = (
    "coefficient",
    "assigned",
    "done",
    "quality_pass",
    "major_errors",
    "delays",
    "exempt",
    "exceeded",
)


@dataclass(frozen=True)
class Totals:
    assigned: Decimal
    done: Decimal


def totals_of(lines: list[Line]) -> Totals:
    return Totals(
        sum((line.assigned_standard for line in lines), Decimal(0)),
        sum((line.done_standard for line in lines), Decimal(0)),
    )
