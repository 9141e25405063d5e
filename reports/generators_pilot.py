"""Generators of the pilot's reports: adoption of the software and the sơ kết review pack.

As in `generators`, the text is plain Vietnamese (official documents), and each generator returns
a `Table` the existing exporters write. Everything here reads rollups, never the raw work log.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from catalog.models import CriteriaSetVersion
from evaluations.models import Period, Rating
from kpi_portal.models import AuditEvent
from orgunits.models import OrgUnit

from . import adoption, permissions, pilot
from .dashboards import scope_label
from .generators import (
    DECIMAL,
    INT,
    PERCENT,
    Column,
    ExportError,
    Part,
    Scope,
    Table,
    _fmt,
    _header,
    _requester_issuer,
)
from .models import Feedback, ManualRatingBaseline, PersonPeriodRollup, ScopeKind
from .models import UnitAdoptionRollup as Row
from .rollups import Scope as Span

YEAR, SPAN, NUMBER, START, END = "year", "span", "number", "start", "end"
ADOPTION_NEEDS = (YEAR, SPAN, NUMBER)
PACK_NEEDS = (START, END)
# A scope travels in a job's integer parameters as its length in months and its number.
SPAN_KINDS = {1: ScopeKind.MONTH, 3: ScopeKind.QUARTER, 12: ScopeKind.YEAR}
KIND_SPANS = {kind: span for span, kind in SPAN_KINDS.items()}
BANDS = (Rating.HTXS, Rating.HTT, Rating.HT, Rating.KHT)
PACK_TITLE = (
    "BÁO CÁO SƠ KẾT THÍ ĐIỂM ĐÁNH GIÁ, XẾP LOẠI CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC "
    "THEO KẾT QUẢ THỰC HIỆN NHIỆM VỤ"
)
ADOPTION_TITLE = "TÌNH HÌNH SỬ DỤNG PHẦN MỀM TRONG THỜI GIAN THÍ ĐIỂM"
CATALOG_ACTIONS = {
    "catalog.product_create": "Thêm sản phẩm vào danh mục",
    "catalog.product_update": "Sửa sản phẩm, hệ số quy đổi",
    "catalog.product_retire": "Ngừng sử dụng sản phẩm",
    "catalog.quota_create": "Thêm định mức",
    "catalog.quota_update": "Sửa định mức",
    "catalog.conversion_table_create": "Thêm bảng quy đổi",
    "catalog.conversion_table_update": "Sửa bảng quy đổi",
    "catalog.conversion_rule_create": "Thêm dòng quy đổi",
    "catalog.conversion_rule_update": "Sửa dòng quy đổi",
    "catalog.conversion_rule_delete": "Xóa dòng quy đổi",
    "catalog.criteria_set_create": "Tạo bộ tiêu chí",
    "catalog.criteria_set_update": "Sửa thông tin bộ tiêu chí",
    "catalog.criteria_version_retire": "Ngừng áp dụng phiên bản bộ tiêu chí",
}


# ---- parameters ----------------------------------------------------------------------------


def scope_params(span: Span) -> dict[str, int]:
    """A dashboard scope as a job's parameters."""
    return {YEAR: span.year, SPAN: KIND_SPANS[span.kind], NUMBER: span.number}


def adoption_scope(params: dict) -> Span:
    try:
        return Span(SPAN_KINDS[int(params[SPAN])], int(params[YEAR]), int(params[NUMBER]))
    except (KeyError, TypeError, ValueError):
        raise ExportError("Kỳ báo cáo không hợp lệ.") from None


