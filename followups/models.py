"""Follow-up calls 3–5 days after every delivery (service promise 9, sales promise 9, PRC c.2).

A call is a row with its window of local dates, created in the same transaction as the handover: the
wait is a due date on the row, never a delayed message.
"""

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealer_portal.tenancy.content import TranslatableModel, localized, shipped_translations
from dealer_portal.tenancy.models import DealerOwnedModel
from dealer_portal.tenancy.scoping import NetworkPolicyManager
from outbox.models import Email


class CallKind(models.TextChoices):
    SERVICE = "service", _("After a service")
    SALES = "sales", _("After a new-car handover")
    RECHECK = "recheck", _("Re-check after a resolved complaint")
    ANNIVERSARY = "anniversary", _("Purchase anniversary")


class CallStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ATTEMPTED = "attempted", _("Tried, not reached yet")
    REACHED = "reached", _("Reached")
    MISSED = "missed", _("Missed: the window passed")
    NOT_CONTACTED = "not_contacted", _("Not to be contacted")


OPEN_CALL_STATUSES = (CallStatus.SCHEDULED, CallStatus.ATTEMPTED)


class FollowUpCall(DealerOwnedModel):
    """One satisfaction call, due in a window of the dealer's local dates after a delivery."""

    kind = models.CharField(_("kind"), max_length=16, choices=CallKind.choices)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="followup_calls")
    vehicle = models.ForeignKey("customers.Vehicle", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="followup_calls")
    service_job = models.ForeignKey("servicejobs.ServiceJob", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="followup_calls")
    sales_handover = models.ForeignKey("servicejobs.SalesHandover", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="followup_calls")
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="followup_calls", verbose_name=_("complaint re-checked"))
    delivered_at = models.DateTimeField(_("delivered (or, for a re-check, the complaint closed)"))
    window_start = models.DateField(_("call from (local date)"))
    window_end = models.DateField(_("call until (local date)"))
    status = models.CharField(_("status"), max_length=16, choices=CallStatus.choices, default=CallStatus.SCHEDULED)
    not_contacted_reason = models.CharField(_("why the customer is not called"), max_length=200, blank=True)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    reached_at = models.DateTimeField(_("reached"), null=True, blank=True)
    # The window rules compare local dates; storing the dealer's date lets SQL compare across time zones.
    reached_on = models.DateField(_("reached on (the dealer's local date)"), null=True, blank=True)
    representative = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["window_end", "pk"]
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")
        constraints = [
            # One call per delivery, whatever is retried.
            models.UniqueConstraint(fields=["dealer", "service_job"], condition=Q(service_job__isnull=False),
                                    name="followup_one_call_per_service_job"),
            models.UniqueConstraint(fields=["dealer", "sales_handover"], condition=Q(sales_handover__isnull=False),
                                    name="followup_one_call_per_sales_handover"),
            models.CheckConstraint(condition=Q(window_end__gte=models.F("window_start")),
                                   name="followup_window_in_order"),
            # A reached call has its moment and that moment's local date, written together by ``mark_reached``.
            models.CheckConstraint(
                condition=(Q(status=CallStatus.REACHED, reached_at__isnull=False, reached_on__isnull=False)
                           | (~Q(status=CallStatus.REACHED) & Q(reached_at__isnull=True, reached_on__isnull=True))),
                name="followup_reached_with_its_local_date"),
            # One re-check per closing: a complaint closed satisfied twice is re-checked twice.
            models.UniqueConstraint(fields=["dealer", "complaint", "delivered_at"],
                                    condition=Q(complaint__isnull=False), name="followup_one_recheck_per_closing"),
            # One anniversary contact per car and year.
            models.UniqueConstraint(fields=["dealer", "vehicle", "delivered_at"],
                                    condition=Q(kind="anniversary"), name="followup_one_anniversary_per_year"),
            models.CheckConstraint(
                condition=(Q(kind=CallKind.SERVICE, service_job__isnull=False, sales_handover__isnull=True,
                             complaint__isnull=True)
                           | Q(kind=CallKind.ANNIVERSARY, vehicle__isnull=False, service_job__isnull=True,
                               sales_handover__isnull=True, complaint__isnull=True)
                           | Q(kind=CallKind.SALES, sales_handover__isnull=False, service_job__isnull=True,
                               complaint__isnull=True)
                           | Q(kind=CallKind.RECHECK, complaint__isnull=False, sales_handover__isnull=True)),
                name="followup_kind_matches_delivery"),
        ]
        indexes = [
            models.Index(fields=["dealer", "status", "window_end"], name="followup_dealer_due_idx"),
            models.Index(fields=["dealer", "id"], name="followup_dealer_id_idx"),  # the API cursor pages
            models.Index(fields=["dealer", "kind", "window_end"], name="followup_dealer_kind_idx"),  # KPI
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.customer} · {self.window_start}–{self.window_end}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CALL_STATUSES

    @property
    def is_reached(self) -> bool:
        return self.status == CallStatus.REACHED

    def mark_reached(self, *, at: datetime, zone: ZoneInfo) -> None:
        """The customer was reached at ``at``: the one place that sets ``reached_at``, always with its local
        date in the dealer's ``zone`` (``reached_on``, which the window rules compare). In memory; save after."""
        self.status, self.reached_at, self.callback_at = CallStatus.REACHED, at, None
        self.reached_on = timezone.localtime(at, zone).date()

    def promise_outcome(self, *, zone=None):
        """Promise 9 of the delivery this call follows (servicejobs reads it here, through the relation,
        without importing this app). ``zone`` is not needed: the reached day is stored in the dealer's zone."""
        from .rules import followup_outcome  # the rules build on this module's enums

        return followup_outcome(self)


