"""The evaluations screens: work log, review queue, plans and periods."""

from .periods import period_advance, period_list, period_reopen, policy_edit
from .plans import (
    my_plan,
    plan_copy_previous,
    plan_current,
    plan_item_decide,
    plan_item_remove,
    team_plan,
)
from .review import entry_review, review_bulk_approve, review_queue
from .worklog import (
    entries_submit_all,
    entry_delete,
    entry_detail,
    entry_edit,
    entry_evidence,
    entry_repeat,
    entry_submit,
    favourite_toggle,
    product_search,
    worklog,
    worklog_current,
)

__all__ = [
    "entries_submit_all",
    "entry_delete",
    "entry_detail",
    "entry_edit",
    "entry_evidence",
    "entry_repeat",
    "entry_review",
    "entry_submit",
    "favourite_toggle",
    "my_plan",
    "period_advance",
    "period_list",
    "period_reopen",
    "plan_copy_previous",
    "plan_current",
    "plan_item_decide",
    "plan_item_remove",
    "policy_edit",
    "product_search",
    "review_bulk_approve",
    "review_queue",
    "team_plan",
    "worklog",
    "worklog_current",
]
