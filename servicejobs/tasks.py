import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from dealer_portal.tenancy.tasks import TRANSIENT_ERRORS, DealerTask, close_broken_connections, dealers_fan_out

from .models import OPEN_STATUSES, JobImport, PromisePolicy, ServiceJob
from .services import job_promises_refresh

logger = logging.getLogger(__name__)

# Jobs refreshed per transaction: short, so a handover waits at most for one batch.
REFRESH_BATCH = 50


@shared_task(base=DealerTask, name="servicejobs.tasks.open_jobs_promises_refresh")
def open_jobs_promises_refresh(dealer) -> int:
    """Re-evaluate the promises of the dealer's open jobs, since time alone can break one (a car not ready
    by its promised time). Idempotent: it rewrites the same rows from the same records.

    Safe beside the advisors' own writes: each batch of jobs is taken in a short transaction with the jobs'
    rows locked, in id order, skipping any job a step or a handover holds at that moment (that write refreshes
    the job's promises itself); so the refresh never waits on them, and they wait at most for one batch.
    """
    policy = PromisePolicy.objects.for_network(dealer.network)
    job_ids = list(ServiceJob.objects.filter(status__in=OPEN_STATUSES).order_by("pk").values_list("pk", flat=True))
    count = 0
    for start in range(0, len(job_ids), REFRESH_BATCH):
        with transaction.atomic():
            jobs = (ServiceJob.objects.filter(pk__in=job_ids[start:start + REFRESH_BATCH], status__in=OPEN_STATUSES)
                    .order_by("pk").select_for_update(skip_locked=True, of=("self",)).select_related("dealer__network")
                    .prefetch_related("promise_changes", "followup_calls"))
            for job in jobs:
                job_promises_refresh(job, policy=policy)
                count += 1
    return count


@shared_task(name="servicejobs.tasks.open_jobs_promises_refresh_all")
def open_jobs_promises_refresh_all() -> int:
    """Every 15 minutes (beat): one refresh task per active dealer."""
    return dealers_fan_out(open_jobs_promises_refresh)


@shared_task(base=DealerTask, bind=True, name="servicejobs.tasks.job_import_process",
             soft_time_limit=settings.JOB_IMPORT_SOFT_TIME_LIMIT, time_limit=settings.JOB_IMPORT_SOFT_TIME_LIMIT + 60)
def job_import_process(self, dealer, job_import_id: int) -> int | None:
    """Import one uploaded DMS file. Safe to deliver twice: the upload is claimed by this task's id before any
    row is read, and the same task delivered again (its worker died, the database dropped) resumes its claim.
    Past its time limit, or on an error that is not transient (logged), the import ends failed, with the reason;
    transient errors (the database, the network) are retried by DealerTask."""
    # The report (rejected rows, why it failed) is stored as text: in the language of whoever uploaded the file.
    with translation.override(_uploader_language(job_import_id)):
        return _job_import_process(task_id=self.request.id, job_import_id=job_import_id)


def _uploader_language(job_import_id: int) -> str:
    language = JobImport.objects.filter(pk=job_import_id).values_list("uploaded_by__language", flat=True).first()
    return language or settings.LANGUAGE_CODE


def _job_import_process(*, task_id: str | None, job_import_id: int) -> int | None:
    from .services import job_import_fail, job_import_run

    try:
        job_import = job_import_run(job_import_id=job_import_id, owner=task_id or "")
    except SoftTimeLimitExceeded:
        close_broken_connections()
        job_import_fail(job_import_id=job_import_id, owner=task_id, reason=_(
            "The import took longer than %(minutes)d minutes and was stopped; the rows saved until then are "
            "counted here. Split the file and upload the rest again.") % {
            "minutes": settings.JOB_IMPORT_SOFT_TIME_LIMIT // 60})
        return None
    except TRANSIENT_ERRORS:
        raise  # retried by DealerTask: the same task resumes its claim
    except Exception:
        logger.exception("job import %s stopped on an unexpected error", job_import_id)
        close_broken_connections()
        job_import_fail(job_import_id=job_import_id, owner=task_id, reason=_(
            "The import stopped on an unexpected error (it has been logged for the team); the rows saved until "
            "then are counted here. Upload the file again later: those rows will show as unchanged."))
        return None
    return job_import.pk if job_import else None


@shared_task(name="servicejobs.tasks.job_imports_sweep", soft_time_limit=50, time_limit=60)
def job_imports_sweep() -> dict:
    """Every minute (beat): hand on imports whose worker stopped, send again those the broker never took."""
    from .services import job_imports_sweep as sweep

    return sweep()
