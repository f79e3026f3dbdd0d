"""The job's state machine as data: which step may happen in which status, and where it leads."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import JobStatus

S = JobStatus


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    allowed_from: frozenset[str]
    leads_to: str | None  # None: the status stays
    needs_input: bool = False


STEPS: dict[str, Step] = {step.name: step for step in [
    Step("arrive", _("Customer arrived"), frozenset({S.BOOKED}), S.ARRIVED),
    Step("greet", _("Greeted"), frozenset({S.ARRIVED, S.IN_WORKSHOP}), None),
    Step("walkaround", _("Walk-around done"), frozenset({S.ARRIVED}), None),
    Step("estimate", _("Estimate given"), frozenset({S.ARRIVED}), None, needs_input=True),
    Step("start_work", _("Into the workshop"), frozenset({S.ARRIVED}), S.IN_WORKSHOP),
    Step("ready", _("Ready"), frozenset({S.IN_WORKSHOP}), S.READY),
    Step("handover", _("Handed over"), frozenset({S.READY}), S.DELIVERED, needs_input=True),
    # Side steps come after the step that moves the job on, which is the one the board highlights.
    Step("change_promise", _("Change promised time — customer told"), frozenset({S.ARRIVED, S.IN_WORKSHOP}),
         None, needs_input=True),
    Step("extra_work", _("Extra work authorised"), frozenset({S.IN_WORKSHOP}), None),
    Step("cancel", _("Cancel"), frozenset({S.BOOKED, S.ARRIVED}), S.CANCELLED, needs_input=True),
    Step("no_show", _("No-show"), frozenset({S.BOOKED}), S.NO_SHOW),
]}

# Why a step is refused, by the status the job is in (the message a person reads).
REFUSALS = {
    S.BOOKED: _("the customer has not arrived yet"),
    S.ARRIVED: _("the car has not gone into the workshop yet"),
    S.IN_WORKSHOP: _("the car is still in the workshop"),
    S.READY: _("the car is already ready for collection"),
    S.DELIVERED: _("the car has already been handed over"),
    S.CANCELLED: _("the job was cancelled"),
    S.NO_SHOW: _("the customer did not come"),
}


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
