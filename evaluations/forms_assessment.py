"""Forms of the evaluation workflow: Mẫu 01, the head's assessment, decision, appeal, calculator."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpi_portal.forms import StyledFormMixin
from kpi_portal.uploads import ALLOWED_TEXT

from . import scoring, tasklines
from .models import Evaluation, EvaluationRole, Rating

MAX_APPEAL_FILES = 5
NUMBER_ERRORS = {
    "required": _("Hãy nhập số."),
    "invalid": _("Hãy nhập một số (ví dụ 9,5)."),
    "max_digits": _("Số quá lớn."),
    "max_decimal_places": _("Chỉ được tối đa %(max)s chữ số thập phân."),
    "max_whole_digits": _("Số quá lớn."),
}
PRESET_CHOICES = [
    ("nd335", _("Nghị định 335/2025/NĐ-CP (khối Chính quyền)")),
    ("qd366", _("Quy định 366-QĐ/TW (khối Đảng, MTTQ, đoàn thể)")),
    ("khanh_hoa", _("Biến thể của tỉnh Khánh Hòa")),
]
DOWNGRADE_REASON = _("Vượt tỷ lệ Hoàn thành xuất sắc nhiệm vụ của nhóm; xét theo tổng điểm")
DECIDED_RATINGS = [(r.value, r.label) for r in Rating if r != Rating.NOT_RATED]


@dataclass(frozen=True)
class Group:
    """One general-criteria group of a criteria-set version: its name, maximum and description."""

    index: int
    name: str
    maximum: Decimal
    description: str = ""


def groups_of(rules: scoring.ScoringRules, descriptions=()) -> list[Group]:
    descriptions = list(descriptions or [])
    return [
        Group(i, str(name), maximum, descriptions[i] if i < len(descriptions) else "")
        for i, (name, maximum) in enumerate(rules.general_groups)
    ]


def evaluation_groups(evaluation: Evaluation) -> list[Group]:
    version = evaluation.criteria_version
    return groups_of(tasklines.rules_of(version), version.general_descriptions if version else ())


def number_field(
    label, *, minimum=None, maximum=None, required=True, places=2, min_message=None, **kwargs
):
    """A decimal with Vietnamese messages; browsers send a dot, people read a comma."""
    errors = dict(NUMBER_ERRORS)
    if minimum is not None:
        errors["min_value"] = min_message or _("Phải từ %(limit_value)s trở lên.")
    if maximum is not None:
        errors["max_value"] = _("Không được lớn hơn %(limit_value)s.")
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=minimum,
        max_value=maximum,
        max_digits=9,
        decimal_places=places,
        error_messages=errors,
        widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
        **kwargs,
    )


def count_field(label):
    """A count that may be left blank (read as 0), so an untouched extra line stays empty."""
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=99,
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": "0"}),
        error_messages={
            "invalid": _("Hãy nhập một số nguyên."),
            "min_value": _("Không được âm."),
            "max_value": _("Không được lớn hơn %(limit_value)s."),
        },
    )


def _text(label, *, required=False, rows=2, max_length=500):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _("Không được để trống.")},
    )


class DynamicFieldsMixin:
    """Fields that depend on the object are added before `StyledFormMixin` styles them all.

    List it after `StyledFormMixin` and before `forms.Form`, so it runs inside its `__init__`.
    """

    groups: list[Group] = []
    points_required = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for group in self.groups:
            self.fields[f"point_{group.index}"] = number_field(
                group.name,
                minimum=Decimal(0),
                maximum=group.maximum,
                required=self.points_required,
            )
        self.add_fields()

    def add_fields(self) -> None:
        """Add the object's own fields; `point_<i>` per general group is already there."""

    def points(self) -> list[Decimal]:
        return [self.cleaned_data[f"point_{g.index}"] for g in self.groups]

    def point_fields(self):
        return [self[f"point_{g.index}"] for g in self.groups]


class SelfAssessmentForm(StyledFormMixin, DynamicFieldsMixin, forms.Form):
    """Mẫu 01: points and a short justification per group, and the person's own comment."""

    comment = _text(_("Tự nhận xét, đánh giá"), rows=3, max_length=4000)

    def __init__(self, *args, evaluation: Evaluation, **kwargs):
        self.evaluation = evaluation
        self.groups = evaluation_groups(evaluation)
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:
        own, notes = self.evaluation.self_general, self.evaluation.self_notes
        for group in self.groups:
            self.fields[f"note_{group.index}"] = _text(_("Giải trình"))
            if group.index < len(own):
                self.fields[f"point_{group.index}"].initial = Decimal(own[group.index])
            if group.index < len(notes):
                self.fields[f"note_{group.index}"].initial = notes[group.index]
        self.fields["comment"].initial = self.evaluation.self_comment

    def notes(self) -> list[str]:
        return [self.cleaned_data[f"note_{g.index}"] for g in self.groups]

    def rows(self):
        return [(g, self[f"point_{g.index}"], self[f"note_{g.index}"]) for g in self.groups]


