"""Complaint recovery (PRC c.3): complaints, their append-only timeline, solution proposals, compliments,
and the network's taxonomy, standard answers and time limits."""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dealer_portal.tenancy.content import TranslatableModel, localized
from dealer_portal.tenancy.models import DealerOwnedModel
from dealer_portal.tenancy.scoping import NetworkOwnedManager, NetworkPolicyManager
from outbox.models import Email

from .timeline import timeline_text

# The customer's own words are kept whole, but a description is a statement, not a document.
WORDS_LIMIT = 10_000


class ComplaintPolicy(models.Model):
    """A network's time limits for complaints; a network without one uses the defaults."""

    network = models.OneToOneField("tenancy.Network", on_delete=models.CASCADE, related_name="complaint_policy")
    first_contact_hours = models.PositiveSmallIntegerField(
        _("first contact within (hours)"), default=24, validators=[MinValueValidator(1), MaxValueValidator(720)])
    reply_limit_hours = models.PositiveSmallIntegerField(
        _("satisfactory reply within (hours)"), default=72, validators=[MinValueValidator(1), MaxValueValidator(2160)])
    escalation_step_hours = models.PositiveSmallIntegerField(
        _("hours between escalation steps"), default=48, validators=[MinValueValidator(1), MaxValueValidator(720)])
    on_hold_followup_days = models.PositiveSmallIntegerField(
        _("follow-up entry on hold at least every (days)"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)])
    recheck_days = models.PositiveSmallIntegerField(
        _("re-check call this many days after closing satisfied"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(90)])
    target_closed_in_time_percent = models.PositiveSmallIntegerField(
        _("target: share closed within the reply limit (%)"), default=90, validators=[MaxValueValidator(100)])
    target_complaints_per_100_jobs = models.DecimalField(
        _("target: at most this many complaints per 100 service jobs"), max_digits=5, decimal_places=2, default=2)

    objects = NetworkPolicyManager()

    class Meta:
        verbose_name = _("complaint policy")
        verbose_name_plural = _("complaint policies")

    def __str__(self):
        return f"{self.network}: complaint policy"


class ComplaintCategory(TranslatableModel):
    """The network's two-level taxonomy: a top-level area and the categories under it."""

    translatable_fields = ("name",)

    network = models.ForeignKey("tenancy.Network", on_delete=models.CASCADE, related_name="complaint_categories")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("area"))
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    objects = NetworkOwnedManager()

    class Meta:
        ordering = ["parent__name", "name"]
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        constraints = [
            models.UniqueConstraint(fields=["network", "parent", "name"], name="complaintcategory_unique_name"),
        ]

    def __str__(self):
        name = localized(self, "name")
        return f"{localized(self.parent, 'name')} › {name}" if self.parent_id else name

    def clean(self):
        super().clean()
        if self.parent_id:
            if self.parent.parent_id:
                raise ValidationError({"parent": _("Categories have two levels: choose a top-level area.")})
            if self.parent.network_id != self.network_id:
                raise ValidationError({"parent": _("The area belongs to another network.")})


class StandardAnswer(TranslatableModel):
    """An approved answer to a common problem, so representatives answer "with one voice" (seed 002)."""

    translatable_fields = ("title", "body")

    network = models.ForeignKey("tenancy.Network", on_delete=models.CASCADE, related_name="standard_answers")
    category = models.ForeignKey(ComplaintCategory, on_delete=models.CASCADE, related_name="standard_answers")
    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("answer"), validators=[MaxLengthValidator(WORDS_LIMIT)])
    is_active = models.BooleanField(_("active"), default=True)

    objects = NetworkOwnedManager()

    class Meta:
        ordering = ["category", "title"]
        verbose_name = _("standard answer")
        verbose_name_plural = _("standard answers")

    def __str__(self):
        return localized(self, "title")


