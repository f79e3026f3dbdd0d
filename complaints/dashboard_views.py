from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dealer_portal.forms import add_service_errors
from dealer_portal.tenancy.decorators import dealer_page, network_page
from dealer_portal.tenancy.models import Dealer

from . import services
from .dashboard import complaint_dashboard
from .forms import DashboardMonthsForm, ImprovementPlanForm, PlanStatusForm
from .models import CLOSED_STATES, Complaint, ComplaintPolicy, ImprovementPlan
from .rules import duration_words
from .selectors import dealer_staff


def _dashboard_page(request, dealer, plan_form=None, status=200):
    months_form = DashboardMonthsForm(request.GET or None)
    months = months_form.cleaned_data["months"] if months_form.is_bound and months_form.is_valid() else 6
    policy = ComplaintPolicy.objects.for_network(dealer.network)
    dashboard = complaint_dashboard(policy=policy, months=months)
    chart = {"months": [m.start.strftime("%Y-%m") for m in dashboard.months],
             "complaints": [m.complaints for m in dashboard.months],
             "compliments": [m.compliments for m in dashboard.months],
             "pareto_labels": [name for name, _, _ in dashboard.pareto[:10]],
             "pareto_counts": [count for _, count, _ in dashboard.pareto[:10]],
             "pareto_cumulative": [share for _, _, share in dashboard.pareto[:10]]}
    return render(request, "complaints/dashboard.html", {
        "dealer": dealer, "dashboard": dashboard, "policy": policy, "chart": chart, "months_form": months_form,
        "median_to_close": duration_words(dashboard.median_to_close) if dashboard.median_to_close else None,
        "p90_to_close": duration_words(dashboard.p90_to_close) if dashboard.p90_to_close else None,
        "plan_form": plan_form or ImprovementPlanForm(staff=dealer_staff(dealer)), "status_form": PlanStatusForm(),
    }, status=status)


@dealer_page
def complaint_dashboard_page(request, dealer):
    """Complaints and compliments month by month against the target, closing times, the Pareto, the plans."""
    return _dashboard_page(request, dealer)


@dealer_page
@require_POST
def improvement_plan_create(request, dealer):
    form = ImprovementPlanForm(request.POST, staff=dealer_staff(dealer))
    if form.is_valid():
        try:
            services.improvement_plan_open(dealer=dealer, by=request.user, **form.cleaned_data)
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            messages.success(request, _("Improvement plan opened."))
            return redirect("complaint_dashboard", dealer.network.slug, dealer.code)
    return _dashboard_page(request, dealer, plan_form=form, status=400)


@dealer_page
@require_POST
def improvement_plan_status(request, dealer, pk: int):
    plan = get_object_or_404(ImprovementPlan, pk=pk)
    form = PlanStatusForm(request.POST)
    if form.is_valid():
        services.improvement_plan_set_status(plan=plan, status=form.cleaned_data["status"])
    else:
        messages.error(request, _("Choose a status."))
    return redirect("complaint_dashboard", dealer.network.slug, dealer.code)


@network_page
def network_complaints(request, network):
    """HQ: every dealer's complaint figures this year and the network's recurring categories."""
    year_start = timezone.make_aware(datetime.combine(timezone.localdate().replace(month=1, day=1), time.min))
    complaints = Complaint.objects.filter(received_at__gte=year_start)
    per_dealer = {row["dealer"]: row for row in complaints.values("dealer").annotate(
        total=Count("pk"), closed=Count("pk", filter=Q(state__in=CLOSED_STATES)))}
    dealers = [(dealer, per_dealer.get(dealer.pk, {"total": 0, "closed": 0}))
               for dealer in Dealer.objects.select_related("region").order_by("region__name", "name")]
    recurring = (complaints.filter(category__isnull=False).values("category__parent__name", "category__name")
                 .annotate(n=Count("pk")).order_by("-n")[:15])
    return render(request, "complaints/network.html", {"network": network, "dealers": dealers,
                                                        "recurring": recurring})