class HeadAssessmentForm(StyledFormMixin, DynamicFieldsMixin, forms.Form):
    """The head's points (a reason for each one changed), leader factors and overrides."""

    organizing = number_field(
        _("Năng lực tổ chức thực hiện nhiệm vụ (0–1)"),
        minimum=Decimal(0),
        maximum=Decimal(1),
        places=3,
        help_text=_("Cấp trên cho điểm đối với người đứng đầu, cấp phó."),
    )
    disciplined = forms.BooleanField(
        label=_("Bị kỷ luật từ khiển trách trở lên trong năm"), required=False
    )
    degraded = forms.BooleanField(label=_("Có kết luận suy thoái"), required=False)
    unit_corruption = forms.BooleanField(
        label=_("Cơ quan, đơn vị để xảy ra tham nhũng"), required=False
    )
    comment = _text(_("Nhận xét của thủ trưởng"), rows=3, max_length=4000)

    def __init__(self, *args, evaluation: Evaluation, **kwargs):
        self.evaluation = evaluation
        self.groups = evaluation_groups(evaluation)
        self.own_points = [Decimal(p) for p in evaluation.self_general]
        self.is_leader = evaluation.role == EvaluationRole.LEADER
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:
        evaluation = self.evaluation
        mine = [Decimal(p) for p in evaluation.head_general] or self.own_points
        for group in self.groups:
            self.fields[f"reason_{group.index}"] = _text(_("Lý do điều chỉnh"))
            if group.index < len(mine):
                self.fields[f"point_{group.index}"].initial = mine[group.index]
            if group.index < len(evaluation.head_reasons):
                self.fields[f"reason_{group.index}"].initial = evaluation.head_reasons[group.index]
        if self.is_leader:
            self.fields["organizing"].initial = evaluation.organizing
        else:
            del self.fields["organizing"]
            del self.fields["unit_corruption"]
        for name in ("disciplined", "degraded", "unit_corruption"):
            if name in self.fields:
                self.fields[name].initial = getattr(evaluation, name)
        self.fields["comment"].initial = evaluation.head_comment

    def clean(self):
        data = super().clean()
        for group in self.groups:
            point = data.get(f"point_{group.index}")
            own = self.own_points[group.index] if group.index < len(self.own_points) else None
            reason = (data.get(f"reason_{group.index}") or "").strip()
            if point is not None and own is not None and point != own and not reason:
                self.add_error(
                    f"reason_{group.index}",
                    _("Điểm khác điểm tự chấm: phải ghi lý do điều chỉnh."),
                )
        return data

    def rows(self):
        own, notes = self.own_points, self.evaluation.self_notes
        return [
            (
                g,
                own[g.index] if g.index < len(own) else None,
                notes[g.index] if g.index < len(notes) else "",
                self[f"point_{g.index}"],
                self[f"reason_{g.index}"],
            )
            for g in self.groups
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "general": self.points(),
            "reasons": [data[f"reason_{g.index}"] for g in self.groups],
            "comment": data["comment"],
            "organizing": data.get("organizing"),
            "disciplined": data["disciplined"],
            "degraded": data["degraded"],
            "unit_corruption": data.get("unit_corruption", False),
        }


class ReturnForm(StyledFormMixin, forms.Form):
    note = _text(_("Lý do trả lại phiếu"), required=True)


