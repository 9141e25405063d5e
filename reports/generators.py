"""One generator per report: each reads the records and returns a `Table` any exporter can write.

Official documents are Vietnamese whatever the interface language, so the text written here is
plain Vietnamese, not marked for translation (as the import/export workbooks of `orgunits`).
Exports read the evaluation rows themselves rather than the dashboards' rollups: a signed
document must show the decided record exactly, and a background job may afford the scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from evaluations import tasklines
from evaluations.models import (
    EntryStatus,
    Evaluation,
    EvaluationState,
    Frequency,
    Period,
    Rating,
    WorkEntry,
)
from orgunits.models import Bloc, OrgUnit, Person, UnitKind, User

TEXT, INT, DECIMAL, PERCENT, DATE = "text", "int", "decimal", "percent", "date"
BANDS = (Rating.HTXS, Rating.HTT, Rating.HT, Rating.KHT, Rating.NOT_RATED)
DECIDED = (EvaluationState.DECIDED, EvaluationState.PUBLISHED)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
SIGN = "(Ký, ghi rõ họ tên)"
# (title, how to sign, printed name) of each signature column.
DEFAULT_SIGNATURES = (
    ("NGƯỜI LẬP BIỂU", SIGN, ""),
    ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)", ""),
)


class ExportError(Exception):
    """A report cannot be built; the message is Vietnamese and shown to the requester."""


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14
    kind: str = TEXT


@dataclass
class Part:
    """A further table of a report: another sheet in Excel, another section in a PDF."""

    title: str
    columns: list[Column]
    rows: list[list]


@dataclass(frozen=True)
class Chart:
    """Horizontal bars drawn server-side as SVG; `suffix` follows each value (e.g. "%")."""

    title: str
    bars: list[tuple[str, float]]
    suffix: str = ""
    by_band: bool = False  # one colour per rating band, else all bars alike


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: Iterable[list]
    subtitle: list[str] = field(default_factory=list)
    sheet: str = "Báo cáo"
    issuer: str = ""
    issuer_parent: str = ""
    code: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    signatures: tuple[tuple[str, str, str], ...] = DEFAULT_SIGNATURES
    form_label: str = ""


# ---- parameters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The resolved parameters of one export job."""

    viewer: User
    unit: OrgUnit | None = None
    period: Period | None = None
    person: Person | None = None
    year: int | None = None
    quarter: int | None = None

    def require_unit(self) -> OrgUnit:
        if self.unit is None:
            raise ExportError("Thiếu đơn vị cần xuất báo cáo.")
        return self.unit

    def require_period(self) -> Period:
        if self.period is None:
            raise ExportError("Thiếu kỳ đánh giá cần xuất báo cáo.")
        return self.period

    def require_quarter(self) -> tuple[int, int]:
        if self.year is None or self.quarter not in ROMAN:
            raise ExportError("Quý phải từ 1 đến 4 và phải có năm.")
        return self.year, self.quarter


def _get(model, pk, missing: str):
    if pk is None:
        return None
    try:
        return model.objects.get(pk=int(pk))
    except (model.DoesNotExist, TypeError, ValueError):
        raise ExportError(missing) from None


def resolve(params: dict, viewer: User) -> Scope:
    """Turn a job's stored parameters back into rows; anything gone since is an `ExportError`."""
    try:
        year = int(params["year"]) if params.get("year") is not None else None
        quarter = int(params["quarter"]) if params.get("quarter") is not None else None
    except (TypeError, ValueError):
        raise ExportError("Năm hoặc quý không hợp lệ.") from None
    return Scope(
        viewer=viewer,
        unit=_get(OrgUnit, params.get("unit"), "Không tìm thấy đơn vị cần xuất báo cáo."),
        period=_get(Period, params.get("period"), "Không tìm thấy kỳ đánh giá cần xuất báo cáo."),
        person=_get(Person, params.get("person"), "Không tìm thấy cán bộ cần xuất báo cáo."),
        year=year,
        quarter=quarter,
    )


# ---- the administrative header -----------------------------------------------------------


