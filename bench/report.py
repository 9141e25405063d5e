"""Results as JSON and as a Markdown table, each figure beside its floor."""

from __future__ import annotations

import json
from pathlib import Path

from .figures import Figure


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:,.1f} ms"
    if unit == "s":
        return f"{value:,.1f} s"
    return f"{value:,.0f} {unit}"


def write(
    directory: Path, stem: str, meta: dict, figures: list[Figure], explains, seeding: list[str]
):
    directory.mkdir(parents=True, exist_ok=True)
    payload = {
        **meta,
        "seeding": seeding,
        "figures": [f.as_dict() for f in figures],
        "explain": [{"title": title, "plan": plan} for title, plan in explains],
    }
    json_path = directory / f"{stem}.json"
    json_path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    md_path = directory / f"{stem}.md"
    md_path.write_text(markdown(meta, figures, explains, seeding))
    return json_path, md_path


def markdown(meta: dict, figures: list[Figure], explains, seeding: list[str]) -> str:
    machine = meta["machine"]
    lines = [
        f"# Benchmark {meta['date']} — {meta['scale']:,} cán bộ, {meta['months']} tháng",
        "",
        f"Máy: {machine['cpus']} lõi, {machine['memory_gib']} GiB, {machine['postgres']}; "
        f"tải trung bình lúc bắt đầu / kết thúc: {machine['load_start']} / {machine['load_end']} "
        "(máy dùng chung, các con số dao động theo tải). "
        f"Cơ sở dữ liệu `{meta['database']}`, mã nguồn `{meta['commit']}`.",
        "",
        "| Phép đo | Chỉ số | Giá trị | Sàn (cùng lượt chạy) | Tỷ lệ | Mục tiêu | Đạt | Ghi chú |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        ratio = f"{f.ratio:.1f}×" if f.ratio is not None else "—"
        met = {True: "có", False: "**không**", None: "—"}[f.met]
        floor = f"{_number(f.floor, f.unit)} ({f.floor_label})" if f.floor is not None else "—"
        lines.append(
            f"| {f.benchmark} | {f.metric} | {_number(f.value, f.unit)} | {floor} | {ratio} "
            f"| {f.target or '—'} | {met} | {f.note} |"
        )
    lines += ["", "## Số dòng trong cơ sở dữ liệu", ""]
    lines += [f"- `{table}`: {rows:,}" for table, rows in meta["rows"].items()]
    lines += ["", "## Tạo dữ liệu (seed_scale, lượt này)", "", "```", *seeding, "```", ""]
    lines += ["## EXPLAIN (ANALYZE, BUFFERS)", ""]
    for title, plan in explains:
        lines += [f"### {title}", "", "```", plan, "```", ""]
    return "\n".join(lines)
