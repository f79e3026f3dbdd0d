"""Import of service jobs from a dealer management system (DMS) export, as CSV, for one dealer.

Problems with the whole file (encoding, size, columns) refuse it before anything is written. After that
every row is validated and saved on its own, so good rows are kept when others are rejected. A job is
known by (dealer, job number): importing the same file again writes nothing. An empty cell never erases
what is stored (the DMS does not know what the advisor recorded in the portal, such as the greeting).
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from customers.models import Customer, Vehicle
from customers.services import customer_create, vehicle_create
from customers.validators import normalize_phone, normalize_vin, validate_phone, validate_vin
from dealer_portal.tenancy.models import Dealer, Membership

from .models import ImportRowOutcome, JobStatus, PromisePolicy, ServiceJob, WorkCategory
from .rules import is_delivered
from .services import CLOCK_SKEW, find_repeat_of, job_change_record, job_promises_refresh

logger = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024
MAX_FILE_BYTES = 10 * MEGABYTE
MAX_ROWS = 20_000
REQUIRED_COLUMNS = ("job_number", "customer_name", "vin", "work_category")
OPTIONAL_COLUMNS = (
    "customer_phone", "customer_email", "plate", "make", "model", "advisor_email", "appointment_at", "arrived_at",
    "greeted_at", "promised_ready_at", "ready_at", "delivered_at", "mileage", "concern", "status",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
TIME_COLUMNS = ("appointment_at", "arrived_at", "greeted_at", "promised_ready_at", "ready_at", "delivered_at")
# Times of things that have happened; an appointment or a promised ready time may lie ahead.
EVENT_COLUMNS = ("arrived_at", "greeted_at", "ready_at", "delivered_at")

S = JobStatus
# How far along a job is; arrived and in the workshop are the same step as far as the DMS's times tell.
PROGRESS = {S.BOOKED: 0, S.ARRIVED: 1, S.IN_WORKSHOP: 1, S.READY: 2, S.DELIVERED: 3}
# The time that shows a job has reached a status (the column named in messages).
STATUS_EVIDENCE = {S.ARRIVED: "arrived_at", S.IN_WORKSHOP: "arrived_at", S.READY: "ready_at",
                   S.DELIVERED: "delivered_at"}

# SQLite refuses queries with too many parameters; bulk look-ups go in slices of this size.
LOOKUP_CHUNK = 500
# User text echoed in a message is cut, so one absurd cell cannot flood the report.
ECHO_LIMIT = 40
_TIME_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


class RejectedRow(NamedTuple):
    line: int
    job_number: str
    reason: str


@dataclass
class ImportReport:
    """What an import did. ``file_error`` is set when the whole file was refused (then nothing was written)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    file_error: str | None = None

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [row._asdict() for row in self.rejected],
            "file_error": self.file_error,
        }


class DoneRow(NamedTuple):
    line: int
    job_number: str
    outcome: str  # an ImportRowOutcome
    reason: str = ""


class ImportJournal:
    """Where an import notes each row it has finished, so that a redo (the worker died, the database dropped)
    resumes after them with the right counts. This one remembers nothing: every run is a fresh run.

    ``record`` is called inside a saved row's transaction (a row and its note commit together or not at all) and
    after a rejected row's rollback; it may raise to stop the import (the row is then rolled back too).
    """

    def done(self) -> dict[int, DoneRow]:
        """The rows finished by earlier runs, by line."""
        return {}

    def record(self, *, line: int, job_number: str, outcome: str, reason: str = "") -> None:
        """Note that the row on ``line`` ended with ``outcome`` (created, updated, unchanged or rejected)."""


class FileRefused(Exception):
    """The whole file is refused; the message says why."""


class RowRejected(Exception):
    """One row is rejected; the message says why."""


# -- reading the file -------------------------------------------------------------------------------------------


def megabytes(size: int) -> str:
    """``size`` bytes in MB, rounded up, so a file just over the limit never reads as the limit itself."""
    return _("%(megabytes)s MB") % {"megabytes": formats.number_format(math.ceil(size * 10 / MEGABYTE) / 10,
                                                                       decimal_pos=1)}


def file_size_error(size: int) -> str | None:
    """The message refusing a file of ``size`` bytes, or None if the size is allowed (views check before reading)."""
    if size <= MAX_FILE_BYTES:
        return None
    return _("The file is %(size)s; the limit is %(limit)s per upload: split it.") % {
        "size": megabytes(size), "limit": megabytes(MAX_FILE_BYTES)}


