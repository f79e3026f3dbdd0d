"""Scoring data built through the services: a small POE checklist, submitted assessments, published rankings."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F
from django.utils import timezone

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from scoring.models import ChecklistItem
from scoring.services import (
    assessment_score,
    assessment_start,
    assessment_submit,
    checklist_import,
    ranking_publish,
)
from servicejobs import services as job_services
from servicejobs.models import PromiseCheck, ServiceJob
from tests import factories
from tests.servicejobs.test_steps import walk_to

NETWORK_ZONE = ZoneInfo("America/Mexico_City")  # the test network's (and its dealers' clocks agree with it)
JOB_TIMES = ["appointment_at", "arrived_at", "greeted_at", "walkaround_at", "work_explained_at",
             "original_promised_ready_at", "promised_ready_at", "work_started_at", "ready_at", "delivered_at"]


def last_month() -> date:
    """Last month in the network's calendar, not UTC's: at 21:00 on the 31st in Mexico it is the 1st in UTC."""
    return (timezone.localdate(timezone=NETWORK_ZONE).replace(day=1) - timedelta(days=1)).replace(day=1)


def delivered_job(dealer, advisor, *, number, shift: timedelta, kept_greeting: bool = True) -> ServiceJob:
    """A job walked to handover now, then moved back by ``shift`` (into last month)."""
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
    with tenant_scope(TenantScope.for_dealer(dealer)):
        job = job_services.job_create(dealer=dealer, number=number, customer=vehicle.customer, vehicle=vehicle,
                                      advisor=advisor, work_category="maintenance",
                                      appointment_at=timezone.now() - timedelta(minutes=5))
        job = walk_to(job, "handover")
    with unscoped():
        ServiceJob.objects.filter(pk=job.pk).update(**{name: F(name) - shift for name in JOB_TIMES})
        if not kept_greeting:
            PromiseCheck.objects.filter(job=job, number=1).update(status="broken")
    return job


@pytest.fixture
def last_month_shift():
    """From now to noon on the 15th of last month (network time), whatever today is."""
    return timezone.now() - datetime.combine(last_month().replace(day=15), time(12), tzinfo=NETWORK_ZONE)

SMALL_POE = {"code": "poe", "kind": "poe", "name": "POE", "sections": [
    {"code": "SP", "title": "Service process", "items": [{"code": "SP.1", "text": "a", "max_points": 10},
                                                         {"code": "SP.2", "text": "b", "max_points": 5}]},
    {"code": "SI", "title": "Stock inventory", "items": [{"code": "SI.1", "text": "c", "max_points": 10}]},
]}


@pytest.fixture
def small_poe(network):
    """A three-item POE checklist of ``network`` (SP.1 max 10, SP.2 max 5, SI.1 max 10)."""
    with tenant_scope(TenantScope.for_network(network.pk)):
        return checklist_import(network=network, data=SMALL_POE)


@pytest.fixture
def submitted_poe(small_poe, hq):
    """``submitted_poe(dealer, month, {"SP.1": 8, "SP.2": None, "SI.1": 5})``: an HQ POE assessment, submitted.

    ``None`` marks the item not applicable.
    """

    def make(dealer, month: date, points: dict):
        with tenant_scope(TenantScope.for_network(dealer.network_id)):
            items = {item.code: item for item in ChecklistItem.objects.filter(section__template=small_poe)}
            assessment = assessment_start(dealer=dealer, template=small_poe, month=month, by=hq)
            for code, value in points.items():
                assessment_score(assessment=assessment, item=items[code], points=value,
                                 not_applicable=value is None)
            return assessment_submit(assessment=assessment, by=hq)

    return make


@pytest.fixture
def publish(network):
    """``publish(month, **kwargs)``: publish the network's ranking of ``month`` (a date) as the beat task does."""

    def make(month: date, **kwargs):
        with tenant_scope(TenantScope.for_network(network.pk)):
            return ranking_publish(network=network, month=month, **kwargs)

    return make
