"""``{% load audit %}{% history_panel object %}``: a record's history on its page, for HQ and managers.

Lower apps show the history only through this tag (they import nothing from audit)."""

from django import template

from dealer_portal.tenancy.models import Role

from ..context import history_recorded
from ..selectors import history_for_record

register = template.Library()

# Who sees a record's history on its page: HQ, network admins and managers (not advisors or representatives).
HISTORY_READERS = (Role.DEALER_MANAGER, Role.REGIONAL_MANAGER, Role.HQ_ANALYST, Role.NETWORK_ADMIN)


def may_read_history(request) -> bool:
    tenancy = getattr(request, "tenancy", None)
    return tenancy is not None and tenancy.has_role(*HISTORY_READERS)


@register.inclusion_tag("audit/_history_panel.html", takes_context=True)
def history_panel(context, record):
    request = context.get("request")
    if record is None or request is None or not may_read_history(request):
        return {"show": False}
    return {"show": True, "recorded": history_recorded(), "entries": history_for_record(record)}
