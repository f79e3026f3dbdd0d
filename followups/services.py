"""Writes on follow-up calls after they are scheduled: attempts, answers, and what the clock decides."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from complaints.models import Channel
from complaints.services import complaint_log, complaint_transition, dealer_representative
from dealer_portal.formatting import date_as, percent_format
from dealer_portal.tenancy.models import Department
from dealer_portal.tenancy.scoping import unscoped
from outbox.services import email_queue
from servicejobs.models import PromisePolicy, ServiceJob
from servicejobs.services import job_promises_refresh

from .models import (
    ANSWER_COMMENTS_MAX_LENGTH,
    OPEN_CALL_STATUSES,
    AnswerVia,
    AttemptOutcome,
    CallAnswer,
    CallAttempt,
    CallKind,
    CallStatus,
    DailyCallReport,
    FollowUpCall,
    Questionnaire,
)
from .rules import reached_in_window_q, window_closes_at


@transaction.atomic
def followups_mark_missed(*, dealer, now: datetime | None = None) -> int:
    """Calls whose window has passed (in the dealer's local dates) and were never reached become missed.

    Side effects: the jobs' promise 9 is re-evaluated (broken). Idempotent: a second run finds none.
    """
    today = timezone.localtime(now or timezone.now(), dealer.zone).date()
    due = FollowUpCall.objects.filter(dealer=dealer, status__in=OPEN_CALL_STATUSES, window_end__lt=today)
    call_ids = list(due.values_list("pk", flat=True))
    missed = FollowUpCall.objects.filter(pk__in=call_ids, status__in=OPEN_CALL_STATUSES).update(
        status=CallStatus.MISSED)
    policy = PromisePolicy.objects.for_network(dealer.network)
    jobs = (ServiceJob.objects.filter(followup_calls__pk__in=call_ids).select_related("dealer")
            .prefetch_related("promise_changes", "followup_calls"))
    for job in jobs:
        job_promises_refresh(job, policy=policy)
    return missed



def _open_call(call: FollowUpCall) -> FollowUpCall:
    """The call, locked; refused with the reason when it is no longer open."""
    # Only the call's row is locked; the joined rows (a re-check's complaint may be absent) are just read.
    call = (FollowUpCall.objects.select_for_update(of=("self",)).select_related("dealer", "customer", "complaint")
            .get(pk=call.pk))
    if not call.is_open:
        raise ValidationError(_("This call is closed (%(status)s): nothing more is recorded on it.") % {
            "status": call.get_status_display()})
    return call


@transaction.atomic
def call_attempt_log(*, call: FollowUpCall, outcome: str, by=None, callback_at: datetime | None = None) -> CallAttempt:
    """One tap: the customer was not reached. "Call back" re-queues the call for that time."""
    call = _open_call(call)
    if outcome not in AttemptOutcome.values:
        raise ValidationError({"outcome": _("Choose what happened.")})
    now = timezone.now()
    if outcome == AttemptOutcome.CALL_BACK:
        if callback_at is None or callback_at <= now:
            raise ValidationError({"callback_at": _("Give the time the customer asked to be called back.")})
        if callback_at >= window_closes_at(call, zone=call.dealer.zone):
            # After the window the call is missed, so a later callback would never be made.
            raise ValidationError({"callback_at": _(
                "The call's window ends on %(day)s: give a time before it closes.") % {
                "day": date_as(call.window_end, "DAY_MONTH")}})
    else:
        callback_at = None
    attempt = CallAttempt.objects.create(dealer_id=call.dealer_id, call=call, outcome=outcome, at=now, by=by,
                                         callback_at=callback_at)
    call.status, call.callback_at = CallStatus.ATTEMPTED, callback_at
    call.representative = call.representative or by
    call.save(update_fields=["status", "callback_at", "representative"])
    return attempt


@transaction.atomic
def call_answers_record(*, call: FollowUpCall, overall: int, work_done_right: bool, ready_when_promised: bool,
                        would_recommend: bool, comments: str = "", by=None,
                        via: str = AnswerVia.CALL) -> CallAnswer:
    """The customer was reached and answered. A dissatisfied answer opens a complaint in the same transaction.

    Side effects: the call is reached; the job's promise 9 is re-evaluated; maybe a complaint (see above).
    """
    call = _open_call(call)
    if not 1 <= int(overall) <= 5:
        raise ValidationError({"overall": _("Give the overall satisfaction from 1 (very unhappy) to 5 (very happy).")})
    if len(comments) > ANSWER_COMMENTS_MAX_LENGTH:
        raise ValidationError({"comments": _("Keep the comments to %(limit)d characters.") % {
            "limit": ANSWER_COMMENTS_MAX_LENGTH}})
    now = timezone.now()
    dissatisfied = Questionnaire.objects.for_network(call.dealer.network).is_dissatisfied(overall=int(overall),
                                                                         work_done_right=work_done_right)
    answer = CallAnswer(dealer_id=call.dealer_id, call=call, overall=overall, work_done_right=work_done_right,
                        ready_when_promised=ready_when_promised, would_recommend=would_recommend,
                        comments=comments.strip(), answered_at=now, via=via, recorded_by=by, dissatisfied=dissatisfied)
    if dissatisfied and call.kind == CallKind.RECHECK:
        # Not satisfied after all: the complaint it re-checks opens again, with the customer's words.
        answer.complaint = complaint_transition(
            complaint=call.complaint, action="reopen", by=by,
            reason=answer.comments or _("Not satisfied at the re-check call: overall %(score)s of 5.") % {
                "score": overall})
    elif dissatisfied:
        words = answer.comments or _("Dissatisfied in the follow-up call: overall %(score)s of 5.") % {
            "score": overall}
        answer.complaint = complaint_log(
            dealer=call.dealer, customer=call.customer, vehicle=call.vehicle, service_job=call.service_job,
            department=Department.SERVICE if call.kind == CallKind.SERVICE else Department.SALES,
            channel=Channel.FOLLOW_UP_CALL, words=words, by=by)
    answer.full_clean(exclude=["call", "complaint", "recorded_by"])
    answer.save()
    call.mark_reached(at=now, zone=call.dealer.zone)
    call.representative = call.representative or by
    call.save(update_fields=["status", "reached_at", "reached_on", "callback_at", "representative"])
    if call.service_job_id:
        job_promises_refresh(call.service_job, policy=PromisePolicy.objects.for_network(call.dealer.network))
    return answer


ANSWER_LINK_SALT = "followups.answer-link"


def answer_link_token(call: FollowUpCall) -> str:
    """A signed token naming the call; it expires after ``FOLLOWUP_LINK_VALID_DAYS`` and works once."""
    return signing.TimestampSigner(salt=ANSWER_LINK_SALT).sign(str(call.pk))


class AnswerLinkUnusable(Exception):
    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.message, self.status = message, status


def call_for_answer_link(token: str) -> FollowUpCall:
    """The call a customer's link stands for, or AnswerLinkUnusable with a polite reason.

    Read outside any tenant scope on purpose: the signed token is the credential.
    """
    max_age = timedelta(days=settings.FOLLOWUP_LINK_VALID_DAYS)
    try:
        call_id = signing.TimestampSigner(salt=ANSWER_LINK_SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise AnswerLinkUnusable(_("This link has expired. Thank you all the same — we will call you."),
                                 status=410) from error
    except signing.BadSignature as error:
        raise AnswerLinkUnusable(_("This link is not valid. Please check that you opened all of it."),
                                 status=404) from error
    with unscoped():
        call = FollowUpCall.objects.select_related("dealer", "dealer__network", "customer").filter(pk=call_id).first()
    if call is None:
        raise AnswerLinkUnusable(_("This link is not valid. Please check that you opened all of it."), status=404)
    if not call.is_open:
        raise AnswerLinkUnusable(_("Your answers were already received. Thank you!"), status=410)
    return call


ANSWER_LINK_PURPOSE = "followups-answer-link"


def answer_link_send(*, call: FollowUpCall, link_builder, by=None) -> None:
    """Email the customer a link to answer online (in their language).

    Side effects: the email in the outbox, sent after commit and retried until it goes out.
    """
    customer = call.customer
    if not customer.email:
        raise ValidationError(_("The customer has no email address on record."))
    if not call.is_open:
        raise ValidationError(_("This call is closed (%(status)s): nothing more is recorded on it.") % {
            "status": call.get_status_display()})
    link = link_builder(answer_link_token(call))
    dealer = call.dealer
    with translation.override(customer.language):
        subject = _("How was your visit to %(dealer)s?") % {"dealer": dealer.name}
        body = _("Please tell us in one minute how satisfied you are:\n%(link)s\n\nThe link works once "
                 "and for %(days)s days.") % {"link": link, "days": settings.FOLLOWUP_LINK_VALID_DAYS}
    email_queue(dealer=dealer, to=customer.email, subject=subject, body=body, purpose=ANSWER_LINK_PURPOSE,
                about=call, from_email=settings.DEFAULT_FROM_EMAIL)


REPORT_HOUR = 8  # local time: the representatives' day starts
CALL_REPORT_PURPOSE = "followups-daily-call-report"


def _call_report_text(report: DailyCallReport, *, last_day: list[FollowUpCall], today) -> tuple[str, str]:
    """The daily call report's subject and body, in the active language."""
    lines = [f"- {call.customer.name} ({call.customer.phone})" for call in last_day]
    rate = percent_format(report.completion_percent, places=1) if report.completion_percent is not None else "—"
    body = _("Calls on their last day today: %(count)d\n%(lines)s\n\nYesterday's windows: %(reached)d of "
             "%(due)d customers reached in time (%(rate)s).") % {
        "count": len(last_day), "lines": "\n".join(lines), "reached": report.reached_in_window,
        "due": report.due, "rate": rate}
    subject = _("Follow-up calls for %(day)s") % {"day": date_format(today, "SHORT_DATE_FORMAT")}
    return subject, body


def daily_call_report_send(*, dealer, now: datetime | None = None) -> DailyCallReport | None:
    """Once a local day (from 08:00): remind the representatives of calls on their last day and report
    yesterday's completion rate. Side effects: the report row (the claim) and, in the same transaction, its email
    in the outbox (sent after commit, retried until it goes out; ``report.email`` says whether it has)."""
    now = now or timezone.now()
    local = timezone.localtime(now, dealer.zone)
    if local.hour < REPORT_HOUR:
        return None
    today, yesterday = local.date(), local.date() - timedelta(days=1)
    ended = FollowUpCall.objects.filter(dealer=dealer, window_end=yesterday).exclude(
        status=CallStatus.NOT_CONTACTED)
    last_day = list(FollowUpCall.objects.filter(dealer=dealer, window_end=today, status__in=OPEN_CALL_STATUSES)
                    .select_related("customer"))
    representative = dealer_representative(dealer)
    try:
        with transaction.atomic():
            report = DailyCallReport.objects.create(dealer=dealer, day=today, due=ended.count(),
                                                    reached_in_window=ended.filter(reached_in_window_q()).count(),
                                                    last_day_calls=len(last_day))
            if representative is not None:
                with translation.override(representative.language):  # in the representative's language
                    subject, body = _call_report_text(report, last_day=last_day, today=today)
                email_queue(dealer=dealer, to=representative.email, purpose=CALL_REPORT_PURPOSE, about=report,
                            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL)
    except IntegrityError:
        return None  # already sent today
    return report