def place_name() -> str:
    """The place written in the date line: the province without its "Tỉnh"."""
    return re.sub(r"^(Tỉnh|Thành phố)\s+", "", settings.PROVINCE_NAME).strip()


def _deciding_unit_of(unit: OrgUnit) -> OrgUnit:
    from evaluations.assessment import deciding_unit_of

    return deciding_unit_of(unit)


def issuer_of(unit: OrgUnit) -> tuple[str, str]:
    """The issuing body and the body above it, as a document's top-left corner prints them."""
    body = unit if unit.depth <= 2 else _deciding_unit_of(unit)
    parent = ""
    # Only agencies print their governing body above their own name; communes and the
    # province-level nodes are the issuing body themselves.
    if body.kind in (UnitKind.AGENCY, UnitKind.PUBLIC_SERVICE):
        parent = {
            Bloc.GOVERNMENT: f"UBND {settings.PROVINCE_NAME}",
            Bloc.PARTY: f"TỈNH ỦY {place_name()}",
            Bloc.FRONT: f"ỦY BAN MTTQ VIỆT NAM {settings.PROVINCE_NAME}",
        }.get(body.bloc, "")
    return body.name.upper(), parent.upper()


def _requester_issuer(viewer: User, fallback: OrgUnit) -> OrgUnit:
    """Province-wide reports are issued by the requester's own agency (Ban Tổ chức, Sở Nội vụ)."""
    person = getattr(viewer, "person", None)
    placement = person.primary_assignment_on(timezone.localdate()) if person else None
    return placement.unit if placement else fallback


def _code(unit: OrgUnit, prefix: str) -> str:
    short = re.sub(r"[^0-9A-Za-zĐđ]", "", unit.short_name or unit.code).upper()[:12]
    return f"/{prefix}-{short}"


def _header(table: Table, unit: OrgUnit, prefix: str = "BC") -> Table:
    table.issuer, table.issuer_parent = issuer_of(unit)
    body = unit if unit.depth <= 2 else _deciding_unit_of(unit)
    table.code = _code(body, prefix)
    return table


# ---- shared reading ----------------------------------------------------------------------


def _decided(evaluation: Evaluation) -> bool:
    return evaluation.state in DECIDED


def shows_decision(evaluation: Evaluation, viewer: User) -> bool:
    """The decided rating: to the chain from the decision on, to the person once published."""
    return _shows(evaluation.state, evaluation.person.user_id, viewer)


def _shows(state: str, person_user_id: int | None, viewer: User) -> bool:
    if state == EvaluationState.PUBLISHED:
        return True
    return state in DECIDED and person_user_id != viewer.pk


def _shown_to(viewer: User) -> Q:
    """`_shows` as a condition, for counting in the database."""
    return Q(state=EvaluationState.PUBLISHED) | (Q(state__in=DECIDED) & ~Q(person__user=viewer.pk))


def _label(rating: str) -> str:
    return str(Rating(rating).label) if rating in Rating.values else ""


def _lines(evaluation: Evaluation) -> list[dict]:
    """Frozen lines once decided; an open evaluation never refreshed is computed live."""
    if evaluation.task_lines or _decided(evaluation):
        return evaluation.task_lines
    return tasklines.lines_as_json(tasklines.build_lines(evaluation.person, evaluation.period))