class Department(models.TextChoices):
    SALES = "sales", _("Sales")
    SERVICE = "service", _("Service")
    PARTS = "parts", _("Parts")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    EMAIL = "email", _("Email")
    WEB = "web", _("Web")
    FOLLOW_UP_CALL = "follow_up_call", _("Follow-up call")
    SURVEY = "survey", _("Survey")
    SOCIAL_MEDIA = "social_media", _("Social media")
    OEM_HOTLINE = "oem_hotline", _("OEM hotline")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class ComplaintState(models.TextChoices):
    NEW = "new", _("New")
    CONFIRMED = "confirmed", _("Confirmed with the customer")
    PROPOSED = "proposed", _("Solution proposed")
    AGREED = "agreed", _("Agreed with the customer")
    IMPLEMENTING = "implementing", _("Being implemented")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting the customer's confirmation")
    ON_HOLD = "on_hold", _("On hold")
    CLOSED_SATISFIED = "closed_satisfied", _("Closed — customer satisfied")
    CLOSED_UNRESOLVED = "closed_unresolved", _("Closed — unresolved")
    REOPENED = "reopened", _("Reopened")


CLOSED_STATES = (ComplaintState.CLOSED_SATISFIED, ComplaintState.CLOSED_UNRESOLVED)


class HoldCause(models.TextChoices):
    FACTORY_TECHNICAL_HELP = "factory_technical_help", _("Factory technical help")
    WARRANTY_DECISION = "warranty_decision", _("Warranty decision")
    PARTS_BACK_ORDER = "parts_back_order", _("Parts back-order")
    OTHER = "other", _("Other external cause")