def day_param(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def pack_days(params: dict) -> tuple[date, date]:
    """The date range of a pack; an `ExportError` when it is not one."""
    try:
        start, end = (int(params[name]) for name in (START, END))
        days = (
            date(start // 10000, start // 100 % 100, start % 100),
            date(end // 10000, end // 100 % 100, end % 100),
        )
    except (KeyError, TypeError, ValueError):
        raise ExportError("Khoảng thời gian sơ kết không hợp lệ.") from None
    if days[0] > days[1]:
        raise ExportError("Ngày bắt đầu phải trước ngày kết thúc.")
    return days


def adoption_when(params: dict) -> str:
    try:
        return scope_label(adoption_scope(params))
    except ExportError:
        return ""


def pack_when(params: dict) -> str:
    try:
        start, end = pack_days(params)
    except ExportError:
        return ""
    return f"{start:%d/%m/%Y}–{end:%d/%m/%Y}"


def _unit_for(scope: Scope) -> OrgUnit:
    """The job's unit, while the requester still reads the pilot's figures there."""
    unit = scope.require_unit()
    viewer = scope.viewer
    if not (
        permissions.can_view_province_dashboard(viewer)
        and permissions.covers(permissions.dashboard_paths(viewer), unit.path)
    ):
        raise ExportError("Bạn không còn quyền xem số liệu thí điểm của đơn vị này.")
    return unit


# ---- adoption rows -------------------------------------------------------------------------

FIGURE_COLUMNS = [
    Column("Số người", 10, INT),
    Column("Tỷ lệ có ghi nhận sản phẩm", 12, PERCENT),
    Column("Số sản phẩm bình quân mỗi người", 12, DECIMAL),
    Column("Tỷ lệ tự đánh giá đúng hạn", 12, PERCENT),
    Column("Thời gian phê duyệt: trung vị (giờ)", 12, DECIMAL),
    Column("Thời gian phê duyệt: phân vị 90 (giờ)", 12, DECIMAL),
    Column("Sản phẩm quá hạn phê duyệt", 12, INT),
    Column("Đơn vị có hàng chờ quá hạn", 12, INT),
    Column("Đơn vị chưa công bố kết quả", 12, INT),
]


def _figures(row: Row) -> list:
    return [
        row.people,
        row.share_logged,
        row.entries_per_person,
        row.share_self_on_time,
        row.review_hours_median,
        row.review_hours_p90,
        row.overdue_entries,
        row.overdue_queues,
        row.units_unpublished,
    ]


def _share(value: Decimal | None) -> str:
    return "—" if value is None else f"{_fmt(value * 100, 1)}%"


def _facts(row: Row | None) -> list[tuple[str, str]]:
    if row is None:
        return [("Số liệu", "chưa có số liệu tổng hợp trong kỳ này")]
    median, p90 = _fmt(row.review_hours_median), _fmt(row.review_hours_p90)
    return [
        ("Số cán bộ, công chức, viên chức", f"{row.people}"),
        ("Tỷ lệ có ghi nhận sản phẩm", _share(row.share_logged)),
        ("Số sản phẩm bình quân mỗi người", _fmt(row.entries_per_person)),
        ("Tỷ lệ tự đánh giá đúng hạn", _share(row.share_self_on_time)),
        ("Thời gian từ khi gửi đến khi được phê duyệt (giờ)", f"trung vị {median}; P90 {p90}"),
        ("Sản phẩm quá hạn phê duyệt", f"{row.overdue_entries} ({row.overdue_queues} đơn vị)"),
        ("Đơn vị chưa công bố kết quả", f"{row.units_unpublished}"),
    ]


UNIT_COLUMNS = [Column("STT", 6, INT), Column("Đơn vị", 32), *FIGURE_COLUMNS]
MONTH_COLUMNS = [Column("Tháng", 14), *FIGURE_COLUMNS]
QUEUE_COLUMNS = [
    Column("STT", 6, INT),
    Column("Đơn vị", 32),
    Column("Thủ trưởng", 28),
    Column("Số sản phẩm quá hạn phê duyệt", 14, INT),
]
UNPUBLISHED_COLUMNS = [
    Column("STT", 6, INT),
    Column("Cơ quan, đơn vị", 36),
    Column("Số phiếu đánh giá", 12, INT),
    Column("Đã công bố", 12, INT),
]


def _unit_rows(rows: list[Row]) -> list[list]:
    return [[i, r.unit.name, *_figures(r)] for i, r in enumerate(rows, start=1)]


def _month_rows(rows: list[Row]) -> list[list]:
    return [[f"{r.number:02d}/{r.year}", *_figures(r)] for r in rows]


def _queue_rows(unit: OrgUnit, span: Span) -> list[list]:
    return [
        [i, q.row.unit.name, ", ".join(q.heads) or "—", q.row.own_overdue_entries]
        for i, q in enumerate(adoption.overdue_queues(unit, span), start=1)
    ]


def _unpublished_rows(unit: OrgUnit, span: Span) -> list[list]:
    return [
        [i, r.unit.name, r.evaluations, r.evaluations_published]
        for i, r in enumerate(adoption.unpublished_units(unit, span), start=1)
    ]


def adoption_parts(unit: OrgUnit, span: Span) -> list[Part]:
    return [
        Part(
            "Diễn biến qua các tháng",
            MONTH_COLUMNS,
            _month_rows(adoption.trend_rows(unit, span)),
        ),
        Part("Hàng chờ phê duyệt quá hạn", QUEUE_COLUMNS, _queue_rows(unit, span)),
        Part("Đơn vị chưa công bố kết quả", UNPUBLISHED_COLUMNS, _unpublished_rows(unit, span)),
    ]


def adoption_table(scope: Scope, params: dict) -> Table:
    """The adoption dashboard of a unit and scope: its units lagging most first."""
    unit, span = _unit_for(scope), adoption_scope(params)
    table = Table(
        title=ADOPTION_TITLE,
        subtitle=[f"Phạm vi: {unit.name}", f"Kỳ báo cáo: {scope_label(span)}"],
        columns=UNIT_COLUMNS,
        rows=_unit_rows(adoption.child_rows(unit, span)),
        sheet="Theo đơn vị",
        facts=_facts(adoption.unit_row(unit, span)),
        parts=adoption_parts(unit, span),
        notes=_adoption_notes(),
    )
    return _header(table, _requester_issuer(scope.viewer, unit))


def _adoption_notes() -> list[str]:
    return [
        "Đơn vị được xếp theo mức chậm: bình quân phần thiếu của tỷ lệ có ghi nhận sản phẩm, "
        "tự đánh giá đúng hạn và phiếu đã công bố.",
        "Thời gian phê duyệt tính từ lúc gửi sản phẩm đến lúc được duyệt hoặc trả lại.",
    ]


# ---- the sơ kết review pack ----------------------------------------------------------------


def _months(start: date, end: date) -> list[tuple[int, int]]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months


def pack_months(unit: OrgUnit, start: date, end: date) -> list[Row]:
    """The unit's adoption rows of the months the range touches, oldest first."""
    wanted = Q(pk__in=[])
    for year, month in _months(start, end):
        wanted |= Q(year=year, number=month)
    rows = Row.objects.filter(wanted, unit=unit, scope_kind=ScopeKind.MONTH)
    return list(rows.order_by("year", "number"))


def _periods(start: date, end: date):
    return Period.objects.filter(start__lte=end, end__gte=start)


def pilot_counts(unit: OrgUnit, start: date, end: date) -> dict[str, int]:
    """Ratings decided in the range's periods below `unit`: person × period, per band."""
    rows = PersonPeriodRollup.objects.filter(
        unit_path__startswith=unit.path, period__in=_periods(start, end), rating__in=BANDS
    )
    counts = dict(rows.values_list("rating").annotate(n=Count("pk")).values_list("rating", "n"))
    return {str(band): counts.get(band, 0) for band in BANDS}


def _baseline_counts(baseline: ManualRatingBaseline | None) -> dict[str, int] | None:
    if baseline is None:
        return None
    return {
        Rating.HTXS: baseline.count_htxs,
        Rating.HTT: baseline.count_htt,
        Rating.HT: baseline.count_ht,
        Rating.KHT: baseline.count_kht,
    }


def _shares(counts: dict[str, int] | None) -> list:
    if counts is None:
        return [None] * (len(BANDS) + 1)
    rated = sum(counts.values())
    return [rated, *(Decimal(counts[b]) / rated if rated else None for b in BANDS)]


BAND_SHORT = {Rating.HTXS: "HTXS", Rating.HTT: "HTT", Rating.HT: "HT", Rating.KHT: "KHT"}
COMPARISON_COLUMNS = [
    Column("Đơn vị", 30),
    Column("Năm trước: số người xếp loại", 11, INT),
    *(Column(f"Năm trước: {BAND_SHORT[b]}", 9, PERCENT) for b in BANDS),
    Column("Thí điểm: số lượt xếp loại", 11, INT),
    *(Column(f"Thí điểm: {BAND_SHORT[b]}", 9, PERCENT) for b in BANDS),
]


def comparison_rows(unit: OrgUnit, start: date, end: date) -> list[list]:
    """The scope and each unit below with a baseline: last year's shares beside the pilot's."""
    year = start.year - 1
    baselines = list(
        ManualRatingBaseline.objects.filter(unit__path__startswith=unit.path, year=year)
        .select_related("unit")
        .order_by("unit__path")
    )
    own = next((b for b in baselines if b.unit_id == unit.pk), None)
    rows = [
        [
            f"{unit.name} (toàn phạm vi)",
            *_shares(_baseline_counts(own)),
            *_shares(pilot_counts(unit, start, end)),
        ]
    ]
    for baseline in baselines:
        if baseline.unit_id != unit.pk:
            rows.append(
                [
                    baseline.unit.name,
                    *_shares(_baseline_counts(baseline)),
                    *_shares(pilot_counts(baseline.unit, start, end)),
                ]
            )
    return rows


def _feedback_part(start: date, end: date, viewer) -> Part:
    items = (
        Feedback.objects.visible_to(viewer)
        .filter(created_at__date__gte=start, created_at__date__lte=end)
        .select_related("sender", "criteria_set", "product", "routed_to_unit", "routed_to_sector")
        .order_by("created_at", "pk")
    )
    headers, rows = pilot.register_rows(items)
    widths = [6, 11, 20, 12, 16, 22, 26, 40, 18, 14, 30, 30]
    columns = [
        Column(header, width, INT if index == 0 else "text")
        for index, (header, width) in enumerate(zip(headers, widths, strict=False))
    ]
    return Part("Sổ theo dõi góp ý, kiến nghị", columns, rows)


def _applies_to(unit: OrgUnit) -> Q:
    """Criteria sets owned by a sector, by a unit above `unit` or by one below it."""
    above = [unit.path[:end] for end in range(OrgUnit.steplen, len(unit.path) + 1, OrgUnit.steplen)]
    return (
        Q(criteria_set__owner_unit__isnull=True)
        | Q(criteria_set__owner_unit__path__in=above)
        | Q(criteria_set__owner_unit__path__startswith=unit.path)
    )


VERSION_COLUMNS = [
    Column("STT", 6, INT),
    Column("Bộ tiêu chí", 32),
    Column("Phiên bản", 9, INT),
    Column("Ban hành ngày", 12),
    Column("Áp dụng từ ngày", 12),
    Column("Nội dung thay đổi, căn cứ", 50),
]
CHANGE_COLUMNS = [
    Column("STT", 6, INT),
    Column("Thời điểm", 16),
    Column("Thay đổi", 30),
    Column("Đối tượng", 36),
    Column("Người thực hiện", 22),
    Column("Lý do", 36),
]


def version_rows(unit: OrgUnit, start: date, end: date) -> list[list]:
    """Criteria-set versions published in the range that apply to the scope."""
    versions = (
        CriteriaSetVersion.objects.filter(
            _applies_to(unit),
            published_at__date__gte=start,
            published_at__date__lte=end,
        )
        .select_related("criteria_set")
        .order_by("published_at", "pk")
    )
    return [
        [
            i,
            v.criteria_set.name,
            v.number,
            timezone.localtime(v.published_at).strftime("%d/%m/%Y"),
            v.valid_from.strftime("%d/%m/%Y") if v.valid_from else "",
            v.note,
        ]
        for i, v in enumerate(versions, start=1)
    ]


def change_rows(unit: OrgUnit, start: date, end: date) -> list[list]:
    """Catalog changes of the audit log in the range, for the scope or the whole province."""
    events = (
        AuditEvent.objects.filter(
            action__in=CATALOG_ACTIONS, at__date__gte=start, at__date__lte=end
        )
        .filter(Q(unit_path="") | Q(unit_path__startswith=unit.path))
        .select_related("actor")
        .order_by("at", "pk")
    )
    return [
        [
            i,
            timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M"),
            CATALOG_ACTIONS[e.action],
            e.object_repr,
            str(e.actor) if e.actor_id else "Hệ thống",
            e.reason,
        ]
        for i, e in enumerate(events, start=1)
    ]


def pack(scope: Scope, params: dict) -> Table:
    """BÁO CÁO SƠ KẾT THÍ ĐIỂM: adoption, ratings against last year, feedback, criteria changes."""
    unit = _unit_for(scope)
    start, end = pack_days(params)
    months = pack_months(unit, start, end)
    last = months[-1] if months else None
    feedback = _feedback_part(start, end, scope.viewer)
    versions = version_rows(unit, start, end)
    changes = change_rows(unit, start, end)
    last_span = Span(ScopeKind.MONTH, last.year, last.number) if last else None
    children = adoption.child_rows(unit, last_span) if last_span else []
    facts = [
        *_facts(last),
        ("Số góp ý, kiến nghị đã nhận", f"{len(feedback.rows)}"),
        ("Số phiên bản bộ tiêu chí được ban hành", f"{len(versions)}"),
        ("Số thay đổi danh mục sản phẩm, định mức, bảng quy đổi", f"{len(changes)}"),
    ]
    month_label = f"tháng {last.number:02d}/{last.year}" if last else "chưa có số liệu"
    table = Table(
        title=PACK_TITLE,
        subtitle=[
            f"Phạm vi: {unit.name}",
            f"Thời gian: từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}",
        ],
        columns=MONTH_COLUMNS,
        rows=_month_rows(months),
        sheet="Sử dụng theo tháng",
        facts=facts,
        parts=[
            Part(
                f"Tình hình sử dụng theo đơn vị ({month_label})", UNIT_COLUMNS, _unit_rows(children)
            ),
            Part(
                f"Xếp loại trong thí điểm so với năm {start.year - 1} (đánh giá thủ công)",
                COMPARISON_COLUMNS,
                comparison_rows(unit, start, end),
            ),
            feedback,
            Part("Phiên bản bộ tiêu chí ban hành trong thí điểm", VERSION_COLUMNS, versions),
            Part("Thay đổi danh mục sản phẩm, định mức, bảng quy đổi", CHANGE_COLUMNS, changes),
        ],
        notes=[
            "Số liệu sử dụng phần mềm lấy từ số liệu tổng hợp hằng tháng; tỷ lệ xếp loại thí "
            "điểm tính trên số lượt (người × kỳ đánh giá) đã có kết quả được quyết định.",
            *_adoption_notes(),
        ],
        signatures=(
            ("NGƯỜI LẬP BÁO CÁO", "(Ký, ghi rõ họ tên)", ""),
            ("THỦ TRƯỞNG CƠ QUAN", "(Ký tên, đóng dấu)", ""),
        ),
    )
    return _header(table, _requester_issuer(scope.viewer, unit), prefix="BC-SK")
