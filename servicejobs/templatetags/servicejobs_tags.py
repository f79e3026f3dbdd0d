from django import template

from ..steps import next_steps as steps_for_job

register = template.Library()


@register.filter
def is_late(job, now) -> bool:
    """Still not ready after the promised time."""
    return bool(job.promised_ready_at and job.ready_at is None and now and job.promised_ready_at < now)


@register.filter
def next_steps(job):
    return steps_for_job(job)


STATUS_STYLES = {"kept": "success", "broken": "danger", "pending": "secondary", "not_applicable": "light"}


@register.filter
def promise_style(status: str) -> str:
    return STATUS_STYLES.get(status, "secondary")


@register.filter
def get_item(mapping, key):
    """A dict's value in a template; missing keys give an empty share."""
    from ..dashboard import Share

    return mapping.get(key) or Share()