def _d(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def period_label(period: Period) -> str:
    bloc = period.get_bloc_display() or "toàn tỉnh"
    return (
        f"Kỳ đánh giá: {period} ({bloc}), "
        f"từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y}"
    )


def _in_unit(unit: OrgUnit, period: Period) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(period=period, unit__path__startswith=unit.path).order_by(
        "unit__path", "person__full_name", "pk"
    )


# What a summary row prints, and no more: a province is 50,000 rows, and a full instance with
# its joined person, unit and period (task lines, ratios, …) costs ~20 KB each.
SUMMARY_FIELDS = (
    "person__full_name",
    "person__position_title",
    "unit__name",
    "general_score",
    "task_score",
    "total",
    "computed_rating",
    "rating",
    "state",
    "downgrade_reason",
    "not_rated_reason",
    "person__user_id",
)


def _scoped_evaluations(unit: OrgUnit, period: Period) -> QuerySet:
    """The summary's query, one tuple per evaluation (the benchmark's COPY floor reads it too)."""
    return _in_unit(unit, period).values_list(*SUMMARY_FIELDS, named=True)


class Rows:
    """Rows produced on demand, each pass a fresh query; `len` is known up front."""

    def __init__(self, count: int, produce) -> None:
        self.count, self.produce = count, produce

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[list]:
        return iter(self.produce())


def _band_counts(unit: OrgUnit, period: Period, viewer: User) -> dict[str, int]:
    shown = _shown_to(viewer)
    return _in_unit(unit, period).aggregate(
        n_all=Count("pk"),
        n_decided=Count("pk", filter=shown),
        **{f"n_{band}": Count("pk", filter=shown & Q(rating=band)) for band in BANDS},
    )


def _band_notes(counts: dict[str, int]) -> list[str]:
    total, decided = counts["n_all"], counts["n_decided"]
    if not decided:
        return [f"Tổng số: {total} người; chưa có kết quả được quyết định."]
    shares = "; ".join(
        f"{band.label}: {counts[f'n_{band}']} người "
        f"({_fmt(Decimal(100 * counts[f'n_{band}']) / decided, 1)}%)"
        for band in BANDS
    )
    return [
        f"Tổng số: {total} người; đã có kết quả: {decided} người.",
        f"Trong đó: {shares}.",
    ]


# ---- biểu tổng hợp kết quả đánh giá, xếp loại (one unit, one period) -----------------------

SUMMARY_COLUMNS = [
    Column("STT", 8, INT),
    Column("Họ và tên", 28),
    Column("Chức vụ", 20),
    Column("Đơn vị", 26),
    Column("Điểm tiêu chí chung", 12, DECIMAL),
    Column("Điểm kết quả thực hiện nhiệm vụ", 14, DECIMAL),
    Column("Tổng điểm", 10, DECIMAL),
    Column("Mức xếp loại theo điểm", 24),
    Column("Xếp loại được quyết định", 24),
    Column("Trạng thái phiếu đánh giá", 20),
    Column("Ghi chú", 30),
]


def _summary_rows(unit: OrgUnit, period: Period, viewer: User) -> Iterator[list]:
    # Labels translated once, not once a row: 50,000 rows made them a tenth of the time.
    ratings = {value: str(label) for value, label in Rating.choices}
    states = {value: str(label) for value, label in EvaluationState.choices}
    evaluations = _scoped_evaluations(unit, period).iterator(chunk_size=2000)
    for index, e in enumerate(evaluations, start=1):
        yield [
            index,
            e.person__full_name,
            e.person__position_title,
            e.unit__name,
            e.general_score,
            e.task_score,
            e.total,
            ratings.get(e.computed_rating, ""),
            ratings.get(e.rating, "") if _shows(e.state, e.person__user_id, viewer) else "",
            states.get(e.state, e.state),
            e.downgrade_reason or e.not_rated_reason,
        ]


def unit_summary(scope: Scope) -> Table:
    """Rows stream from the database to the exporter; the notes are counted there too."""
    unit, period = scope.require_unit(), scope.require_period()
    counts = _band_counts(unit, period, scope.viewer)
    table = Table(
        title="BIỂU TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC",
        subtitle=[f"Đơn vị: {unit.name}", period_label(period)],
        columns=SUMMARY_COLUMNS,
        rows=Rows(counts["n_all"], lambda: _summary_rows(unit, period, scope.viewer)),
        sheet="Biểu tổng hợp",
        notes=_band_notes(counts),
    )
    return _header(table, unit)


# ---- chi tiết từng người với các dòng nhiệm vụ --------------------------------------------

DETAIL_COLUMNS = [
    Column("STT", 8, INT),
    Column("Họ và tên", 26),
    Column("Đơn vị", 22),
    Column("Nhiệm vụ, sản phẩm", 40),
    Column("Hệ số quy đổi", 10, DECIMAL),
    Column("Số lượng được giao", 10, DECIMAL),
    Column("Số lượng hoàn thành", 10, DECIMAL),
    Column("Sản phẩm chuẩn được giao", 12, DECIMAL),
    Column("Sản phẩm chuẩn hoàn thành", 12, DECIMAL),
    Column("Đạt chất lượng", 10),
    Column("Số lỗi lớn", 8, INT),
    Column("Số lần chậm tiến độ", 10, INT),
    Column("Tổng điểm", 10, DECIMAL),
    Column("Xếp loại", 24),
]


def _person_evaluations(scope: Scope) -> QuerySet[Evaluation]:
    period = scope.require_period()
    if scope.person is not None:
        return (
            Evaluation.objects.filter(period=period, person=scope.person)
            .select_related("person__user", "person__job_position", "unit", "period")
            .order_by("pk")
        )
    return _in_unit(scope.require_unit(), period).select_related(
        "person__user", "person__job_position", "unit", "period"
    )


def _subject(scope: Scope) -> str:
    return f"Cán bộ: {scope.person.full_name}" if scope.person else f"Đơn vị: {scope.unit.name}"


def _home_unit(scope: Scope) -> OrgUnit:
    if scope.unit is not None:
        return scope.unit
    placement = scope.person.primary_assignment_on(scope.require_period().end)
    placement = placement or scope.person.primary_assignment_on(timezone.localdate())
    if placement is None:
        raise ExportError("Cán bộ không có nơi công tác chính để ghi cơ quan ban hành.")
    return placement.unit


def person_detail(scope: Scope) -> Table:
    period = scope.require_period()
    rows, number = [], 0
    for e in _person_evaluations(scope):
        rating = _label(e.rating) if shows_decision(e, scope.viewer) else ""
        rating = rating or (f"{_label(e.computed_rating)} (theo điểm)" if e.computed_rating else "")
        for line in _lines(e):
            number += 1
            coefficient, assigned, done = (_d(line[k]) for k in ("coefficient", "assigned", "done"))
            rows.append(
                [
                    number,
                    e.person.full_name,
                    e.unit.name,
                    line["label"],
                    coefficient,
                    assigned,
                    done,
                    assigned * coefficient,
                    done * coefficient,
                    "Đạt" if line["quality_pass"] else "Không đạt",
                    line["major_errors"],
                    line["delays"],
                    e.total,
                    rating,
                ]
            )
    table = Table(
        title="CHI TIẾT KẾT QUẢ THỰC HIỆN NHIỆM VỤ CỦA TỪNG NGƯỜI",
        subtitle=[_subject(scope), period_label(period)],
        columns=DETAIL_COLUMNS,
        rows=rows,
        sheet="Chi tiết nhiệm vụ",
        notes=[] if rows else ["Chưa có phiếu đánh giá hoặc dòng nhiệm vụ nào trong kỳ."],
    )
    return _header(table, _home_unit(scope))


# ---- nhật ký công việc --------------------------------------------------------------------

WORKLOG_COLUMNS = [
    Column("STT", 8, INT),
    Column("Họ và tên", 26),
    Column("Đơn vị", 22),
    Column("Ngày hoàn thành", 12, DATE),
    Column("Sản phẩm, công việc", 40),
    Column("Đơn vị tính", 12),
    Column("Số lượng", 10, DECIMAL),
    Column("Số lượng được duyệt", 10, DECIMAL),
    Column("Hệ số quy đổi", 10, DECIMAL),
    Column("Sản phẩm chuẩn", 12, DECIMAL),
    Column("Trạng thái", 16),
    Column("Số, ký hiệu văn bản", 18),
    Column("Ghi chú", 30),
    Column("Ý kiến người duyệt", 30),
]


def _worklog_rows(entries: QuerySet[WorkEntry]) -> Iterator[list]:
    labels = dict(EntryStatus.choices)
    for index, entry in enumerate(entries.iterator(chunk_size=2000), start=1):
        yield [
            index,
            entry.person.full_name,
            entry.unit.name,
            entry.completed_on,
            entry.product.name,
            entry.product.unit_of_measure,
            entry.quantity,
            entry.approved_quantity,
            entry.coefficient,
            entry.standard_products,
            str(labels.get(entry.status, entry.status)),
            entry.doc_number,
            entry.note,
            entry.review_note,
        ]


def worklog(scope: Scope) -> Table:
    period = scope.require_period()
    entries = WorkEntry.objects.filter(period=period)
    if scope.person is not None:
        entries = entries.filter(person=scope.person)
    else:
        entries = entries.filter(unit__path__startswith=scope.require_unit().path)
    entries = entries.select_related("person", "unit", "product").order_by(
        "unit__path", "person__full_name", "completed_on", "pk"
    )
    table = Table(
        title="NHẬT KÝ CÔNG VIỆC — SẢN PHẨM ĐÃ HOÀN THÀNH",
        subtitle=[_subject(scope), period_label(period)],
        columns=WORKLOG_COLUMNS,
        rows=_worklog_rows(entries),
        sheet="Nhật ký công việc",
    )
    return _header(table, _home_unit(scope))


# ---- quarters: biểu tổng hợp quý and the report to the Standing Committee -------------------

QUARTER_COLUMNS = [
    Column("STT", 8, INT),
    Column("Cơ quan, đơn vị", 40),
    Column("Số lượt đánh giá", 12, INT),
    Column("Đã có kết quả", 12, INT),
    Column("Hoàn thành xuất sắc nhiệm vụ", 14, INT),
    Column("Hoàn thành tốt nhiệm vụ", 14, INT),
    Column("Hoàn thành nhiệm vụ", 14, INT),
    Column("Không hoàn thành nhiệm vụ", 14, INT),
    Column("Chưa xếp loại", 12, INT),
    Column("Tỷ lệ hoàn thành xuất sắc nhiệm vụ", 14, PERCENT),
    Column("Điểm bình quân", 12, DECIMAL),
]


def quarter_label(year: int, quarter: int) -> str:
    return f"Quý {ROMAN[quarter]} năm {year}"


def quarter_periods(year: int, quarter: int) -> QuerySet[Period]:
    """The quarter's own periods, and the months of it for blocs evaluated monthly."""
    months = [3 * (quarter - 1) + offset for offset in (1, 2, 3)]
    return Period.objects.filter(year=year).filter(
        Q(kind=Frequency.MONTHLY, number__in=months) | Q(kind=Frequency.QUARTERLY, number=quarter)
    )


def _counts(evaluations: QuerySet[Evaluation], group_by: str) -> list[dict]:
    """One aggregate per group: evaluations, decided ones, each band and the mean decided total."""
    decided = Q(state__in=DECIDED)
    annotations = {
        "n_all": Count("id"),
        "n_decided": Count("id", filter=decided),
        "n_scored": Count("total", filter=decided),
        "sum_total": Sum("total", filter=decided),
    }
    for band in BANDS:
        annotations[f"n_{band}"] = Count("id", filter=decided & Q(rating=band))
    return list(evaluations.values(group_by).annotate(**annotations).order_by(group_by))


def _mean(counts: dict) -> Decimal | None:
    """The mean decided total; people not rated have no total and do not count."""
    if not counts["n_scored"]:
        return None
    return (Decimal(counts["sum_total"]) / counts["n_scored"]).quantize(Decimal("0.01"))


def _count_row(index, name: str, counts: dict) -> list:
    return [
        index,
        name,
        counts["n_all"],
        counts["n_decided"],
        *(counts[f"n_{band}"] for band in BANDS),
        _share(counts[f"n_{Rating.HTXS}"], counts["n_decided"]),
        _mean(counts),
    ]


def _sum_counts(groups: list[dict]) -> dict:
    keys = ["n_all", "n_decided", "n_scored", *(f"n_{band}" for band in BANDS)]
    total = {key: sum(g[key] for g in groups) for key in keys}
    total["sum_total"] = sum((g["sum_total"] or Decimal(0) for g in groups), Decimal(0))
    return total


def _quarter_evaluations(unit: OrgUnit, year: int, quarter: int) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(
        period__in=quarter_periods(year, quarter), unit__path__startswith=unit.path
    )


def _by_group(unit: OrgUnit, year: int, quarter: int, group_by: str) -> tuple[list[list], dict]:
    groups = _counts(_quarter_evaluations(unit, year, quarter), group_by)
    names = OrgUnit.objects.in_bulk([g[group_by] for g in groups])
    ordered = sorted(groups, key=lambda g: names[g[group_by]].path)
    rows = [
        _count_row(index, names[g[group_by]].name, g) for index, g in enumerate(ordered, start=1)
    ]
    total = _sum_counts(groups)
    if groups:
        rows.append(_count_row(None, "Tổng cộng", total))
    return rows, total


def _quarter_notes() -> list[str]:
    return [
        "Số lượt đánh giá: mỗi người được tính một lượt cho mỗi kỳ đánh giá (tháng hoặc quý) "
        "trong quý.",
        "Tỷ lệ và điểm bình quân tính trên các lượt đã có kết quả được quyết định.",
    ]


def province_quarter(scope: Scope) -> Table:
    unit = scope.require_unit()
    year, quarter = scope.require_quarter()
    rows, _total = _by_group(unit, year, quarter, "deciding_unit")
    table = Table(
        title=f"BIỂU TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI {quarter_label(year, quarter).upper()}",
        subtitle=[f"Phạm vi: {unit.name}"],
        columns=QUARTER_COLUMNS,
        rows=rows,
        sheet=f"Quý {quarter}-{year}",
        notes=_quarter_notes(),
    )
    return _header(table, _requester_issuer(scope.viewer, unit))


def _previous_quarters(year: int, quarter: int, count: int) -> list[tuple[int, int]]:
    result = []
    for _step in range(count):
        result.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return list(reversed(result))


TREND_COLUMNS = [
    Column("Quý", 16),
    Column("Số lượt đánh giá", 12, INT),
    Column("Đã có kết quả", 12, INT),
    *(Column(str(band.label), 14, PERCENT) for band in BANDS[:4]),
    Column("Điểm bình quân", 12, DECIMAL),
]


def _trend(unit: OrgUnit, year: int, quarter: int) -> list[list]:
    rows = []
    for y, q in _previous_quarters(year, quarter, 4):
        counts = _sum_counts(_counts(_quarter_evaluations(unit, y, q), "period__year"))
        rows.append(
            [
                quarter_label(y, q),
                counts["n_all"],
                counts["n_decided"],
                *(_share(counts[f"n_{band}"], counts["n_decided"]) for band in BANDS[:4]),
                _mean(counts),
            ]
        )
    return rows


def _pending_approvals(unit: OrgUnit, year: int, quarter: int) -> int:
    return WorkEntry.objects.filter(
        period__in=quarter_periods(year, quarter),
        unit__path__startswith=unit.path,
        status=EntryStatus.SUBMITTED,
    ).count()


def _late_units(unit: OrgUnit, year: int, quarter: int) -> int:
    """Deciding units with evaluations still undecided after the period's review deadline."""
    return (
        _quarter_evaluations(unit, year, quarter)
        .filter(period__review_due__lt=timezone.localdate())
        .exclude(state__in=DECIDED)
        .values("deciding_unit")
        .distinct()
        .count()
    )


def _distribution_chart(title: str, total: dict) -> Chart:
    decided = total["n_decided"]
    return Chart(
        title=title,
        bars=[
            (str(band.label), round(100 * total[f"n_{band}"] / decided, 1) if decided else 0.0)
            for band in BANDS
        ],
        suffix="%",
        by_band=True,
    )


def standing_committee(scope: Scope) -> Table:
    """The overview of the quarterly report to the Ban Thường vụ; agencies follow as annexes."""
    unit = scope.require_unit()
    year, quarter = scope.require_quarter()
    rows, total = _by_group(unit, year, quarter, "deciding_unit")
    trend = _trend(unit, year, quarter)
    decided = total["n_decided"]
    facts = [
        ("Số lượt đánh giá trong quý", f"{total['n_all']}"),
        ("Số lượt đã có kết quả được quyết định", f"{decided}"),
        *(
            (
                str(band.label),
                f"{total[f'n_{band}']} lượt"
                + (
                    f" ({_fmt(Decimal(100 * total[f'n_{band}']) / decided, 1)}%)" if decided else ""
                ),
            )
            for band in BANDS
        ),
        ("Điểm bình quân", _fmt(_mean(total))),
        ("Số sản phẩm còn chờ phê duyệt", f"{_pending_approvals(unit, year, quarter)}"),
        ("Số cơ quan, đơn vị chưa quyết định xong sau hạn", f"{_late_units(unit, year, quarter)}"),
    ]
    trend_chart = Chart(
        title="Tỷ lệ hoàn thành xuất sắc nhiệm vụ qua các quý",
        bars=[(row[0], round(100 * row[3], 1) if row[3] is not None else 0.0) for row in trend],
        suffix="%",
    )
    table = Table(
        title="BÁO CÁO KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC "
        f"{quarter_label(year, quarter).upper()}",
        subtitle=[f"Kính gửi: Ban Thường vụ Tỉnh ủy {place_name()}", f"Phạm vi: {unit.name}"],
        columns=QUARTER_COLUMNS,
        rows=rows,
        sheet=f"Quý {quarter}-{year}",
        facts=facts,
        parts=[Part("Diễn biến qua các quý", TREND_COLUMNS, trend)],
        charts=[
            _distribution_chart("Cơ cấu xếp loại trong quý (tỷ lệ trên số lượt có kết quả)", total),
            trend_chart,
        ],
        notes=_quarter_notes(),
        signatures=(("NGƯỜI LẬP BÁO CÁO", SIGN, ""), *DEFAULT_SIGNATURES[1:]),
    )
    return _header(table, _requester_issuer(scope.viewer, unit))


def quarter_agencies(scope: Scope) -> list[OrgUnit]:
    """The deciding units with evaluations in the quarter, one annex each."""
    unit = scope.require_unit()
    year, quarter = scope.require_quarter()
    ids = (
        _quarter_evaluations(unit, year, quarter).values_list("deciding_unit", flat=True).distinct()
    )
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("path"))


