"""Writes on service jobs: creating a job, each step of the advisor's day, changing the promised time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer, Vehicle
from customers.services import EARLIEST_HANDOVER_DATE, customer_create, vehicle_create, vehicle_update, vin_holder
from dealer_portal.tenancy.tasks import send_after_commit

from .models import (
    JobImport,
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
    """Re-evaluate the job's nine promises and store them as PromiseCheck rows (replacing the old ones)."""
    policy = policy or PromisePolicy.objects.for_network(job.dealer.network)
    with timezone.override(job.dealer.zone):  # reasons read in the dealer's local time
        results = job_promises(job, policy=policy)
    now = timezone.now()
    PromiseCheck.objects.filter(job=job).delete()
    PromiseCheck.objects.bulk_create([
        PromiseCheck(dealer_id=job.dealer_id, job=job, number=result.number, status=str(result.status),
                     reason=result.reason[:300], evaluated_at=now)
        for result in results
    ])
    return results


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


# A worker that died mid-import leaves it "running"; after this long another may take it over
# (the import is idempotent, so doing rows twice changes nothing).
IMPORT_STALE_AFTER = timedelta(minutes=30)


@transaction.atomic
def job_import_start(*, dealer, data: bytes, file_name: str, by=None) -> JobImport:
    """Check the whole file now (so a refusal is immediate) and queue its rows for a worker.

    Side effects: a JobImport row; the import task is sent after commit.
    """
    from .imports import jobs_import_file_error, jobs_import_row_count
    from .tasks import job_import_process

    file_error = jobs_import_file_error(data)
    if file_error:
        raise ValidationError({"file": file_error})
    job_import = JobImport.objects.create(dealer=dealer, file_name=file_name[:200], data=data, uploaded_by=by,
                                          row_count=jobs_import_row_count(data))
    send_after_commit(job_import_process, dealer.pk, job_import.pk)
    return job_import


def job_import_run(*, job_import_id: int) -> JobImport | None:
    """Import a queued upload, once: the row is claimed first, so a second delivery of the task does nothing.

    Side effects: the dealer's customers, vehicles and jobs (see ``imports.jobs_import_csv``); the report is
    stored on the JobImport and the file's bytes are dropped.
    """
    from .imports import jobs_import_csv

    now = timezone.now()
    claimed = JobImport.objects.filter(pk=job_import_id).filter(
        Q(status=JobImportStatus.QUEUED) | Q(status=JobImportStatus.RUNNING, started_at__lt=now - IMPORT_STALE_AFTER)
    ).update(status=JobImportStatus.RUNNING, started_at=now)
    if not claimed:
        return None
    job_import = JobImport.objects.select_related("dealer", "uploaded_by").get(pk=job_import_id)
    report = jobs_import_csv(dealer=job_import.dealer, data=bytes(job_import.data), by=job_import.uploaded_by)
    job_import.created, job_import.updated, job_import.unchanged = report.created, report.updated, report.unchanged
    job_import.rejected = [row._asdict() for row in report.rejected]
    if report.file_error:
        job_import.rejected = [{"line": 0, "job_number": "", "reason": report.file_error}]
    job_import.status, job_import.finished_at, job_import.data = JobImportStatus.DONE, timezone.now(), b""
    job_import.save()
    return job_import


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
