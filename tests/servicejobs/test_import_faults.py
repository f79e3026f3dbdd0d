"""Fault tests with real processes: a Celery worker SIGKILLed mid-import, its database connection terminated
mid-task, the broker stopped at upload. Each checks what the user is told and that the rows end up imported
exactly once. They need PostgreSQL and Redis (redis-server on the PATH): CI runs them; a laptop skips them.

Each test starts its own redis-server on a free port (so stopping it touches nobody else) and its own worker
processes on this test's database; everything is stopped when the test ends.
"""

import shutil
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dealer_portal.errors import BackgroundUnavailable
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from servicejobs import services
from servicejobs.models import JobImport, PromiseCheck, ServiceJob
from tests.background import celery_through, own_redis, wait_for, worker

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server on the PATH"),
    pytest.mark.django_db(transaction=True),  # the worker process must see the rows: they are committed
]

HEADER = "job_number,customer_name,vin,work_category,customer_phone"
# Large enough that the worker is still importing when it is killed, even on a fast machine.
ROWS = 600
# Bounds for a loaded 2-core machine; a healthy run needs a fraction of them.
STARTS = 120
IMPORT_TIMEOUT = 420


def dms_file(rows: int) -> bytes:
    lines = [HEADER] + [f"RO-F-{n:05d},Cliente {n},3AUXY2K70PN{n:06d},maintenance,+52 81 {10000 + n} {20000 + n}"
                        for n in range(1, rows + 1)]
    return ("\n".join(lines) + "\n").encode()


def stored(pk: int) -> JobImport:
    with unscoped():
        return JobImport.objects.get(pk=pk)


def progressing(pk: int, rows: int):
    """The import once its worker has saved at least ``rows`` rows (its heartbeat says so), else None."""
    job_import = stored(pk)
    return job_import if job_import.status == "running" and job_import.rows_done >= rows else None


def finished(pk: int):
    job_import = stored(pk)
    return job_import if job_import.status in ("done", "failed") else None


def all_imports() -> list[int]:
    with unscoped():
        return list(JobImport.objects.order_by("pk").values_list("pk", flat=True))


def upload(dealer, advisor, data: bytes) -> JobImport:
    with tenant_scope(TenantScope.for_dealer(dealer)):
        return services.job_import_start(dealer=dealer, data=data, file_name="dms.csv", by=advisor)


def assert_imported_once(dealer, job_import: JobImport, rows: int) -> None:
    assert (job_import.status, job_import.failure_reason) == ("done", "")
    assert (job_import.created, job_import.updated, job_import.unchanged, job_import.rejected) == (rows, 0, 0, [])
    with unscoped():
        numbers = list(ServiceJob.objects.filter(dealer=dealer).values_list("number", flat=True))
        assert PromiseCheck.objects.filter(job__dealer=dealer).count() == 9 * rows
    assert len(numbers) == len(set(numbers)) == rows  # every row once, no duplicate job


def test_a_worker_killed_mid_import_is_replaced_and_the_import_finishes_exactly_once(client, dealer, advisor,
                                                                                    tmp_path):
    client.force_login(advisor)
    with own_redis() as redis, celery_through(redis.url):
        job_import = upload(dealer, advisor, dms_file(ROWS))
        with worker(redis.url, tmp_path / "killed-worker.log") as first:
            wait_for(lambda: progressing(job_import.pk, 50), timeout=STARTS + IMPORT_TIMEOUT,
                     what="the first worker to import 50 rows")
            first.kill()  # SIGKILL, mid-import
        at_kill = stored(job_import.pk)
        assert at_kill.status == "running" and 50 <= at_kill.rows_done < ROWS, "killed too late to prove anything"
        with unscoped():
            jobs_at_kill = ServiceJob.objects.filter(dealer=dealer).count()
        assert jobs_at_kill == at_kill.rows_done  # each row and its note committed together
        detail_url = reverse("job_import_detail", args=[dealer.network.slug, dealer.code, job_import.pk])
        assert f"{ROWS} rows — Importing, {at_kill.rows_done} done" in client.get(detail_url).content.decode()

        # While the lease runs nobody takes it over; once it has run out, the sweeper hands the import on.
        assert services.job_imports_sweep() == {"handed_on": 0, "failed": 0, "sent": 0}
        after_lease = timezone.now() + services.import_lease() + timedelta(seconds=1)
        assert services.job_imports_sweep(now=after_lease) == {"handed_on": 1, "failed": 0, "sent": 1}
        assert stored(job_import.pk).status == "queued"
        assert f"{ROWS} rows — Waiting to start" in client.get(detail_url).content.decode()
        with worker(redis.url, tmp_path / "second-worker.log"):
            done = wait_for(lambda: finished(job_import.pk), timeout=STARTS + IMPORT_TIMEOUT,
                            what="the second worker to finish the import")
    assert done.attempts == 2
    assert_imported_once(dealer, done, ROWS)  # the rows saved before the kill are counted as created, once
    assert f'data-testid="count-created">{ROWS}<' in client.get(detail_url).content.decode()


