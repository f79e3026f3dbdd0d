from datetime import timedelta

import pytest
from django.utils import timezone

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
from servicejobs import services
from tests import factories


@pytest.fixture
def in_dealer(dealer):
    """Run the test body inside ``dealer``'s scope and time zone, as a request at that dealer does."""
    with tenant_scope(TenantScope.for_dealer(dealer)), timezone.override(dealer.zone):
        yield dealer


@pytest.fixture
def make_job(dealer, advisor):
    """``make_job(**fields)``: a booked job at ``dealer`` with a new customer and car."""
    counter = iter(range(1, 10_000))

    def make(appointment_in=timedelta(minutes=-30), **fields):
        vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
        with tenant_scope(TenantScope.for_dealer(dealer)):
            return services.job_create(
                dealer=dealer, number=fields.pop("number", f"RO-T-{next(counter):04d}"), customer=vehicle.customer,
                vehicle=vehicle, advisor=advisor, work_category=fields.pop("work_category", "maintenance"),
                appointment_at=fields.pop("appointment_at", timezone.now() + appointment_in), **fields)

    return make