class HrCheckForm(StyledFormMixin, forms.Form):
    note = _text(_("Ý kiến thẩm định"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by its content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class AppealForm(StyledFormMixin, forms.Form):
    text = _text(_("Nội dung khiếu nại"), required=True, rows=4, max_length=4000)
    files = MultipleFileField(
        label=_("Tệp đính kèm"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted here, per request: formatting at import would freeze the text in Vietnamese.
        self.fields["files"].help_text = _("Tối đa %(n)s tệp %(types)s; mỗi tệp tối đa 10 MB.") % {
            "n": MAX_APPEAL_FILES,
            "types": ALLOWED_TEXT,
        }

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_APPEAL_FILES:
            raise forms.ValidationError(
                _("Chỉ được đính kèm tối đa %(n)s tệp.") % {"n": MAX_APPEAL_FILES}
            )
        return files


class AppealResolveForm(StyledFormMixin, DynamicFieldsMixin, forms.Form):
    """Accept with a re-score (new points and/or a rating) or reject, with reasons either way."""

    points_required = False
    decision = forms.ChoiceField(
        label=_("Kết quả giải quyết"),
        choices=[("accept", _("Chấp nhận, đánh giá lại")), ("reject", _("Không chấp nhận"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn chấp nhận hoặc không chấp nhận.")},
    )
    resolution = _text(_("Nội dung, lý do giải quyết"), required=True, rows=3, max_length=4000)
    rating = forms.ChoiceField(
        label=_("Xếp loại sau khi đánh giá lại"),
        choices=[("", _("— Theo điểm tính lại —")), *DECIDED_RATINGS],
        required=False,
    )

    def __init__(self, *args, evaluation: Evaluation, **kwargs):
        self.groups = evaluation_groups(evaluation)
        self.current = [Decimal(p) for p in (evaluation.head_general or evaluation.self_general)]
        super().__init__(*args, **kwargs)
        # Radio buttons are check inputs, not text boxes.
        self.fields["decision"].widget.attrs["class"] = "form-check-input"

    def add_fields(self) -> None:
        for group in self.groups:
            field = self.fields[f"point_{group.index}"]
            field.help_text = _("Để trống nếu giữ nguyên.")
            field.label = _("Điểm mới — %(g)s") % {"g": group.name}

    def new_points(self) -> list[Decimal] | None:
        """The re-scored points, or None when none was given; a blank group keeps its points."""
        points = self.points()
        if all(p is None for p in points):
            return None
        current = self.current + [Decimal(0)] * len(points)
        return [p if p is not None else current[i] for i, p in enumerate(points)]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        accept = data["decision"] == "accept"
        return {
            "accept": accept,
            "resolution": data["resolution"],
            "general": self.new_points() if accept else None,
            "rating": (data["rating"] or None) if accept else None,
        }


class DecisionForm(StyledFormMixin, DynamicFieldsMixin, forms.Form):
    """The decision number and date, and per "xuất sắc" candidate: downgrade, with a reason."""

    decision_number = forms.CharField(
        label=_("Số quyết định"),
        max_length=60,
        error_messages={"required": _("Phải ghi số quyết định.")},
    )
    decision_date = forms.DateField(
        label=_("Ngày quyết định"),
        initial=timezone.localdate,
        error_messages={
            "required": _("Phải ghi ngày quyết định."),
            "invalid": _("Ngày không hợp lệ (dd/mm/yyyy)."),
        },
    )

    def __init__(self, *args, candidates=(), suggested=(), **kwargs):
        self.candidates, self.suggested = list(candidates), set(suggested)
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:
        for evaluation in self.candidates:
            suggested = evaluation.pk in self.suggested
            name = evaluation.person.full_name
            self.fields[f"downgrade_{evaluation.pk}"] = forms.BooleanField(
                label=_("Hạ mức %(n)s") % {"n": name}, required=False, initial=suggested
            )
            self.fields[f"reason_{evaluation.pk}"] = forms.CharField(
                label=_("Lý do hạ mức %(n)s") % {"n": name},
                max_length=255,
                required=False,
                initial=DOWNGRADE_REASON if suggested else "",
            )

    def rows(self):
        return [(e, self[f"downgrade_{e.pk}"], self[f"reason_{e.pk}"]) for e in self.candidates]

    def downgrades(self) -> dict[int, str]:
        data = self.cleaned_data
        return {e.pk: data[f"reason_{e.pk}"] for e in self.candidates if data[f"downgrade_{e.pk}"]}


class CollectiveForm(StyledFormMixin, DynamicFieldsMixin, forms.Form):
    """Đánh giá tập thể: the superior body's general points for an agency's year."""

    head_capped = forms.BooleanField(
        label=_("Xếp loại người đứng đầu không cao hơn xếp loại của tập thể"), required=False
    )

    def __init__(self, *args, groups: list[Group], **kwargs):
        self.groups = groups
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:
        self.order_fields([f"point_{g.index}" for g in self.groups])


# ---- tính thử điểm ----------------------------------------------------------------------------

SUBORDINATES_OK = "ok"


class CalculatorForm(StyledFormMixin, DynamicFieldsMixin, forms.Form):
    """What-if inputs for the engine: preset, role, general points, leader factors and flags."""

    preset = forms.ChoiceField(label=_("Bộ tiêu chí"), choices=PRESET_CHOICES, initial="nd335")
    role = forms.ChoiceField(
        label=_("Đối tượng"),
        choices=[
            ("staff", _("Cán bộ, công chức, viên chức")),
            ("leader", _("Người đứng đầu, cấp phó")),
        ],
        initial="staff",
    )
    subordinates = forms.ChoiceField(
        label=_("Kết quả của cấp dưới"),
        choices=[
            (SUBORDINATES_OK, _("Đều từ Hoàn thành nhiệm vụ trở lên (hoặc không có cấp dưới)")),
            ("kht", _("Có người Không hoàn thành nhiệm vụ")),
        ],
        initial=SUBORDINATES_OK,
    )
    organizing = number_field(
        _("Năng lực tổ chức thực hiện nhiệm vụ (0–1)"),
        minimum=Decimal(0),
        maximum=Decimal(1),
        places=3,
        required=False,
        initial=Decimal(1),
    )
    disciplined = forms.BooleanField(
        label=_("Bị kỷ luật từ khiển trách trở lên trong năm"), required=False
    )
    degraded = forms.BooleanField(label=_("Có kết luận suy thoái"), required=False)
    unit_corruption = forms.BooleanField(
        label=_("Cơ quan, đơn vị để xảy ra tham nhũng (lãnh đạo)"), required=False
    )

    def __init__(self, *args, **kwargs):
        data = args[0] if args else kwargs.get("data")
        preset = data.get("preset") if data else None
        self.rules = scoring.PRESETS.get(preset) or scoring.PRESETS["nd335"]
        self.groups = groups_of(self.rules)
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:
        for group in self.groups:
            self.fields[f"point_{group.index}"].initial = group.maximum

    def clean(self):
        data = super().clean()
        if data.get("role") == "leader" and data.get("organizing") is None:
            self.add_error(
                "organizing", _("Người đứng đầu, cấp phó phải có điểm năng lực tổ chức.")
            )
        return data

    def leader(self) -> scoring.LeaderFactors | None:
        data = self.cleaned_data
        if data["role"] != "leader":
            return None
        ratings = ("HT",) if data["subordinates"] == SUBORDINATES_OK else ("KHT",)
        return scoring.LeaderFactors(subordinate_ratings=ratings, organizing=data["organizing"])

    def flags(self) -> scoring.Flags:
        data = self.cleaned_data
        return scoring.Flags(data["disciplined"], data["degraded"], data["unit_corruption"])


LINE_FIELDS = (
    "coefficient",
    "assigned",
    "done",
    "quality_pass",
    "major_errors",
    "delays",
    "exempt",
    "exceeded",
)


class TaskLineForm(StyledFormMixin, forms.Form):
    coefficient = number_field(
        _("Hệ số quy đổi"),
        minimum=Decimal("0.0001"),
        places=4,
        min_message=_("Hệ số quy đổi phải lớn hơn 0."),
    )
    assigned = number_field(_("Số lượng được giao"), minimum=Decimal(0))
    done = number_field(_("Số lượng hoàn thành"), minimum=Decimal(0))
    quality_pass = forms.TypedChoiceField(
        label=_("Chất lượng"),
        choices=[("1", _("Đạt")), ("0", _("Không đạt"))],
        coerce=lambda value: value == "1",
        initial="1",
    )
    major_errors = count_field(_("Số lỗi lớn"))
    delays = count_field(_("Số lần chậm tiến độ"))
    exempt = forms.BooleanField(label=_("Lý do khách quan"), required=False)
    exceeded = forms.BooleanField(label=_("Vượt yêu cầu"), required=False)

    def line(self) -> scoring.TaskLine:
        data = {name: self.cleaned_data[name] for name in LINE_FIELDS}
        data["major_errors"] = data["major_errors"] or 0
        data["delays"] = data["delays"] or 0
        return scoring.TaskLine(**data)


class BaseTaskLineFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Bỏ dòng này")

    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        if not kept and not any(f.errors for f in self.forms):
            raise forms.ValidationError(_("Phải có ít nhất một dòng nhiệm vụ."))

    def lines(self) -> list[scoring.TaskLine]:
        return [f.line() for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]


TaskLineFormSet = forms.formset_factory(
    TaskLineForm,
    formset=BaseTaskLineFormSet,
    extra=0,
    can_delete=True,
    max_num=30,
    absolute_max=30,
    validate_max=True,
)


class YearEndForm(StyledFormMixin, forms.Form):
    """Deciding or publishing the year; past the year-end date the reason for the delay."""

    late_reason = _text(_("Lý do quyết định, công bố sau hạn"))
