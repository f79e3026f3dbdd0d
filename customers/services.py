"""Writes on customers and vehicles. The pages, the API, the job booking of a new customer and the DMS import all
call these, so a customer or a car is checked the same way whichever door it comes through.

A phone number and a VIN each identify one customer at a dealer: another customer's phone or VIN is refused with
an error on that field, never merged. Every service runs in its own transaction (or the caller's).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Customer, Vehicle
from .validators import normalize_phone, normalize_vin

CUSTOMER_FIELDS = ("name", "phone", "phone_alt", "email", "language", "contact_consent", "do_not_contact",
                   "do_not_contact_reason")
VEHICLE_FIELDS = ("customer", "vin", "plate", "make", "model", "handover_date")
# No car on any dealer's books was handed over new before this; an earlier date is a typing slip.
EARLIEST_HANDOVER_DATE = date(1900, 1, 1)


def _refuse_unknown(changes: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"Not an editable field: {', '.join(sorted(unknown))}")


def phone_holder(*, dealer, phone: str, excluding: Customer | None = None) -> Customer | None:
    """The dealer's (oldest) customer with this phone number, other than ``excluding``; None for an empty one."""
    phone = normalize_phone(phone)
    if not phone:
        return None
    holders = Customer.objects.filter(dealer=dealer, phone=phone)
    if excluding is not None and excluding.pk is not None:
        holders = holders.exclude(pk=excluding.pk)
    return holders.order_by("pk").first()


def vin_holder(*, dealer, vin: str, excluding: Vehicle | None = None) -> Vehicle | None:
    """The dealer's vehicle with this VIN (with its owner), other than ``excluding``."""
    vehicles = Vehicle.objects.select_related("customer").filter(dealer=dealer, vin=normalize_vin(vin))
    if excluding is not None and excluding.pk is not None:
        vehicles = vehicles.exclude(pk=excluding.pk)
    return vehicles.first()


def _vin_taken_message() -> str:
    return str(Vehicle._meta.get_constraint("vehicle_vin_unique_per_dealer").violation_error_message)


def _customer_save(customer: Customer, *, creating: bool) -> Customer:
    customer.name = customer.name.strip()
    customer.phone, customer.phone_alt = normalize_phone(customer.phone), normalize_phone(customer.phone_alt)
    errors = {}
    try:
        customer.full_clean(exclude=["dealer"])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    holder = phone_holder(dealer=customer.dealer, phone=customer.phone, excluding=customer)
    if holder is not None and "phone" not in errors:
        message = (_("At this dealer %(phone)s is already the phone of %(name)s: find them instead of adding them "
                     "again.") if creating else _("At this dealer %(phone)s is already the phone of %(name)s."))
        errors["phone"] = [message % {"phone": customer.phone, "name": holder.name}]
    if errors:
        raise ValidationError(errors)
    customer.save()
    return customer


@transaction.atomic
def customer_create(*, dealer, name: str, phone: str = "", phone_alt: str = "", email: str = "",
                    language: str | None = None, contact_consent: bool = True, do_not_contact: bool = False,
                    do_not_contact_reason: str = "") -> Customer:
    """Add a customer to ``dealer``; refuses (as field errors) what the model refuses and a phone number that is
    already another customer's at the dealer. Without ``language`` the customer gets the network's default
    language. Side effects: the Customer row."""
    customer = Customer(dealer=dealer, name=name, phone=phone, phone_alt=phone_alt, email=email,
                        language=language or dealer.network.default_language, contact_consent=contact_consent,
                        do_not_contact=do_not_contact, do_not_contact_reason=do_not_contact_reason)
    return _customer_save(customer, creating=True)


@transaction.atomic
def customer_update(*, customer: Customer, **changes) -> Customer:
    """Change the given fields of ``customer`` (any of ``CUSTOMER_FIELDS``), checked as ``customer_create`` checks
    them, on the row locked for update. Side effects: the Customer row."""
    _refuse_unknown(changes, CUSTOMER_FIELDS)
    customer = Customer.objects.select_for_update(of=("self",)).select_related("dealer").get(pk=customer.pk)
    for name, value in changes.items():
        setattr(customer, name, value)
    return _customer_save(customer, creating=False)


def _vehicle_save(vehicle: Vehicle) -> Vehicle:
    vehicle.vin = normalize_vin(vehicle.vin)
    vehicle.plate = (vehicle.plate or "").upper().strip()
    errors = {}
    try:
        vehicle.full_clean(exclude=["dealer"], validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if vehicle.handover_date is not None and "handover_date" not in errors:
        today = timezone.localdate(timezone=vehicle.dealer.zone)
        if vehicle.handover_date > today:
            errors["handover_date"] = [_("A handover date cannot be in the future.")]
        elif vehicle.handover_date < EARLIEST_HANDOVER_DATE:
            errors["handover_date"] = [_("Check the year: a handover date before %(year)d is not plausible.")
                                       % {"year": EARLIEST_HANDOVER_DATE.year}]
    if "vin" not in errors and vin_holder(dealer=vehicle.dealer, vin=vehicle.vin, excluding=vehicle) is not None:
        errors["vin"] = [_vin_taken_message()]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            vehicle.save()
    except IntegrityError as error:  # the same VIN saved at the same moment by someone else
        raise ValidationError({"vin": _vin_taken_message()}) from error
    return vehicle


@transaction.atomic
def vehicle_create(*, dealer, customer: Customer, vin: str, plate: str = "", make: str = "", model: str = "",
                   handover_date: date | None = None) -> Vehicle:
    """Add ``customer``'s car to ``dealer``; refuses (as field errors) what the model refuses, another dealer's
    customer, a VIN already at the dealer and an implausible handover date. Side effects: the Vehicle row."""
    vehicle = Vehicle(dealer=dealer, customer=customer, vin=vin, plate=plate, make=make, model=model,
                      handover_date=handover_date)
    return _vehicle_save(vehicle)


@transaction.atomic
def vehicle_update(*, vehicle: Vehicle, **changes) -> Vehicle:
    """Change the given fields of ``vehicle`` (any of ``VEHICLE_FIELDS``; a new ``customer`` moves the car to them),
    checked as ``vehicle_create`` checks them, on the row locked for update. Side effects: the Vehicle row."""
    _refuse_unknown(changes, VEHICLE_FIELDS)
    vehicle = Vehicle.objects.select_for_update(of=("self",)).select_related("dealer", "customer").get(pk=vehicle.pk)
    for name, value in changes.items():
        setattr(vehicle, name, value)
    return _vehicle_save(vehicle)
