"""Writes on complaints, one module per family of events; the public services are importable from here.

- ``recovery``: logging a complaint, its timeline, each step of the recovery process, reassigning;
- ``compliments``: recording and correcting praise;
- ``improvement_plans``: plans against recurring categories;
- ``escalation``: the ladder for complaints past their reply limit;
- ``holds``: the weekly reminder for complaints on hold without a follow-up;
- ``daily_log``: the managers' morning log;
- ``taxonomy``: installing the default taxonomy and standard answers in a network.

Reads are in ``complaints.selectors``, pure rules (clocks, overdue) in ``complaints.rules``.
"""

from ..inputs import NOT_AVAILABLE
from ..selectors import dealer_representative
from .compliments import compliment_record, compliment_update
from .daily_log import daily_log_send
from .escalation import complaint_escalate, complaints_escalate
from .holds import complaint_hold_remind, complaints_on_hold_remind
from .improvement_plans import improvement_plan_open, improvement_plan_set_status, improvement_plan_update
from .recovery import complaint_add_entry, complaint_log, complaint_transition, complaints_reassign
from .taxonomy import network_taxonomy_install

__all__ = [
    "NOT_AVAILABLE",
    "complaint_add_entry",
    "complaint_escalate",
    "complaint_hold_remind",
    "complaint_log",
    "complaint_transition",
    "complaints_escalate",
    "complaints_on_hold_remind",
    "complaints_reassign",
    "compliment_record",
    "compliment_update",
    "daily_log_send",
    "dealer_representative",  # a read, kept here because follow-up calls import it from here
    "improvement_plan_open",
    "improvement_plan_set_status",
    "improvement_plan_update",
    "network_taxonomy_install",
]
