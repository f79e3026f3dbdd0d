"""The nine service promises (and the measurable sales promises), evaluated by pure functions.

``evaluate_service_promises`` reads only what the advisor records on the job, the changes of its
promised time, the network's policy and — once follow-up calls exist — the job's follow-up outcome.
It touches no database, so every rule is tested without HTTP or fixtures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy

from dealer_portal.sentences import moment_param

from .models import JobStatus, PromiseCheckStatus
from .reasons import Reason
from .rules import is_delivered, is_late, ready_deadline

SERVICE_PROMISES = {
    1: gettext_lazy("Welcomed at the agreed appointment time"),
    2: gettext_lazy("Reception and handover with the customer present"),
    3: gettext_lazy("Walk-around with the customer before work starts"),
    4: gettext_lazy("Work steps explained and duration estimated"),
    5: gettext_lazy("Reliable schedule; any change told at once"),
    6: gettext_lazy("Work done exactly as agreed"),
    7: gettext_lazy("Work explained with an itemised invoice"),
    8: gettext_lazy("Advice on use and maintenance"),
    9: gettext_lazy("Contacted within five days"),
}

SALES_PROMISES = {
    7: gettext_lazy("Reliable delivery date"),
    8: gettext_lazy("Delivered faultless, with an introduction to the car"),
    9: gettext_lazy("Contacted within five days of handover"),
}


@dataclass(frozen=True)
class PromiseResult:
    number: int
    title: str
    status: PromiseCheckStatus
    why: Reason

    @property
    def reason(self) -> str:
        """The reason in the active language."""
        return self.why.text

    @property
    def is_kept(self) -> bool:
        return self.status == PromiseCheckStatus.KEPT


@dataclass(frozen=True)
class Policy:
    """The network's tolerances (see ``PromisePolicy``), as plain values."""

    greeting_tolerance: timedelta = timedelta(minutes=5)
    ready_tolerance: timedelta = timedelta(0)
    repeat_repair_days: int = 30

    @classmethod
    def from_model(cls, policy) -> Policy:
        return cls(greeting_tolerance=timedelta(minutes=policy.greeting_tolerance_minutes),
                   ready_tolerance=timedelta(minutes=policy.ready_tolerance_minutes),
                   repeat_repair_days=policy.repeat_repair_days)


@dataclass(frozen=True)
class FollowUpOutcome:
    """The seam for follow-up calls: filled in by the follow-up feature (service promise 9)."""

    status: PromiseCheckStatus
    why: Reason

    @property
    def reason(self) -> str:
        return self.why.text


def _minutes(delta: timedelta) -> int:
    return round(delta.total_seconds() / 60)


def _timed(prefix: str, delta: timedelta, *, suffix: str = "", **params) -> Reason:
    """``<prefix>_after``, ``_before`` or ``_on_time`` (then ``suffix``) by ``delta``'s whole minutes: one whole
    sentence per case, never a fragment dropped into another."""
    minutes = _minutes(delta)
    if minutes > 0:
        return Reason(f"{prefix}_after{suffix}", {"minutes": minutes, **params})
    if minutes < 0:
        return Reason(f"{prefix}_before{suffix}", {"minutes": -minutes, **params})
    return Reason(f"{prefix}_on_time{suffix}", params)


def _result(promise: int, status: PromiseCheckStatus, key: str, /, **params) -> PromiseResult:
    return PromiseResult(promise, str(SERVICE_PROMISES[promise]), status, Reason(key, params))


def evaluate_service_promises(job, *, changes: Sequence = (), policy: Policy = Policy(),
                              followup: FollowUpOutcome | None = None, repeated_by=None,
                              now: datetime | None = None) -> list[PromiseResult]:
    """All nine service promises of ``job``: kept, broken, not applicable or pending, each with a reason.

    ``changes`` are the job's promised-time changes (oldest first); ``repeated_by`` a later job on the
    same vehicle and work within the repeat-repair window, if any; ``now`` the moment of evaluation. Moments in
    the reasons are taken in the current time zone (the dealer's).
    """
    now = now or timezone.now()
    if job.status in (JobStatus.CANCELLED, JobStatus.NO_SHOW):
        key = "no_show" if job.status == JobStatus.NO_SHOW else "cancelled"
        return [_result(n, PromiseCheckStatus.NOT_APPLICABLE, key) for n in SERVICE_PROMISES]
    delivered = is_delivered(job)
    return [
        _welcome(job, policy, now),
        _reception_and_handover(job, delivered),
        _walkaround(job),
        _work_explained(job),
        _schedule(job, changes, policy, now),
        _done_as_agreed(job, repeated_by),
        _invoice(job, delivered),
        _advice(job, delivered),
        _followup(job, followup, delivered),
    ]


