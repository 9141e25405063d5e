"""Score one individual, quota or annual case described in JSON and print the result as JSON."""

import json
import sys
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from evaluations.scoring import (
    PRESETS,
    Flags,
    LeaderFactors,
    QuotaMember,
    Rating,
    ScoringInputError,
    TaskLine,
    check_quota,
    round_half_up,
    score_annual,
    score_individual,
)

KINDS = ("individual", "quota", "annual")
RATING_CODES = tuple(r.value for r in Rating)
MAX_DIGITS = 12


class InvalidCase(ValueError):
    """Raised when the JSON case does not follow the expected shape; the message is Vietnamese."""


class Command(BaseCommand):
    help = (
        "Chấm điểm một trường hợp (individual, quota, annual) mô tả trong tệp JSON"
        " và in kết quả dạng JSON; dùng '-' để đọc từ đầu vào chuẩn."
    )
    # Lets tests pass stdin through call_command, as Django's createsuperuser does.
    stealth_options = ("stdin",)
    # Pure arithmetic on the input: no database, URLs or models are involved.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp JSON mô tả trường hợp, hoặc '-' cho đầu vào chuẩn.")

    def handle(self, *args, **options):
        text = read_source(options["file"], options.get("stdin") or sys.stdin)
        try:
            data = json.loads(text, parse_float=Decimal, parse_constant=reject_constant)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"JSON không hợp lệ: {exc.msg} (dòng {exc.lineno}, cột {exc.colno}).",
                returncode=2,
            ) from exc
        except InvalidCase as exc:
            raise CommandError(f"JSON không hợp lệ: {exc}", returncode=2) from exc
        try:
            result = score_case(data)
        except (InvalidCase, ScoringInputError) as exc:
            raise CommandError(f"Dữ liệu không hợp lệ: {exc}", returncode=2) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False))


def read_source(path: str, stdin) -> str:
    """Return the text of the file, or of standard input when the path is '-'."""
    try:
        if path == "-":
            raw = getattr(stdin, "buffer", None)
            return raw.read().decode("utf-8") if raw is not None else stdin.read()
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except UnicodeDecodeError as exc:
        raise CommandError("Tệp vào phải được mã hóa UTF-8.", returncode=2) from exc
    except OSError as exc:
        raise CommandError(f"Không đọc được tệp '{path}': {exc.strerror}.", returncode=2) from exc


def reject_constant(name: str) -> Any:
    """Refuse NaN and Infinity, which are not valid scores."""
    raise InvalidCase(f"giá trị '{name}' không phải là một số hữu hạn.")


def score_case(data: Any) -> dict[str, Any]:
    """Validate a decoded case and return its JSON-ready result."""
    if not isinstance(data, dict):
        raise InvalidCase("dữ liệu phải là một đối tượng JSON.")
    kind = choice(data.get("kind"), "kind", KINDS)
    if kind == "individual":
        return individual_case(data)
    if kind == "quota":
        return quota_case(data)
    return annual_case(data)


def individual_case(data: dict) -> dict[str, Any]:
    """Score one person for one period."""
    obj(
        data,
        "",
        required=("kind", "preset", "general", "tasks"),
        optional=("role", "leader", "flags"),
    )
    rules = PRESETS[choice(data["preset"], "preset", tuple(PRESETS))]
    role = choice(data.get("role", "staff"), "role", ("staff", "leader"))
    general = [number(v, f"general[{i}]") for i, v in enumerate(array(data["general"], "general"))]
    tasks = [task_line(v, f"tasks[{i}]") for i, v in enumerate(array(data["tasks"], "tasks"))]
    leader = None
    if role == "leader":
        if "leader" not in data:
            raise InvalidCase("thiếu khóa 'leader' cho người đứng đầu, cấp phó (role = leader).")
        leader = leader_factors(data["leader"], "leader")
    result = score_individual(
        rules=rules,
        general=general,
        tasks=tasks,
        role=role,
        leader=leader,
        flags=flags(data.get("flags", {}), "flags"),
    )
    ratios = None
    if result.ratios is not None:
        ratios = {
            "quantity": as_float(result.ratios.quantity, 4),
            "quality": as_float(result.ratios.quality, 4),
            "timeliness": as_float(result.ratios.timeliness, 4),
        }
    return {
        "general": as_float(result.general),
        "task": as_float(result.task),
        "total": as_float(result.total),
        "rating": result.rating.value,
        "capped_by": result.capped_by,
        "ratios": ratios,
    }


def quota_case(data: dict) -> dict[str, Any]:
    """Check the Hoàn thành xuất sắc nhiệm vụ quota of one group."""
    obj(data, "", required=("kind", "preset", "members"), optional=("exception_decision",))
    rules = PRESETS[choice(data["preset"], "preset", tuple(PRESETS))]
    decision = data.get("exception_decision")
    if decision is not None and not isinstance(decision, str):
        raise InvalidCase("'exception_decision' phải là chuỗi số hiệu quyết định hoặc null.")
    members = []
    for i, item in enumerate(array(data["members"], "members")):
        where = f"members[{i}]"
        obj(item, where, required=("id", "total", "rating"))
        member_id = item["id"]
        if isinstance(member_id, bool) or not isinstance(member_id, str | int):
            raise InvalidCase(f"{where}.id phải là chuỗi hoặc số nguyên.")
        total = None if item["total"] is None else number(item["total"], f"{where}.total")
        rating = Rating(choice(item["rating"], f"{where}.rating", RATING_CODES))
        members.append(QuotaMember(id=member_id, total=total, rating=rating))
    result = check_quota(rules=rules, members=members, exception_decision=decision)
    return {
        "htxs": result.htxs,
        "htt": result.htt,
        "cap": result.cap,
        "over_by": result.over_by,
        "suggest_downgrade": list(result.suggest_downgrade),
    }


