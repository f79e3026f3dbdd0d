"""A DMS import is never stuck and never done twice: its lease, resuming, the sweeper, failing with a reason, and
an upload while the broker is down. (The same with real processes killed: test_import_faults.py.)"""

from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.urls import reverse
from django.utils import timezone

from dealer_portal.celery import app
from dealer_portal.errors import BackgroundUnavailable
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from servicejobs import services
from servicejobs.models import JobImport, JobImportLine, ServiceJob
from servicejobs.tasks import job_import_process
from tests.background import celery_through

pytestmark = pytest.mark.django_db

HEADER = "job_number,customer_name,vin,work_category,customer_phone"


def dms_file(rows: int, *, bad_line: int | None = None) -> bytes:
    lines = [HEADER]
    for n in range(1, rows + 1):
        phone = "12" if n == bad_line else f"+52 81 {1000 + n} {5000 + n}"
        lines.append(f"RO-L-{n:04d},Cliente {n},3AUXY2K70PN{n:06d},maintenance,{phone}")
    return ("\n".join(lines) + "\n").encode()


class WorkerDied(BaseException):
    """Stands for the process dying: not an Exception, so nothing on the way catches it."""


def dies_after(monkeypatch, rows: int):
    """The next import's worker dies while saving row ``rows + 1`` (the rows before it are committed)."""
    original = services._LeaseJournal.record
    seen = {"rows": 0}

    def record(self, **note):
        if seen["rows"] == rows:
            raise WorkerDied
        seen["rows"] += 1
        return original(self, **note)

    monkeypatch.setattr(services._LeaseJournal, "record", record)
    return lambda: monkeypatch.setattr(services._LeaseJournal, "record", original)


def upload(dealer, advisor, data: bytes) -> JobImport:
    with tenant_scope(TenantScope.for_dealer(dealer)):
        return services.job_import_start(dealer=dealer, data=data, file_name="dms.csv", by=advisor)


def stored(job_import) -> JobImport:
    with unscoped():
        return JobImport.objects.get(pk=job_import.pk)


def jobs_at(dealer) -> list[str]:
    with unscoped():
        return sorted(ServiceJob.objects.filter(dealer=dealer).values_list("number", flat=True))


def test_a_redelivered_task_resumes_its_import_and_reports_every_row_once(dealer, advisor, monkeypatch):
    job_import = upload(dealer, advisor, dms_file(5, bad_line=2))  # on_commit never runs here: not sent
    revive = dies_after(monkeypatch, 3)
    with tenant_scope(TenantScope.for_dealer(dealer)), pytest.raises(WorkerDied):
        services.job_import_run(job_import_id=job_import.pk, owner="task-1")
    interrupted = stored(job_import)
    assert (interrupted.status, interrupted.attempts, interrupted.rows_done) == ("running", 1, 3)
    assert jobs_at(dealer) == ["RO-L-0001", "RO-L-0003"]  # line 3 (RO-L-0002) was rejected, and noted
    revive()
    with tenant_scope(TenantScope.for_dealer(dealer)):
        assert services.job_import_run(job_import_id=job_import.pk, owner="another-task") is None  # alive: not its
        done = services.job_import_run(job_import_id=job_import.pk, owner="task-1")  # the same task, delivered again
    assert (done.status, done.attempts, done.created, done.unchanged, done.rows_done) == ("done", 2, 4, 0, 5)
    assert [(row["line"], row["job_number"]) for row in done.rejected] == [(3, "RO-L-0002")]
    assert jobs_at(dealer) == ["RO-L-0001", "RO-L-0003", "RO-L-0004", "RO-L-0005"]
    with unscoped():
        assert not JobImportLine.objects.exists()  # the notes go once the report is written
    assert bytes(done.data) == b""


def test_the_sweeper_hands_on_an_import_whose_heartbeat_stopped(dealer, advisor, monkeypatch):
    job_import = upload(dealer, advisor, dms_file(4))
    dies_after(monkeypatch, 2)
    with tenant_scope(TenantScope.for_dealer(dealer)), pytest.raises(WorkerDied):
        services.job_import_run(job_import_id=job_import.pk, owner="dead-task")
    monkeypatch.undo()
    assert services.job_imports_sweep() == {"handed_on": 0, "failed": 0, "sent": 0}  # its lease is still alive
    assert stored(job_import).status == "running"

    later = timezone.now() + services.import_lease() + timedelta(seconds=1)
    assert services.job_imports_sweep(now=later) == {"handed_on": 1, "failed": 0, "sent": 1}  # runs in-process
    done = stored(job_import)
    assert (done.status, done.created, done.unchanged, done.attempts) == ("done", 4, 0, 2)
    assert len(jobs_at(dealer)) == 4
    assert services.job_imports_sweep(now=later) == {"handed_on": 0, "failed": 0, "sent": 0}


