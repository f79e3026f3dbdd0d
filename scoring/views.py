"""Pages of the monthly ranking, a dealer's scorecard and the records behind its KPIs, the quarterly report of
top achievers, and their CSV/XLSX exports. They parse the query, call the selectors, and render."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from dealer_portal.forms import PortalForm, add_service_errors
from dealer_portal.tenancy.calendar import last_complete_quarter, local_today, previous_month, quarter_months
from dealer_portal.tenancy.decorators import dealer_page, network_page
from dealer_portal.tenancy.models import Region

from . import exports, selectors
from .kpis import MEASURES, PERCENT
from .models import EntryStatus, FocusArea, KpiCategory, Ranking
from .rules import TIE_RULE, month_check, month_parse, movement_text, quarter_check, quarter_label, quarter_parse, shown
from .services import ranking_publish

CASES_PER_PAGE = 50
RANKING_PAGE_SIZE = 50  # lines of the ranking page; the export has them all
# The ranking table's sortable columns: ?sort key and heading.
COLUMNS = [
    ("rank", gettext_lazy("Rank")), ("dealer", gettext_lazy("Dealer")), ("region", gettext_lazy("Region")),
    ("poe", gettext_lazy("POE")), ("service_quality", gettext_lazy("Service Quality")),
    ("speed", gettext_lazy("Speed")), ("compliance", gettext_lazy("Compliance")),
    ("overall", gettext_lazy("Overall")), ("stars", gettext_lazy("Stars")),
    ("region_rank", gettext_lazy("Rank in region")),
]
HIGH_FIRST = {"poe", "service_quality", "speed", "compliance", "overall", "stars"}
TEXT_COLUMNS = {"dealer", "region"}  # left-aligned; the others are figures


def _month_error(error: ValidationError) -> list[str]:
    return error.message_dict.get("month", error.messages) if hasattr(error, "error_dict") else error.messages


def _stars_text(stars: int | None) -> str:
    return "★" * stars if stars else ""


# --- The monthly ranking ------------------------------------------------------------------------------------


class RankingQueryForm(PortalForm):
    month = forms.CharField(label=gettext_lazy("Month"), required=False)
    version = forms.IntegerField(label=gettext_lazy("Version"), required=False, min_value=1)
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    stars = forms.TypedChoiceField(label=gettext_lazy("Stars"), required=False, coerce=int, empty_value=None,
                                   choices=[("", gettext_lazy("Any"))] + [(str(n), "★" * n) for n in range(5, 0, -1)])
    sort = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                             choices=[("", "")] + [(key, key) for key in selectors.SORTS]
                             + [(f"-{key}", key) for key in selectors.SORTS])
    # The filters the page offers; a version is reached through the version links, and pressing "Show" leaves it.
    FILTERS = ("month", "region", "stars")

    def __init__(self, data, *, network, months: list[date]):
        super().__init__(data)
        self.network = network
        self.fields["region"].choices = [("", _("All regions"))] + [
            (region.code, region.name) for region in Region.objects.filter(network=network).order_by("name")]
        self.fields["month"].widget = forms.Select(
            choices=[(month.strftime("%Y-%m"), date_format(month, "YEAR_MONTH_FORMAT")) for month in months],
            attrs={"class": "form-select"})

    @property
    def filters(self) -> list:
        return [self[name] for name in self.FILTERS]

    def clean_month(self) -> date | None:
        text = self.cleaned_data.get("month")
        if not text:
            return None
        try:
            return month_check(month_parse(text), network=self.network)
        except ValidationError as error:
            raise ValidationError(_month_error(error)) from error


class RepublishForm(PortalForm):
    month = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Why is the ranking republished?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


@dataclass
class RankingQuery:
    """What the ranking page and its export show, resolved from the query string."""

    form: RankingQueryForm
    months: list[date]
    month: date | None = None
    ranking: Ranking | None = None
    lines: object = field(default_factory=list)  # the ranking's lines (a query), or none
    status: int = 200
    missing: str = ""


def _ranking_query(request, network) -> RankingQuery:
    months = selectors.published_months(network)
    form = RankingQueryForm(request.GET, network=network, months=months)
    query = RankingQuery(form=form, months=months)
    if not form.is_valid():
        query.status = 400
        return query
    data = form.cleaned_data
    query.month = data["month"] or (months[0] if months else None)
    if query.month is None:
        return query  # nothing published yet: the page says so
    query.ranking = selectors.ranking_version(network=network, month=query.month, version=data["version"])
    if query.ranking is None:
        if data["version"]:
            query.missing = _("%(month)s has no version %(version)s.") % {
                "month": date_format(query.month, "YEAR_MONTH_FORMAT"), "version": data["version"]}
            query.status = 404
        else:
            query.missing = _("No ranking has been published for %(month)s.") % {
                "month": date_format(query.month, "YEAR_MONTH_FORMAT")}
        return query
    query.lines = selectors.ranking_lines(query.ranking, region_code=data["region"] or None, stars=data["stars"],
                                       sort=data["sort"] or None)
    return query


def _columns(request, sort: str) -> list[dict]:
    """Each sortable heading with the link that sorts by it (again: the other way round)."""
    columns = []
    for key, label in COLUMNS:
        first = f"-{key}" if key in HIGH_FIRST else key
        other = key if first.startswith("-") else f"-{key}"
        params = request.GET.copy()
        params.pop("page", None)  # sorted anew: from the first page
        params["sort"] = other if sort == first else first
        arrow = "▼" if sort == f"-{key}" else "▲" if sort == key else ""
        columns.append({"key": key, "label": label, "query": params.urlencode(), "arrow": arrow,
                        "is_rank": key == "rank", "is_figure": key not in TEXT_COLUMNS})
    return columns


def _ranking_lines_page(request, lines, *, own_dealer=None):
    """A page of ``RANKING_PAGE_SIZE`` lines (``?page=``, clamped to the pages there are); a dealer without a
    ``?page=`` sees the page with its own line, among its neighbours (found from the dealers' order alone)."""
    paginator = Paginator(lines, RANKING_PAGE_SIZE)
    number = request.GET.get("page")
    if number is None and own_dealer is not None:
        order = (list(lines.values_list("dealer_id", flat=True)) if hasattr(lines, "values_list")
                 else [line.dealer_id for line in lines])
        own = order.index(own_dealer.pk) if own_dealer.pk in order else None
        number = own // RANKING_PAGE_SIZE + 1 if own is not None else 1
    page = paginator.get_page(number)
    page.object_list = selectors.with_movement(page.object_list)
    return page


def _ranking_page(request, network, *, own_dealer=None, republish_form=None, status=None):
    query = _ranking_query(request, network)
    page = _ranking_lines_page(request, query.lines, own_dealer=own_dealer)
    linkable = {own_dealer.pk} if own_dealer is not None else selectors.linkable_dealers(network)
    for line in page.object_list:
        line.stars_text = _stars_text(line.stars)
        line.status_text = EntryStatus(line.status).label
        line.links_to_scorecard = line.dealer_id in linkable
        line.is_own = own_dealer is not None and line.dealer_id == own_dealer.pk
    other_pages = request.GET.copy()
    other_pages.pop("page", None)
    is_admin = own_dealer is None and request.tenancy.is_network_admin(network)
    if is_admin and query.ranking is not None and republish_form is None:
        republish_form = RepublishForm(initial={"month": query.month.strftime("%Y-%m")})
    sort = query.form.cleaned_data.get("sort", "") if query.status != 400 else ""
    return render(request, "scoring/ranking.html", {
        "network": network, "own_dealer": own_dealer, "query": query, "form": query.form,
        "month": query.month, "ranking": query.ranking, "lines": page.object_list, "page": page,
        "other_pages": other_pages.urlencode(),
        "versions": selectors.ranking_versions(network=network, month=query.month) if query.ranking else [],
        "tie_rule": _((query.ranking.rules.get("tie_rule") if query.ranking else None) or TIE_RULE),
        "columns": _columns(request, sort), "export_query": other_pages.urlencode(),
        "republish_form": republish_form if is_admin else None,
    }, status=status or query.status)


@network_page
def ranking_page(request, network):
    """HQ, regional managers and admins: the network's published ranking of a month, filtered and sorted."""
    return _ranking_page(request, network)


@dealer_page
def dealer_ranking_page(request, dealer):
    """Every dealer: the same published ranking, its own line marked; only its own scorecard is linked."""
    return _ranking_page(request, dealer.network, own_dealer=dealer)


@network_page
@require_POST
def ranking_republish(request, network):
    """A network admin republishes a month with a reason: a new version, the old one kept."""
    if not request.tenancy.is_network_admin(network):
        raise PermissionDenied
    form = RepublishForm(request.POST)
    if form.is_valid():
        try:
            month = month_parse(form.cleaned_data["month"])
            ranking, _published = ranking_publish(network=network, month=month, by=request.user,
                                                  reason=form.cleaned_data["reason"], republish=True,
                                                  is_network_admin=True)
        except ValidationError as problem:
            if hasattr(problem, "error_dict") and "month" in problem.error_dict:
                form.add_error(None, problem.error_dict.pop("month"))  # the month is a hidden field
            add_service_errors(form, problem)
        else:
            messages.success(request, _("Version %(version)s of %(month)s is published.") % {
                "version": ranking.version, "month": date_format(ranking.month, "YEAR_MONTH_FORMAT")})
            params = urlencode({"month": ranking.month.strftime("%Y-%m"), "version": ranking.version})
            return redirect(f"{reverse('scoring_ranking', args=[network.slug])}?{params}")
    return _ranking_page(request, network, republish_form=form, status=400)


@network_page
def ranking_export(request, network, fmt: str):
    """The lines the ranking page shows (same month, version and filters) as CSV or XLSX."""
    if fmt not in exports.FORMATS:
        raise Http404(_("No such export format."))
    query = _ranking_query(request, network)
    if query.status == 400:
        return _bad_request(request, query.form)
    if query.ranking is None:
        raise Http404(query.missing or _("Nothing published yet."))
    header, rows = exports.ranking_table(selectors.with_movement(query.lines))
    name = f"ranking-{network.slug}-{query.month:%Y-%m}-v{query.ranking.version}"
    return exports.table_response(fmt, filename=name, title=_("Ranking"), header=header, rows=rows)


def _bad_request(request, form: forms.Form):
    message = " ".join(str(error) for errors in form.errors.values() for error in errors)
    return render(request, "400.html", {"message": message}, status=400)


# --- The quarterly report -----------------------------------------------------------------------------------


@network_page
def quarterly_page(request, network):
    """Top achievers per region over a quarter's published rankings, for the quarterly roadshow."""
    context = {"network": network, "rule": _(selectors.QUARTERLY_RULE), "problem": "", "groups": []}
    text = request.GET.get("quarter", "").strip()
    try:
        quarter = quarter_parse(text) if text else last_complete_quarter(local_today(network))
        quarter_check(quarter, network=network)
    except ValidationError as error:
        context["problem"] = " ".join(error.message_dict.get("quarter", error.messages))
        context["quarter_text"] = text
        return render(request, "scoring/quarterly.html", context, status=400)
    context.update({
        "quarter": quarter, "quarter_text": quarter_label(quarter), "quarter_months": quarter_months(quarter),
        "groups": selectors.quarterly_achievers(network=network, quarter=quarter),
        "top": selectors.QUARTERLY_TOP, "linkable": selectors.linkable_dealers(network),
    })
    return render(request, "scoring/quarterly.html", context)


# --- A dealer's scorecard -----------------------------------------------------------------------------------


def _last_month(network) -> date:
    return previous_month(local_today(network))


def _requested_month(request, network) -> date:
    """?month=YYYY-MM (not in the future), last month by default; ValidationError otherwise."""
    text = request.GET.get("month", "").strip()
    return month_check(month_parse(text), network=network) if text else _last_month(network)


def _month_problem(request, dealer, error: ValidationError, template: str, extra: dict | None = None):
    return render(request, template, {"dealer": dealer, "problem": " ".join(_month_error(error)),
                                      "month_text": request.GET.get("month", ""), **(extra or {})}, status=400)


def _chart_point(value: float | None) -> float | None:
    # The chart shows what the page shows: one decimal, rounded once.
    return None if value is None else float(shown(value))


def _kpi_rows(card: dict, *, min_sample: int) -> list[dict]:
    rows = []
    for kpi in card.get("kpis", []):
        rows.append({**kpi, "focus_area_label": FocusArea(kpi["focus_area"]).label,
                     "category_label": KpiCategory(kpi["category"]).label,
                     "unit_text": "%" if kpi["unit"] == PERCENT else pgettext("unit: hours", "h"),
                     "note": exports.kpi_note(kpi, min_sample=min_sample)})
    return rows


@dealer_page
def scorecard_page(request, dealer):
    """A dealer's month: POE by section, Service Quality by focus area and category, the KPIs, the trend."""
    try:
        month = _requested_month(request, dealer.network)
        scorecard = selectors.dealer_month(dealer=dealer, month=month)
    except ValidationError as error:
        return _month_problem(request, dealer, error, "scoring/scorecard.html")
    card = scorecard.card
    min_sample = selectors.scorecard_min_sample(scorecard)
    trend = selectors.dealer_trend(dealer=dealer, until=month)
    chart = {"months": [date_format(line.ranking.month, "YEAR_MONTH_FORMAT") for line in trend],
             "overall": [_chart_point(line.overall) for line in trend],
             "poe": [_chart_point(line.poe) for line in trend],
             "service_quality": [_chart_point(line.service_quality) for line in trend],
             "labels": {"overall": _("Overall"), "poe": _("POE"), "service_quality": _("Service Quality")}}
    entry = scorecard.entry
    return render(request, "scoring/scorecard.html", {
        "dealer": dealer, "month": month, "month_text": month.strftime("%Y-%m"), "scorecard": scorecard,
        "card": card, "entry": entry, "status_text": EntryStatus(card["status"]).label,
        "stars_text": _stars_text(card.get("stars")),
        "movement": movement_text(entry) if entry is not None else "",
        "kpis": _kpi_rows(card, min_sample=min_sample), "min_sample": min_sample, "chart": chart,
        "export_query": urlencode({"month": month.strftime("%Y-%m")}),
        "is_hq_view": request.tenancy.sees_network(dealer.network),
    })


@dealer_page
def scorecard_export(request, dealer, fmt: str):
    """The scorecard's figures as CSV or XLSX."""
    if fmt not in exports.FORMATS:
        raise Http404(_("No such export format."))
    try:
        month = _requested_month(request, dealer.network)
        scorecard = selectors.dealer_month(dealer=dealer, month=month)
    except ValidationError as error:
        return render(request, "400.html", {"message": " ".join(_month_error(error))}, status=400)
    header, rows = exports.scorecard_table(scorecard.card, min_sample=selectors.scorecard_min_sample(scorecard),
                                           entry=scorecard.entry)
    name = f"scorecard-{dealer.code}-{month:%Y-%m}"
    return exports.table_response(fmt, filename=name, title=_("Scorecard"), header=header, rows=rows)


@dealer_page
def kpi_cases_page(request, dealer, kpi_code: str):
    """The records one KPI counted for the dealer's month, each linked to its own page."""
    try:
        month = _requested_month(request, dealer.network)
    except ValidationError as error:
        return _month_problem(request, dealer, error, "scoring/kpi_cases.html", {"kpi_code": kpi_code})
    found = selectors.kpi_on_card(dealer=dealer, month=month, code=kpi_code)
    if found is None:
        raise Http404(_("No such KPI."))
    name, measure_key = found
    page = Paginator(selectors.kpi_cases(dealer=dealer, month=month, measure_key=measure_key),
                     CASES_PER_PAGE).get_page(request.GET.get("page"))
    measure = MEASURES[measure_key]
    return render(request, "scoring/kpi_cases.html", {
        "dealer": dealer, "month": month, "month_text": month.strftime("%Y-%m"), "kpi_code": kpi_code,
        "kpi_name": name, "measure": measure, "page": page, "is_duration": measure.unit != PERCENT,
        "rows": [selectors.case_row(case, measure_key=measure_key) for case in page.object_list],
    })
