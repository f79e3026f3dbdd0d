"""Pages of the monthly assessments (HQ's and the dealers' own), their evidence, the checklists and the network
admin's scoring settings. They parse the request, call scoring.services / scoring.selectors, and render.

Who may do what:
- HQ analysts and network admins start and score HQ assessments; a dealer's dealer manager starts and scores
  its self-assessments; everyone else who sees the dealer reads (a POST is 403).
- Dealer staff never see HQ assessments that are still drafts (404, like a missing one).
- Only network admins reopen a submitted assessment, edit the scoring settings and import checklists.
"""

from __future__ import annotations

import json
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dealer_portal.forms import add_service_errors
from dealer_portal.tenancy.calendar import local_today, month_start
from dealer_portal.tenancy.decorators import dealer_page, network_page
from dealer_portal.tenancy.models import Role

from . import selectors, services
from .forms import (
    AssessmentListQueryForm,
    AssessmentStartForm,
    ChecklistImportForm,
    EvidenceForm,
    ItemScoreForm,
    KpiFormSet,
    ReopenForm,
    ScoringPolicyForm,
)
from .kpis import MEASURES, PERCENT, default_kpis
from .models import (
    Assessment,
    AssessmentEvidence,
    AssessmentStatus,
    ChecklistItem,
    ChecklistTemplate,
    Kpi,
    ScoringPolicy,
)
from .services import ScoresRefused

HQ_ROLES = (Role.HQ_ANALYST, Role.NETWORK_ADMIN)


# --- Who may do what ----------------------------------------------------------------------------------------


def _may_edit(request, assessment: Assessment) -> bool:
    """HQ people edit HQ assessments; the dealer's own manager edits its self-assessments."""
    roles = (Role.DEALER_MANAGER,) if assessment.is_self_assessment else HQ_ROLES
    return request.tenancy.has_role(*roles)


def _require_editor(request, assessment: Assessment) -> None:
    if not _may_edit(request, assessment):
        raise PermissionDenied


def _starts_self_assessment(request) -> bool | None:
    """False: this person starts HQ's assessment; True: the dealer's self-assessment; None: neither."""
    if request.tenancy.has_role(*HQ_ROLES):
        return False
    if request.tenancy.has_role(Role.DEALER_MANAGER):
        return True
    return None


def _visible_assessments(request, dealer) -> QuerySet:
    """The dealer's assessments this person may open (the scope already narrows them to ``dealer``)."""
    return selectors.assessments_visible(request.tenancy.user_scope).select_related("template", "auditor")


def _assessment_for(request, dealer, pk: int) -> Assessment:
    return get_object_or_404(_visible_assessments(request, dealer), pk=pk)


def _detail_url(dealer, assessment) -> str:
    return reverse("scoring_assessment", args=[dealer.network.slug, dealer.code, assessment.pk])


# --- HQ's month of assessments across the network -------------------------------------------------------------


@network_page
def assessment_list_page(request, network):
    """The month's HQ assessments across the dealers this person sees, and the dealers not assessed yet."""
    form = AssessmentListQueryForm(request.GET, network=network)
    context = {"network": network, "form": form, "rows": [], "not_assessed": [], "shows_started": True,
               "shows_not_started": True, "may_start": request.tenancy.has_role(*HQ_ROLES)}
    if not form.is_valid():
        return render(request, "scoring/assessment_list.html", context, status=400)
    month = form.cleaned_data["month"] or month_start(local_today(network))
    status = form.cleaned_data["status"]
    found = selectors.assessment_month(network=network, month=month, region_code=form.cleaned_data["region"],
                                       status=status)
    context.update({"month": month, "month_text": month.strftime("%Y-%m"), "rows": found.rows,
                    "not_assessed": found.not_assessed,
                    "shows_started": status != selectors.NOT_STARTED,
                    "shows_not_started": status in ("", selectors.NOT_STARTED)})
    return render(request, "scoring/assessment_list.html", context)


# --- One dealer's assessments ---------------------------------------------------------------------------------


@dealer_page
def dealer_assessments_page(request, dealer):
    """The dealer's assessments: HQ's (drafts only for HQ people) and its own self-assessments."""
    assessments = list(selectors.assessments_with_points(_visible_assessments(request, dealer))
                       .order_by("-month", "is_self_assessment", "template__code"))
    for assessment in assessments:
        assessment.poe = selectors.assessment_poe(assessment)
    return render(request, "scoring/assessment_list.html", {
        "dealer": dealer, "dealer_rows": assessments,
        "starts_self_assessment": _starts_self_assessment(request),
    })


