"""The representative's calling session: today's list, one call, one-tap attempts and the answers."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dealer_portal.forms import add_service_errors
from dealer_portal.tenancy.decorators import dealer_page
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
from servicejobs.models import PromiseCheckStatus

from . import services
from .dashboard import followup_figures
from .forms import AnswersForm, CallbackForm
from .models import ONE_TAP_OUTCOMES, AnswerVia, AttemptOutcome, FollowUpCall, Questionnaire
from .selectors import call_list

CALL_SECTION_SIZE = 10  # calls a part of the list shows at first (a tablet screen); "show more" adds as many again
CALL_SECTIONS = ("last_day", "due_today", "due_soon", "missed")


def _call_sections(calls, params) -> dict[str, dict]:
    """Each part of the list as far as ``?show_<part>=<calls>`` opened it (a number of no use: the first
    ``CALL_SECTION_SIZE``), with its total and the query that shows more of it."""
    sections = {}
    for name, shown in _shown_of(params).items():
        rows = getattr(calls, name)
        total = calls.totals.get(name, len(rows))
        more = params.copy()
        more[f"show_{name}"] = shown + CALL_SECTION_SIZE
        sections[name] = {"calls": rows[:shown], "total": total, "hidden": max(total - shown, 0),
                          "more_query": more.urlencode()}
    return sections


def _shown_of(params) -> dict[str, int]:
    """How many calls of each part ``?show_<part>=<calls>`` opens (a number of no use: the first page)."""
    shown = {}
    for name in CALL_SECTIONS:
        value = params.get(f"show_{name}", "")
        shown[name] = min(max(int(value), CALL_SECTION_SIZE), 10_000) if value.isascii() and value.isdigit() \
            else CALL_SECTION_SIZE
    return shown


@dealer_page
def call_list_page(request, dealer):
    calls = call_list(shown=_shown_of(request.GET))  # only the calls shown are read whole
    return render(request, "followups/call_list.html", {
        "dealer": dealer, "calls": calls, "sections": _call_sections(calls, request.GET)})


def _call_for_page(pk: int) -> FollowUpCall:
    return get_object_or_404(FollowUpCall.objects.select_related(
        "customer", "vehicle", "service_job", "service_job__advisor", "sales_handover").prefetch_related("attempts"),
        pk=pk)


def _answers_form(dealer, data=None) -> AnswersForm:
    """The answers form asking the dealer's network's questions, worded in the active language."""
    return AnswersForm(data, questionnaire=Questionnaire.objects.for_network(dealer.network))


def _render_call(request, dealer, call, *, answers_form=None, callback_form=None, status=200):
    broken = (call.service_job.promise_checks.filter(status=PromiseCheckStatus.BROKEN).order_by("number")
              if call.service_job_id else [])
    return render(request, "followups/call.html", {
        "dealer": dealer, "call": call, "broken": broken, "one_tap_outcomes": ONE_TAP_OUTCOMES,
        "call_back": AttemptOutcome.CALL_BACK,
        "answers_form": answers_form or _answers_form(dealer), "callback_form": callback_form or CallbackForm(),
    }, status=status)


@dealer_page
def call_page(request, dealer, pk: int):
    return _render_call(request, dealer, _call_for_page(pk))


@dealer_page
@require_POST
def call_attempt(request, dealer, pk: int, outcome: str):
    """One tap: no answer, voicemail, wrong number, or call back at a time."""
    if outcome not in AttemptOutcome.values:
        raise Http404(_("No such outcome."))
    call = _call_for_page(pk)
    callback_form = CallbackForm(request.POST) if outcome == AttemptOutcome.CALL_BACK else None
    if callback_form is not None and not callback_form.is_valid():
        return _render_call(request, dealer, call, callback_form=callback_form, status=400)
    try:
        services.call_attempt_log(call=call, outcome=outcome, by=request.user,
                                  callback_at=callback_form.cleaned_data["callback_at"] if callback_form else None)
    except ValidationError as problem:
        if callback_form is not None and hasattr(problem, "error_dict"):
            add_service_errors(callback_form, problem)
            return _render_call(request, dealer, call, callback_form=callback_form, status=400)
        messages.error(request, " ".join(problem.messages))
        return redirect("followup_call", dealer.network.slug, dealer.code, call.pk)
    messages.success(request, _("Attempt recorded: %(outcome)s.") % {"outcome": AttemptOutcome(outcome).label})
    return redirect("followup_list", dealer.network.slug, dealer.code)


@dealer_page
@require_POST
def call_answers(request, dealer, pk: int):
    """The customer was reached: their answers; a dissatisfied one lands the representative on the complaint."""
    call = _call_for_page(pk)
    form = _answers_form(dealer, request.POST)
    if form.is_valid():
        try:
            answer = services.call_answers_record(call=call, by=request.user, **form.cleaned_data)
        except ValidationError as problem:
            if hasattr(problem, "error_dict"):
                add_service_errors(form, problem)
            else:
                messages.error(request, " ".join(problem.messages))
                return redirect("followup_call", dealer.network.slug, dealer.code, call.pk)
        else:
            if answer.complaint_id:
                messages.warning(request, _("The customer is not satisfied: complaint %(reference)s was opened.")
                                 % {"reference": answer.complaint.reference})
                return redirect("complaint_detail", dealer.network.slug, dealer.code, answer.complaint_id)
            messages.success(request, _("Answers recorded. Thank you!"))
            return redirect("followup_list", dealer.network.slug, dealer.code)
    return _render_call(request, dealer, call, answers_form=form, status=400)


@dealer_page
@require_POST
def call_send_link(request, dealer, pk: int):
    """Email the customer a signed, single-use, expiring link to answer online."""
    call = _call_for_page(pk)
    try:
        services.answer_link_send(call=call, by=request.user, link_builder=lambda token: request.build_absolute_uri(
            reverse("followup_public_answer", args=[token])))
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, _("The link was emailed to %(email)s.") % {"email": call.customer.email})
    return redirect("followup_call", dealer.network.slug, dealer.code, call.pk)


def public_answer(request, token: str):
    """Public: the customer answers the questionnaire in their own language; counts exactly as a call would."""
    try:
        call = services.call_for_answer_link(token)
    except services.AnswerLinkUnusable as problem:
        return render(request, "followups/public_message.html", {"message": problem.message}, status=problem.status)
    with tenant_scope(TenantScope.for_dealer(call.dealer)), translation.override(call.customer.language):
        form = _answers_form(call.dealer, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.call_answers_record(call=call, via=AnswerVia.ONLINE, **form.cleaned_data)
            except ValidationError:
                return render(request, "followups/public_message.html",
                              {"message": _("Your answers were already received. Thank you!")}, status=410)
            return render(request, "followups/public_message.html",
                          {"message": _("Thank you! Your answers were received."), "thanks": True})
        return render(request, "followups/public_answer.html", {"form": form, "call": call},
                      status=400 if request.method == "POST" else 200)


@dealer_page
def followup_figures_page(request, dealer):
    """Calls made inside their window, reach, satisfaction per month, per advisor and per sales consultant."""
    return render(request, "followups/figures.html", {"dealer": dealer, "figures": followup_figures()})