def _welcome(job, policy: Policy, now: datetime) -> PromiseResult:
    if job.appointment_at is None:
        return _result(1, PromiseCheckStatus.NOT_APPLICABLE, "walk_in")
    appointment = moment_param(job.appointment_at)
    if job.greeted_at is None:
        if job.arrived_at is None and now <= job.appointment_at + policy.greeting_tolerance:
            return _result(1, PromiseCheckStatus.PENDING, "appointment_at", time=appointment)
        if job.status in (JobStatus.BOOKED, JobStatus.ARRIVED) and job.arrived_at is None:
            return _result(1, PromiseCheckStatus.PENDING, "not_arrived_yet", time=appointment)
        waiting_since = max(job.appointment_at, job.arrived_at)
        if job.status == JobStatus.ARRIVED and now <= waiting_since + policy.greeting_tolerance:
            return _result(1, PromiseCheckStatus.PENDING, "waiting_to_be_greeted")
        return _result(1, PromiseCheckStatus.BROKEN, "no_greeting", time=appointment)
    reference = job.appointment_at
    customer_late = job.arrived_at is not None and job.arrived_at > job.appointment_at + policy.greeting_tolerance
    if customer_late:
        reference = job.arrived_at
    delay = job.greeted_at - reference
    if customer_late:
        why = _timed("late_customer_greeted", delay, late=_minutes(job.arrived_at - job.appointment_at))
    else:
        why = _timed("greeted", delay, time=appointment)
    kept = delay <= policy.greeting_tolerance
    return PromiseResult(1, str(SERVICE_PROMISES[1]), PromiseCheckStatus.KEPT if kept else PromiseCheckStatus.BROKEN,
                         why)


def _reception_and_handover(job, delivered: bool) -> PromiseResult:
    if job.reception_with_customer is False:
        return _result(2, PromiseCheckStatus.BROKEN, "received_without_customer")
    if delivered and job.handover_with_customer is False:
        return _result(2, PromiseCheckStatus.BROKEN, "handed_over_without_customer")
    if delivered and job.reception_with_customer and job.handover_with_customer:
        return _result(2, PromiseCheckStatus.KEPT, "both_with_customer")
    if delivered:
        return _result(2, PromiseCheckStatus.BROKEN, "presence_not_recorded")
    if job.reception_with_customer:
        return _result(2, PromiseCheckStatus.PENDING, "handover_to_come")
    return _result(2, PromiseCheckStatus.PENDING, "not_received_yet")


def _before_work_started(job, moment) -> bool:
    return job.work_started_at is None or moment <= job.work_started_at


def _walkaround(job) -> PromiseResult:
    if job.walkaround_at is not None:
        if not job.walkaround_with_customer:
            return _result(3, PromiseCheckStatus.BROKEN, "walkaround_without_customer")
        if not _before_work_started(job, job.walkaround_at):
            return _result(3, PromiseCheckStatus.BROKEN, "walkaround_after_start")
        return _result(3, PromiseCheckStatus.KEPT, "walkaround_done", time=moment_param(job.walkaround_at))
    if job.work_started_at is not None:
        return _result(3, PromiseCheckStatus.BROKEN, "started_without_walkaround")
    return _result(3, PromiseCheckStatus.PENDING, "walkaround_to_do")


def _work_explained(job) -> PromiseResult:
    if job.work_explained_at is not None and job.estimated_duration_minutes:
        if not _before_work_started(job, job.work_explained_at):
            return _result(4, PromiseCheckStatus.BROKEN, "explained_after_start")
        hours, minutes = divmod(job.estimated_duration_minutes, 60)
        return _result(4, PromiseCheckStatus.KEPT, "work_explained", h=hours, m=minutes)
    if job.work_started_at is not None:
        return _result(4, PromiseCheckStatus.BROKEN, "started_unexplained")
    return _result(4, PromiseCheckStatus.PENDING, "work_to_explain")