class Complaint(DealerOwnedModel):
    """One customer's complaint, worked through the recovery process (PRC c.3.1–c.3.9)."""

    reference = models.CharField(_("reference"), max_length=40)
    sequence = models.PositiveIntegerField()
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="complaints",
                                 verbose_name=_("customer"))
    vehicle = models.ForeignKey("customers.Vehicle", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="complaints", verbose_name=_("vehicle"))
    service_job = models.ForeignKey("servicejobs.ServiceJob", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="complaints", verbose_name=_("service job"))
    department = models.CharField(_("department"), max_length=16, choices=Department.choices)
    category = models.ForeignKey(ComplaintCategory, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="complaints", verbose_name=_("category"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    words = models.TextField(_("the customer's own words"), validators=[MaxLengthValidator(WORDS_LIMIT)])
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    received_at = models.DateTimeField(_("received"))
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    representative = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name=_("customer representative"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("solution owner"))
    state = models.CharField(_("state"), max_length=24, choices=ComplaintState.choices, default=ComplaintState.NEW)
    state_before_hold = models.CharField(max_length=24, choices=ComplaintState.choices, blank=True)
    hold_cause = models.CharField(_("on hold for"), max_length=32, choices=HoldCause.choices, blank=True)
    on_hold_since = models.DateTimeField(null=True, blank=True)
    time_on_hold = models.DurationField(_("time on hold"), default=timedelta(0))
    last_hold_followup_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed with the customer"), null=True, blank=True)
    agreed_at = models.DateTimeField(_("agreed with the customer"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_reason = models.TextField(_("why it closed unresolved"), blank=True)
    satisfaction_words = models.TextField(_("the customer's confirmation, in their words"), blank=True,
                                          validators=[MaxLengthValidator(WORDS_LIMIT)])
    satisfaction_confirmed_by = models.CharField(_("who confirmed"), max_length=160, blank=True)
    satisfaction_channel = models.CharField(_("confirmed through"), max_length=20, choices=Channel.choices,
                                            blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # When the weekly on-hold check (b.8) last flagged it, so it flags a complaint at most once a week.
    hold_reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.UniqueConstraint(fields=["dealer", "reference"], name="complaint_reference_unique_per_dealer"),
            models.UniqueConstraint(fields=["dealer", "sequence"], name="complaint_sequence_unique_per_dealer"),
        ]
        indexes = [
            models.Index(fields=["dealer", "state"], name="complaint_dealer_state_idx"),
            models.Index(fields=["dealer", "id"], name="complaint_dealer_id_idx"),  # the API cursor pages
            models.Index(fields=["dealer", "received_at"], name="complaint_dealer_received_idx"),
            models.Index(fields=["dealer", "closed_at"], name="complaint_dealer_closed_idx"),  # the month's closings
            models.Index(fields=["dealer", "representative", "state"], name="complaint_dealer_rep_idx"),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self) -> str:
        """The complaint's page at its dealer (the emails link to it)."""
        return reverse("complaint_detail", args=[self.dealer.network.slug, self.dealer.code, self.pk])

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    @property
    def is_on_hold(self) -> bool:
        return self.state == ComplaintState.ON_HOLD


class EntryKind(models.TextChoices):
    CONTACT = "contact", _("Contact with the customer")
    NOTE = "note", _("Note")
    PROPOSAL = "proposal", _("Solution proposed")
    STATE = "state", _("State change")
    ASSIGNMENT = "assignment", _("Assignment")
    ESCALATION = "escalation", _("Escalation")
    HOLD_FOLLOWUP = "hold_followup", _("Follow-up while on hold")


class TimelineEntry(DealerOwnedModel):
    """One thing that happened to a complaint. Entries are only ever added, never edited or removed."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("when"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    body = models.TextField(_("text"), blank=True, validators=[MaxLengthValidator(WORDS_LIMIT)])
    # A system-written entry also keeps what it says (``timeline.TIMELINE_SENTENCES``), read in each reader's
    # language through ``body_text``; people's words have no key and are shown as written.
    body_key = models.CharField(_("text key"), max_length=64, blank=True)
    body_params = models.JSONField(_("text details"), default=dict, blank=True)
    from_state = models.CharField(max_length=24, choices=ComplaintState.choices, blank=True)
    to_state = models.CharField(max_length=24, choices=ComplaintState.choices, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [models.Index(fields=["dealer", "complaint", "at"], name="timeline_dealer_complaint_idx")]

    @property
    def body_text(self) -> str:
        """What the entry says, in the active language when the system wrote it."""
        return timeline_text(self.body_key, self.body_params, fallback=self.body)


class SolutionProposal(DealerOwnedModel):
    """A proposed solution (c.3.5): what, and who was told of it; one of them is agreed (c.3.6)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="proposals")
    text = models.TextField(_("proposed solution"), validators=[MaxLengthValidator(WORDS_LIMIT)])
    informed = models.CharField(_("who was informed"), max_length=300)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    agreed = models.BooleanField(_("agreed with the customer"), default=False)
    agreement = models.TextField(_("what the customer agreed to"), blank=True)

    class Meta:
        ordering = ["proposed_at", "pk"]
        verbose_name = _("solution proposal")
        verbose_name_plural = _("solution proposals")


class Compliment(DealerOwnedModel):
    """Praise is counted too (G.4): per department and, where named, per person."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="compliments")
    department = models.CharField(_("department"), max_length=16, choices=Department.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("who was praised"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    words = models.TextField(_("the customer's words"), validators=[MaxLengthValidator(WORDS_LIMIT)])
    received_at = models.DateTimeField(_("received"))
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("compliment")
        verbose_name_plural = _("compliments")
        indexes = [models.Index(fields=["dealer", "received_at"], name="compliment_dealer_received_idx")]


class DailyLogDelivery(DealerOwnedModel):
    """The daily complaint log (c.3.2) sent to one manager for one department on one local day.

    The row is the claim (``sent_at`` is when it was claimed), written with its email in the outbox, so a second
    or retried run never queues it twice; ``email`` says whether it went out.
    """

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("manager"))
    department = models.CharField(_("department"), max_length=16, choices=Department.choices)
    day = models.DateField(_("local day"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    emails = GenericRelation(Email, content_type_field="about_type", object_id_field="about_id")

    class Meta:
        ordering = ["-day", "pk"]
        verbose_name = _("daily log delivery")
        verbose_name_plural = _("daily log deliveries")
        constraints = [
            models.UniqueConstraint(fields=["dealer", "manager", "department", "day"],
                                    name="dailylogdelivery_once_per_day"),
        ]

    @property
    def email(self) -> Email | None:
        """The log's email in the outbox: sent, retrying or failed (prefetch ``emails`` for lists)."""
        return next(iter(self.emails.all()), None)


class PlanStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ImprovementPlan(DealerOwnedModel):
    """A fix at the root of a recurring complaint (b.9, c.3.9): cause, action, owner and due date."""

    category = models.ForeignKey(ComplaintCategory, on_delete=models.PROTECT, related_name="improvement_plans",
                                 verbose_name=_("recurring category"))
    cause = models.TextField(_("root cause"), validators=[MaxLengthValidator(WORDS_LIMIT)])
    action = models.TextField(_("action"), validators=[MaxLengthValidator(WORDS_LIMIT)])
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")
        indexes = [models.Index(fields=["dealer", "status"], name="plan_dealer_status_idx")]

    def __str__(self):
        return f"{self.category}: {self.action[:60]}"
