"""Writes on service jobs: creating a job, each step of the advisor's day, changing the promised time."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.models import Customer, Vehicle
from customers.services import EARLIEST_HANDOVER_DATE, customer_create, vehicle_create, vehicle_update, vin_holder
from dealer_portal.tenancy.scoping import unscoped
from dealer_portal.tenancy.tasks import BROKER_DOWN_ERRORS, enqueue, publish

from .models import (
    ImportRowOutcome,
    JobImport,
    JobImportLine,
    JobImportStatus,
    PromiseCheck,
    PromisePolicy,
    SalesHandover,
    ServiceJob,
)
from .rules import delivered_q, is_delivered
from .selectors import job_promises
from .signals import delivery_recorded
from .steps import STEPS

logger = logging.getLogger(__name__)

# Devices' clocks differ a little; a time this far ahead still counts as "now".
CLOCK_SKEW = timedelta(minutes=2)



def _not_in_future(moment: datetime, field: str) -> None:
    if moment > timezone.now() + CLOCK_SKEW:
        raise ValidationError({field: _("This time is in the future.")})


def find_repeat_of(job: ServiceJob, *, policy: PromisePolicy) -> ServiceJob | None:
    """The earlier job on the same vehicle for the same work, handed over within the repeat window."""
    reference = job.arrived_at or job.appointment_at or timezone.now()
    return (ServiceJob.objects.filter(
        delivered_q(), vehicle=job.vehicle, work_category=job.work_category, delivered_at__lte=reference,
        delivered_at__gte=reference - timedelta(days=policy.repeat_repair_days),
    ).exclude(pk=job.pk).order_by("-delivered_at").first())


# A booking further back or ahead than this is a typing slip in the year (a DMS import may bring older jobs).
BOOKING_PAST = timedelta(days=5 * 366)
BOOKING_AHEAD = timedelta(days=366)
# What a booked job's details are; its milestones are recorded by the steps, its customer and car never change.
JOB_EDITABLE = ("number", "appointment_at", "work_category", "concern", "mileage")
# Whether a job repeats an earlier one depends on these.
REPEAT_INPUTS = ("appointment_at", "work_category")


def _job_check_and_save(job: ServiceJob, *, policy: PromisePolicy, relink: bool) -> ServiceJob:
    """The checks of a booked job, new or changed, then its row: its customer and car are the dealer's and go
    together, its fields are valid, its appointment plausible, its number unused at the dealer. With ``relink``
    the repeat-repair link is found again; the promise checks of the job and of the earlier jobs it repeats (before
    and after) are rewritten."""
    dealer = job.dealer
    errors = {}
    if job.customer.dealer_id != dealer.pk:
        errors["customer"] = [_("Select a valid choice. That choice is not one of the available choices.")]
    if job.vehicle.dealer_id != dealer.pk:
        errors["vehicle"] = [_("Select a valid choice. That choice is not one of the available choices.")]
    elif job.vehicle.customer_id != job.customer_id:
        errors["vehicle"] = [_("This vehicle belongs to another customer.")]
    job.number = (job.number or "").strip()
    try:
        # The database answers for a duplicate number (it sees every row of the dealer, whatever the scope).
        job.full_clean(exclude=["repeat_of", "customer", "vehicle"], validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if job.appointment_at is not None and "appointment_at" not in errors:
        now = timezone.now()
        if not now - BOOKING_PAST <= job.appointment_at <= now + BOOKING_AHEAD:
            errors["appointment_at"] = [_("Check the year: a booking is at most a year ahead and five years back.")]
    if errors:
        raise ValidationError(errors)
    previous_repeat_of = job.repeat_of
    if relink:
        job.repeat_of = find_repeat_of(job, policy=policy)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError as error:
        raise ValidationError({"number": _("A job with this number already exists at this dealer.")}) from error
    job_promises_refresh(job, policy=policy)
    for earlier in {previous_repeat_of, job.repeat_of} - {None}:
        job_promises_refresh(earlier, policy=policy)  # its promise 6 follows whether a job repeats it
    return job


@transaction.atomic
def job_create(*, dealer, number: str, customer: Customer, vehicle: Vehicle, advisor=None,
               appointment_at: datetime | None = None, work_category: str, concern: str = "",
               mileage: int | None = None) -> ServiceJob:
    """Book a job (or, with no appointment, a walk-in). Flags a repeat repair and links the earlier job.

    Side effects: the job row, its promise checks, and those of the earlier job it repeats (promise 6 broken).
    """
    job = ServiceJob(dealer=dealer, number=number, customer=customer, vehicle=vehicle, advisor=advisor,
                     appointment_at=appointment_at, work_category=work_category, concern=concern, mileage=mileage)
    return _job_check_and_save(job, policy=PromisePolicy.objects.for_network(dealer.network), relink=True)


@transaction.atomic
def job_update(*, job: ServiceJob, customer: Customer | None = None, vehicle: Vehicle | None = None,
               **changes) -> ServiceJob:
    """Change a job's details (any of ``JOB_EDITABLE``), checked exactly as ``job_create`` checks a new job, on
    the row locked for update. Its customer and car cannot change (giving them unchanged is fine): cancel and
    book again. Side effects: the job row; a new work category or appointment finds its repeat-repair link
    again; the promise checks of the job and of the earlier jobs it repeats, before and after."""
    unknown = set(changes) - set(JOB_EDITABLE)
    if unknown:
        raise TypeError(f"Not an editable field: {', '.join(sorted(unknown))}")
    job = (ServiceJob.objects.select_for_update(of=("self",))
           .select_related("dealer__network", "customer", "vehicle", "repeat_of").get(pk=job.pk))
    moved = [name for name, value in (("customer", customer), ("vehicle", vehicle))
             if value is not None and value.pk != getattr(job, f"{name}_id")]
    if moved:
        raise ValidationError({name: [_("A job's customer and vehicle cannot change; cancel and book again.")]
                               for name in moved})
    relink = any(name in changes and changes[name] != getattr(job, name) for name in REPEAT_INPUTS)
    for name, value in changes.items():
        setattr(job, name, value)
    return _job_check_and_save(job, policy=PromisePolicy.objects.for_network(job.dealer.network), relink=relink)


def job_promises_refresh(job: ServiceJob, *, policy: PromisePolicy | None = None) -> list:
    """Re-evaluate the job's nine promises and store them as PromiseCheck rows (replacing the old ones).

    Each reason is stored as what it says (key and params, shown in each reader's language) and, for search and
    the admin, in words: in the network's default language and the dealer's local time, whoever (an advisor, a
    beat task) caused the refresh, so one job's stored words never mix languages.
    """
    policy = policy or PromisePolicy.objects.for_network(job.dealer.network)
    with timezone.override(job.dealer.zone), translation.override(job.dealer.network.default_language):
        results = job_promises(job, policy=policy)
        now = timezone.now()
        checks = [promise_check_for(job, result, now=now) for result in results]
    PromiseCheck.objects.filter(job=job).delete()
    PromiseCheck.objects.bulk_create(checks)
    return results


def promise_check_for(job, result, *, now) -> PromiseCheck:
    """The unsaved row of one evaluated promise; its words in the active language (the network's default)."""
    return PromiseCheck(dealer_id=job.dealer_id, job_id=job.pk, number=result.number, status=str(result.status),
                        reason_key=result.why.key, reason_params=result.why.params, reason=result.reason[:300],
                        evaluated_at=now, job_arrived_at=job.arrived_at,
                        job_advisor_id=job.advisor_id)


def next_job_number(dealer) -> str:
    """A readable, dealer-unique number: RO-<year>-<sequence>."""
    year = timezone.localtime().year
    prefix = f"RO-{year}-"
    last = (ServiceJob.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    sequence = int(last.removeprefix(prefix)) + 1 if last and last.removeprefix(prefix).isdigit() else 1
    return f"{prefix}{sequence:05d}"


@transaction.atomic
def job_step(*, job: ServiceJob, step: str, by=None, at: datetime | None = None, **data) -> ServiceJob:
    """Record one step of the job (``arrive``, ``greet``, ``ready``, ``handover``…) at ``at`` (default now).

    Refuses a step the job's status does not allow, a time in the future, or a time before the step it
    follows, with a message saying why. Runs on the row locked for update, so two taps cannot race.
    """
    if step not in STEPS:
        raise ValidationError(_("Unknown step “%(step)s”.") % {"step": step})
    declared = STEPS[step]
    job = ServiceJob.objects.select_for_update().get(pk=job.pk)
    refusal = declared.refusal(job)
    if refusal:
        raise ValidationError(refusal)
    was_delivered = is_delivered(job)
    at = at or timezone.now()
    _not_in_future(at, "at")
    declared.handler(job, at, by=by, **data)
    if declared.leads_to:
        job.status = declared.leads_to
    job.full_clean(exclude=["repeat_of", "customer", "vehicle", "advisor"])
    job.save()
    job_change_record(job=job, policy=PromisePolicy.objects.for_network(job.dealer.network),
                      was_delivered=was_delivered)
    return job


def job_change_record(*, job: ServiceJob, policy: PromisePolicy, was_delivered: bool) -> None:
    """What a saved change of ``job`` brings with it, in the caller's transaction; every path that changes a job
    (a step, the DMS import) ends here.

    Side effects: if the job has just been handed over (it was not delivered before the change), the
    ``delivery_recorded`` signal (the follow-up call is created by its listener); then its nine PromiseCheck rows.
    """
    if is_delivered(job) and not was_delivered:
        # In the same transaction as the handover: no call is ever lost, whatever happens to the workers.
        delivery_recorded.send(sender=ServiceJob, delivery=job, policy=policy)
    job_promises_refresh(job, policy=policy)


@transaction.atomic
def job_create_for_new_customer(*, dealer, advisor=None, name: str, phone: str = "", email: str = "",
                                vin: str, plate: str = "", make: str = "", model: str = "", number: str,
                                appointment_at: datetime | None = None, work_category: str,
                                concern: str = "") -> ServiceJob:
    """Create the customer, their vehicle and the job together; all or nothing (a phone or VIN already at the
    dealer is refused by the customer services). Side effects: the Customer, Vehicle and job rows."""
    customer = customer_create(dealer=dealer, name=name, phone=phone, email=email)
    vehicle = vehicle_create(dealer=dealer, customer=customer, vin=vin, plate=plate, make=make, model=model)
    return job_create(dealer=dealer, number=number, customer=customer, vehicle=vehicle, advisor=advisor,
                      appointment_at=appointment_at, work_category=work_category, concern=concern)


# -- DMS imports: an upload, its lease while a worker imports it, and the sweeper that hands it on -------------
#
# queued -> running (claimed by one task id, with a heartbeat) -> done | failed (with the reason shown).
# A redelivered or retried task keeps its id and so resumes its own claim; a claim whose heartbeat stopped
# (the worker died) is handed on by ``job_imports_sweep``. Each finished row is noted (JobImportLine) in that
# row's transaction, so a resumed import skips the rows already saved and still reports each row once.


class ImportLeaseLost(Exception):
    """The import was handed on to another task (this one's heartbeat had stopped): stop without writing."""


def import_lease() -> timedelta:
    """How long an import may go without a heartbeat before the sweeper takes it as interrupted."""
    return timedelta(seconds=settings.JOB_IMPORT_LEASE_SECONDS)


def _upload_waiting_message(file_name: str) -> str:
    return _("%(file)s is saved, but the background service is not available right now: it will be imported "
             "automatically as soon as the service is back. The list of uploads shows it as waiting until "
             "then.") % {"file": file_name}


@transaction.atomic
def job_import_start(*, dealer, data: bytes, file_name: str, by=None) -> JobImport:
    """Check the whole file now (so a refusal is immediate) and queue its rows for a worker.

    Side effects: a JobImport row; the import task is sent after commit. If the broker cannot take it, the
    upload stays saved and waiting (the sweeper sends it once the broker is back) and ``BackgroundUnavailable``
    is raised after the commit, with a message that says so.
    """
    from .imports import jobs_import_file_error, jobs_import_row_count
    from .tasks import job_import_process

    file_error = jobs_import_file_error(data)
    if file_error:
        raise ValidationError({"file": file_error})
    job_import = JobImport.objects.create(dealer=dealer, file_name=file_name[:200], data=data, uploaded_by=by,
                                          row_count=jobs_import_row_count(data))
    enqueue(job_import_process, dealer.pk, job_import.pk, unavailable=_upload_waiting_message(job_import.file_name),
            on_sent=lambda: _mark_enqueued(job_import.pk))
    return job_import


def _mark_enqueued(job_import_id: int) -> None:
    with unscoped():  # by its id, after the commit (wherever the callback runs)
        JobImport.objects.filter(pk=job_import_id, status=JobImportStatus.QUEUED).update(
            enqueued_at=timezone.now())


def _import_claim(job_import_id: int, owner: str) -> bool:
    """Take the import for the task ``owner``: a queued one, one this very task held (redelivered or retried),
    or one whose heartbeat stopped. Each claim counts as an attempt."""
    now = timezone.now()
    return bool(JobImport.objects.filter(pk=job_import_id, attempts__lt=settings.JOB_IMPORT_MAX_ATTEMPTS).filter(
        Q(status=JobImportStatus.QUEUED)
        | Q(status=JobImportStatus.RUNNING, claimed_by=owner)
        | Q(status=JobImportStatus.RUNNING, heartbeat_at__lt=now - import_lease())
    ).update(status=JobImportStatus.RUNNING, claimed_by=owner, attempts=F("attempts") + 1, heartbeat_at=now,
             started_at=Coalesce("started_at", Value(now))))


class _LeaseJournal:
    """The import's notes of finished rows (see ``imports.ImportJournal``), each written with its row after a
    heartbeat that also proves the lease is still this task's (the update locks the import's row, so a task
    that lost the lease can never save a row the new holder saves too)."""

    def __init__(self, job_import: JobImport, owner: str):
        self.job_import, self.owner = job_import, owner

    def done(self) -> dict:
        from .imports import DoneRow

        return {line.line: DoneRow(line.line, line.job_number, line.outcome, line.reason)
                for line in JobImportLine.objects.filter(job_import=self.job_import)}

    def record(self, *, line: int, job_number: str, outcome: str, reason: str = "") -> None:
        with transaction.atomic():
            self.beat(rows=1)
            JobImportLine.objects.create(dealer_id=self.job_import.dealer_id, job_import=self.job_import, line=line,
                                         job_number=job_number[:200], outcome=outcome, reason=reason)

    def beat(self, *, rows: int = 0) -> None:
        if not JobImport.objects.filter(pk=self.job_import.pk, status=JobImportStatus.RUNNING,
                                        claimed_by=self.owner).update(heartbeat_at=timezone.now(),
                                                                      rows_done=F("rows_done") + rows):
            raise ImportLeaseLost(self.job_import.pk)


def job_import_run(*, job_import_id: int, owner: str = "") -> JobImport | None:
    """Import an upload for the task ``owner`` (its Celery task id): claimed first, so a second task does
    nothing while the first is alive; the same task delivered again resumes where it stopped.

    Side effects: the dealer's customers, vehicles and jobs (see ``imports.jobs_import_csv``); the report is
    stored on the JobImport and the file's bytes are dropped. Returns None if the import is not this task's.
    """
    from .imports import jobs_import_csv

    owner = owner or f"direct-{uuid.uuid4()}"
    if not _import_claim(job_import_id, owner):
        return None
    job_import = JobImport.objects.select_related("dealer", "uploaded_by").get(pk=job_import_id)
    journal = _LeaseJournal(job_import, owner)
    try:
        report = jobs_import_csv(dealer=job_import.dealer, data=bytes(job_import.data), by=job_import.uploaded_by,
                                 journal=journal)
    except ImportLeaseLost:
        logger.warning("job import %s: handed on to another task while %s was importing it", job_import_id, owner)
        return None
    rejected = [row._asdict() for row in report.rejected]
    if report.file_error:
        rejected = [{"line": 0, "job_number": "", "reason": report.file_error}]
    with transaction.atomic():
        if not JobImport.objects.filter(pk=job_import_id, status=JobImportStatus.RUNNING, claimed_by=owner).update(
                status=JobImportStatus.DONE, finished_at=timezone.now(), data=b"", created=report.created,
                updated=report.updated, unchanged=report.unchanged, rejected=rejected, rows_done=job_import.row_count,
                failure_reason=""):
            return None
        JobImportLine.objects.filter(job_import_id=job_import_id).delete()
    job_import.refresh_from_db()
    return job_import


def job_import_fail(*, job_import_id: int, reason: str, owner: str | None = None) -> bool:
    """End an import that cannot finish as failed, with ``reason`` (shown on the upload page and in the API);
    the rows saved before it stopped are counted in its report. With ``owner``, only if that task holds it.

    Side effects: the JobImport row (the file's bytes are dropped) and its row notes. Returns whether it failed it.
    """
    with transaction.atomic():
        imports = JobImport.objects.select_for_update().filter(
            pk=job_import_id, status__in=(JobImportStatus.QUEUED, JobImportStatus.RUNNING))
        if owner is not None:
            imports = imports.filter(claimed_by=owner)
        job_import = imports.first()
        if job_import is None:
            return False
        lines = list(JobImportLine.objects.filter(job_import=job_import).order_by("line"))
        for outcome in (ImportRowOutcome.CREATED, ImportRowOutcome.UPDATED, ImportRowOutcome.UNCHANGED):
            setattr(job_import, outcome, sum(1 for line in lines if line.outcome == outcome))
        job_import.rejected = [{"line": line.line, "job_number": line.job_number, "reason": line.reason}
                               for line in lines if line.outcome == ImportRowOutcome.REJECTED]
        job_import.status, job_import.failure_reason = JobImportStatus.FAILED, reason
        job_import.finished_at, job_import.data = timezone.now(), b""
        job_import.save()
        JobImportLine.objects.filter(job_import=job_import).delete()
    logger.warning("job import %s failed: %s", job_import_id, reason)
    return True


def _interrupted_reason(attempts: int) -> str:
    return ngettext(
        "The import was interrupted %(count)d time (its worker stopped) and was not tried again; the rows saved "
        "before that are counted here. Upload the file again: those rows will show as unchanged.",
        "The import was interrupted %(count)d times (its worker stopped each time) and was not tried again; the "
        "rows saved before that are counted here. Upload the file again: those rows will show as unchanged.",
        attempts) % {"count": attempts}


def job_imports_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The sweeper (beat, every minute), across every dealer: an import whose heartbeat stopped is handed on
    (queued and sent again) or, after ``JOB_IMPORT_MAX_ATTEMPTS`` attempts, failed with the reason; a queued
    import that was never sent (the broker was down at upload) or sent long ago is sent again.

    Side effects: the JobImport rows and import tasks. Sending again is safe: a second task finds the import
    claimed or finished. Stops sending (and leaves the rest queued) while the broker is down.
    """
    from .tasks import job_import_process

    now = now or timezone.now()
    counts = {"handed_on": 0, "failed": 0, "sent": 0}
    with unscoped():
        stale = list(JobImport.objects.filter(status=JobImportStatus.RUNNING, heartbeat_at__lt=now - import_lease())
                     .values_list("pk", "attempts", "heartbeat_at"))
        for pk, attempts, heartbeat_at in stale:
            if attempts >= settings.JOB_IMPORT_MAX_ATTEMPTS:
                counts["failed"] += job_import_fail(job_import_id=pk, reason=_interrupted_reason(attempts))
            else:  # unless its worker showed life in the meantime
                counts["handed_on"] += JobImport.objects.filter(
                    pk=pk, status=JobImportStatus.RUNNING, heartbeat_at=heartbeat_at).update(
                    status=JobImportStatus.QUEUED, claimed_by="", enqueued_at=None)
        waiting = list(JobImport.objects.filter(status=JobImportStatus.QUEUED).filter(
            Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - timedelta(seconds=settings.JOB_IMPORT_RESEND_AFTER))
        ).order_by("uploaded_at").values_list("pk", "dealer_id"))
        for pk, dealer_id in waiting:
            try:
                publish(job_import_process, dealer_id, pk)
            except BROKER_DOWN_ERRORS as error:
                logger.warning("job imports sweep: the broker is down (%r); %d imports still waiting", error,
                               len(waiting) - counts["sent"])
                break
            _mark_enqueued(pk)
            counts["sent"] += 1
    return counts


def vehicle_for_vin(*, dealer, vin: str) -> Vehicle:
    """The dealer's vehicle with ``vin``, or a form error that says what to do."""
    vehicle = vin_holder(dealer=dealer, vin=vin)
    if vehicle is None:
        raise ValidationError({"vin": _("No vehicle with this VIN at this dealer: add the car and its owner first.")})
    return vehicle


# A promised delivery date further than this from the handover is a typing slip (year 0001 or 2999).
PROMISED_DELIVERY_SPAN = timedelta(days=3 * 366)


def _handover_time_errors(*, dealer, promised_delivery_date, delivered_at: datetime) -> dict:
    """Why the handover's dates cannot be right (a handover in the future or before 1900, a promised date years
    away from it), as field errors; the same checks for a new handover and a corrected one."""
    errors = {}
    if delivered_at > timezone.now() + CLOCK_SKEW:
        errors["delivered_at"] = [_("This time is in the future.")]
    elif delivered_at.date() < EARLIEST_HANDOVER_DATE:
        errors["delivered_at"] = [_("Check the year: a handover before %(year)d is not plausible.")
                                  % {"year": EARLIEST_HANDOVER_DATE.year}]
    elif abs(promised_delivery_date - timezone.localtime(delivered_at, dealer.zone).date()) > PROMISED_DELIVERY_SPAN:
        errors["promised_delivery_date"] = [_("Check the year: the promised date is more than three years away "
                                              "from the handover.")]
    return errors


class HandoverRecorded(NamedTuple):
    handover: SalesHandover
    created: bool  # False: this car's handover was already recorded, and that record is the answer


@transaction.atomic
def handover_record(*, dealer, vin: str | None = None, vehicle: Vehicle | None = None, promised_delivery_date,
                    delivered_at: datetime, delivered_faultless: bool, introduction_given: bool,
                    by=None) -> HandoverRecorded:
    """Record the new-car handover of the dealer's ``vehicle`` (or the one with ``vin``), once.

    A new car is handed over once per dealer (a database constraint), so the same handover sent again (a double
    tap, a retried request) is answered with the existing record and ``created=False``, and changes nothing.
    Side effects, the first time only: the SalesHandover row, the car's handover date if unknown, and the
    ``delivery_recorded`` signal (its follow-up call), all in one transaction.
    """
    errors = _handover_time_errors(dealer=dealer, promised_delivery_date=promised_delivery_date,
                                   delivered_at=delivered_at)
    if vehicle is None and vin is not None:
        try:
            vehicle = vehicle_for_vin(dealer=dealer, vin=vin)
        except ValidationError as error:
            errors.update(error.message_dict)
    elif vehicle is None or vehicle.dealer_id != dealer.pk:
        errors["vehicle"] = [_("Select a valid choice. That choice is not one of the available choices.")]
    if errors:
        raise ValidationError(errors)
    # The car's row is locked: a second request for its handover waits here, then finds the first one's record.
    vehicle = Vehicle.objects.select_for_update(of=("self",)).select_related("customer").get(pk=vehicle.pk)
    existing = SalesHandover.objects.filter(dealer=dealer, vehicle=vehicle).first()
    if existing is not None:
        return HandoverRecorded(existing, False)
    handover = SalesHandover.objects.create(
        dealer=dealer, customer=vehicle.customer, vehicle=vehicle, sales_consultant=by,
        promised_delivery_date=promised_delivery_date, delivered_at=delivered_at,
        delivered_faultless=delivered_faultless, introduction_given=introduction_given)
    if vehicle.handover_date is None:
        vehicle_update(vehicle=vehicle, handover_date=timezone.localtime(delivered_at, dealer.zone).date())
    delivery_recorded.send(sender=SalesHandover, delivery=handover,
                           policy=PromisePolicy.objects.for_network(dealer.network))
    return HandoverRecorded(handover, True)


HANDOVER_CORRECTABLE = ("promised_delivery_date", "delivered_faultless", "introduction_given")
# Fixed once recorded: the follow-up call was scheduled from them.
HANDOVER_FIXED = ("customer", "vehicle", "delivered_at")


@transaction.atomic
def handover_update(*, handover: SalesHandover, **changes) -> SalesHandover:
    """Correct a recorded handover: its promised date and its two ticks, checked as ``handover_record`` checks
    them. Its car, customer and time cannot change (its follow-up call was scheduled from them); giving them
    unchanged is fine. Side effects: the SalesHandover row."""
    unknown = set(changes) - set(HANDOVER_CORRECTABLE) - set(HANDOVER_FIXED)
    if unknown:
        raise TypeError(f"Not an editable field: {', '.join(sorted(unknown))}")
    handover = SalesHandover.objects.select_for_update(of=("self",)).select_related("dealer").get(pk=handover.pk)
    errors = _handover_time_errors(
        dealer=handover.dealer, delivered_at=changes.get("delivered_at", handover.delivered_at),
        promised_delivery_date=changes.get("promised_delivery_date", handover.promised_delivery_date))
    for name in HANDOVER_FIXED:
        if name in changes and name not in errors and changes[name] != getattr(handover, name):
            errors[name] = [_("A recorded handover keeps its car, customer and time (its follow-up call was "
                              "scheduled from them): record the right car's handover instead.")]
    if errors:
        raise ValidationError(errors)
    for name in HANDOVER_CORRECTABLE:
        if name in changes:
            setattr(handover, name, changes[name])
    handover.full_clean(exclude=["dealer", "customer", "vehicle", "sales_consultant"])
    handover.save()
    return handover
