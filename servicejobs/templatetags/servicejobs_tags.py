import json
from urllib.parse import urlencode

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


@register.filter
def board_vals(board) -> str:
    """The board's ``hx-vals``: every request from inside it (a step, "show more") says what the board shows,
    so the board that comes back shows the same."""
    return json.dumps({"return_to": "board", **board.state})


@register.filter
def more_vals(board, column) -> str:
    """"Show more" of ``column``: the board's state with that column opened a page further."""
    return json.dumps({f"show_{column.name}": str(column.shown_after_more)})


@register.filter
def more_query(board, column) -> str:
    """The same as a query string, for the link without htmx."""
    return urlencode({**board.state, f"show_{column.name}": column.shown_after_more})
