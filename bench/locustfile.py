"""Month-end load on gunicorn: logging 50 %, review 25 %, dashboards 15 %, exports 10 %.

Started by `bench.benchmarks.load`, which writes the simulated users (session cookies made
ahead, the page each one works on) to the JSON file named by BENCH_LOAD_USERS. Each task is
one request, named by its class, so locust reports the p95 of each class; a form that comes
back without redirecting counts as a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, constant, task

with open(os.environ["BENCH_LOAD_USERS"], encoding="utf-8") as handle:
    PEOPLE = json.load(handle)
THINK = float(os.environ.get("BENCH_LOAD_THINK", "3"))
_next = {kind: itertools.cycle(people) for kind, people in PEOPLE.items() if people}


class _Persona(HttpUser):
    abstract = True
    kind = ""
    wait_time = constant(THINK)

    def on_start(self):
        self.me = next(_next[self.kind])
        self.client.cookies.set("sessionid", self.me["session"])
        self.client.cookies.set("csrftoken", self.me["csrf"])
        self.headers = {"X-CSRFToken": self.me["csrf"], "Referer": self.host + "/"}

    def _post(self, url: str, data: dict, name: str) -> None:
        with self.client.post(
            url, data=data, headers=self.headers, name=name, catch_response=True
        ) as response:
            if response.ok and not response.history:
                response.failure("biểu mẫu bị từ chối (không chuyển trang)")


class Logging(_Persona):
    """A staff member logs a finished product of this month."""

    weight = 50
    kind = "staff"

    @task
    def log_product(self):
        me = self.me
        data = {
            "product": me["product"],
            "quantity": random.choice(("1", "1", "2")),
            "completed_on": me["day"],
        }
        self._post(me["url"], data, "ghi nhận sản phẩm (POST nhật ký)")


class Review(_Persona):
    """A head opens the review queue."""

    weight = 25
    kind = "reviewer"

    @task
    def open_queue(self):
        self.client.get(self.me["url"], name="hàng chờ phê duyệt")


class Dashboards(_Persona):
    """A head's own dashboard, or the province's for organisation departments."""

    weight = 15
    kind = "dashboard"

    @task
    def open_dashboard(self):
        self.client.get(self.me["url"], name="bảng điều khiển")


class Exports(_Persona):
    """A head asks for the biểu tổng hợp of their unit (a background job)."""

    weight = 10
    kind = "exporter"

    @task
    def request_export(self):
        self._post(self.me["url"], self.me["form"], "yêu cầu xuất báo cáo")
