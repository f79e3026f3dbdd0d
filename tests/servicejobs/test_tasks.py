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


def test_an_upload_is_imported_once_even_if_the_task_arrives_twice(in_dealer, dealer, advisor):
    from servicejobs.models import JobImport
    from servicejobs.services import job_import_run, job_import_start

    data = b"job_number,customer_name,vin,work_category\nRO-Q-1,Ana,3AUXY2K70PN000101,repair\n"
    job_import = job_import_start(dealer=dealer, data=data, file_name="dms.csv", by=advisor)  # not committed yet
    first = job_import_run(job_import_id=job_import.pk)
    assert (first.status, first.created, bytes(first.data)) == ("done", 1, b"")
    assert job_import_run(job_import_id=job_import.pk) is None
    assert JobImport.objects.get(pk=job_import.pk).created == 1


def test_an_import_abandoned_by_a_dead_worker_is_taken_over_later(in_dealer, dealer, advisor):
    from servicejobs.models import JobImport
    from servicejobs.services import job_import_run, job_import_start

    data = b"job_number,customer_name,vin,work_category\nRO-Q-1,Ana,3AUXY2K70PN000101,repair\n"
    job_import = job_import_start(dealer=dealer, data=data, file_name="dms.csv", by=advisor)
    JobImport.objects.filter(pk=job_import.pk).update(status="running", claimed_by="dead-task",
                                                      heartbeat_at=timezone.now())
    assert job_import_run(job_import_id=job_import.pk, owner="another-task") is None  # someone is on it
    JobImport.objects.filter(pk=job_import.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert job_import_run(job_import_id=job_import.pk, owner="another-task").status == "done"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_refresh_skips_a_job_a_handover_holds_instead_of_waiting_for_it_or_deadlocking(dealer, make_job):
    import threading

    from django.db import connection, connections, transaction

    from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
    from servicejobs.tasks import open_jobs_promises_refresh

    with tenant_scope(TenantScope.for_dealer(dealer)):
        held, other = walk_to(make_job(), "start_work"), walk_to(make_job(), "start_work")
    with unscoped():
        ServiceJob.objects.update(promised_ready_at=timezone.now() - timedelta(minutes=30))
    locked, release, done = threading.Event(), threading.Event(), threading.Event()

    def handover_in_progress():  # another request holds the job's row, as job_step does, until released
        try:
            with unscoped(), transaction.atomic():
                ServiceJob.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(timeout=60)
        finally:
            connections.close_all()
            done.set()

    thread = threading.Thread(target=handover_in_progress)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '10s'")  # were it to wait, the test fails instead of hanging
        assert open_jobs_promises_refresh(dealer.pk) == 1  # the other job only
        with unscoped():
            assert PromiseCheck.objects.get(job=other, number=5).status == "broken"
            assert PromiseCheck.objects.get(job=held, number=5).status == "pending"  # its writer's to refresh
    finally:
        release.set()
        thread.join(timeout=30)
    assert open_jobs_promises_refresh(dealer.pk) == 2
    with unscoped():
        assert PromiseCheck.objects.get(job=held, number=5).status == "broken"
