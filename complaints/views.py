"""Complaint pages: the representative's queue, logging a complaint and working one through PRC, compliments,
the dealer's figures with its improvement plans, and HQ's view of the network."""


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from customers.models import Customer
from customers.selectors import customer_search
from dealer_portal.forms import add_service_errors
from dealer_portal.tenancy.decorators import dealer_page, network_page
from dealer_portal.validation import id_or_none

from . import services
from .forms import (
    ComplaintLogForm,
    ComplimentForm,
    DashboardMonthsForm,
    EntryForm,
    ImprovementPlanForm,
    PlanStatusForm,
    ReassignForm,
)
from .models import (
    Complaint,
    ComplaintCategory,
    ComplaintPolicy,
    ComplaintState,
    Compliment,
    Department,
    ImprovementPlan,
    Severity,
    StandardAnswer,
)
from .rules import complaint_clock, duration_words
from .selectors import QueueView, complaint_dashboard, complaint_queue, dealer_staff, network_complaint_figures
from .transitions import TRANSITIONS, allowed_actions

PAGE_SIZE = 50


def _complaint_url(dealer, complaint):
    return redirect("complaint_detail", dealer.network.slug, dealer.code, complaint.pk)


@dealer_page
def complaint_queue_page(request, dealer):
    """Mine, unassigned, my department's or all: filtered, searched and sorted by what is due first."""
    params = request.GET
    view = QueueView(params["view"]) if params.get("view") in QueueView.values else QueueView.MINE
    managed = request.tenancy.managed_departments()
    department = params.get("department") or (managed[0] if view == QueueView.DEPARTMENT and managed else "")
    category = params.get("category")
    overdue, on_hold = params.get("overdue") == "1", params.get("on_hold") == "1"
    policy = ComplaintPolicy.objects.for_network(dealer.network)
    complaints = complaint_queue(
        policy=policy, view=view, user=request.user,
        department=department if department in Department.values else "",
        state=params.get("state") if params.get("state") in ComplaintState.values else "",
        category=id_or_none(category),
        severity=params.get("severity") if params.get("severity") in Severity.values else "",
        overdue=overdue, on_hold=on_hold, query=params.get("q", ""))
    page = Paginator(complaints, PAGE_SIZE).get_page(params.get("page"))
    other_pages = params.copy()
    other_pages.pop("page", None)
    staff = dealer_staff(dealer)
    return render(request, "complaints/queue.html", {
        "dealer": dealer, "page": page, "view": view, "views": QueueView.choices, "params": params,
        "overdue": overdue, "on_hold": on_hold, "other_pages": other_pages.urlencode(),
        "states": ComplaintState.choices, "departments": Department.choices, "severities": Severity.choices,
        "categories": ComplaintCategory.objects.filter(is_active=True).select_related("parent")
        .order_by("parent__name", "name"),
        "reassign_form": ReassignForm(staff=staff),
    })


@dealer_page
@require_POST
def complaint_reassign(request, dealer):
    form = ReassignForm(request.POST, staff=dealer_staff(dealer))
    ids = [number for number in map(id_or_none, request.POST.getlist("complaint")) if number is not None]
    if not form.is_valid() or not ids:
        messages.error(request, _("Choose the complaints and the person to give them to."))
    else:
        moved = services.complaints_reassign(dealer=dealer, complaint_ids=ids, by=request.user,
                                             representative=form.cleaned_data["representative"])
        messages.success(request, ngettext("%(count)d complaint reassigned.", "%(count)d complaints reassigned.",
                                           moved) % {"count": moved})
    return redirect("complaint_queue", dealer.network.slug, dealer.code)


@dealer_page
def complaint_log_page(request, dealer):
    """Find the customer, then record their complaint in their own words."""
    query = request.GET.get("q", "").strip()
    customer_id = request.GET.get("customer") or request.POST.get("customer")
    customer = None
    if customer_id:
        if id_or_none(customer_id) is None:
            raise Http404(_("No such customer."))
        customer = get_object_or_404(Customer.objects.prefetch_related("vehicles"), pk=customer_id)
    form = ComplaintLogForm(request.POST if request.method == "POST" and customer else None)
    if request.method == "POST" and customer and form.is_valid():
        data = form.cleaned_data
        vehicles = list(customer.vehicles.all())
        try:
            complaint = services.complaint_log(dealer=dealer, customer=customer, by=request.user,
                                               vehicle=vehicles[0] if len(vehicles) == 1 else None, **data)
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            messages.success(request, _("Complaint %(reference)s logged.") % {"reference": complaint.reference})
            return _complaint_url(dealer, complaint)
    results = customer_search(query=query)[:20] if query and not customer else []
    return render(request, "complaints/log.html", {"dealer": dealer, "customer": customer, "form": form, "q": query,
                                                   "results": results},
                  status=400 if request.method == "POST" else 200)


