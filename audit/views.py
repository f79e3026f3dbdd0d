"""The network's audit trail (network admins): search, CSV export, and one record's whole history."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dealer_portal.tenancy.decorators import network_page
from dealer_portal.tenancy.models import Role
from scoring import exports

from .context import history_recorded
from .forms import TrailSearchForm
from .selectors import TrailFilter, record_history_in_scope, tracked_model_for, trail_entries

PAGE_SIZE = 200
EXPORT_LIMIT = 50_000


def _search(request) -> tuple[TrailSearchForm, TrailFilter | None]:
    form = TrailSearchForm(request.GET or None)
    if not request.GET:
        return form, TrailFilter()
    return form, form.trail_filter() if form.is_valid() else None


@network_page(roles=(Role.NETWORK_ADMIN,))
def audit_trail(request, network):
    """Every recorded change in the network, newest first, filtered by the search form."""
    form, trail_filter = _search(request)
    entries = list(trail_entries(trail_filter, limit=PAGE_SIZE)) if trail_filter is not None else []
    return render(request, "audit/trail.html", {
        "network": network, "form": form, "entries": entries, "page_size": PAGE_SIZE,
        "recorded": history_recorded(), "export_query": request.GET.urlencode(),
    }, status=200 if trail_filter is not None else 400)


@network_page(roles=(Role.NETWORK_ADMIN,))
def audit_trail_export(request, network):
    """The search's matches (up to EXPORT_LIMIT) as CSV, with every changed field's before and after value."""
    form, trail_filter = _search(request)
    if trail_filter is None:
        return render(request, "audit/trail.html", {"network": network, "form": form, "entries": [],
                                                    "recorded": history_recorded()}, status=400)
    header = [_("When"), _("Record type"), _("Record"), _("Record id"),
              pgettext("a column of the change history", "Action"), _("User"), _("Through"),
              _("Field"), _("Before"), _("After")]
    rows = []
    for entry in trail_entries(trail_filter, limit=EXPORT_LIMIT):
        common = [timezone.localtime(entry.at).isoformat(), entry.record_type, entry.record_label, entry.record_id,
                  entry.action_label, entry.user_email, entry.via]
        for change in entry.changes or [None]:
            rows.append([*common, *((change.field, change.before, change.after) if change else ("", "", ""))])
    return exports.table_response("csv", filename=f"audit-trail-{network.slug}", title=_("Audit trail"),
                                  header=header, rows=rows)


@network_page(roles=(Role.NETWORK_ADMIN,))
def record_history(request, network, record_type: str, record_id: int):
    """One record's whole history; a record outside the network (or without history) is a 404."""
    tracked = tracked_model_for(record_type)
    entries = record_history_in_scope(record_type, record_id)
    if tracked is None or entries is None:
        raise Http404(_("No history of such a record."))
    return render(request, "audit/record.html", {
        "network": network, "entries": entries, "record_type": tracked._meta.verbose_name, "record_id": record_id,
    })