@dealer_page
def assessment_new_page(request, dealer):
    """HQ starts the month's assessment; the dealer's manager starts a self-assessment instead."""
    is_self_assessment = _starts_self_assessment(request)
    if is_self_assessment is None:
        raise PermissionDenied
    network = dealer.network
    status = 200
    if request.method == "POST":
        form = AssessmentStartForm(request.POST, network=network)
        if form.is_valid():
            try:
                assessment = services.assessment_start(dealer=dealer, template=form.cleaned_data["template"],
                                              month=form.cleaned_data["month"], by=request.user,
                                              is_self_assessment=is_self_assessment)
            except ValidationError as problem:
                add_service_errors(form, problem)
            except IntegrityError:  # started at the same moment by someone else
                form.add_error("month", _("This dealer already has this assessment for this month."))
            else:
                messages.success(request, _("Assessment started."))
                return redirect(_detail_url(dealer, assessment))
        status = 400
    else:
        month = request.GET.get("month") or local_today(network).strftime("%Y-%m")
        form = AssessmentStartForm(initial={"month": month}, network=network)
    return render(request, "scoring/assessment_new.html", {
        "dealer": dealer, "form": form, "is_self_assessment": is_self_assessment,
        "has_checklists": form.fields["template"].queryset.exists(),
    }, status=status)


def _score_forms(assessment: Assessment, items: list[ChecklistItem], data=None) -> list[ItemScoreForm]:
    scores = {score.item_id: score for score in assessment.scores.all()}
    score_forms = []
    for item in items:
        score = scores.get(item.pk)
        initial = ({"points": score.points, "not_applicable": score.not_applicable, "comment": score.comment}
                   if score else {})
        score_forms.append(ItemScoreForm(data, prefix=f"item-{item.pk}", item=item, initial=initial))
    return score_forms


def _detail_page(request, dealer, assessment: Assessment, *, score_forms=None, evidence_form=None,
                 reopen_form=None, problems=(), status: int = 200):
    assessment.refresh_from_db(fields=["status", "submitted_at"])
    items = selectors.assessment_items(assessment)
    scores = {score.item_id: score for score in assessment.scores.all()}
    if score_forms is None:
        score_forms = _score_forms(assessment, items)
    total, per_section = selectors.assessment_result(assessment)
    sections = []
    for form in score_forms:
        section = form.item.section
        if not sections or sections[-1]["section"].pk != section.pk:
            sections.append({"section": section, "result": per_section.get(section.title), "rows": []})
        sections[-1]["rows"].append({"item": form.item, "form": form, "score": scores.get(form.item.pk)})
    is_draft = assessment.status == AssessmentStatus.DRAFT
    editable = is_draft and _may_edit(request, assessment)
    is_admin = request.tenancy.is_network_admin(dealer.network)
    return render(request, "scoring/assessment_detail.html", {
        "dealer": dealer, "assessment": assessment, "sections": sections, "total": total,
        "scored_count": len(scores), "items_count": len(items),
        "is_draft": is_draft, "editable": editable, "problems": list(problems),
        "evidence": list(assessment.evidence.select_related("item", "uploaded_by")),
        "evidence_form": evidence_form or (EvidenceForm(template=assessment.template) if editable else None),
        "events": list(assessment.events.select_related("by")),
        "reopen_form": (reopen_form or ReopenForm()) if is_admin and not is_draft else None,
        "is_hq_view": request.tenancy.sees_network(dealer.network),
    }, status=status)


def _scores_save(assessment: Assessment, score_forms: list[ItemScoreForm], scored_item_ids: set[int]) -> list[str]:
    """Every item's score in one transaction: if one item is refused, nothing is saved.

    Each refused item gets the service's message on its own form; returns the problems of the whole assessment.
    """
    forms_to_save = [form for form in score_forms
                     if not (form.is_blank() and form.item.pk not in scored_item_ids)]  # blank: left for later
    rows = [{"item": form.item, "points": form.cleaned_data["points"],
             "not_applicable": form.cleaned_data["not_applicable"], "comment": form.cleaned_data["comment"]}
            for form in forms_to_save]
    problems: list[str] = []
    try:
        services.assessment_score_many(assessment=assessment, rows=rows)
    except ScoresRefused as refused:
        for index, error in refused.by_row.items():
            add_service_errors(forms_to_save[index], error)
    except ValidationError as error:
        problems.extend(error.messages)  # the assessment as a whole refuses (locked)
    return problems


@dealer_page
def assessment_page(request, dealer, pk: int):
    """The checklist by section with the points given; POST saves the whole form at once."""
    assessment = _assessment_for(request, dealer, pk)
    if request.method != "POST":
        return _detail_page(request, dealer, assessment)
    _require_editor(request, assessment)
    if assessment.status != AssessmentStatus.DRAFT:
        return _detail_page(request, dealer, assessment, problems=[_(services.LOCKED)], status=400)
    items = selectors.assessment_items(assessment)
    score_forms = _score_forms(assessment, items, data=request.POST)
    problems: list[str] = []
    checked = [form.is_valid() for form in score_forms]  # every form checked, so every bad item shows its error
    if all(checked):
        scored = set(assessment.scores.values_list("item_id", flat=True))
        problems = _scores_save(assessment, score_forms, scored)
        if not problems and not any(form.errors for form in score_forms):
            messages.success(request, _("Scores saved."))
            return redirect(_detail_url(dealer, assessment))
    if not problems:
        problems = [_("Nothing was saved: correct the items marked below.")]
    return _detail_page(request, dealer, assessment, score_forms=score_forms, problems=problems, status=400)


