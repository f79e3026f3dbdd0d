"""The service-job rules: each pure function and its SQL twin give the same answer on the same rows, and every
page that shows the rule uses it (the board's count, the card's mark and promise 5)."""

from datetime import timedelta
from itertools import product

import pytest
from django.urls import reverse
from django.utils import timezone

from dealer_portal.tenancy.scoping import unscoped
from servicejobs.models import JobStatus, PromiseCheck, PromisePolicy, ServiceJob
from servicejobs.rules import delivered_q, is_delivered, is_late, late_q
from servicejobs.services import job_promises_refresh
from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db


def every_kind_of_job(make_job, now):
    """One job for each status × ready time recorded or not × promised time (none, passed, within the
    tolerance, ahead) × handover time recorded or not."""
    promised_times = [None, now - timedelta(hours=1), now - timedelta(minutes=5), now - timedelta(minutes=15),
                      now + timedelta(hours=1)]
    jobs = []
    for status, ready, promised, delivered in product(JobStatus.values, (None, now - timedelta(minutes=30)),
                                                      promised_times, (None, now - timedelta(minutes=10))):
        job = make_job()
        ServiceJob.objects.filter(pk=job.pk).update(status=status, ready_at=ready, promised_ready_at=promised,
                                                    delivered_at=delivered)
        jobs.append(job)
    return list(ServiceJob.objects.filter(pk__in=[job.pk for job in jobs]))


def test_late_and_its_queryset_agree_on_every_kind_of_job(in_dealer, make_job):
    now = timezone.now()
    jobs = every_kind_of_job(make_job, now)
    for tolerance in (timedelta(0), timedelta(minutes=10), timedelta(minutes=15)):
        in_python = {job.pk for job in jobs if is_late(job, now=now, tolerance=tolerance)}
        in_sql = set(ServiceJob.objects.filter(late_q(now=now, tolerance=tolerance)).values_list("pk", flat=True))
        assert in_python == in_sql, tolerance
        assert in_python  # the rows cover late jobs, not only punctual ones


def test_delivered_and_its_queryset_agree_on_every_kind_of_job(in_dealer, make_job):
    jobs = every_kind_of_job(make_job, timezone.now())
    in_python = {job.pk for job in jobs if is_delivered(job)}
    in_sql = set(ServiceJob.objects.filter(delivered_q()).values_list("pk", flat=True))
    assert in_python == in_sql and in_python


def test_a_job_within_the_networks_ready_tolerance_is_not_late_on_the_board(client, advisor, dealer, make_job,
                                                                          in_dealer):
    PromisePolicy.objects.create(network=dealer.network, ready_tolerance_minutes=15)
    within = walk_to(make_job(), "start_work")
    beyond = walk_to(make_job(), "start_work")
    now = timezone.now()
    ServiceJob.objects.filter(pk=within.pk).update(promised_ready_at=now - timedelta(minutes=5))
    ServiceJob.objects.filter(pk=beyond.pk).update(promised_ready_at=now - timedelta(minutes=20))
    for job in (within, beyond):
        job_promises_refresh(ServiceJob.objects.get(pk=job.pk))
    client.force_login(advisor)

    page = client.get(reverse("job_board", args=[dealer.network.slug, dealer.code])).content.decode()

    card = page[page.index(f'data-job="{within.number}"'):]
    card = card[:card.index("</article>")]
    assert 'data-testid="late"' not in card and "border-danger" not in card
    assert page.count('data-testid="late"') == 1 and "1 late" in page
    with unscoped():
        assert PromiseCheck.objects.get(job=within, number=5).status == "pending"
        assert PromiseCheck.objects.get(job=beyond, number=5).status == "broken"


def test_a_car_handed_over_is_never_late(client, advisor, dealer, make_job, in_dealer):
    """A DMS import may record a handover without a ready time: the car is gone, not late."""
    job = walk_to(make_job(), "handover")
    ServiceJob.objects.filter(pk=job.pk).update(ready_at=None, promised_ready_at=timezone.now() - timedelta(hours=1))
    client.force_login(advisor)
    page = client.get(reverse("job_board", args=[dealer.network.slug, dealer.code])).content.decode()
    assert f'data-job="{job.number}"' in page
    assert "border-danger" not in page