def agency_quarter(scope: Scope, agency: OrgUnit) -> Table:
    """An annex of the quarterly report: one agency, its units as rows."""
    unit = scope.require_unit()
    year, quarter = scope.require_quarter()
    inside = unit if agency.path.startswith(unit.path) else agency
    groups = _counts(
        _quarter_evaluations(inside, year, quarter).filter(deciding_unit=agency), "unit"
    )
    names = OrgUnit.objects.in_bulk([g["unit"] for g in groups])
    ordered = sorted(groups, key=lambda g: names[g["unit"]].path)
    rows = [_count_row(i, names[g["unit"]].name, g) for i, g in enumerate(ordered, start=1)]
    total = _sum_counts(groups)
    if groups:
        rows.append(_count_row(None, "Tổng cộng", total))
    table = Table(
        title=f"PHỤ LỤC: KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI {quarter_label(year, quarter).upper()}",
        subtitle=[f"Cơ quan, đơn vị: {agency.name}"],
        columns=QUARTER_COLUMNS,
        rows=rows,
        sheet=f"Phụ lục {agency.code}"[:31],
        charts=[_distribution_chart("Cơ cấu xếp loại trong quý", total)],
        notes=_quarter_notes(),
    )
    return _header(table, agency)


# ---- phiếu đánh giá (Mẫu 01) -------------------------------------------------------------

