from datetime import timedelta

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from dealer_portal.tenancy.decorators import dealer_page

from .dashboard import BROKEN_PAGE_SIZE
from .dashboard import promise_dashboard as build_dashboard
from .forms import DashboardPeriodForm
from .promises import SERVICE_PROMISES


class CountedPaginator(Paginator):
    """A paginator told its count: the dashboard's broken promises are already counted by its grouped pass."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@dealer_page
def promise_dashboard(request, dealer):
    """For a chosen period (default: the last four weeks), how well this dealer keeps each promise."""
    today = timezone.localdate()
    default = {"start": today - timedelta(days=27), "end": today}
    form = DashboardPeriodForm(request.GET if "start" in request.GET else None, initial=default)
    period = form.cleaned_data if form.is_bound and form.is_valid() else default
    dashboard = build_dashboard(start=period["start"], end=period["end"])
    chart = {
        "promises": [f"{n}" for n in SERVICE_PROMISES],
        "promise_titles": [f"{n}. {title}" for n, title in SERVICE_PROMISES.items()],
        "shares": [dashboard.by_promise[n].percent for n in SERVICE_PROMISES],
        "weeks": [_("Week of %(day)s") % {"day": date_format(week, "MONTH_DAY_FORMAT")}
                  for week, _kept, _total in dashboard.by_week],
        "weekly": [total.percent for _week, _kept, total in dashboard.by_week],
        "labels": {"kept": _("Share kept")},
    }
    # The broken promises a page at a time (``?page=``, clamped to the pages there are), the period kept.
    broken = CountedPaginator(dashboard.broken, BROKEN_PAGE_SIZE, count=dashboard.broken_count).get_page(
        request.GET.get("page"))
    other_pages = request.GET.copy()
    other_pages.pop("page", None)
    return render(request, "servicejobs/dashboard.html", {
        "dealer": dealer, "form": form, "dashboard": dashboard, "promises": SERVICE_PROMISES, "chart": chart,
        "broken": broken, "other_pages": other_pages.urlencode(),
    }, status=400 if form.is_bound and not form.is_valid() else 200)
