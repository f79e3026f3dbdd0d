"""Why a promise was kept, broken, pending or not applicable: every reason, each a whole sentence.

A reason is stored as its key and params (``PromiseCheck.reason_key`` / ``reason_params``) and read in the
reader's language through ``Reason.text`` or ``PromiseCheck.reason_text``; times and days read in the
dealer's zone (see ``dealer_portal.sentences``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from dealer_portal.sentences import VERBATIM, Phrasebook, Sentence

TIME = ("time",)  # the param that is a moment

# A sentence about a promised time changed ``count`` times (each time told in time) is an ngettext_lazy counting
# ``count``: makemessages finds it as a plural entry.
PROMISE_REASONS = Phrasebook({
    "no_show": Sentence(_("The customer did not come.")),
    "cancelled": Sentence(_("The job was cancelled.")),
    # 1. Welcome
    "walk_in": Sentence(_("Walk-in: no appointment was agreed.")),
    "appointment_at": Sentence(_("Appointment at %(time)s."), clock=TIME),
    "not_arrived_yet": Sentence(_("The customer has not arrived for the %(time)s appointment yet."), clock=TIME),
    "waiting_to_be_greeted": Sentence(_("The customer is waiting to be greeted.")),
    "no_greeting": Sentence(_("No greeting was recorded for the %(time)s appointment."), clock=TIME),
    # Translators: "min" is the abbreviation of minutes, as on a clock; %(time)s is the appointment's time.
    "greeted_after": Sentence(_("Greeted %(minutes)d min after the %(time)s appointment."), clock=TIME),
    "greeted_before": Sentence(_("Greeted %(minutes)d min before the %(time)s appointment."), clock=TIME),
    "greeted_on_time": Sentence(_("Greeted exactly at the %(time)s appointment."), clock=TIME),
    "late_customer_greeted_after": Sentence(_(
        "The customer came %(late)d min late; greeted %(minutes)d min after their arrival.")),
    "late_customer_greeted_before": Sentence(_(
        "The customer came %(late)d min late; greeted %(minutes)d min before their arrival.")),
    "late_customer_greeted_on_time": Sentence(_(
        "The customer came %(late)d min late; greeted exactly at their arrival.")),
    # 2. Reception and handover
    "received_without_customer": Sentence(_("The car was received without the customer present.")),
    "handed_over_without_customer": Sentence(_("The car was handed over without the customer present.")),
    "both_with_customer": Sentence(_("Reception and handover both with the customer present.")),
    "presence_not_recorded": Sentence(_("Whether the customer was present was not recorded.")),
    "handover_to_come": Sentence(_("Received with the customer; the handover is still to come.")),
    "not_received_yet": Sentence(_("The car has not been received yet.")),
    # 3. Walk-around
    "walkaround_without_customer": Sentence(_("The walk-around was done without the customer.")),
    "walkaround_after_start": Sentence(_("The walk-around came after work had started.")),
    "walkaround_done": Sentence(_("Walk-around with the customer at %(time)s, before work started."), clock=TIME),
    "started_without_walkaround": Sentence(_("Work started without a walk-around with the customer.")),
    "walkaround_to_do": Sentence(_("The walk-around is still to be done.")),
    # 4. Work explained
    "explained_after_start": Sentence(_("The work was explained only after it had started.")),
    "work_explained": Sentence(_("Work steps explained; estimated %(h)dh %(m)02dmin.")),
    "started_unexplained": Sentence(_("Work started before the steps and duration were explained.")),
    "work_to_explain": Sentence(_("The work steps and duration are still to be explained.")),
    # 5. Schedule: %(time)s is the promised ready time (day, month and time).
    "never_promised": Sentence(_("No ready time was ever promised to the customer.")),
    "not_promised_yet": Sentence(_("No ready time promised yet.")),
    "change_told_late": Sentence(_(
        "The promised time %(previous)s was moved to %(new)s, but the customer was told only at %(told)s, after "
        "it had passed."), day_month_time=("previous", "new", "told")),
    "handed_over_after": Sentence(_(
        "Handed over %(minutes)d min after the promised %(time)s; no ready time was recorded."),
        day_month_time=TIME),
    "handed_over_before": Sentence(_(
        "Handed over %(minutes)d min before the promised %(time)s; no ready time was recorded."),
        day_month_time=TIME),
    "handed_over_on_time": Sentence(_(
        "Handed over exactly at the promised %(time)s; no ready time was recorded."), day_month_time=TIME),
    "handed_over_after_changed": Sentence(ngettext_lazy(
        "Handed over %(minutes)d min after the promised %(time)s (changed %(count)d× and told in time); no ready "
        "time was recorded.",
        "Handed over %(minutes)d min after the promised %(time)s (changed %(count)d× and told in time); no ready "
        "time was recorded.", "count"), day_month_time=TIME),
    "handed_over_before_changed": Sentence(ngettext_lazy(
        "Handed over %(minutes)d min before the promised %(time)s (changed %(count)d× and told in time); no ready "
        "time was recorded.",
        "Handed over %(minutes)d min before the promised %(time)s (changed %(count)d× and told in time); no ready "
        "time was recorded.", "count"), day_month_time=TIME),
    "handed_over_on_time_changed": Sentence(ngettext_lazy(
        "Handed over exactly at the promised %(time)s (changed %(count)d× and told in time); no ready time was "
        "recorded.",
        "Handed over exactly at the promised %(time)s (changed %(count)d× and told in time); no ready time was "
        "recorded.", "count"), day_month_time=TIME),
    "not_ready": Sentence(_("Not ready at the promised %(time)s."), day_month_time=TIME),
    "not_ready_changed": Sentence(ngettext_lazy(
        "Not ready at the promised %(time)s (changed %(count)d× and told in time).",
        "Not ready at the promised %(time)s (changed %(count)d× and told in time).", "count"), day_month_time=TIME),
    "promised_for": Sentence(_("Promised for %(time)s."), day_month_time=TIME),
    "promised_for_changed": Sentence(ngettext_lazy(
        "Promised for %(time)s (changed %(count)d× and told in time).",
        "Promised for %(time)s (changed %(count)d× and told in time).", "count"), day_month_time=TIME),
    "ready_after": Sentence(_("Ready %(minutes)d min after the promised %(time)s."), day_month_time=TIME),
    "ready_before": Sentence(_("Ready %(minutes)d min before the promised %(time)s."), day_month_time=TIME),
    "ready_on_time": Sentence(_("Ready exactly at the promised %(time)s."), day_month_time=TIME),
    "ready_after_changed": Sentence(ngettext_lazy(
        "Ready %(minutes)d min after the promised %(time)s (changed %(count)d× and told in time).",
        "Ready %(minutes)d min after the promised %(time)s (changed %(count)d× and told in time).", "count"),
        day_month_time=TIME),
    "ready_before_changed": Sentence(ngettext_lazy(
        "Ready %(minutes)d min before the promised %(time)s (changed %(count)d× and told in time).",
        "Ready %(minutes)d min before the promised %(time)s (changed %(count)d× and told in time).", "count"),
        day_month_time=TIME),
    "ready_on_time_changed": Sentence(ngettext_lazy(
        "Ready exactly at the promised %(time)s (changed %(count)d× and told in time).",
        "Ready exactly at the promised %(time)s (changed %(count)d× and told in time).", "count"), day_month_time=TIME),
    # 6. Done as agreed
    "came_back": Sentence(_("The car came back for the same work (job %(number)s).")),
    "done_as_agreed": Sentence(_("Work done as agreed.")),
    "extra_work_authorised": Sentence(_("Extra work, authorised by the customer at %(time)s."),
                                      day_month_time=TIME),
    "work_differed": Sentence(_("Work differed from what was agreed, without the customer's authorisation.")),
    "done_not_recorded": Sentence(_("Whether the work was done as agreed was not recorded.")),
    "work_not_finished": Sentence(_("The work is not finished yet.")),
    # 7 and 8, checked at handover
    "due_at_handover": Sentence(_("Due at handover.")),
    "invoice_explained": Sentence(_("The work and the itemised invoice were explained.")),
    "invoice_not_explained": Sentence(_("The invoice was not explained at handover.")),
    "advice_given": Sentence(_("Advice on use and upcoming service given.")),
    "no_advice": Sentence(_("No advice on use and maintenance was given.")),
    # 9. Follow-up: %(start)s and %(end)s are the first and last day of the call window.
    "followup_due_after_handover": Sentence(_("Due within five days of handover.")),
    "followup_not_recorded": Sentence(_("The follow-up call has not been recorded yet.")),
    "followup_reached_in_window": Sentence(_("Customer reached on %(day)s, within days %(start)s–%(end)s."),
                                           day_month=("day", "start", "end")),
    "followup_reached_early": Sentence(_(
        "Customer reached on %(day)s, before the call window (days %(start)s–%(end)s) opened."),
        day_month=("day", "start", "end")),
    "followup_reached_late": Sentence(_("Customer reached only on %(day)s, after days %(start)s–%(end)s."),
                                      day_month=("day", "start", "end")),
    "followup_missed": Sentence(_("Not reached within days %(start)s–%(end)s."), day_month=("start", "end")),
    "followup_due": Sentence(_("Follow-up call due days %(start)s–%(end)s."), day_month=("start", "end")),
    # Sales promises 7 and 8 (%(day)s is the delivery day, written as a date: 2025-12-11)
    "delivered_as_promised": Sentence(_("Delivered on %(day)s, as promised.")),
    "delivered_late": Sentence(ngettext_lazy("Delivered %(days)d day after the promised date.",
                                             "Delivered %(days)d days after the promised date.", "days")),
    "faultless_with_introduction": Sentence(_("Faultless, as ordered, with an introduction.")),
    "not_faultless": Sentence(_("Not faultless or not as ordered.")),
    "no_introduction": Sentence(_("No introduction to its use.")),
    "not_faultless_no_introduction": Sentence(_("Not faultless or not as ordered; no introduction to its use.")),
})


@dataclass(frozen=True)
class Reason:
    """What a reason says: its key in ``PROMISE_REASONS`` and its JSON-safe params."""

    key: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.key not in PROMISE_REASONS:  # a misspelt key would otherwise store an empty reason
            raise ValueError(f"Unknown promise reason {self.key!r}")

    @classmethod
    def verbatim(cls, text: str) -> Reason:
        """Words that are not the system's (why a customer is not called, say): shown as written."""
        return cls(VERBATIM, {"text": text})

    @property
    def text(self) -> str:
        """The reason in the active language."""
        return PROMISE_REASONS.render(self.key, self.params)

    def __str__(self) -> str:
        return self.text


def promise_reason_text(key: str, params: dict | None, *, fallback: str = "") -> str:
    """A stored reason in the active language; ``fallback`` (the stored words) for a row without a known key."""
    return PROMISE_REASONS.render(key, params, fallback=fallback)