@dealer_page
@require_POST
def assessment_submit_page(request, dealer, pk: int):
    """Lock the assessment; every item must be scored or marked not applicable first."""
    assessment = _assessment_for(request, dealer, pk)
    _require_editor(request, assessment)
    try:
        services.assessment_submit(assessment=assessment, by=request.user)
    except ValidationError as error:
        return _detail_page(request, dealer, assessment, problems=error.messages, status=400)
    messages.success(request, _("Submitted: the assessment is locked."))
    return redirect(_detail_url(dealer, assessment))


@dealer_page
@require_POST
def assessment_reopen_page(request, dealer, pk: int):
    """A network admin reopens a submitted assessment, saying why (kept in its history)."""
    assessment = _assessment_for(request, dealer, pk)
    if not request.tenancy.is_network_admin(dealer.network):
        raise PermissionDenied
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_reopen(assessment=assessment, by=request.user, reason=form.cleaned_data["reason"],
                              is_network_admin=True)
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            messages.success(request, _("Reopened: the assessment can be scored again."))
            return redirect(_detail_url(dealer, assessment))
    return _detail_page(request, dealer, assessment, reopen_form=form, problems=form.non_field_errors(),
                        status=400)


# --- Evidence -----------------------------------------------------------------------------------------------


@dealer_page
@require_POST
def evidence_add_page(request, dealer, pk: int):
    """Attach a photo or document (type and size checked by the service) to an assessment being scored."""
    assessment = _assessment_for(request, dealer, pk)
    _require_editor(request, assessment)
    form = EvidenceForm(request.POST, request.FILES, template=assessment.template)
    if form.is_valid():
        try:
            services.evidence_attach(assessment=assessment, upload=form.cleaned_data["file"], by=request.user,
                                     item=form.cleaned_data["item"], note=form.cleaned_data["note"])
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            messages.success(request, _("Evidence attached."))
            return redirect(_detail_url(dealer, assessment) + "#evidence")
    return _detail_page(request, dealer, assessment, evidence_form=form, problems=form.non_field_errors(),
                        status=400)


@dealer_page
@require_POST
def evidence_remove_page(request, dealer, pk: int, evidence_pk: int):
    assessment = _assessment_for(request, dealer, pk)
    evidence = get_object_or_404(AssessmentEvidence, pk=evidence_pk, assessment=assessment)
    _require_editor(request, assessment)
    try:
        services.evidence_remove(evidence=evidence)
    except ValidationError as error:
        return _detail_page(request, dealer, assessment, problems=error.messages, status=400)
    messages.success(request, _("Evidence removed."))
    return redirect(_detail_url(dealer, assessment) + "#evidence")