def _detail_context(dealer, complaint, *, forms=None, entry_form=None):
    staff = dealer_staff(dealer)
    action_forms = []
    for transition in allowed_actions(complaint.state):
        form = (forms or {}).get(transition.action) or transition.form(complaint=complaint, staff=staff,
                                                                         prefix=transition.action)
        action_forms.append((transition, form))
    answers = (StandardAnswer.objects.filter(is_active=True, category__in=[complaint.category_id,
                                                                           complaint.category.parent_id])
               if complaint.category_id else StandardAnswer.objects.none())
    clock = complaint_clock(complaint, policy=ComplaintPolicy.objects.for_network(dealer.network), now=timezone.now())
    return {"dealer": dealer, "complaint": complaint, "action_forms": action_forms, "clock": clock,
            "overdue_by": duration_words(clock.overdue_by),
            "timeline": complaint.timeline.select_related("author"), "proposals": complaint.proposals.all(),
            "entry_form": entry_form or EntryForm(), "answers": answers}


def _complaint_for_page(pk):
    return get_object_or_404(Complaint.objects.select_related("customer", "vehicle", "category", "category__parent",
                                                              "representative", "owner"), pk=pk)


@dealer_page
def complaint_detail(request, dealer, pk: int):
    return render(request, "complaints/detail.html", _detail_context(dealer, _complaint_for_page(pk)))


@dealer_page
@require_POST
def complaint_action(request, dealer, pk: int, action: str):
    """One step of the recovery process (``complaints.transitions``): refused with the reason when the
    complaint's state does not allow it; its form kept, with the errors, when its inputs are not right."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Http404(_("No such action."))
    complaint = _complaint_for_page(pk)
    refusal = transition.refusal(complaint)
    if refusal:
        messages.error(request, refusal)
        return _complaint_url(dealer, complaint)
    form = transition.form(request.POST, complaint=complaint, staff=dealer_staff(dealer), prefix=action)
    if form.is_valid():
        try:
            services.complaint_transition(complaint=complaint, action=action, by=request.user, **form.cleaned_data)
        except ValidationError as problem:
            if hasattr(problem, "error_dict"):
                add_service_errors(form, problem)
            else:
                messages.error(request, " ".join(problem.messages))
                return _complaint_url(dealer, complaint)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": transition.label})
            return _complaint_url(dealer, complaint)
    return render(request, "complaints/detail.html",
                  _detail_context(dealer, _complaint_for_page(pk), forms={action: form}), status=400)


@dealer_page
@require_POST
def complaint_entry(request, dealer, pk: int):
    complaint = _complaint_for_page(pk)
    form = EntryForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_add_entry(complaint=complaint, by=request.user, **form.cleaned_data)
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            return _complaint_url(dealer, complaint)
    return render(request, "complaints/detail.html", _detail_context(dealer, complaint, entry_form=form), status=400)


@dealer_page
def compliment_list(request, dealer):
    """Record a compliment, and see the latest ones."""
    staff = dealer_staff(dealer)
    form = ComplimentForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.compliment_record(dealer=dealer, by=request.user, **form.cleaned_data)
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            messages.success(request, _("Compliment recorded."))
            return redirect("compliment_list", dealer.network.slug, dealer.code)
    compliments = Compliment.objects.select_related("person")[:50]
    return render(request, "complaints/compliments.html", {"dealer": dealer, "form": form,
                                                           "compliments": compliments},
                  status=400 if request.method == "POST" else 200)


def _dashboard_page(request, dealer, plan_form=None, status=200):
    months_form = DashboardMonthsForm(request.GET or None)
    months = months_form.cleaned_data["months"] if months_form.is_bound and months_form.is_valid() else 6
    policy = ComplaintPolicy.objects.for_network(dealer.network)
    dashboard = complaint_dashboard(policy=policy, months=months)
    chart = {"months": [date_format(m.start, "YEAR_MONTH_FORMAT") for m in dashboard.months],
             "complaints": [m.complaints for m in dashboard.months],
             "compliments": [m.compliments for m in dashboard.months],
             "pareto_labels": [name for name, _, _ in dashboard.pareto[:10]],
             "pareto_counts": [count for _, count, _ in dashboard.pareto[:10]],
             "pareto_cumulative": [share for _, _, share in dashboard.pareto[:10]],
             "labels": {"complaints": _("Complaints"), "compliments": _("Compliments"),
                        "cumulative": _("Cumulative share")}}
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
    dealers, recurring = network_complaint_figures(today=timezone.localdate())
    return render(request, "complaints/network.html", {"network": network, "dealers": dealers,
                                                        "recurring": recurring})