# The questions a follow-up asks, in order; what each answer means is fixed, the wording is the network's.
QUESTIONS = ("overall", "work_done_right", "ready_when_promised", "would_recommend", "comments")

# The shipped wording of each question in every platform language: {question: {language: text}}.
SHIPPED_QUESTIONS: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).resolve().parent / "questions.json").read_text(encoding="utf-8"))

QUESTION_MAX_LENGTH = 200


class QuestionnaireManager(NetworkPolicyManager):
    def for_network(self, network):
        """The network's questionnaire, or its defaults: the shipped questions in its languages."""
        questionnaire = super().for_network(network)
        questionnaire.questions_fill_shipped()
        return questionnaire


class Questionnaire(TranslatableModel):
    """The network's satisfaction questions, in its own words and languages; what counts as a dissatisfied
    answer is the network's choice too."""

    translatable_fields = QUESTIONS

    network = models.OneToOneField("tenancy.Network", on_delete=models.CASCADE, related_name="questionnaire")
    overall = models.CharField(_("question: overall satisfaction (1–5)"), max_length=QUESTION_MAX_LENGTH)
    work_done_right = models.CharField(_("question: was the work done right"), max_length=QUESTION_MAX_LENGTH)
    ready_when_promised = models.CharField(_("question: was the car ready when promised"),
                                           max_length=QUESTION_MAX_LENGTH)
    would_recommend = models.CharField(_("question: would the customer recommend us"),
                                       max_length=QUESTION_MAX_LENGTH)
    comments = models.CharField(_("question: the customer's comments"), max_length=QUESTION_MAX_LENGTH)
    dissatisfied_at_or_below = models.PositiveSmallIntegerField(
        _("overall satisfaction at or below this is dissatisfied (1–5)"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    work_not_right_is_dissatisfied = models.BooleanField(_("work not done right counts as dissatisfied"),
                                                         default=True)

    objects = QuestionnaireManager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self):
        return f"{self.network}: questionnaire"

    def save(self, *args, **kwargs):
        # A row created in code without its questions asks the shipped ones (the admin always writes them).
        self.questions_fill_shipped()
        super().save(*args, **kwargs)

    def questions_fill_shipped(self) -> None:
        """Give each question left empty the shipped wording: in the network's default language, with its other
        content languages as translations (a translation already written is kept). In memory."""
        missing = {field: SHIPPED_QUESTIONS[field] for field in QUESTIONS if not getattr(self, field)}
        if not missing or not self.network_id:
            return
        values, translations = shipped_translations(missing, network=self.network)
        for field, text in values.items():
            setattr(self, field, text)
        written = self.translations or {}
        self.translations = {**written, **{language: {**texts, **written.get(language, {})}
                                           for language, texts in translations.items()}}

    def questions(self) -> dict[str, str]:
        """{question: its wording in the active language}, falling back to the network's default."""
        return {field: localized(self, field) for field in QUESTIONS}

    def is_dissatisfied(self, *, overall: int, work_done_right: bool) -> bool:
        return overall <= self.dissatisfied_at_or_below or (self.work_not_right_is_dissatisfied and not work_done_right)


class AttemptOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Voicemail")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    CALL_BACK = "call_back", _("Call back later")


# Recorded with one tap; "call back" needs the time the customer asked for, so it has its own form.
ONE_TAP_OUTCOMES = (AttemptOutcome.NO_ANSWER, AttemptOutcome.VOICEMAIL, AttemptOutcome.WRONG_NUMBER)


class AnswerVia(models.TextChoices):
    CALL = "call", _("on the phone")
    ONLINE = "online", _("online")


class CallAttempt(DealerOwnedModel):
    """One try at reaching the customer that did not reach them."""

    call = models.ForeignKey(FollowUpCall, on_delete=models.CASCADE, related_name="attempts")
    outcome = models.CharField(_("outcome"), max_length=16, choices=AttemptOutcome.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")


ANSWER_COMMENTS_MAX_LENGTH = 5000  # the customer's words, however they answered


class CallAnswer(DealerOwnedModel):
    """What the customer answered, on the phone or online; one per call."""

    call = models.ForeignKey(FollowUpCall, on_delete=models.CASCADE, related_name="answers")
    overall = models.PositiveSmallIntegerField(_("overall satisfaction (1–5)"),
                                               validators=[MinValueValidator(1), MaxValueValidator(5)])
    work_done_right = models.BooleanField(_("the work was done right"))
    ready_when_promised = models.BooleanField(_("the car was ready when promised"))
    would_recommend = models.BooleanField(_("would recommend us"))
    comments = models.TextField(_("comments, in the customer's words"), blank=True)
    answered_at = models.DateTimeField(_("answered"))
    via = models.CharField(_("answered"), max_length=8, choices=AnswerVia.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    dissatisfied = models.BooleanField(_("dissatisfied"))
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")

    class Meta:
        verbose_name = _("call answer")
        verbose_name_plural = _("call answers")
        constraints = [models.UniqueConstraint(fields=["dealer", "call"], name="callanswer_one_per_call")]


class DailyCallReport(DealerOwnedModel):
    """The dealer's follow-up report for one local day: sent once (the row is the claim), kept as evidence.

    ``sent_at`` is when the row was claimed; its email in the outbox (``email``) says whether it went out.
    """

    day = models.DateField(_("local day"))
    due = models.PositiveIntegerField(_("calls whose window ended the day before"))
    reached_in_window = models.PositiveIntegerField(_("of which reached inside their window"))
    last_day_calls = models.PositiveIntegerField(_("calls on their last day today"))
    sent_at = models.DateTimeField(auto_now_add=True)
    emails = GenericRelation(Email, content_type_field="about_type", object_id_field="about_id")

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily call report")
        verbose_name_plural = _("daily call reports")
        constraints = [models.UniqueConstraint(fields=["dealer", "day"], name="dailycallreport_once_per_day")]

    @property
    def email(self) -> Email | None:
        """The report's email in the outbox: sent, retrying or failed (None when the dealer has no representative)."""
        return next(iter(self.emails.all()), None)

    @property
    def completion_percent(self) -> float | None:
        return round(100 * self.reached_in_window / self.due, 1) if self.due else None
