from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone

from dealer_portal.tenancy.decorators import dealer_page

from .dashboard import promise_dashboard as build_dashboard
from .forms import DashboardPeriodForm
from .promises import SERVICE_PROMISES


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
        "shares": [dashboard.by_promise[n].percent for n in SERVICE_PROMISES],
        "weeks": [week.isoformat() for week, _, _ in dashboard.by_week],
        "weekly": [total.percent for _, _, total in dashboard.by_week],
    }
    return render(request, "servicejobs/dashboard.html", {
        "dealer": dealer, "form": form, "dashboard": dashboard, "promises": SERVICE_PROMISES, "chart": chart,
    }, status=400 if form.is_bound and not form.is_valid() else 200)
