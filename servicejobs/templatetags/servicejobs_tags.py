from django import template

from ..models import PromiseCheckStatus
from ..steps import next_steps as steps_for_job

register = template.Library()


@register.filter
def is_late(job, board) -> bool:
    """``job|is_late:board``: late by ``rules.is_late`` at the board's moment and with its network's tolerance."""
    return board.is_late(job)


@register.filter
def next_steps(job):
    return steps_for_job(job)


STATUS_STYLES = {PromiseCheckStatus.KEPT: "success", PromiseCheckStatus.BROKEN: "danger",
                 PromiseCheckStatus.PENDING: "secondary", PromiseCheckStatus.NOT_APPLICABLE: "light"}


@register.filter
def promise_style(status: str) -> str:
    return STATUS_STYLES.get(status, "secondary")


@register.filter
def get_item(mapping, key):
    """A dict's value in a template; missing keys give an empty share."""
    from ..dashboard import Share

    return mapping.get(key) or Share()