@dealer_page
@require_GET
def evidence_download(request, dealer, pk: int, evidence_pk: int):
    """The file, streamed from the storage: never through a public media URL, only to those who see it."""
    assessment = _assessment_for(request, dealer, pk)
    evidence = get_object_or_404(AssessmentEvidence, pk=evidence_pk, assessment=assessment)
    try:
        handle = evidence.file.storage.open(evidence.file.name, "rb")
    except FileNotFoundError as error:
        raise Http404(_("The file is no longer in the storage.")) from error
    response = FileResponse(handle, as_attachment=not evidence.content_type.startswith("image/"),
                            filename=evidence.original_name, content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # A file is never a page: no scripts, even if someone managed to disguise one.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


# --- The network admin's scoring settings ---------------------------------------------------------------------

KPI_ROW_ERROR = re.compile(r"^kpis\[(\d+)\]\.(\w+)$")


def _kpi_initial(kpi: Kpi) -> dict:
    return {name: getattr(kpi, name) for name in services.KPI_FIELDS}


def _kpi_service_errors(kept_forms: list, error: ValidationError) -> list[str]:
    """Put ``kpi_set_replace``'s errors on their rows; what concerns the whole set is returned."""
    if not hasattr(error, "error_dict"):
        return error.messages
    problems = []
    for key, messages_ in error.message_dict.items():
        match = KPI_ROW_ERROR.match(key)
        if match and int(match[1]) < len(kept_forms):
            form = kept_forms[int(match[1])]
            form.add_error(match[2] if match[2] in form.fields else None, messages_)
        else:
            problems.extend(messages_)
    return problems


def _settings_page(request, network, *, policy_form=None, kpi_formset=None, kpi_problems=(), status=200):
    saved = list(Kpi.objects.filter(network=network))
    if kpi_formset is None:
        kpi_formset = KpiFormSet(prefix="kpis", initial=[_kpi_initial(kpi) for kpi in saved or default_kpis(network)])
    return render(request, "scoring/settings.html", {
        "network": network, "may_edit": request.tenancy.is_network_admin(network),
        "policy_form": policy_form or ScoringPolicyForm(instance=ScoringPolicy.objects.for_network(network),
                                                        prefix="policy"),
        "kpi_formset": kpi_formset, "kpi_problems": list(kpi_problems), "uses_default_kpis": not saved,
        "measures": [{"key": key, "label": measure.label, "explanation": measure.explanation,
                      "unit": "%" if measure.unit == PERCENT else _("hours")} for key, measure in MEASURES.items()],
    }, status=status)


def _kpis_save(request, network):
    formset = KpiFormSet(request.POST, prefix="kpis")
    if not formset.is_valid():
        return _settings_page(request, network, kpi_formset=formset, status=400)
    kept = [form for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
    rows = [{name: form.cleaned_data[name] for name in services.KPI_FIELDS} for form in kept]
    try:
        services.kpi_set_replace(network=network, rows=rows)
    except ValidationError as error:
        problems = _kpi_service_errors(kept, error)
        return _settings_page(request, network, kpi_formset=formset, kpi_problems=problems, status=400)
    messages.success(request, _("The KPI set is saved."))
    return redirect("scoring_settings", network.slug)


def _kpi_row_added(request, network):
    data = request.POST.copy()
    total_key = "kpis-TOTAL_FORMS"
    try:
        data[total_key] = str(int(data.get(total_key, "0")) + 1)
    except ValueError:
        data[total_key] = "1"
    return _settings_page(request, network, kpi_formset=KpiFormSet(data, prefix="kpis"))


@network_page(roles=HQ_ROLES)
def scoring_settings_page(request, network):
    """HQ reads and network admins change the 5-Star rules and the Service Quality KPI set."""
    if request.method != "POST":
        return _settings_page(request, network)
    if not request.tenancy.is_network_admin(network):
        raise PermissionDenied
    action = request.POST.get("action")
    if action == "policy":
        form = ScoringPolicyForm(request.POST, instance=ScoringPolicy.objects.for_network(network), prefix="policy")
        if not form.is_valid():
            return _settings_page(request, network, policy_form=form, status=400)
        form.save()
        messages.success(request, _("The scoring rules are saved."))
        return redirect("scoring_settings", network.slug)
    if action == "kpis":
        return _kpis_save(request, network)
    if action == "add_row":
        return _kpi_row_added(request, network)
    if action == "restore_defaults":
        services.kpi_set_replace(network=network, rows=[_kpi_initial(kpi) for kpi in default_kpis(network)])
        messages.success(request, _("The default KPI set is restored."))
        return redirect("scoring_settings", network.slug)
    return _settings_page(request, network, kpi_problems=[_("Unknown action.")], status=400)


# --- Checklists -----------------------------------------------------------------------------------------------


@network_page(roles=HQ_ROLES)
def checklists_page(request, network):
    """The network's checklists, every version; network admins install the shipped ones or import a file."""
    import_form = ChecklistImportForm()
    status = 200
    if request.method == "POST":
        if not request.tenancy.is_network_admin(network):
            raise PermissionDenied
        if request.POST.get("action") == "install":
            installed = services.shipped_checklists_install(network=network)
            if installed:
                messages.success(request, _("Installed %(count)d checklists.") % {"count": installed})
            else:
                messages.info(request, _("The shipped checklists were already installed."))
            return redirect("scoring_checklists", network.slug)
        import_form = ChecklistImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            try:
                template = services.checklist_import(network=network, data=import_form.cleaned_data["file"])
            except ValidationError as problem:
                add_service_errors(import_form, problem)
            else:
                messages.success(request, _("Imported %(name)s, version %(version)d.") % {
                    "name": template.name, "version": template.version})
                for warning in template.import_warnings:
                    messages.warning(request, warning)
                return redirect("scoring_checklists", network.slug)
        status = 400
    return render(request, "scoring/checklists.html", {
        "network": network, "checklists": selectors.checklists_with_totals(network), "import_form": import_form,
        "may_edit": request.tenancy.is_network_admin(network),
    }, status=status)


@network_page(roles=HQ_ROLES)
@require_GET
def checklist_export_page(request, network, pk: int):
    """One checklist version as readable JSON (what the import reads back), downloaded as a file."""
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    body = json.dumps(selectors.checklist_export(template), indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{template.code}-v{template.version}.json")
    return response