def test_an_import_interrupted_too_often_ends_failed_with_the_reason_shown(client, dealer, advisor, monkeypatch,
                                                                           settings):
    settings.JOB_IMPORT_MAX_ATTEMPTS = 2
    job_import = upload(dealer, advisor, dms_file(6, bad_line=1))
    for attempt in (1, 2):  # its worker dies, another takes it over once the lease ran out, and dies too
        dies_after(monkeypatch, 2)
        with tenant_scope(TenantScope.for_dealer(dealer)), pytest.raises(WorkerDied):
            services.job_import_run(job_import_id=job_import.pk, owner=f"task-{attempt}")
        monkeypatch.undo()
        with unscoped():
            JobImport.objects.filter(pk=job_import.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1),
                                                              enqueued_at=timezone.now())
    assert stored(job_import).attempts == 2
    later = timezone.now() + services.import_lease() + timedelta(seconds=1)
    counts = services.job_imports_sweep(now=later)
    assert counts["failed"] == 1
    failed = stored(job_import)
    assert failed.status == "failed"
    assert failed.failure_reason.startswith("The import was interrupted 2 times")
    assert (failed.created, len(failed.rejected)) == (3, 1)  # the rows finished before it stopped are counted
    with tenant_scope(TenantScope.for_dealer(dealer)):
        assert services.job_import_run(job_import_id=job_import.pk, owner="task-1") is None  # finished for good

    client.force_login(advisor)
    page = client.get(reverse("job_import_detail", args=[dealer.network.slug, dealer.code, job_import.pk]))
    page = page.content.decode()
    assert 'data-testid="import-failed"' in page and "The import was interrupted 2 times" in page
    assert 'data-testid="import-progress"' not in page  # not "importing" for ever


def test_an_import_past_its_time_limit_ends_failed_with_the_reason(dealer, advisor, monkeypatch, api_as):
    job_import = upload(dealer, advisor, dms_file(2))

    def too_slow(**kwargs):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr("servicejobs.imports.jobs_import_csv", too_slow)
    job_import_process.apply((dealer.pk, job_import.pk))
    failed = stored(job_import)
    assert failed.status == "failed"
    assert failed.failure_reason.startswith("The import took longer than 30 minutes and was stopped")
    body = api_as(advisor).get(f"/api/v1/job-imports/{job_import.pk}/").json()
    assert (body["status"], body["failure_reason"]) == ("failed", failed.failure_reason)


def test_an_import_that_meets_an_unexpected_error_ends_failed_at_once_with_the_reason(dealer, advisor, monkeypatch):
    job_import = upload(dealer, advisor, dms_file(2))

    def broken(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("servicejobs.imports.jobs_import_csv", broken)
    job_import_process.apply((dealer.pk, job_import.pk))
    failed = stored(job_import)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.failure_reason.startswith("The import stopped on an unexpected error")


def test_a_task_that_lost_its_lease_stops_without_saving_another_row(dealer, advisor, monkeypatch):
    job_import = upload(dealer, advisor, dms_file(3))
    original = services._LeaseJournal.record

    def taken_over_after_one_row(self, **note):
        original(self, **note)
        with unscoped():
            JobImport.objects.filter(pk=job_import.pk).update(claimed_by="the-new-holder")

    monkeypatch.setattr(services._LeaseJournal, "record", taken_over_after_one_row)
    with tenant_scope(TenantScope.for_dealer(dealer)):
        assert services.job_import_run(job_import_id=job_import.pk, owner="slow-task") is None
    assert jobs_at(dealer) == ["RO-L-0001"]
    assert stored(job_import).status == "running"  # the new holder's to finish


@pytest.mark.django_db(transaction=True)  # the upload commits, so its task is really sent (or not)
def test_an_upload_while_the_broker_is_down_is_kept_waiting_and_says_so(client, dealer, advisor):
    client.force_login(advisor)
    page_url = reverse("job_import", args=[dealer.network.slug, dealer.code])
    data = dms_file(2)
    with celery_through("redis://127.0.0.1:1/0"):  # nothing listens there
        with tenant_scope(TenantScope.for_dealer(dealer)), pytest.raises(BackgroundUnavailable) as raised:
            services.job_import_start(dealer=dealer, data=data, file_name="first.csv", by=advisor)
        posted = client.post(page_url, {"file": _upload("second.csv", data)})
    assert raised.value.message.startswith("first.csv is saved, but the background service is not available")
    assert posted.status_code == 302 and posted.url == page_url
    page = client.get(page_url).content.decode()
    assert "second.csv is saved, but the background service is not available right now" in page
    assert "Waiting to start" in page and "Failed" not in page
    with unscoped():
        waiting = list(JobImport.objects.values_list("status", "enqueued_at"))
    assert waiting == [("queued", None), ("queued", None)]
    assert jobs_at(dealer) == []
    # The broker is back (here: in-process): the sweeper sends both; the second finds its rows unchanged.
    assert app.conf.task_always_eager
    assert services.job_imports_sweep()["sent"] == 2
    with unscoped():
        assert sorted(JobImport.objects.values_list("status", "created", "unchanged")) == [
            ("done", 0, 2), ("done", 2, 0)]
    assert len(jobs_at(dealer)) == 2


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.mark.django_db(transaction=True)
def test_an_api_upload_while_the_broker_is_down_answers_503_and_keeps_the_file(dealer, advisor, api_as):
    client = api_as(advisor)
    with celery_through("redis://127.0.0.1:1/0"):  # nothing listens there
        response = client.post("/api/v1/jobs/import/", {"file": _upload("api.csv", dms_file(2))}, format="multipart")
    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.json()
    assert body["errors"] == {}
    assert body["detail"].startswith("api.csv is saved, but the background service is not available")
    with unscoped():
        assert list(JobImport.objects.values_list("file_name", "status")) == [("api.csv", "queued")]
    listed = client.get("/api/v1/job-imports/").json()["results"]
    assert [(row["file_name"], row["status"]) for row in listed] == [("api.csv", "queued")]
    assert services.job_imports_sweep()["sent"] == 1  # the broker is back (in-process): imported once
    assert len(jobs_at(dealer)) == 2
