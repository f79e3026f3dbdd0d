"""Reads on customers. Every query runs in the caller's tenant scope through the models' manager."""

from django.db.models import Count, Q, QuerySet

from .models import Customer, Vehicle
from .validators import normalize_phone, normalize_vin


def customer_search(*, query: str = "") -> QuerySet[Customer]:
    """Customers by name, phone, plate or VIN (the ways a person at the counter identifies themselves)."""
    customers = Customer.objects.annotate(vehicle_count=Count("vehicles")).order_by("name")
    query = query.strip()
    if not query:
        return customers
    condition = Q(name__icontains=query) | Q(email__iexact=query)
    phone = normalize_phone(query)
    if phone.lstrip("+").isdigit() and len(phone) >= 4:
        condition |= Q(phone__contains=phone) | Q(phone_alt__contains=phone)
    condition |= Q(vehicles__in=Vehicle.objects.filter(
        Q(plate__iexact=query.replace(" ", "")) | Q(vin=normalize_vin(query))))
    return customers.filter(condition).distinct()
