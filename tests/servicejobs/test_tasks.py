"""Beat refreshes open jobs' promises, since the clock alone can break one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dealer_portal.tenancy.scoping import unscoped
from servicejobs.models import PromiseCheck, ServiceJob
from servicejobs.tasks import open_jobs_promises_refresh_all
from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db


def test_a_car_not_ready_by_its_promised_time_turns_promise_five_broken(in_dealer, make_job, foreign_dealer):
    job = walk_to(make_job(), "start_work")
    assert PromiseCheck.objects.get(job=job, number=5).status == "pending"
    with unscoped():
        ServiceJob.objects.filter(pk=job.pk).update(promised_ready_at=timezone.now() - timedelta(minutes=30))
    assert open_jobs_promises_refresh_all() == 2  # one task per active dealer, both networks
    check = PromiseCheck.objects.get(job=job, number=5)
    assert check.status == "broken"
    assert check.reason.startswith("Not ready at the promised")
    assert open_jobs_promises_refresh_all() == 2
    assert PromiseCheck.objects.filter(job=job).count() == 9  # twice changes nothing more
