from celery import shared_task

from dealer_portal.tenancy.tasks import DealerTask, dealers_fan_out

from .models import OPEN_STATUSES, PromisePolicy, ServiceJob
from .services import job_promises_refresh


@shared_task(base=DealerTask, name="servicejobs.tasks.open_jobs_promises_refresh")
def open_jobs_promises_refresh(dealer) -> int:
    """Re-evaluate the promises of the dealer's open jobs, since time alone can break one (a car not ready
    by its promised time). Idempotent: it rewrites the same rows from the same records."""
    policy = PromisePolicy.objects.for_network(dealer.network)
    jobs = (ServiceJob.objects.filter(status__in=OPEN_STATUSES).select_related("dealer")
            .prefetch_related("promise_changes", "followup_calls"))
    count = 0
    for job in jobs.iterator(chunk_size=500):
        job_promises_refresh(job, policy=policy)
        count += 1
    return count


@shared_task(name="servicejobs.tasks.open_jobs_promises_refresh_all")
def open_jobs_promises_refresh_all() -> int:
    """Every 15 minutes (beat): one refresh task per active dealer."""
    return dealers_fan_out(open_jobs_promises_refresh)


@shared_task(base=DealerTask, name="servicejobs.tasks.job_import_process")
def job_import_process(dealer, job_import_id: int) -> int | None:
    """Import one uploaded DMS file. Safe to deliver twice: the upload is claimed before any row is read."""
    from .services import job_import_run

    job_import = job_import_run(job_import_id=job_import_id)
    return job_import.pk if job_import else None
