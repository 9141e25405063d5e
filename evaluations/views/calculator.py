"""Tính thử điểm: anyone enters numbers and sees the breakdown from the scoring engine itself."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import scoring
from ..forms_assessment import CalculatorForm, TaskLineFormSet
from . import scorecard

PREFIX = "line"
FIRST_LINE = {"coefficient": 1, "assigned": 1, "done": 1, "quality_pass": "1"}


def _prepared(data):
    """The posted data with one more task line, or points reset when the preset changed."""
    data = data.copy()
    if "add_line" in data:
        key = f"{PREFIX}-TOTAL_FORMS"
        count = int(data.get(key, "0")) if data.get(key, "").isdecimal() else 0
        data[key] = str(min(count + 1, TaskLineFormSet.absolute_max))
    if "shown_preset" in data and data.get("preset") != data["shown_preset"]:
        # The groups and their maxima belong to the preset: start again from the maxima.
        rules = scoring.PRESETS.get(data.get("preset", ""), scoring.PRESETS["nd335"])
        for key in [k for k in data if k.startswith("point_")]:
            del data[key]
        for index, (_name, maximum) in enumerate(rules.general_groups):
            data[f"point_{index}"] = str(maximum)
    return data


@login_required
def calculator(request):
    """The form and, when it is valid, the engine's result; HTMX gets the form fragment back."""
    data = _prepared(request.POST) if request.method == "POST" else None
    form = CalculatorForm(data)
    lines = TaskLineFormSet(data, prefix=PREFIX, initial=[FIRST_LINE])
    score, error = None, ""
    if data is not None and "add_line" not in data and form.is_valid() and lines.is_valid():
        try:
            result = scoring.score_individual(
                rules=form.rules,
                general=form.points(),
                tasks=lines.lines(),
                role=form.cleaned_data["role"],
                leader=form.leader(),
                flags=form.flags(),
            )
        except scoring.ScoringInputError as exc:
            error = str(exc)
        else:
            reason = "" if result.ratios else scorecard.NOTHING_ASSIGNED
            score = scorecard.from_result(result, reason)
    problems = _problems(form, lines) if data is not None and "add_line" not in data else []
    context = {
        "form": form,
        "lines": lines,
        "score": score,
        "error": error,
        "problems": problems,
    }
    template = "evaluations/assessment/" + (
        "partials/_calculator.html" if request.htmx else "calculator.html"
    )
    return render(request, template, context)


def _problems(form, lines) -> list[str]:
    """Every input error in one list, for the result panel that live updates replace."""
    found = [
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]
    for number, line in enumerate(lines, start=1):
        found += [
            _("Dòng %(n)s — %(f)s: %(e)s") % {"n": number, "f": line.fields[name].label, "e": error}
            for name, errors in line.errors.items()
            for error in errors
        ]
    return found + [str(error) for error in lines.non_form_errors()]
