"""The job's state machine, declared once: each step names the statuses it may happen in, where it leads, its
handler (what it records on the job) and its inputs (a form). The board's buttons, the step forms on the page and
the API's step payloads are all derived from ``STEPS``; ``services.job_step`` runs a step on the locked row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealer_portal.formatting import date_as

from .forms import (
    CancelForm,
    ChangePromiseForm,
    EstimateForm,
    HandoverForm,
    NoInputs,
    ReadyInputs,
    StepInputs,
    WithCustomerInputs,
)
from .models import JobStatus, PromisedTimeChange

S = JobStatus


def _not_before(moment: datetime, earlier: datetime | None, field: str, what: str) -> None:
    if earlier is not None and moment < earlier:
        raise ValidationError({field: _("This cannot be before %(what)s (%(time)s).") % {
            "what": what, "time": date_as(timezone.localtime(earlier), "DAY_MONTH_TIME")}})


# -- what each step records on the job (locked, not yet saved: services.job_step saves it) -----------------------


def _step_arrive(job, at, *, by=None, with_customer: bool = True):
    job.arrived_at = at
    job.reception_with_customer = with_customer
    if job.advisor is None and by is not None:
        job.advisor = by


def _step_greet(job, at, *, by=None):
    _not_before(at, job.arrived_at, "at", _("the customer's arrival"))
    job.greeted_at = at


def _step_walkaround(job, at, *, by=None, with_customer: bool = True):
    _not_before(at, job.arrived_at, "at", _("the customer's arrival"))
    job.walkaround_at = at
    job.walkaround_with_customer = with_customer


def _step_estimate(job, at, *, by=None, estimated_duration_minutes: int | None = None,
                   promised_ready_at: datetime | None = None):
    _not_before(at, job.arrived_at, "at", _("the customer's arrival"))
    errors = {}
    if not estimated_duration_minutes or estimated_duration_minutes <= 0:
        errors["estimated_duration_minutes"] = _("Give the estimated duration in minutes.")
    if promised_ready_at is None:
        errors["promised_ready_at"] = _("Give the time the car will be ready.")
    elif promised_ready_at <= at:
        errors["promised_ready_at"] = _("The promised ready time must be later than now.")
    if errors:
        raise ValidationError(errors)
    job.work_explained_at = at
    job.estimated_duration_minutes = estimated_duration_minutes
    if job.original_promised_ready_at is None:
        job.original_promised_ready_at = promised_ready_at
    job.promised_ready_at = promised_ready_at


def _step_start_work(job, at, *, by=None):
    _not_before(at, job.arrived_at, "at", _("the customer's arrival"))
    job.work_started_at = at


def _step_change_promise(job, at, *, by=None, new_promised_at: datetime | None = None, reason: str = ""):
    errors = {}
    if job.promised_ready_at is None:
        errors["new_promised_at"] = _("No ready time has been promised yet: give the estimate first.")
    elif new_promised_at is None:
        errors["new_promised_at"] = _("Give the new promised time.")
    elif new_promised_at == job.promised_ready_at:
        errors["new_promised_at"] = _("This is the time already promised.")
    elif new_promised_at <= at:
        errors["new_promised_at"] = _("The new promised time must be later than now.")
    if not reason.strip():
        errors["reason"] = _("Say why the time changes; the customer will ask.")
    if errors:
        raise ValidationError(errors)
    PromisedTimeChange.objects.create(dealer_id=job.dealer_id, job=job, previous_at=job.promised_ready_at,
                                      new_at=new_promised_at, reason=reason.strip(), customer_told_at=at,
                                      recorded_by=by)
    job.promised_ready_at = new_promised_at


def _step_extra_work(job, at, *, by=None):
    job.extra_work_authorised_at = at


def _step_ready(job, at, *, by=None, done_as_agreed: bool = True):
    _not_before(at, job.work_started_at or job.arrived_at, "at", _("the start of the work"))
    job.ready_at = at
    job.done_as_agreed = done_as_agreed


def _step_handover(job, at, *, by=None, with_customer: bool = True, invoice_explained: bool = True,
                   advice_given: bool = True, mileage: int | None = None):
    _not_before(at, job.ready_at, "at", _("the car was ready"))
    job.delivered_at = at
    job.handover_with_customer = with_customer
    job.invoice_explained = invoice_explained
    job.advice_given = advice_given
    if mileage is not None:
        job.mileage = mileage


def _step_cancel(job, at, *, by=None, reason: str = ""):
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the job is cancelled.")})
    job.closed_at = at
    job.close_reason = reason.strip()


def _step_no_show(job, at, *, by=None):
    if job.appointment_at is not None and at < job.appointment_at:
        raise ValidationError({"at": _("A no-show can be recorded only after the appointment time.")})
    job.closed_at = at


# -- the declaration ----------------------------------------------------------------------------------------------


# Why a step is refused, by the status the job is in (the message a person reads).
REFUSALS = {
    S.BOOKED: gettext_lazy("the customer has not arrived yet"),
    S.ARRIVED: gettext_lazy("the car has not gone into the workshop yet"),
    S.IN_WORKSHOP: gettext_lazy("the car is still in the workshop"),
    S.READY: gettext_lazy("the car is already ready for collection"),
    S.DELIVERED: gettext_lazy("the car has already been handed over"),
    S.CANCELLED: gettext_lazy("the job was cancelled"),
    S.NO_SHOW: gettext_lazy("the customer did not come"),
}


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    allowed_from: frozenset[str]
    leads_to: str | None  # None: the status stays
    handler: Callable[..., None]  # handler(job, at, *, by, **inputs)
    inputs: type[StepInputs] = NoInputs
    asks_first: bool = False  # the page shows the inputs before recording; otherwise one tap, with defaults

    def refusal(self, job) -> str | None:
        """Why this step cannot happen in the job's status now, or None."""
        if job.status in self.allowed_from:
            return None
        return _("“%(step)s” is not possible now: %(why)s.") % {"step": self.label, "why": REFUSALS[job.status]}


