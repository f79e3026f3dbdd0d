"""The advisor's day: today's board, a job's page with its nine promises, booking, and each step."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Vehicle
from customers.selectors import customer_search
from dealer_portal.formatting import date_as
from dealer_portal.forms import add_service_errors
from dealer_portal.tenancy.decorators import dealer_page
from dealer_portal.validation import id_or_none

from . import services
from .forms import HandoverRecordForm, JobForm, NewCustomerJobForm
from .models import PromiseCheck, PromiseCheckStatus, SalesHandover, ServiceJob
from .promises import SERVICE_PROMISES, evaluate_sales_promises
from .selectors import advisor_board, board_options, followup_outcome_for
from .steps import STEPS, next_steps, step_inputs


def _job_url(dealer, job) -> str:
    return reverse("job_detail", args=[dealer.network.slug, dealer.code, job.pk])


def _board(request, dealer, params):
    """Today's board as the query (or, after a step, the form) asks: the advisor's own jobs or all, and each
    column opened as far as "show more" took it."""
    return advisor_board(dealer=dealer, advisor=request.user, **board_options(params))


@dealer_page
def job_board(request, dealer):
    template = "servicejobs/_board.html" if request.htmx else "servicejobs/board.html"
    return render(request, template, {"dealer": dealer, "board": _board(request, dealer, request.GET)})


def _job_context(dealer, job):
    checks = {check.number: check for check in job.promise_checks.all()}
    # A promise not evaluated yet shows as pending (an unsaved check, never stored).
    promises = [(number, title, checks.get(number) or PromiseCheck(number=number, status=PromiseCheckStatus.PENDING))
                for number, title in SERVICE_PROMISES.items()]
    return {"dealer": dealer, "job": job, "promises": promises, "steps": next_steps(job),
            "changes": list(job.promise_changes.select_related("recorded_by"))}


def _job_for_page(pk: int) -> ServiceJob:
    return get_object_or_404(ServiceJob.objects.select_related("customer", "vehicle", "advisor", "repeat_of"), pk=pk)


@dealer_page
def job_detail(request, dealer, pk: int):
    return render(request, "servicejobs/job_detail.html", _job_context(dealer, _job_for_page(pk)))


@dealer_page
def job_step(request, dealer, pk: int, step: str):
    """One tap: GET shows the step's small form (if it asks first); POST records the step with its inputs.

    The step, its inputs and its refusals are the declaration's (``steps.STEPS``), as in the API. From the board
    (``return_to=board``) the whole board comes back, since a job may change column; from the job page, the
    job's panel. Refusals come back in the same place, with the reason.
    """
    if step not in STEPS:
        raise Http404(_("No such step."))
    declared = STEPS[step]
    job = _job_for_page(pk)
    return_to = request.POST.get("return_to") or request.GET.get("return_to") or "job"
    if request.method == "GET":
        if not declared.asks_first:
            return redirect(_job_url(dealer, job))
        return render(request, "servicejobs/_step_form.html", {
            "dealer": dealer, "job": job, "step": declared, "form": declared.inputs(), "return_to": return_to})
    form = declared.inputs(request.POST)
    if not form.is_valid():
        return _step_form_with_errors(request, dealer, job, step, form, return_to)
    error = None
    try:
        job = services.job_step(job=job, step=step, by=request.user, **step_inputs(form.cleaned_data))
    except ValidationError as problem:
        if declared.asks_first and hasattr(problem, "error_dict"):
            add_service_errors(form, problem)
            return _step_form_with_errors(request, dealer, job, step, form, return_to)
        error = " ".join(problem.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(_job_url(dealer, job))
    if return_to == "board":
        return render(request, "servicejobs/_board.html", {"dealer": dealer,
                                                           "board": _board(request, dealer, request.POST),
                                                           "error": error, "error_job": job})
    job = _job_for_page(pk)
    return render(request, "servicejobs/_job_panel.html", {**_job_context(dealer, job), "error": error})


def _step_form_with_errors(request, dealer, job, step, form, return_to):
    """The step's form again, with its errors, in place of the form that was sent."""
    response = render(request, "servicejobs/_step_form.html", {
        "dealer": dealer, "job": job, "step": STEPS[step], "form": form, "return_to": return_to},
        status=200 if request.htmx else 400)
    if request.htmx and return_to == "board":
        response["HX-Retarget"] = f"#job-{job.pk}"
        response["HX-Reswap"] = "outerHTML"
    return response


@dealer_page
def job_create(request, dealer):
    """Find the customer by name, phone, plate or VIN and book their car, or create them on the spot."""
    query = request.GET.get("q", "").strip()
    vehicle = None
    vehicle_id = request.GET.get("vehicle") or request.POST.get("vehicle")
    if vehicle_id:
        if id_or_none(vehicle_id) is None:
            return HttpResponseBadRequest(_("Choose a vehicle from the list."))
        vehicle = get_object_or_404(Vehicle.objects.select_related("customer"), pk=vehicle_id)
    number = services.next_job_number(dealer)
    job_form = JobForm(request.POST if vehicle and request.method == "POST" else None, dealer=dealer,
                       initial={"number": number})
    new_form = NewCustomerJobForm(request.POST if request.method == "POST" and not vehicle else None,
                                  initial={"number": number})
    if request.method == "POST":
        form = job_form if vehicle else new_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if vehicle:
                    job = services.job_create(dealer=dealer, customer=vehicle.customer, vehicle=vehicle,
                                              advisor=request.user, number=data["number"],
                                              appointment_at=data["appointment_at"],
                                              work_category=data["work_category"], concern=data["concern"],
                                              mileage=data["mileage"])
                else:
                    job = services.job_create_for_new_customer(dealer=dealer, advisor=request.user, **data)
            except ValidationError as problem:
                add_service_errors(form, problem)
            else:
                messages.success(request, _("Job %(number)s booked.") % {"number": job.number})
                return redirect(_job_url(dealer, job))
    results = customer_search(query=query).prefetch_related("vehicles")[:20] if query else []
    template = "servicejobs/_customer_results.html" if request.htmx and request.method == "GET" \
        else "servicejobs/job_create.html"
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"dealer": dealer, "q": query, "results": results, "vehicle": vehicle,
                                      "job_form": job_form, "new_form": new_form}, status=status)



@dealer_page
def handover_list(request, dealer):
    """New-car handovers: record one, and see the sales promises of the latest."""
    form = HandoverRecordForm(request.POST or None, initial={"delivered_at": timezone.localtime()})
    if request.method == "POST" and form.is_valid():
        try:
            handover, created = services.handover_record(dealer=dealer, by=request.user, **form.cleaned_data)
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            if created:
                messages.success(request, _("Handover of %(vehicle)s recorded.") % {"vehicle": handover.vehicle})
            else:  # a double tap or a form sent again: the first record stands
                messages.info(request, _("The handover of %(vehicle)s was already recorded (handed over %(when)s); "
                                         "nothing changed.") % {
                    "vehicle": handover.vehicle,
                    "when": date_as(timezone.localtime(handover.delivered_at), "MEDIUM_DATETIME")})
            return redirect("handover_list", dealer.network.slug, dealer.code)
    handovers = (SalesHandover.objects.select_related("dealer", "customer", "vehicle", "sales_consultant")
                 .prefetch_related("followup_calls")[:50])
    rows = [(handover, evaluate_sales_promises(handover, followup=followup_outcome_for(handover)))
            for handover in handovers]
    return render(request, "servicejobs/handover_list.html", {"dealer": dealer, "form": form, "rows": rows},
                  status=400 if request.method == "POST" else 200)