def _schedule(job, changes: Sequence, policy: Policy, now: datetime) -> PromiseResult:
    if job.promised_ready_at is None:
        if job.ready_at is not None or is_delivered(job):
            return _result(5, PromiseCheckStatus.BROKEN, "never_promised")
        return _result(5, PromiseCheckStatus.PENDING, "not_promised_yet")
    for change in changes:
        if change.customer_told_at > change.previous_at:
            return _result(5, PromiseCheckStatus.BROKEN, "change_told_late", previous=moment_param(change.previous_at),
                           new=moment_param(change.new_at), told=moment_param(change.customer_told_at))
    promised = job.promised_ready_at
    # Changed and told in time each time: the sentence says how often ("…_changed", counting the changes).
    suffix, counted = ("_changed", {"count": len(changes)}) if changes else ("", {})
    time = moment_param(promised)
    deadline = ready_deadline(job, tolerance=policy.ready_tolerance)

    def status(kept: bool) -> PromiseCheckStatus:
        return PromiseCheckStatus.KEPT if kept else PromiseCheckStatus.BROKEN

    if job.ready_at is None and is_delivered(job):
        # Handed over without a ready time (a DMS import): the car was ready by its handover at the latest.
        why = _timed("handed_over", job.delivered_at - promised, suffix=suffix, time=time, **counted)
        return PromiseResult(5, str(SERVICE_PROMISES[5]), status(job.delivered_at <= deadline), why)
    if job.ready_at is None:
        if is_late(job, now=now, tolerance=policy.ready_tolerance):
            return _result(5, PromiseCheckStatus.BROKEN, f"not_ready{suffix}", time=time, **counted)
        return _result(5, PromiseCheckStatus.PENDING, f"promised_for{suffix}", time=time, **counted)
    why = _timed("ready", job.ready_at - promised, suffix=suffix, time=time, **counted)
    return PromiseResult(5, str(SERVICE_PROMISES[5]), status(job.ready_at <= deadline), why)


def _done_as_agreed(job, repeated_by) -> PromiseResult:
    if repeated_by is not None:
        return _result(6, PromiseCheckStatus.BROKEN, "came_back", number=repeated_by.number)
    if job.done_as_agreed:
        return _result(6, PromiseCheckStatus.KEPT, "done_as_agreed")
    if job.done_as_agreed is False:
        if job.extra_work_authorised_at is not None:
            return _result(6, PromiseCheckStatus.KEPT, "extra_work_authorised",
                           time=moment_param(job.extra_work_authorised_at))
        return _result(6, PromiseCheckStatus.BROKEN, "work_differed")
    if is_delivered(job):
        return _result(6, PromiseCheckStatus.BROKEN, "done_not_recorded")
    return _result(6, PromiseCheckStatus.PENDING, "work_not_finished")


def _checked_at_delivery(promise: int, value, delivered: bool, kept: str, broken: str) -> PromiseResult:
    if not delivered:
        return _result(promise, PromiseCheckStatus.PENDING, "due_at_handover")
    if value:
        return _result(promise, PromiseCheckStatus.KEPT, kept)
    return _result(promise, PromiseCheckStatus.BROKEN, broken)


def _invoice(job, delivered: bool) -> PromiseResult:
    return _checked_at_delivery(7, job.invoice_explained, delivered, "invoice_explained", "invoice_not_explained")


def _advice(job, delivered: bool) -> PromiseResult:
    return _checked_at_delivery(8, job.advice_given, delivered, "advice_given", "no_advice")


def _followup(job, followup: FollowUpOutcome | None, delivered: bool) -> PromiseResult:
    if followup is not None:
        return PromiseResult(9, str(SERVICE_PROMISES[9]), followup.status, followup.why)
    if not delivered:
        return _result(9, PromiseCheckStatus.PENDING, "followup_due_after_handover")
    return _result(9, PromiseCheckStatus.PENDING, "followup_not_recorded")


def evaluate_sales_promises(handover, *, followup: FollowUpOutcome | None = None) -> list[PromiseResult]:
    """The sales promises a new-car handover record can show (7, 8 and 9)."""

    def sales(number: int, status: PromiseCheckStatus, why: Reason) -> PromiseResult:
        return PromiseResult(number, str(SALES_PROMISES[number]), status, why)

    delivered_day = timezone.localtime(handover.delivered_at).date()
    late_days = (delivered_day - handover.promised_delivery_date).days
    if late_days <= 0:
        seven = sales(7, PromiseCheckStatus.KEPT, Reason("delivered_as_promised", {"day": delivered_day.isoformat()}))
    else:
        seven = sales(7, PromiseCheckStatus.BROKEN, Reason("delivered_late", {"days": late_days}))
    faultless, introduced = handover.delivered_faultless, handover.introduction_given
    if faultless and introduced:
        eight_key = "faultless_with_introduction"
    elif introduced:
        eight_key = "not_faultless"
    elif faultless:
        eight_key = "no_introduction"
    else:
        eight_key = "not_faultless_no_introduction"
    eight = sales(8, PromiseCheckStatus.KEPT if faultless and introduced else PromiseCheckStatus.BROKEN,
                  Reason(eight_key))
    nine = (sales(9, followup.status, followup.why) if followup else
            sales(9, PromiseCheckStatus.PENDING, Reason("followup_not_recorded")))
    return [seven, eight, nine]
