"""Follow-up calls answer what the apps below them announce (connected in ``FollowupsConfig.ready``)."""

from django.dispatch import receiver

from complaints.signals import complaint_closed_satisfied
from servicejobs.models import SalesHandover, ServiceJob
from servicejobs.signals import delivery_recorded

from .scheduling import followup_schedule_for_handover, followup_schedule_for_job, followup_schedule_recheck


@receiver(delivery_recorded, sender=ServiceJob, dispatch_uid="followups.service_job_delivered")
def _service_job_delivered(sender, *, delivery, policy, **kwargs):
    followup_schedule_for_job(delivery, policy=policy)


@receiver(delivery_recorded, sender=SalesHandover, dispatch_uid="followups.handover_recorded")
def _handover_recorded(sender, *, delivery, policy, **kwargs):
    followup_schedule_for_handover(delivery, policy=policy)


@receiver(complaint_closed_satisfied, dispatch_uid="followups.complaint_closed_satisfied")
def _complaint_closed_satisfied(sender, *, complaint, policy, **kwargs):
    followup_schedule_recheck(complaint, policy=policy)
