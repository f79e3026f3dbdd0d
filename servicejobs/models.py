"""Service jobs (repair orders), the changes of their promised time, new-car handovers, and the
network's promise policy (tolerances are the network's settings, never constants in code)."""

import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dealer_portal.tenancy.models import Dealer, DealerOwnedModel
from dealer_portal.tenancy.scoping import NetworkPolicyManager

from . import tally
from .reasons import promise_reason_text


class PromisePolicy(models.Model):
    """How a network measures its promises. One row per network; a network without one uses the defaults."""

    network = models.OneToOneField("tenancy.Network", on_delete=models.CASCADE, related_name="promise_policy")
    greeting_tolerance_minutes = models.PositiveSmallIntegerField(
        _("greeting tolerance (minutes)"), default=5, validators=[MaxValueValidator(240)],
        help_text=_("How late after the appointment (or a late customer's arrival) a greeting still counts."))
    ready_tolerance_minutes = models.PositiveSmallIntegerField(
        _("ready tolerance (minutes)"), default=0, validators=[MaxValueValidator(240)],
        help_text=_("How late after the promised time a car may be ready and the promise still kept."))
    repeat_repair_days = models.PositiveSmallIntegerField(
        _("repeat-repair window (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)])
    followup_first_day = models.PositiveSmallIntegerField(_("follow-up window opens (days after delivery)"),
                                                          default=3)
    followup_last_day = models.PositiveSmallIntegerField(_("follow-up window closes (days after delivery)"),
                                                         default=5)

    objects = NetworkPolicyManager()

    class Meta:
        verbose_name = _("promise policy")
        verbose_name_plural = _("promise policies")

    def __str__(self):
        return f"{self.network}: promise policy"


class JobStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ARRIVED = "arrived", _("Arrived")
    IN_WORKSHOP = "in_workshop", _("In workshop")
    READY = "ready", _("Ready for collection")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


OPEN_STATUSES = (JobStatus.BOOKED, JobStatus.ARRIVED, JobStatus.IN_WORKSHOP, JobStatus.READY)


class WorkCategory(models.TextChoices):
    MAINTENANCE = "maintenance", _("Scheduled maintenance")
    REPAIR = "repair", _("Mechanical repair")
    ELECTRICAL = "electrical", _("Electrical / diagnosis")
    WARRANTY = "warranty", _("Warranty")
    RECALL = "recall", _("Recall campaign")
    BODYWORK = "bodywork", _("Body and paint")
    TYRES = "tyres", _("Tyres and alignment")
    OTHER = "other", _("Other")


# A job's promise checks carry its arrival time and advisor (``PromiseCheck.job_arrived_at``, ``job_advisor``) so that
# a dealer's month of checks is read from one table through one dealer-leading index. The services write both with
# every check; this trigger (PostgreSQL) keeps them true when anything else changes the job, down to a bulk
# ``update()`` or raw SQL.
@pgtrigger.register(pgtrigger.Trigger(
    name="promise_checks_follow_arrival",
    when=pgtrigger.After,
    operation=pgtrigger.UpdateOf("arrived_at", "advisor_id"),
    condition=pgtrigger.Condition("OLD.arrived_at IS DISTINCT FROM NEW.arrived_at "
                                  "OR OLD.advisor_id IS DISTINCT FROM NEW.advisor_id"),
    func="UPDATE servicejobs_promisecheck SET job_arrived_at = NEW.arrived_at, job_advisor_id = NEW.advisor_id "
         "WHERE job_id = NEW.id; RETURN NULL;",
))
class ServiceJob(DealerOwnedModel):
    """A repair order: every promise to the customer is measured from what is recorded here."""

    number = models.CharField(_("job number"), max_length=32)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="service_jobs",
                                 verbose_name=_("customer"))
    vehicle = models.ForeignKey("customers.Vehicle", on_delete=models.PROTECT, related_name="service_jobs",
                                verbose_name=_("vehicle"))
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("service advisor"))
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.BOOKED)
    work_category = models.CharField(_("work category"), max_length=16, choices=WorkCategory.choices,
                                     default=WorkCategory.MAINTENANCE)
    concern = models.TextField(_("customer's concern"), blank=True)
    mileage = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True,
                                          validators=[MaxValueValidator(2_000_000)])

    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True,
                                          help_text=_("Empty for a walk-in."))
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    greeted_at = models.DateTimeField(_("greeted"), null=True, blank=True)
    reception_with_customer = models.BooleanField(_("reception with the customer present"), null=True, blank=True)
    walkaround_at = models.DateTimeField(_("walk-around"), null=True, blank=True)
    walkaround_with_customer = models.BooleanField(_("walk-around with the customer present"), null=True,
                                                   blank=True)
    work_explained_at = models.DateTimeField(_("work steps explained"), null=True, blank=True)
    estimated_duration_minutes = models.PositiveIntegerField(_("estimated duration (minutes)"), null=True,
                                                             blank=True, validators=[MaxValueValidator(60 * 24 * 60)])
    original_promised_ready_at = models.DateTimeField(_("first promised ready time"), null=True, blank=True)
    promised_ready_at = models.DateTimeField(_("promised ready time"), null=True, blank=True)
    work_started_at = models.DateTimeField(_("work started"), null=True, blank=True)
    done_as_agreed = models.BooleanField(_("work done as agreed"), null=True, blank=True)
    extra_work_authorised_at = models.DateTimeField(_("extra work authorised by the customer"), null=True,
                                                    blank=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    invoice_explained = models.BooleanField(_("itemised invoice explained"), null=True, blank=True)
    advice_given = models.BooleanField(_("maintenance advice given"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    handover_with_customer = models.BooleanField(_("handover with the customer present"), null=True, blank=True)
    closed_at = models.DateTimeField(_("cancelled or no-show at"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)

    repeat_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="repeats",
                                  verbose_name=_("repeat repair of"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-appointment_at", "-created_at"]
        verbose_name = _("service job")
        verbose_name_plural = _("service jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "number"], name="servicejob_number_unique_per_dealer",
                violation_error_message=_("A job with this number already exists at this dealer."),
            ),
        ]
        indexes = [
            models.Index(fields=["dealer", "status"], name="job_dealer_status_idx"),
            models.Index(fields=["dealer", "id"], name="job_dealer_id_idx"),  # the API cursor pages
            models.Index(fields=["dealer", "appointment_at"], name="job_dealer_appointment_idx"),
            models.Index(fields=["dealer", "arrived_at"], name="job_dealer_arrived_idx"),  # the dashboard's period
            models.Index(fields=["dealer", "delivered_at"], name="job_dealer_delivered_idx"),
            models.Index(fields=["dealer", "created_at"], name="job_dealer_created_idx"),
            models.Index(fields=["dealer", "vehicle", "work_category", "delivered_at"], name="job_repeat_lookup_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_walk_in(self) -> bool:
        return self.appointment_at is None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_booked(self) -> bool:
        return self.status == JobStatus.BOOKED

    @property
    def is_delivered(self) -> bool:
        from .rules import is_delivered  # the rules build on this module's enums

        return is_delivered(self)


class PromisedTimeChange(DealerOwnedModel):
    """Every move of a job's promised ready time, with why and when the customer was told."""

    job = models.ForeignKey(ServiceJob, on_delete=models.CASCADE, related_name="promise_changes")
    previous_at = models.DateTimeField(_("previous promised time"))
    new_at = models.DateTimeField(_("new promised time"))
    reason = models.CharField(_("reason"), max_length=300)
    customer_told_at = models.DateTimeField(_("customer told at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["customer_told_at", "pk"]
        verbose_name = _("promised time change")
        verbose_name_plural = _("promised time changes")
        indexes = [models.Index(fields=["dealer", "job"], name="promisechange_dealer_job_idx")]


class SalesHandover(DealerOwnedModel):
    """A new-car delivery, with what the sales promises are measured from."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="sales_handovers",
                                 verbose_name=_("customer"))
    vehicle = models.ForeignKey("customers.Vehicle", on_delete=models.PROTECT, related_name="sales_handovers",
                                verbose_name=_("vehicle"))
    sales_consultant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                         blank=True, related_name="+", verbose_name=_("sales consultant"))
    promised_delivery_date = models.DateField(_("promised delivery date"))
    delivered_at = models.DateTimeField(_("delivered"))
    delivered_faultless = models.BooleanField(_("delivered faultless and as ordered"))
    introduction_given = models.BooleanField(_("introduction to the car's use given"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivered_at"]
        verbose_name = _("new-car handover")
        verbose_name_plural = _("new-car handovers")
        constraints = [
            # A new car is handed over once per dealer: a second record of it is a double tap or a retry.
            models.UniqueConstraint(
                fields=["dealer", "vehicle"], name="handover_once_per_car_and_dealer",
                violation_error_message=_("This car's handover is already recorded at this dealer."),
            ),
        ]
        indexes = [models.Index(fields=["dealer", "delivered_at"], name="handover_dealer_delivered_idx")]

    def __str__(self):
        return f"{self.vehicle} → {self.customer}"


class PromiseCheckStatus(models.TextChoices):
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    PENDING = "pending", _("Pending")


# A check written without its job's arrival or advisor (by code that builds rows by hand) takes both from the job.
@pgtrigger.register(pgtrigger.Trigger(
    name="promise_check_takes_arrival",
    when=pgtrigger.Before,
    operation=pgtrigger.Insert,
    condition=pgtrigger.Condition("NEW.job_arrived_at IS NULL OR NEW.job_advisor_id IS NULL"),
    func="SELECT j.arrived_at, j.advisor_id INTO NEW.job_arrived_at, NEW.job_advisor_id "
         "FROM servicejobs_servicejob j WHERE j.id = NEW.job_id; RETURN NEW;",
), *tally.TRIGGERS)
class PromiseCheck(DealerOwnedModel):
    """The stored result of one promise on one job, rewritten whenever the job changes.

    Kept as rows so that dashboards and the monthly ranking aggregate them in SQL instead of
    re-evaluating every job in Python.
    """

    job = models.ForeignKey(ServiceJob, on_delete=models.CASCADE, related_name="promise_checks")
    number = models.PositiveSmallIntegerField(_("promise"), validators=[MinValueValidator(1), MaxValueValidator(9)])
    status = models.CharField(_("result"), max_length=16, choices=PromiseCheckStatus.choices)
    # What the reason says (a key of ``reasons.PROMISE_REASONS`` and its params), read in each reader's language
    # through ``reason_text``; ``reason`` keeps its words in the network's default language, for search and for
    # rows evaluated before keys were stored (their key is blank).
    reason_key = models.CharField(_("reason key"), max_length=64, blank=True)
    reason_params = models.JSONField(_("reason details"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    evaluated_at = models.DateTimeField(_("evaluated at"))
    # The job's ``arrived_at``, copied so the month of a dealer's checks binds on this table (see the trigger on
    # ServiceJob): written by ``services.promise_check_for``, empty while the customer has not arrived.
    job_arrived_at = models.DateTimeField(_("job arrived"), null=True, blank=True, editable=False)
    # The job's advisor, copied for the same reason (the promise dashboard's share per advisor); no index of its own.
    job_advisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                                    db_index=False, null=True, blank=True, editable=False, related_name="+",
                                    verbose_name=_("job's advisor"))

    class Meta:
        ordering = ["job", "number"]
        verbose_name = _("promise check")
        verbose_name_plural = _("promise checks")
        constraints = [
            models.UniqueConstraint(fields=["dealer", "job", "number"], name="promisecheck_one_per_job_promise"),
        ]
        indexes = [
            models.Index(fields=["dealer", "number", "status"], name="promisecheck_dealer_status_idx"),
            # A dealer's checks of a period, and their counts by promise and result straight from the index.
            models.Index(fields=["dealer", "job_arrived_at", "number", "status"], name="promisecheck_dealer_month_idx"),
            # The promise dashboard's list of broken promises, newest first, a page at a time.
            models.Index(fields=["dealer", "status", "-job_arrived_at", "job", "number"],
                         name="promisecheck_dealer_broken_idx"),
        ]

    @property
    def reason_text(self) -> str:
        """The reason in the active language, its times in the dealer's zone."""
        return promise_reason_text(self.reason_key, self.reason_params, fallback=self.reason)


class PromiseTally(DealerOwnedModel):
    """A dealer's promise checks of one local day (the job's arrival), per advisor and promise: how many, and how
    many kept and broken.

    Kept by triggers on PromiseCheck (PostgreSQL, ``tally.py``) in the transaction that writes the checks, so the
    promise dashboard reads a year as a few thousand of these rows instead of every check. Never written by code.
    """

    # The bucket's unique index leads with the dealer and serves as its index (a second one would only compete).
    # Counted data: it goes with its dealer (whose records, which protect it, must have gone first).
    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="+", db_index=False,
                               verbose_name=_("dealer"))
    day = models.DateField(_("day"))
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                                db_index=False, null=True, blank=True, related_name="+",
                                verbose_name=_("service advisor"))
    number = models.PositiveSmallIntegerField(_("promise"))
    checks = models.IntegerField(_("checks"), default=0)
    kept = models.IntegerField(_("kept"), default=0)
    broken = models.IntegerField(_("broken"), default=0)

    class Meta:
        verbose_name = _("promise tally")
        verbose_name_plural = _("promise tallies")
        constraints = [
            # One row per bucket, the advisor-less bucket included; it is also the dealer's (dealer, day) index.
            models.UniqueConstraint(fields=["dealer", "day", "advisor", "number"], nulls_distinct=False,
                                    name="promisetally_one_per_bucket"),
        ]


pgtrigger.register(tally.DEALER_ZONE_TRIGGER)(Dealer)


class JobImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobImport(DealerOwnedModel):
    """One upload of a DMS export: the file waits here until a worker imports it, then the report stays."""

    file_name = models.CharField(_("file"), max_length=200)
    data = models.BinaryField(editable=False)  # emptied once imported
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=JobImportStatus.choices,
                              default=JobImportStatus.QUEUED)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(default=list, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease: the task that holds the import (a redelivered or retried task keeps its id), how many times it
    # was taken, and when its worker last showed life; a sweeper hands on an import whose heartbeat stopped.
    claimed_by = models.CharField(max_length=255, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    # When the import task was last sent to the broker (None: not sent, the broker was down).
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    failure_reason = models.TextField(_("why it failed"), blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("job import")
        verbose_name_plural = _("job imports")
        indexes = [models.Index(fields=["dealer", "uploaded_at"], name="jobimport_dealer_uploaded_idx")]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_done(self) -> bool:
        return self.status == JobImportStatus.DONE

    @property
    def is_running(self) -> bool:
        return self.status == JobImportStatus.RUNNING

    @property
    def is_failed(self) -> bool:
        return self.status == JobImportStatus.FAILED

    @property
    def is_finished(self) -> bool:
        return self.status in (JobImportStatus.DONE, JobImportStatus.FAILED)


class ImportRowOutcome(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    UNCHANGED = "unchanged", _("unchanged")
    REJECTED = "rejected", _("rejected")


class JobImportLine(DealerOwnedModel):
    """One row of an import that is saved (or rejected while saving), written in the row's own transaction:
    an import taken over after its worker died resumes after these rows and its counts stay right."""

    job_import = models.ForeignKey(JobImport, on_delete=models.CASCADE, related_name="lines")
    line = models.PositiveIntegerField()
    job_number = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=16, choices=ImportRowOutcome.choices)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dealer", "job_import", "line"], name="jobimportline_once_per_line"),
        ]