GENERAL_COLUMNS = [
    Column("STT", 8, INT),
    Column("Nhóm tiêu chí", 40),
    Column("Điểm tối đa", 10, DECIMAL),
    Column("Cá nhân tự chấm", 10, DECIMAL),
    Column("Thủ trưởng chấm", 10, DECIMAL),
    Column("Lý do điều chỉnh", 30),
]
TASK_COLUMNS = [
    Column("STT", 8, INT),
    Column("Nhiệm vụ, sản phẩm", 40),
    Column("Hệ số quy đổi", 10, DECIMAL),
    Column("Số lượng được giao", 10, DECIMAL),
    Column("Số lượng hoàn thành", 10, DECIMAL),
    Column("Đạt chất lượng", 10),
    Column("Số lỗi lớn", 8, INT),
    Column("Số lần chậm tiến độ", 8, INT),
]
RESULT_COLUMNS = [Column("Nội dung", 40), Column("Kết quả", 30)]


def form01_evaluations(scope: Scope) -> list[Evaluation]:
    evaluations = list(_person_evaluations(scope).select_related("criteria_version", "head_by"))
    if not evaluations:
        who = scope.person.full_name if scope.person else scope.require_unit().name
        raise ExportError(
            f"{who} chưa có phiếu đánh giá kỳ {scope.require_period()}; "
            "hãy chờ kỳ được mở phiếu đánh giá rồi thử lại."
        )
    return evaluations