STEPS: dict[str, Step] = {step.name: step for step in [
    Step("arrive", gettext_lazy("Customer arrived"), frozenset({S.BOOKED}), S.ARRIVED, _step_arrive,
         WithCustomerInputs),
    Step("greet", gettext_lazy("Greeted"), frozenset({S.ARRIVED, S.IN_WORKSHOP}), None, _step_greet),
    Step("walkaround", gettext_lazy("Walk-around done"), frozenset({S.ARRIVED}), None, _step_walkaround,
         WithCustomerInputs),
    Step("estimate", gettext_lazy("Estimate given"), frozenset({S.ARRIVED}), None, _step_estimate, EstimateForm,
         asks_first=True),
    Step("start_work", gettext_lazy("Into the workshop"), frozenset({S.ARRIVED}), S.IN_WORKSHOP, _step_start_work),
    Step("ready", gettext_lazy("Ready"), frozenset({S.IN_WORKSHOP}), S.READY, _step_ready, ReadyInputs),
    Step("handover", gettext_lazy("Handed over"), frozenset({S.READY}), S.DELIVERED, _step_handover, HandoverForm,
         asks_first=True),
    # Side steps come after the step that moves the job on, which is the one the board highlights.
    Step("change_promise", gettext_lazy("Change promised time — customer told"),
         frozenset({S.ARRIVED, S.IN_WORKSHOP}), None, _step_change_promise, ChangePromiseForm, asks_first=True),
    Step("extra_work", gettext_lazy("Extra work authorised"), frozenset({S.IN_WORKSHOP}), None, _step_extra_work),
    Step("cancel", gettext_lazy("Cancel"), frozenset({S.BOOKED, S.ARRIVED}), S.CANCELLED, _step_cancel, CancelForm,
         asks_first=True),
    Step("no_show", gettext_lazy("No-show"), frozenset({S.BOOKED}), S.NO_SHOW, _step_no_show),
]}


def step_inputs(cleaned_data: dict) -> dict:
    """A step's inputs as its handler takes them: a value left out (None) gives way to the handler's default."""
    return {name: value for name, value in cleaned_data.items() if value is not None}


def next_steps(job) -> list[Step]:
    """The steps that make sense now, in the order an advisor does them (done or not yet sensible left out)."""
    hidden = {
        "greet": job.greeted_at is not None,
        "walkaround": job.walkaround_at is not None,
        "estimate": job.work_explained_at is not None,
        "extra_work": job.extra_work_authorised_at is not None,
        "change_promise": job.promised_ready_at is None,  # nothing promised yet to change
    }
    return [step for step in STEPS.values() if job.status in step.allowed_from and not hidden.get(step.name)]