def test_a_database_connection_terminated_mid_import_is_retried_and_the_import_finishes(dealer, advisor,
                                                                                        tmp_path):
    with own_redis() as redis, celery_through(redis.url):
        job_import = upload(dealer, advisor, dms_file(ROWS))
        with worker(redis.url, tmp_path / "worker.log") as running:
            wait_for(lambda: progressing(job_import.pk, 50), timeout=STARTS + IMPORT_TIMEOUT,
                     what="the worker to import 50 rows")
            with connection.cursor() as cursor:  # every other session on this test database: the worker's
                cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                terminated = cursor.fetchone()[0]
            assert terminated >= 1
            assert stored(job_import.pk).status == "running", "finished before the connection was cut"
            done = wait_for(lambda: finished(job_import.pk), timeout=IMPORT_TIMEOUT,
                            what="the retried task to finish the import")
            log = running.log_text()
    assert "retry 1 of 5" in log  # the task met the dead connection and was sent again, with its own id
    assert done.attempts == 2
    assert_imported_once(dealer, done, ROWS)


def test_an_upload_while_the_broker_is_down_waits_and_is_imported_once_the_broker_is_back(client, dealer, advisor,
                                                                                          tmp_path):
    rows = 20
    client.force_login(advisor)
    page_url = reverse("job_import", args=[dealer.network.slug, dealer.code])
    with own_redis() as redis, celery_through(redis.url):
        redis.stop()  # the broker goes down
        posted = client.post(page_url, {"file": _upload("dms.csv", dms_file(rows))})
        assert posted.status_code == 302 and posted.url == page_url
        page = client.get(page_url).content.decode()
        assert "dms.csv is saved, but the background service is not available right now" in page
        assert "Waiting to start" in page and "Failed" not in page
        with unscoped():
            job_import = JobImport.objects.get()
        assert (job_import.status, job_import.enqueued_at) == ("queued", None)
        with tenant_scope(TenantScope.for_dealer(dealer)), pytest.raises(BackgroundUnavailable):
            services.job_import_start(dealer=dealer, data=dms_file(1), file_name="api.csv", by=advisor)
        assert services.job_imports_sweep() == {"handed_on": 0, "failed": 0, "sent": 0}  # still down: both wait
        assert [stored(pk).status for pk in all_imports()] == ["queued"] * 2

        redis.start()  # the broker is back (empty: whatever it held is gone)
        assert services.job_imports_sweep() == {"handed_on": 0, "failed": 0, "sent": 2}
        with worker(redis.url, tmp_path / "worker.log"):
            done = wait_for(lambda: finished(job_import.pk), timeout=STARTS + IMPORT_TIMEOUT,
                            what="the worker to import the waiting upload")
            wait_for(lambda: all(finished(pk) for pk in all_imports()),
                     timeout=IMPORT_TIMEOUT, what="the second waiting upload")
        assert services.job_imports_sweep() == {"handed_on": 0, "failed": 0, "sent": 0}
    assert done.attempts == 1
    assert (done.status, done.created, done.unchanged, done.rejected) == ("done", rows, 0, [])
    with unscoped():
        assert ServiceJob.objects.filter(dealer=dealer).count() == rows  # the first row of api.csv is RO-F-00001
    detail = client.get(reverse("job_import_detail", args=[dealer.network.slug, dealer.code, done.pk]))
    assert f'data-testid="count-created">{rows}<' in detail.content.decode()


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")