def _point(values: list, index: int) -> Decimal | None:
    return _d(values[index]) if index < len(values) else None


def form01(evaluation: Evaluation, viewer: User) -> Table:
    person, period = evaluation.person, evaluation.period
    rules = tasklines.rules_of(evaluation.criteria_version)
    general = [
        [
            index,
            name,
            maximum,
            _point(evaluation.self_general, index - 1),
            _point(evaluation.head_general, index - 1),
            (evaluation.head_reasons[index - 1] if index <= len(evaluation.head_reasons) else ""),
        ]
        for index, (name, maximum) in enumerate(rules.general_groups, start=1)
    ]
    tasks = [
        [
            index,
            line["label"],
            _d(line["coefficient"]),
            _d(line["assigned"]),
            _d(line["done"]),
            "Đạt" if line["quality_pass"] else "Không đạt",
            line["major_errors"],
            line["delays"],
        ]
        for index, line in enumerate(_lines(evaluation), start=1)
    ]
    decided = shows_decision(evaluation, viewer)
    results = [
        ["Điểm tiêu chí chung", _fmt(evaluation.general_score)],
        ["Điểm kết quả thực hiện nhiệm vụ", _fmt(evaluation.task_score)],
        ["Tổng điểm", _fmt(evaluation.total)],
        ["Mức xếp loại theo điểm", _label(evaluation.computed_rating) or "—"],
        ["Xếp loại được quyết định", (_label(evaluation.rating) if decided else "") or "—"],
    ]
    if decided and evaluation.decision_number:
        decision_date = evaluation.decision_date
        results.append(
            [
                "Quyết định",
                f"Số {evaluation.decision_number}"
                + (f" ngày {decision_date:%d/%m/%Y}" if decision_date else ""),
            ]
        )
    if evaluation.not_rated_reason:
        results.append(["Lý do chưa xếp loại", evaluation.not_rated_reason])
    notes = [f"Tự nhận xét: {evaluation.self_comment or '—'}"]
    notes.append(f"Nhận xét của thủ trưởng đơn vị: {evaluation.head_comment or '—'}")
    head = evaluation.head_by.get_full_name() if evaluation.head_by_id else ""
    table = Table(
        title="PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC",
        subtitle=[period_label(period)],
        columns=GENERAL_COLUMNS,
        rows=general,
        sheet="Mẫu 01",
        facts=[
            ("Họ và tên", person.full_name),
            ("Chức vụ", person.position_title or "—"),
            ("Đơn vị công tác", evaluation.unit.name),
            ("Vị trí việc làm", str(person.job_position) if person.job_position_id else "—"),
            ("Đối tượng đánh giá", str(evaluation.get_role_display())),
        ],
        parts=[
            Part("Kết quả thực hiện nhiệm vụ", TASK_COLUMNS, tasks),
            Part("Tổng hợp kết quả", RESULT_COLUMNS, results),
        ],
        notes=notes,
        signatures=(
            ("NGƯỜI TỰ ĐÁNH GIÁ", SIGN, person.full_name),
            ("THỦ TRƯỞNG ĐƠN VỊ", SIGN, head),
        ),
        form_label="Mẫu số 01",
    )
    table.issuer, table.issuer_parent = issuer_of(evaluation.deciding_unit)
    return table


def _fmt(value: Decimal | None, places: int = 2) -> str:
    """A number written the Vietnamese way (decimal comma), rounded half up."""
    if value is None:
        return "—"
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded:f}".replace(".", ",")


def today_line(on: date | None = None) -> str:
    on = on or timezone.localdate()
    return f"{place_name()}, ngày {on:%d} tháng {on:%m} năm {on:%Y}"