def _decode(data: bytes) -> str:
    not_utf8 = _("The file is not UTF-8 text: save it as CSV UTF-8 and upload again.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(not_utf8) from error
    # UTF-16 without a byte-order mark decodes as "UTF-8" full of NUL characters.
    if "\x00" in text:
        raise FileRefused(not_utf8)
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    return text


def _sniff_delimiter(text: str) -> str:
    header_line = text.lstrip("\r\n").split("\n", 1)[0]
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _echo(value: str) -> str:
    return value if len(value) <= ECHO_LIMIT else value[:ECHO_LIMIT] + "…"


def _number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


@dataclass(frozen=True)
class _Record:
    line: int
    values: list[str]


def _read_table(text: str) -> tuple[list[str], list[_Record]]:
    """The header and the data records (with the line each starts on); blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text), strict=True)
    header: list[str] | None = None
    records: list[_Record] = []
    row_count, previous_line = 0, 0
    try:
        for values in reader:
            line, previous_line = previous_line + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue
            if header is None:
                header = values
                continue
            row_count += 1
            if row_count <= MAX_ROWS:  # beyond the limit only counted, for the message
                records.append(_Record(line, values))
    except csv.Error as error:
        raise FileRefused(_("The file could not be read as CSV from line %(line)d (%(error)s): check the quotes "
                            "on that line.") % {"line": previous_line + 1, "error": error}) from error
    if row_count > MAX_ROWS:
        raise FileRefused(_("The file has %(rows)s rows; the limit is %(limit)s per upload: split it.") % {
            "rows": _number(row_count), "limit": _number(MAX_ROWS)})
    if header is None:
        raise FileRefused(_("The file is empty."))
    if not records:
        raise FileRefused(_("The file has a header line but no rows below it."))
    return header, records


def _columns(header: list[str]) -> list[str]:
    """The header's column names, normalised; refuses missing, unknown and repeated columns, naming them."""
    columns = [cell.strip().lower() for cell in header]
    named = [column for column in columns if column]  # a trailing delimiter leaves a nameless column
    missing = [column for column in REQUIRED_COLUMNS if column not in named]
    unknown = list(dict.fromkeys(column for column in named if column not in COLUMNS))
    repeated = [column for column, count in Counter(named).items() if count > 1]
    problems = []
    if missing:
        problems.append(_("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(_("Unknown columns: %(columns)s. The columns allowed are: %(allowed)s.") % {
            "columns": ", ".join(_echo(column) for column in unknown[:10]) + ("…" if len(unknown) > 10 else ""),
            "allowed": ", ".join(COLUMNS)})
    if repeated:
        problems.append(_("These columns appear more than once: %(columns)s.") % {"columns": ", ".join(repeated)})
    if problems:
        raise FileRefused(" ".join(problems))
    return columns


# -- one row: from text to checked values -----------------------------------------------------------------------


@dataclass
class JobRow:
    """One row, checked. ``job_fields`` holds only the job's fields whose cells were filled."""

    line: int
    job_number: str
    customer_name: str
    vin: str
    phone: str = ""
    email: str = ""
    plate: str = ""
    make: str = ""
    model: str = ""
    status: str = ""  # empty: the status follows from the times
    job_fields: dict = field(default_factory=dict)

    @property
    def times(self) -> dict[str, datetime]:
        return {name: self.job_fields[name] for name in TIME_COLUMNS if name in self.job_fields}

    @property
    def sort_key(self) -> tuple:
        # Older jobs first, so a repeat repair finds the earlier job whatever order the DMS wrote.
        reference = self.job_fields.get("arrived_at") or self.job_fields.get("appointment_at")
        return (0, reference, self.line) if reference else (1, self.line)


@dataclass(frozen=True)
class _RowContext:
    zone: ZoneInfo
    now: datetime
    staff_by_email: dict

    @cached_property
    def parsers(self) -> dict:
        return _cell_parsers(self)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _text(value: str, *, limit: int | None = None, required: bool = False) -> str:
    if required and not value:
        raise ValidationError(_("Required, but empty."))
    if limit and len(value) > limit:
        raise ValidationError(_("At most %(limit)d characters; this has %(count)d.") % {
            "limit": limit, "count": len(value)})
    return value


def _choice(value: str, choices) -> str:
    key = value.lower().replace(" ", "_").replace("-", "_")
    if key not in choices.values:
        raise ValidationError(_("“%(value)s” is not one of: %(allowed)s.") % {
            "value": _echo(value), "allowed": ", ".join(choices.values)})
    return key


def _vin(value: str) -> str:
    _text(value, required=True)
    validate_vin(value)
    return normalize_vin(value)


def _phone(value: str) -> str:
    if value:
        validate_phone(value)
    return normalize_phone(value)


def _email(value: str) -> str:
    if value:
        validate_email(value)
    return _text(value, limit=_max_length(Customer, "email"))


def _mileage(value: str) -> int:
    digits = re.sub(r"[\s_]", "", value)
    if not digits.isdigit():
        raise ValidationError(_("“%(value)s” is not a whole number of kilometres.") % {"value": _echo(value)})
    mileage = int(digits)
    ServiceJob._meta.get_field("mileage").run_validators(mileage)
    return mileage


def parse_time(value: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 date and time; without an offset it is read in ``zone``. Raises ValidationError."""
    example = _("write it like 2026-03-02 09:30, 2026-03-02T09:30 or 2026-03-02T09:30+01:00")
    try:
        if not _TIME_SHAPE.match(value):
            raise ValueError(value)
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValidationError(_("“%(value)s” is not a date and time: %(example)s.") % {
            "value": _echo(value), "example": example}) from error
    if moment.tzinfo is not None:
        return moment
    local = moment.replace(tzinfo=zone)
    # A wall-clock time skipped when the clocks go forward does not survive the round trip.
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment:
        raise ValidationError(_("%(value)s does not exist in %(zone)s: the clocks changed then.") % {
            "value": _echo(value), "zone": zone.key})
    return local


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def time_order_errors(times: dict[str, datetime | None], zone: ZoneInfo) -> list[str]:
    """Why the times are out of order (greeted or ready before arrival, delivered before ready), if they are."""
    pairs = [("greeted_at", "arrived_at"), ("ready_at", "arrived_at"),
             ("delivered_at", "ready_at" if times.get("ready_at") else "arrived_at")]
    return [
        _("%(later)s (%(later_time)s) is before %(earlier)s (%(earlier_time)s).") % {
            "later": later, "later_time": _local(times[later], zone),
            "earlier": earlier, "earlier_time": _local(times[earlier], zone)}
        for later, earlier in pairs
        if times.get(later) and times.get(earlier) and times[later] < times[earlier]
    ]


def status_from_times(times: dict[str, datetime | None]) -> str:
    """The status the latest recorded time shows: delivered, ready, arrived or booked."""
    if times.get("delivered_at"):
        return S.DELIVERED
    if times.get("ready_at"):
        return S.READY
    if times.get("arrived_at") or times.get("greeted_at"):
        return S.ARRIVED
    return S.BOOKED


def status_conflict(status: str, times: dict[str, datetime | None]) -> str | None:
    """Why ``status`` contradicts the times, or None; cancelled and no-show jobs are not checked."""
    if status not in PROGRESS:
        return None
    shown = status_from_times(times)
    if PROGRESS[status] > PROGRESS[shown]:
        return _("status %(status)s needs a time in %(column)s.") % {
            "status": status, "column": STATUS_EVIDENCE[status]}
    if PROGRESS[status] < PROGRESS[shown]:
        return _("status %(status)s contradicts %(column)s, which says the job is %(shown)s.") % {
            "status": status, "column": STATUS_EVIDENCE[shown], "shown": shown}
    return None


def _cell_parsers(context: _RowContext) -> dict:
    """Per column: (attribute of JobRow or job field, parser of the stripped cell text)."""
    def optional_time(value):
        return parse_time(value, context.zone) if value else None

    def advisor(value):
        if not value:
            return None
        user = context.staff_by_email.get(value.casefold())
        if user is None:
            raise ValidationError(_("Nobody with the email %(email)s works at this dealer.") % {"email": _echo(value)})
        return user

    parsers = {
        "job_number": ("job_number", lambda v: _text(v, required=True, limit=_max_length(ServiceJob, "number"))),
        "customer_name": ("customer_name", lambda v: _text(v, required=True, limit=_max_length(Customer, "name"))),
        "vin": ("vin", _vin),
        "work_category": ("work_category", lambda v: _choice(_text(v, required=True), WorkCategory)),
        "customer_phone": ("phone", _phone),
        "customer_email": ("email", _email),
        "plate": ("plate", lambda v: _text(v, limit=_max_length(Vehicle, "plate"))),
        "make": ("make", lambda v: _text(v, limit=_max_length(Vehicle, "make"))),
        "model": ("model", lambda v: _text(v, limit=_max_length(Vehicle, "model"))),
        "advisor_email": ("advisor", advisor),
        "mileage": ("mileage", lambda v: _mileage(v) if v else None),
        "concern": ("concern", lambda v: v),
        "status": ("status", lambda v: _choice(v, JobStatus) if v else ""),
    }
    parsers.update({column: (column, optional_time) for column in TIME_COLUMNS})
    return parsers


ROW_ATTRIBUTES = {"job_number", "customer_name", "vin", "phone", "email", "plate", "make", "model", "status"}


def _cells(record: _Record, columns: list[str]) -> dict[str, str]:
    values = record.values
    # A different count, or a value under a nameless column: the row is shifted and no value can be trusted.
    nameless = [value for column, value in zip(columns, values, strict=False) if not column]
    if len(values) != len(columns) or any(value.strip() for value in nameless):
        raise RowRejected(_("This line's values do not line up with the header (%(values)d values, %(columns)d "
                            "columns): is a value with the delimiter in it missing its quotes?") % {
            "values": len(values), "columns": len(columns)})
    cells = dict.fromkeys(COLUMNS, "")  # a column the file leaves out counts as empty cells
    cells.update((column, value.strip()) for column, value in zip(columns, values, strict=True) if column)
    return cells


def parse_row(record: _Record, columns: list[str], context: _RowContext) -> JobRow:
    """Check one record's cells and how its times fit together; raises RowRejected listing every problem."""
    cells = _cells(record, columns)
    values, errors = {}, []
    for column, (name, parser) in context.parsers.items():
        try:
            values[name] = parser(cells[column])
        except ValidationError as error:
            errors.append(f"{column}: {' '.join(error.messages)}")
    if errors:
        raise RowRejected(" ".join(errors))
    row = JobRow(line=record.line, **{name: values.pop(name) for name in ROW_ATTRIBUTES})
    row.job_fields = {name: value for name, value in values.items() if value not in (None, "")}
    errors = _future_errors(row, context) + time_order_errors(row.times, context.zone)
    conflict = status_conflict(row.status, row.times) if row.status else None
    if conflict:
        errors.append(conflict)
    if errors:
        raise RowRejected(" ".join(errors))
    return row


def _future_errors(row: JobRow, context: _RowContext) -> list[str]:
    return [_("%(column)s (%(time)s) is in the future.") % {"column": column,
                                                           "time": _local(row.job_fields[column], context.zone)}
            for column in EVENT_COLUMNS
            if column in row.job_fields and row.job_fields[column] > context.now + CLOCK_SKEW]


# -- the dealer's existing rows ---------------------------------------------------------------------------------


def _chunks(values: set[str], size: int = LOOKUP_CHUNK) -> Iterable[list[str]]:
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def staff_by_email(dealer: Dealer) -> dict:
    """The users with an active membership at ``dealer``, by lower-cased email (the advisors a row may name)."""
    memberships = Membership.objects.filter(dealer=dealer, is_active=True, user__is_active=True).select_related("user")
    return {membership.user.email.casefold(): membership.user for membership in memberships}


class _DealerBook:
    """The dealer's jobs, vehicles and customers that the rows name, loaded in a few queries and kept current.

    Every query filters by the dealer as well as the scope: an API caller's scope may cover a whole network.
    """

    def __init__(self, dealer: Dealer, rows: list[JobRow]):
        self.dealer = dealer
        self.jobs: dict[str, ServiceJob] = {}
        self.vehicles: dict[str, Vehicle] = {}
        self.customers_by_phone: dict[str, Customer] = {}
        self.customers_by_name: dict[str, Customer] = {}
        self._load_jobs({row.job_number for row in rows})
        self._load_vehicles({row.vin for row in rows})
        self._load_customers(phones={row.phone for row in rows if row.phone},
                             names={row.customer_name for row in rows if not row.phone})

    def _load_jobs(self, numbers: set[str]) -> None:
        for chunk in _chunks(numbers):
            for job in ServiceJob.objects.filter(dealer=self.dealer, number__in=chunk):
                job.dealer = self.dealer  # promise checks read the dealer's zone; spares a query per job
                self.jobs[job.number] = job

    def _load_vehicles(self, vins: set[str]) -> None:
        for chunk in _chunks(vins):
            for vehicle in Vehicle.objects.filter(dealer=self.dealer, vin__in=chunk).select_related("customer"):
                self.vehicles[vehicle.vin] = vehicle

    def _load_customers(self, *, phones: set[str], names: set[str]) -> None:
        # Oldest first, and the first one wins: the customer the dealer has used longest.
        for chunk in _chunks(phones):
            for customer in Customer.objects.filter(dealer=self.dealer, phone__in=chunk).order_by("pk"):
                self.customers_by_phone.setdefault(customer.phone, customer)
        for chunk in _chunks(names):
            for customer in Customer.objects.filter(dealer=self.dealer, name__in=chunk).order_by("pk"):
                self.customers_by_name.setdefault(customer.name, customer)

    def customer_for(self, row: JobRow) -> Customer | None:
        if row.phone:
            return self.customers_by_phone.get(row.phone)
        return self.customers_by_name.get(row.customer_name)

    def remember(self, *, customer: Customer, vehicle: Vehicle) -> None:
        """Note a saved row's customer and vehicle (only once its transaction committed: never a rolled-back one)."""
        if customer.phone:
            self.customers_by_phone.setdefault(customer.phone, customer)
        self.customers_by_name.setdefault(customer.name, customer)
        self.vehicles[vehicle.vin] = vehicle


# -- one row: saving --------------------------------------------------------------------------------------------

CREATED, UPDATED, UNCHANGED, REJECTED = (str(outcome) for outcome in ImportRowOutcome)  # ImportReport's fields


def _same_name(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def _who(customer: Customer) -> str:
    return f"{customer.name} ({customer.phone})" if customer.phone else customer.name


# The DMS's column for each field the customer services may refuse.
SERVICE_FIELD_COLUMNS = {"name": "customer_name", "phone": "customer_phone", "email": "customer_email"}


def _rejection(error: ValidationError) -> RowRejected:
    if not hasattr(error, "error_dict"):
        return RowRejected(" ".join(error.messages))
    return RowRejected(" ".join(
        f"{SERVICE_FIELD_COLUMNS.get(name, name)}: {' '.join(ValidationError(messages).messages)}"
        for name, messages in error.error_dict.items()))


def _customer_and_vehicle(row: JobRow, book: _DealerBook, dealer: Dealer) -> tuple[Customer, Vehicle]:
    """The row's vehicle (by VIN) and its owner, creating either if missing (through the customer services).

    Never two people in one: a phone number that is another person's (another name), or a VIN whose owner is not
    the row's customer, rejects the row and says who holds it. Writes new rows only.
    """
    by_phone = book.customers_by_phone.get(row.phone) if row.phone else None
    if by_phone is not None and not _same_name(by_phone.name, row.customer_name):
        raise RowRejected(_("customer_phone: at this dealer %(phone)s is the phone of %(owner)s, not of %(name)s: "
                            "correct the name or the phone in the file, or the customer in the portal.") % {
            "phone": row.phone, "owner": by_phone.name, "name": _echo(row.customer_name)})
    vehicle = book.vehicles.get(row.vin)
    if vehicle is not None:
        owner = vehicle.customer
        if not _same_name(owner.name, row.customer_name):
            raise RowRejected(_("vin: at this dealer the vehicle %(vin)s belongs to %(owner)s, not to %(name)s.") % {
                "vin": row.vin, "owner": owner.name, "name": _echo(row.customer_name)})
        if by_phone is not None and by_phone.pk != owner.pk:
            raise RowRejected(_("vin: at this dealer the vehicle %(vin)s belongs to %(owner)s, not to the customer "
                                "with the phone %(phone)s.") % {"vin": row.vin, "owner": _who(owner),
                                                                 "phone": row.phone})
        return owner, vehicle
    customer = by_phone if row.phone else book.customers_by_name.get(row.customer_name)
    try:
        if customer is None:
            customer = customer_create(dealer=dealer, name=row.customer_name, phone=row.phone, email=row.email)
        vehicle = vehicle_create(dealer=dealer, customer=customer, vin=row.vin, plate=row.plate, make=row.make,
                                 model=row.model)
    except ValidationError as error:  # saved by someone else since the book was read
        raise _rejection(error) from error
    return customer, vehicle


def _differs(job: ServiceJob, name: str, value) -> bool:
    model_field = ServiceJob._meta.get_field(name)
    if model_field.is_relation:  # compare ids: reading job.customer would cost a query per row
        return getattr(job, model_field.attname) != (value.pk if value is not None else None)
    return getattr(job, name) != value


def _create_job(row: JobRow, customer: Customer, vehicle: Vehicle, *, dealer: Dealer, policy: PromisePolicy,
                vehicle_is_new: bool) -> ServiceJob:
    job = ServiceJob(dealer=dealer, number=row.job_number, customer=customer, vehicle=vehicle, **row.job_fields)
    job.status = row.status or status_from_times(row.times)
    job.original_promised_ready_at = job.promised_ready_at
    # A vehicle created by this very row has no earlier job to repeat: spares a query on a first import.
    job.repeat_of = None if vehicle_is_new else find_repeat_of(job, policy=policy)
    job.save()
    job_change_record(job=job, policy=policy, was_delivered=False)
    if job.repeat_of is not None:
        job_promises_refresh(job.repeat_of, policy=policy)  # its promise 6 is now broken
    return job


def _next_status(job: ServiceJob, row: JobRow, times: dict) -> str:
    if row.status:
        return row.status
    shown = status_from_times(times)
    # Without a status the times only move a job forward; a cancelled or no-show job stays as it is.
    if job.status in PROGRESS and PROGRESS[shown] > PROGRESS[job.status]:
        return shown
    return job.status


def _update_job(job: ServiceJob, row: JobRow, customer: Customer, vehicle: Vehicle, *, dealer: Dealer,
                policy: PromisePolicy) -> str:
    wanted = {"customer": customer, "vehicle": vehicle, **row.job_fields}
    changes = {name: value for name, value in wanted.items() if _differs(job, name, value)}
    times = {name: changes.get(name, getattr(job, name)) for name in TIME_COLUMNS}
    problems = time_order_errors(times, dealer.zone)
    conflict = status_conflict(row.status, times) if row.status else None
    if problems or conflict:
        raise RowRejected(_("With what is already stored for this job: %(problems)s") % {
            "problems": " ".join([*problems, *([conflict] if conflict else [])])})
    status = _next_status(job, row, times)
    if status != job.status:
        changes["status"] = status
    if job.original_promised_ready_at is None and times["promised_ready_at"] is not None:
        changes["original_promised_ready_at"] = times["promised_ready_at"]
    if not changes:
        return UNCHANGED
    was_delivered = is_delivered(job)
    for name, value in changes.items():
        setattr(job, name, value)
    job.save(update_fields=[*changes, "updated_at"])
    job_change_record(job=job, policy=policy, was_delivered=was_delivered)
    return UPDATED


def _save_row(row: JobRow, book: _DealerBook, *, dealer: Dealer, policy: PromisePolicy,
              journal: ImportJournal) -> str:
    """Save one row in its own transaction, noted in ``journal`` in that transaction; returns created, updated
    or unchanged. Raises RowRejected."""
    job = book.jobs.get(row.job_number)
    vehicle_is_new = row.vin not in book.vehicles
    try:
        with transaction.atomic():
            customer, vehicle = _customer_and_vehicle(row, book, dealer)
            if job is None:
                _create_job(row, customer, vehicle, dealer=dealer, policy=policy, vehicle_is_new=vehicle_is_new)
                outcome = CREATED
            else:
                outcome = _update_job(job, row, customer, vehicle, dealer=dealer, policy=policy)
            journal.record(line=row.line, job_number=row.job_number, outcome=outcome)
    except IntegrityError as error:
        # Another upload or a person saved the same job number or VIN in the meantime.
        logger.warning("jobs import: line %s at dealer %s clashed: %s", row.line, dealer.code, error)
        raise RowRejected(_("This row clashed with a change saved at the same moment: upload the file "
                            "again.")) from error
    book.remember(customer=customer, vehicle=vehicle)
    return outcome


# -- the whole import -------------------------------------------------------------------------------------------


def _parse_records(records: list[_Record], columns: list[str], context: _RowContext,
                   report: ImportReport) -> list[JobRow]:
    """The rows that passed their checks; the others go to the report. A repeated job number loses."""
    number_column = columns.index("job_number")
    first_line_of: dict[str, int] = {}
    rows = []
    for record in records:
        number = record.values[number_column].strip() if len(record.values) > number_column else ""
        try:
            if number in first_line_of:
                raise RowRejected(_("job_number: %(number)s is already on line %(line)d of this file.") % {
                    "number": _echo(number), "line": first_line_of[number]})
            if number:
                first_line_of[number] = record.line
            rows.append(parse_row(record, columns, context))
        except RowRejected as rejection:
            report.rejected.append(RejectedRow(record.line, number, str(rejection)))
    return rows


def _refuse_outside_scope(dealer: Dealer) -> None:
    # Writes set dealer=... directly; without this a caller in the wrong scope could write blind.
    if not Dealer.objects.filter(pk=dealer.pk).exists():
        raise PermissionDenied(_("The dealer is outside the current tenant scope."))


def jobs_import_file_error(data: bytes) -> str | None:
    """What refuses the whole file (size, encoding, columns, number of rows), found without writing anything."""
    try:
        if (size_error := file_size_error(len(data))) is not None:
            raise FileRefused(size_error)
        header, _records = _read_table(_decode(data))
        _columns(header)
    except FileRefused as refusal:
        return str(refusal)
    return None


def jobs_import_row_count(data: bytes) -> int:
    """How many data rows a file that passed ``jobs_import_file_error`` has."""
    return len(_read_table(_decode(data))[1])


def jobs_import_csv(*, dealer: Dealer, data: bytes, by=None, journal: ImportJournal | None = None) -> ImportReport:
    """Import service jobs from a DMS CSV export into ``dealer``, each row in its own transaction.

    With a ``journal``, the rows it says are done are not saved again: their outcomes from the earlier run go
    into the report, so a resumed import reports each row once, as it was first saved.

    Side effects: creates or updates the dealer's customers, vehicles, service jobs and their promise checks; a
    job arriving delivered (new, or moved to delivered) is announced as a handover is (``job_change_record``:
    its follow-up call), in the row's transaction; ``by`` (the uploader) is logged. Runs in the caller's tenant
    scope, which must include ``dealer``.
    """
    _refuse_outside_scope(dealer)
    report = ImportReport()
    try:
        if (size_error := file_size_error(len(data))) is not None:
            raise FileRefused(size_error)
        header, records = _read_table(_decode(data))
        columns = _columns(header)
    except FileRefused as refusal:
        report.file_error = str(refusal)
        return report
    context = _RowContext(zone=dealer.zone, now=timezone.now(), staff_by_email=staff_by_email(dealer))
    journal = journal or ImportJournal()
    done = journal.done()
    rows = _parse_records(records, columns, context, report)
    # A row finished by an earlier run keeps that run's outcome (a row it saved would now read as unchanged).
    report.rejected = [rejected for rejected in report.rejected if rejected.line not in done]
    for rejected in report.rejected:
        journal.record(line=rejected.line, job_number=rejected.job_number, outcome=REJECTED, reason=rejected.reason)
    for finished in done.values():
        if finished.outcome == REJECTED:
            report.rejected.append(RejectedRow(finished.line, finished.job_number, finished.reason))
        else:
            setattr(report, finished.outcome, getattr(report, finished.outcome) + 1)
    rows = [row for row in rows if row.line not in done]
    book = _DealerBook(dealer, rows)
    policy = PromisePolicy.objects.for_network(dealer.network)
    for row in sorted(rows, key=lambda row: row.sort_key):
        try:
            outcome = _save_row(row, book, dealer=dealer, policy=policy, journal=journal)
        except RowRejected as rejection:
            report.rejected.append(RejectedRow(row.line, row.job_number, str(rejection)))
            journal.record(line=row.line, job_number=row.job_number, outcome=REJECTED, reason=str(rejection))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    report.rejected.sort()
    logger.info("jobs import at dealer %s by user %s: %s created, %s updated, %s unchanged, %s rejected",
                dealer.code, getattr(by, "pk", None), report.created, report.updated, report.unchanged,
                len(report.rejected))
    return report