def annual_case(data: dict) -> dict[str, Any]:
    """Rate one person for a year from the totals of its periods."""
    obj(data, "", required=("kind", "preset", "periods"), optional=("flags",))
    rules = PRESETS[choice(data["preset"], "preset", tuple(PRESETS))]
    totals = []
    for i, item in enumerate(array(data["periods"], "periods")):
        where = f"periods[{i}]"
        obj(item, where, optional=("total", "not_rated"))
        if boolean(item.get("not_rated", False), f"{where}.not_rated"):
            if item.get("total") is not None:
                raise InvalidCase(f"{where}: kỳ chưa xếp loại không được có tổng điểm.")
            totals.append(None)
        elif item.get("total") is None:
            raise InvalidCase(f"{where}: cần 'total' hoặc \"not_rated\": true.")
        else:
            totals.append(number(item["total"], f"{where}.total"))
    result = score_annual(
        rules=rules, period_totals=totals, flags=flags(data.get("flags", {}), "flags")
    )
    return {
        "total": as_float(result.total),
        "rating": result.rating.value,
        "capped_by": result.capped_by,
    }


def task_line(value: Any, where: str) -> TaskLine:
    """Read one task line."""
    obj(
        value,
        where,
        required=("coefficient", "assigned", "done"),
        optional=("quality", "major_errors", "delays", "exempt", "exceeded"),
    )
    return TaskLine(
        coefficient=number(value["coefficient"], f"{where}.coefficient"),
        assigned=number(value["assigned"], f"{where}.assigned"),
        done=number(value["done"], f"{where}.done"),
        quality_pass=choice(value.get("quality", "pass"), f"{where}.quality", ("pass", "fail"))
        == "pass",
        major_errors=integer(value.get("major_errors", 0), f"{where}.major_errors"),
        delays=integer(value.get("delays", 0), f"{where}.delays"),
        exempt=boolean(value.get("exempt", False), f"{where}.exempt"),
        exceeded=boolean(value.get("exceeded", False), f"{where}.exceeded"),
    )


def leader_factors(value: Any, where: str) -> LeaderFactors:
    """Read the leader-only inputs."""
    obj(value, where, required=("subordinate_ratings", "organizing"))
    ratings = array(value["subordinate_ratings"], f"{where}.subordinate_ratings")
    return LeaderFactors(
        subordinate_ratings=tuple(
            Rating(choice(r, f"{where}.subordinate_ratings[{i}]", RATING_CODES))
            for i, r in enumerate(ratings)
        ),
        organizing=number(value["organizing"], f"{where}.organizing"),
    )


def flags(value: Any, where: str) -> Flags:
    """Read the override flags, each false unless given."""
    names = ("disciplined", "degraded", "unit_corruption")
    obj(value, where, optional=names)
    return Flags(**{name: boolean(value.get(name, False), f"{where}.{name}") for name in names})


def obj(value: Any, where: str, *, required: tuple = (), optional: tuple = ()) -> None:
    """Require a JSON object holding all required keys and no unknown key."""
    label = where or "dữ liệu"
    if not isinstance(value, dict):
        raise InvalidCase(f"{label} phải là một đối tượng JSON.")
    missing = [key for key in required if key not in value]
    if missing:
        raise InvalidCase(f"{label} thiếu khóa: {', '.join(missing)}.")
    unknown = [key for key in value if key not in required and key not in optional]
    if unknown:
        raise InvalidCase(f"{label} có khóa không hợp lệ: {', '.join(unknown)}.")


def array(value: Any, where: str) -> list:
    """Require a JSON array."""
    if not isinstance(value, list):
        raise InvalidCase(f"{where} phải là một mảng JSON.")
    return value


def number(value: Any, where: str) -> Decimal:
    """Require a JSON number and return it as an exact Decimal."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InvalidCase(f"{where} phải là một số.")
    number = Decimal(value)
    # Exact arithmetic on 1e999999999 would never finish, and no real score needs it.
    if number.adjusted() > MAX_DIGITS:
        raise InvalidCase(f"{where} quá lớn.")
    if number.as_tuple().exponent < -MAX_DIGITS:
        raise InvalidCase(f"{where} có quá nhiều chữ số thập phân.")
    return number


def integer(value: Any, where: str) -> int:
    """Require a JSON integer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidCase(f"{where} phải là một số nguyên.")
    return value


def boolean(value: Any, where: str) -> bool:
    """Require a JSON true or false."""
    if not isinstance(value, bool):
        raise InvalidCase(f"{where} phải là true hoặc false.")
    return value


def choice(value: Any, where: str, allowed: tuple[str, ...]) -> str:
    """Require one of the allowed strings."""
    if not isinstance(value, str) or value not in allowed:
        shown = "thiếu" if value is None else f"'{value}'"
        raise InvalidCase(f"{where} không hợp lệ ({shown}); chỉ nhận: {', '.join(allowed)}.")
    return value


def as_float(value: Decimal | None, places: int = 2) -> float | None:
    """Round half-up and turn into a JSON number, keeping None as null."""
    return None if value is None else float(round_half_up(value, places))
