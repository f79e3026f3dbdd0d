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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import JobStatus, PromiseCheckStatus
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
    reason: str

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
    reason: str


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _local_day(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d %b %H:%M")


def _minutes(delta: timedelta) -> int:
    return round(delta.total_seconds() / 60)


def _late_or_early(delta: timedelta) -> str:
    minutes = _minutes(delta)
    if minutes > 0:
        return _("%(minutes)d min after") % {"minutes": minutes}
    if minutes < 0:
        return _("%(minutes)d min before") % {"minutes": -minutes}
    return _("exactly at")


def _result(number: int, status: PromiseCheckStatus, reason: str) -> PromiseResult:
    return PromiseResult(number, str(SERVICE_PROMISES[number]), status, reason)


def evaluate_service_promises(job, *, changes: Sequence = (), policy: Policy = Policy(),
                              followup: FollowUpOutcome | None = None, repeated_by=None,
                              now: datetime | None = None) -> list[PromiseResult]:
    """All nine service promises of ``job``: kept, broken, not applicable or pending, each with a reason.

    ``changes`` are the job's promised-time changes (oldest first); ``repeated_by`` a later job on the
    same vehicle and work within the repeat-repair window, if any; ``now`` the moment of evaluation.
    """
    now = now or timezone.now()
    if job.status in (JobStatus.CANCELLED, JobStatus.NO_SHOW):
        reason = _("The customer did not come.") if job.status == JobStatus.NO_SHOW else _("The job was cancelled.")
        return [_result(n, PromiseCheckStatus.NOT_APPLICABLE, reason) for n in SERVICE_PROMISES]
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
        return _result(1, PromiseCheckStatus.NOT_APPLICABLE, _("Walk-in: no appointment was agreed."))
    appointment = _local(job.appointment_at)
    if job.greeted_at is None:
        if job.arrived_at is None and now <= job.appointment_at + policy.greeting_tolerance:
            return _result(1, PromiseCheckStatus.PENDING, _("Appointment at %(time)s.") % {"time": appointment})
        if job.status in (JobStatus.BOOKED, JobStatus.ARRIVED) and job.arrived_at is None:
            return _result(1, PromiseCheckStatus.PENDING, _("The customer has not arrived for the %(time)s "
                                                       "appointment yet.") % {"time": appointment})
        waiting_since = max(job.appointment_at, job.arrived_at)
        if job.status == JobStatus.ARRIVED and now <= waiting_since + policy.greeting_tolerance:
            return _result(1, PromiseCheckStatus.PENDING, _("The customer is waiting to be greeted."))
        return _result(1, PromiseCheckStatus.BROKEN, _("No greeting was recorded for the %(time)s appointment.")
                       % {"time": appointment})
    reference = job.appointment_at
    customer_late = job.arrived_at is not None and job.arrived_at > job.appointment_at + policy.greeting_tolerance
    if customer_late:
        reference = job.arrived_at
    delay = job.greeted_at - reference
    if customer_late:
        reason = _("The customer came %(late)d min late; greeted %(when)s their arrival.") % {
            "late": _minutes(job.arrived_at - job.appointment_at), "when": _late_or_early(delay)}
    else:
        reason = _("Greeted %(when)s the %(time)s appointment.") % {"when": _late_or_early(delay),
                                                                   "time": appointment}
    kept = delay <= policy.greeting_tolerance
    return _result(1, PromiseCheckStatus.KEPT if kept else PromiseCheckStatus.BROKEN, reason)


def _reception_and_handover(job, delivered: bool) -> PromiseResult:
    if job.reception_with_customer is False:
        return _result(2, PromiseCheckStatus.BROKEN, _("The car was received without the customer present."))
    if delivered and job.handover_with_customer is False:
        return _result(2, PromiseCheckStatus.BROKEN, _("The car was handed over without the customer present."))
    if delivered and job.reception_with_customer and job.handover_with_customer:
        return _result(2, PromiseCheckStatus.KEPT, _("Reception and handover both with the customer present."))
    if delivered:
        return _result(2, PromiseCheckStatus.BROKEN, _("Whether the customer was present was not recorded."))
    if job.reception_with_customer:
        return _result(2, PromiseCheckStatus.PENDING, _("Received with the customer; the handover is still to come."))
    return _result(2, PromiseCheckStatus.PENDING, _("The car has not been received yet."))


def _before_work_started(job, moment) -> bool:
    return job.work_started_at is None or moment <= job.work_started_at


def _walkaround(job) -> PromiseResult:
    if job.walkaround_at is not None:
        if not job.walkaround_with_customer:
            return _result(3, PromiseCheckStatus.BROKEN, _("The walk-around was done without the customer."))
        if not _before_work_started(job, job.walkaround_at):
            return _result(3, PromiseCheckStatus.BROKEN, _("The walk-around came after work had started."))
        return _result(3, PromiseCheckStatus.KEPT, _("Walk-around with the customer at %(time)s, before work started.")
                       % {"time": _local(job.walkaround_at)})
    if job.work_started_at is not None:
        return _result(3, PromiseCheckStatus.BROKEN, _("Work started without a walk-around with the customer."))
    return _result(3, PromiseCheckStatus.PENDING, _("The walk-around is still to be done."))


def _work_explained(job) -> PromiseResult:
    if job.work_explained_at is not None and job.estimated_duration_minutes:
        if not _before_work_started(job, job.work_explained_at):
            return _result(4, PromiseCheckStatus.BROKEN, _("The work was explained only after it had started."))
        hours, minutes = divmod(job.estimated_duration_minutes, 60)
        return _result(4, PromiseCheckStatus.KEPT, _("Work steps explained; estimated %(h)dh %(m)02dmin.")
                       % {"h": hours, "m": minutes})
    if job.work_started_at is not None:
        return _result(4, PromiseCheckStatus.BROKEN, _("Work started before the steps and duration were explained."))
    return _result(4, PromiseCheckStatus.PENDING, _("The work steps and duration are still to be explained."))


def _schedule(job, changes: Sequence, policy: Policy, now: datetime) -> PromiseResult:
    if job.promised_ready_at is None:
        if job.ready_at is not None or is_delivered(job):
            return _result(5, PromiseCheckStatus.BROKEN, _("No ready time was ever promised to the customer."))
        return _result(5, PromiseCheckStatus.PENDING, _("No ready time promised yet."))
    for change in changes:
        if change.customer_told_at > change.previous_at:
            return _result(5, PromiseCheckStatus.BROKEN, _(
                "The promised time %(previous)s was moved to %(new)s, but the customer was told only at "
                "%(told)s, after it had passed.") % {"previous": _local_day(change.previous_at),
                                                     "new": _local_day(change.new_at),
                                                     "told": _local_day(change.customer_told_at)})
    promised = job.promised_ready_at
    changed = _(" (changed %(count)d× and told in time)") % {"count": len(changes)} if changes else ""
    deadline = ready_deadline(job, tolerance=policy.ready_tolerance)
    if job.ready_at is None and is_delivered(job):
        # Handed over without a ready time (a DMS import): the car was ready by its handover at the latest.
        reason = _("Handed over %(when)s the promised %(time)s%(changed)s; no ready time was recorded.") % {
            "when": _late_or_early(job.delivered_at - promised), "time": _local_day(promised), "changed": changed}
        kept = job.delivered_at <= deadline
        return _result(5, PromiseCheckStatus.KEPT if kept else PromiseCheckStatus.BROKEN, reason)
    if job.ready_at is None:
        if is_late(job, now=now, tolerance=policy.ready_tolerance):
            return _result(5, PromiseCheckStatus.BROKEN, _("Not ready at the promised %(time)s%(changed)s.")
                           % {"time": _local_day(promised), "changed": changed})
        return _result(5, PromiseCheckStatus.PENDING, _("Promised for %(time)s%(changed)s.")
                       % {"time": _local_day(promised), "changed": changed})
    delay = job.ready_at - promised
    reason = _("Ready %(when)s the promised %(time)s%(changed)s.") % {
        "when": _late_or_early(delay), "time": _local_day(promised), "changed": changed}
    kept = job.ready_at <= deadline
    return _result(5, PromiseCheckStatus.KEPT if kept else PromiseCheckStatus.BROKEN, reason)


def _done_as_agreed(job, repeated_by) -> PromiseResult:
    if repeated_by is not None:
        return _result(6, PromiseCheckStatus.BROKEN, _("The car came back for the same work (job %(number)s).")
                       % {"number": repeated_by.number})
    if job.done_as_agreed:
        return _result(6, PromiseCheckStatus.KEPT, _("Work done as agreed."))
    if job.done_as_agreed is False:
        if job.extra_work_authorised_at is not None:
            return _result(6, PromiseCheckStatus.KEPT, _("Extra work, authorised by the customer at %(time)s.")
                           % {"time": _local_day(job.extra_work_authorised_at)})
        return _result(6, PromiseCheckStatus.BROKEN, _("Work differed from what was agreed, without the "
                                                  "customer's authorisation."))
    if is_delivered(job):
        return _result(6, PromiseCheckStatus.BROKEN, _("Whether the work was done as agreed was not recorded."))
    return _result(6, PromiseCheckStatus.PENDING, _("The work is not finished yet."))


def _checked_at_delivery(number: int, value, delivered: bool, kept: str, broken: str) -> PromiseResult:
    if not delivered:
        return _result(number, PromiseCheckStatus.PENDING, _("Due at handover."))
    if value:
        return _result(number, PromiseCheckStatus.KEPT, kept)
    return _result(number, PromiseCheckStatus.BROKEN, broken)


def _invoice(job, delivered: bool) -> PromiseResult:
    return _checked_at_delivery(7, job.invoice_explained, delivered, _("The work and the itemised invoice "
                                "were explained."), _("The invoice was not explained at handover."))


def _advice(job, delivered: bool) -> PromiseResult:
    return _checked_at_delivery(8, job.advice_given, delivered, _("Advice on use and upcoming service given."),
                                _("No advice on use and maintenance was given."))


def _followup(job, followup: FollowUpOutcome | None, delivered: bool) -> PromiseResult:
    if followup is not None:
        return _result(9, followup.status, followup.reason)
    if not delivered:
        return _result(9, PromiseCheckStatus.PENDING, _("Due within five days of handover."))
    return _result(9, PromiseCheckStatus.PENDING, _("The follow-up call has not been recorded yet."))


def evaluate_sales_promises(handover, *, followup: FollowUpOutcome | None = None) -> list[PromiseResult]:
    """The sales promises a new-car handover record can show (7, 8 and 9)."""
    delivered_day = timezone.localtime(handover.delivered_at).date()
    late_days = (delivered_day - handover.promised_delivery_date).days
    if late_days <= 0:
        seven = PromiseResult(7, str(SALES_PROMISES[7]), PromiseCheckStatus.KEPT,
                              _("Delivered on %(day)s, as promised.") % {"day": delivered_day.isoformat()})
    else:
        seven = PromiseResult(7, str(SALES_PROMISES[7]), PromiseCheckStatus.BROKEN,
                              _("Delivered %(days)d day(s) after the promised date.") % {"days": late_days})
    missing = []
    if not handover.delivered_faultless:
        missing.append(_("not faultless or not as ordered"))
    if not handover.introduction_given:
        missing.append(_("no introduction to its use"))
    eight = PromiseResult(8, str(SALES_PROMISES[8]), PromiseCheckStatus.BROKEN if missing else PromiseCheckStatus.KEPT,
                          ("; ".join(missing) + ".").capitalize() if missing
                          else _("Faultless, as ordered, with an introduction."))
    nine = (PromiseResult(9, str(SALES_PROMISES[9]), followup.status, followup.reason) if followup else
            PromiseResult(9, str(SALES_PROMISES[9]), PromiseCheckStatus.PENDING, _("The follow-up call has not been "
                                                                              "recorded yet.")))
    return [seven, eight, nine]
