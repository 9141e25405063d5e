"""Server time of a screen with the Django test client, its query count and its floor."""

from __future__ import annotations

import statistics

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .figures import Context, Figure, percentile, raw_query_ms, timed

TARGET_MS = 200


def client_for(user, *, second_factor: bool = False) -> Client:
    """A logged-in client; with `second_factor`, verified by an authenticator as leaders must be.

    A user who already has an authenticator (a leader from an earlier run may also be on the
    log screen's list) is always verified with it, or every page would ask for the code.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None and second_factor:
        device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def measure_screen(
    ctx: Context,
    *,
    benchmark: str,
    label: str,
    visits: list[tuple[Client, str]],
    main_query: tuple[str, list],
    note: str = "",
) -> list[Figure]:
    """p50/p95 over `ctx.requests` requests spread over the visits, beside the main query alone."""
    for client, url in visits:  # warm the caches a real server would already have warm
        _get(client, url)
    queries, sql_ms, slowest = [], [], []
    for client, url in visits:
        with CaptureQueriesContext(connection) as captured:
            _get(client, url)
        queries.append(len(captured.captured_queries))
        times = [float(q["time"]) * 1000 for q in captured.captured_queries]
        sql_ms.append(sum(times))
        statements = (q["sql"] for q in captured.captured_queries)
        # Only reads can be explained here; COMMIT and session writes are timed but skipped.
        slowest.extend(
            (ms, sql) for ms, sql in zip(times, statements, strict=True) if sql.startswith("SELECT")
        )
    turn = iter(range(10**9))

    def visit():
        client, url = visits[next(turn) % len(visits)]
        _get(client, url)

    cpu: list[float] = []
    samples = timed(visit, ctx.requests, cpu)
    sql, params = main_query
    floor = raw_query_ms(sql, params, ctx.requests)
    ctx.explain(f"{benchmark} — truy vấn chính", sql, params)
    slowest.sort(reverse=True)
    for ms, text in slowest[:2]:
        ctx.explain(f"{benchmark} — truy vấn chậm nhất của một lượt ({ms:.1f} ms)", text)
    p95 = percentile(samples, 95)
    detail = {
        "label": label,
        "requests": len(samples),
        "p50_ms": percentile(samples, 50),
        "p95_ms": p95,
        "max_ms": max(samples),
        "cpu_p50_ms": percentile(cpu, 50),
        "cpu_p95_ms": percentile(cpu, 95),
        "queries_per_request": statistics.median(queries),
        "queries_range": [min(queries), max(queries)],
        "sql_ms_per_request_median": statistics.median(sql_ms),
        "floor_p50_ms": percentile(floor, 50),
        "floor_p95_ms": percentile(floor, 95),
    }
    floor_label = "truy vấn chính chạy riêng (SQL thô), {}"
    return [
        Figure(
            benchmark,
            "p50 thời gian máy chủ",
            detail["p50_ms"],
            "ms",
            floor=detail["floor_p50_ms"],
            floor_label=floor_label.format("p50"),
            note=f"{label}; {detail['queries_per_request']:g} truy vấn SQL/lượt"
            + (f"; {note}" if note else ""),
            detail=detail,
        ),
        Figure(
            benchmark,
            "p95 thời gian máy chủ",
            p95,
            "ms",
            floor=detail["floor_p95_ms"],
            floor_label=floor_label.format("p95"),
            target=f"p95 ≤ {TARGET_MS} ms",
            met=p95 <= TARGET_MS,
            note=f"SQL trung vị {detail['sql_ms_per_request_median']:.1f} ms/lượt; CPU tiến trình "
            f"Django p50 / p95 {detail['cpu_p50_ms']:.0f} / {detail['cpu_p95_ms']:.0f} ms",
            detail=detail,
        ),
    ]


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} trả về {response.status_code}")
