"""The 5-Star rating and the monthly network ranking: scorecards, ranks and the published snapshot.

Formulas (stated once, tested against hand-computed figures):
- POE = points achieved / applicable maximum × 100, from the month's submitted HQ POE assessment.
- A KPI scores ``kpi_score`` (0–100). A KPI with fewer cases than the network's minimum sample is
  "not enough data" and left out; the remaining weights are scaled up to 100 in proportion.
- Service Quality = Σ score × redistributed weight / 100; Speed and Compliance the same within their
  category, each focus area the same within itself.
- Service Quality needs KPIs with data worth the network's minimum share of the weight; otherwise the
  dealer is listed "not enough data", without a rating (never a free score).
- Overall = (POE × POE weight + Service Quality × its weight) / 100, of the one-decimal figures shown.
- Stars by the network's thresholds on the overall score (below the two-star threshold: one star).
- Rank: rated dealers by overall, ties broken by POE, then Service Quality, then dealer code (A–Z).
  The top five of the network receive the month's accolade.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import ComplaintPolicy
from dealer_portal.tenancy.calendar import local_today, previous_month
from dealer_portal.tenancy.models import Dealer, Network

from .assessments import Percentage, one_decimal
from .kpis import MEASURES, MonthContext, kpi_score, measure_figures, network_kpis
from .models import (
    AssessmentScore,
    AssessmentStatus,
    ChecklistKind,
    EntryStatus,
    FocusArea,
    KpiCategory,
    Ranking,
    RankingEntry,
    ScoringPolicy,
)

TOP = 5



def network_today(network) -> date:
    return local_today(network)


def network_zone(network) -> ZoneInfo:
    return ZoneInfo(network.time_zone)


def month_parse(text: str) -> date:
    """``2026-10`` → 1 October 2026, or a clear error."""
    try:
        return datetime.strptime((text or "").strip(), "%Y-%m").date()
    except ValueError as error:
        raise ValidationError({"month": _("Give the month as YYYY-MM, for example 2026-10.")}) from error


def month_check(month: date, *, network, finished: bool = False, today: date | None = None) -> date:
    """Refuse a month in the future (and, with ``finished``, the month still running) in network time."""
    month = month.replace(day=1)
    this_month = (today or network_today(network)).replace(day=1)
    if month > this_month:
        raise ValidationError({"month": _("%(month)s is in the future.") % {"month": month.strftime("%Y-%m")}})
    if finished and month == this_month:
        raise ValidationError({"month": _("%(month)s is not over yet; its ranking is published on the 1st of "
                                          "next month.") % {"month": month.strftime("%Y-%m")}})
    return month


# --- Scorecards ---------------------------------------------------------------------------------------------


@dataclass
class KpiResult:
    code: str
    name: str
    measure: str
    record: str
    unit: str
    focus_area: int
    category: str
    target: float
    weight: int
    cases: int = 0
    met: int | None = None
    value: float | None = None
    score: float | None = None
    enough_data: bool = False
    effective_weight: float | None = None


@dataclass
class Scorecard:
    """One dealer's month: everything its ranking line and scorecard page show."""

    dealer_id: int
    month: str
    poe: Decimal | None = None
    poe_sections: list[dict] = field(default_factory=list)
    service_quality: Decimal | None = None
    speed: Decimal | None = None
    compliance: Decimal | None = None
    focus_areas: list[dict] = field(default_factory=list)
    kpis: list[KpiResult] = field(default_factory=list)
    overall: Decimal | None = None
    stars: int | None = None
    status: str = EntryStatus.NOT_ASSESSED

    def details(self) -> dict:
        """What the published snapshot keeps beside its columns (plain JSON)."""
        return {"poe_sections": self.poe_sections, "focus_areas": self.focus_areas,
                "kpis": [asdict(result) for result in self.kpis]}


def _weighted(results: list[KpiResult]) -> Decimal | None:
    counted = [result for result in results if result.enough_data]
    total = sum(result.weight for result in counted)
    if not total:
        return None
    return one_decimal(sum(result.score * result.weight for result in counted) / total)


def service_quality_apply(card: Scorecard, *, min_data_weight_percent: int) -> None:
    """Service Quality, Speed, Compliance and the focus areas from the card's KPI results (weights redistributed)."""
    results = card.kpis
    all_weight = sum(result.weight for result in results)
    counted_weight = sum(result.weight for result in results if result.enough_data)
    for result in results:
        result.effective_weight = (round(100.0 * result.weight / counted_weight, 2)
                                   if result.enough_data and counted_weight else None)
    enough = bool(all_weight) and 100 * counted_weight >= min_data_weight_percent * all_weight
    card.service_quality = _weighted(results) if enough else None
    card.speed = _weighted([r for r in results if r.category == KpiCategory.SPEED]) if enough else None
    card.compliance = _weighted([r for r in results if r.category == KpiCategory.COMPLIANCE]) if enough else None
    card.focus_areas = [
        {"area": area.value, "name": str(area.label),
         "percent": _float(_weighted([r for r in results if r.focus_area == area.value]))}
        for area in FocusArea
    ]


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def stars_for(overall: Decimal, policy: ScoringPolicy) -> int:
    for stars, threshold in ((5, policy.five_stars_from), (4, policy.four_stars_from),
                             (3, policy.three_stars_from), (2, policy.two_stars_from)):
        if overall >= Decimal(threshold):
            return stars
    return 1


def rating_apply(card: Scorecard, policy: ScoringPolicy) -> None:
    """The overall score, the stars and the status, from POE and Service Quality."""
    if card.poe is None:
        card.status = EntryStatus.NOT_ASSESSED
    elif card.service_quality is None:
        card.status = EntryStatus.NOT_ENOUGH_DATA
    else:
        card.overall = one_decimal((card.poe * policy.poe_weight
                                    + card.service_quality * policy.service_quality_weight) / 100)
        card.stars = stars_for(card.overall, policy)
        card.status = EntryStatus.RATED


def poe_by_dealer(*, dealer_ids, month: date) -> dict[int, tuple[Decimal, list[dict]]]:
    """The dealers' POE for the month: submitted HQ POE assessments only, one grouped query."""
    rows = (AssessmentScore.objects
            .filter(dealer_id__in=dealer_ids, assessment__month=month, assessment__is_self_assessment=False,
                    assessment__status=AssessmentStatus.SUBMITTED, assessment__template__kind=ChecklistKind.POE,
                    not_applicable=False)
            .order_by()
            .values("dealer_id", "item__section__code", "item__section__title", "item__section__position")
            .annotate(achieved=Sum("points"), applicable=Sum("item__max_points"))
            .order_by("dealer_id", "item__section__position"))
    sections: dict[int, list[dict]] = {}
    for row in rows:
        sections.setdefault(row["dealer_id"], []).append({
            "code": row["item__section__code"], "title": row["item__section__title"],
            "achieved": row["achieved"] or 0, "applicable": row["applicable"],
            "percent": Percentage(row["achieved"] or 0, row["applicable"]).percent,
        })
    result = {}
    for dealer_id, parts in sections.items():
        total = Percentage(sum(part["achieved"] for part in parts), sum(part["applicable"] for part in parts))
        if total.exact is not None:
            result[dealer_id] = (total.exact, parts)
    return result


def scorecards_compute(*, network, month: date, dealers: list[Dealer]) -> dict[int, Scorecard]:
    """The month's scorecards of ``dealers`` (all of the network's, or one): one query per KPI, one for POE."""
    policy = ScoringPolicy.objects.for_network(network)
    complaint_policy = ComplaintPolicy.objects.for_network(network)
    context = MonthContext(month=month, dealer_ids=tuple(dealer.pk for dealer in dealers),
                           zones=tuple({dealer.time_zone for dealer in dealers}),
                           first_contact_hours=complaint_policy.first_contact_hours,
                           reply_limit_hours=complaint_policy.reply_limit_hours)
    kpis = network_kpis(network)
    figures = {kpi.code: measure_figures(MEASURES[kpi.measure], context) for kpi in kpis}
    poe = poe_by_dealer(dealer_ids=context.dealer_ids, month=month)
    cards = {}
    for dealer in dealers:
        card = Scorecard(dealer_id=dealer.pk, month=month.strftime("%Y-%m"))
        if dealer.pk in poe:
            card.poe, card.poe_sections = poe[dealer.pk]
        for kpi in kpis:
            measure = MEASURES[kpi.measure]
            figure = figures[kpi.code].get(dealer.pk)
            result = KpiResult(code=kpi.code, name=kpi.name, measure=kpi.measure, record=measure.record,
                               unit=measure.unit, focus_area=kpi.focus_area, category=kpi.category,
                               target=float(kpi.target), weight=kpi.weight)
            if figure is not None:
                result.cases, result.met = figure.cases, figure.met
                result.value = round(figure.value, 1) if figure.value is not None else None
                result.enough_data = figure.cases >= policy.min_sample and figure.value is not None
                if result.enough_data:
                    result.score = round(kpi_score(figure.value, target=float(kpi.target),
                                                   higher_is_better=measure.higher_is_better), 1)
            card.kpis.append(result)
        service_quality_apply(card, min_data_weight_percent=policy.min_data_weight_percent)
        rating_apply(card, policy)
        cards[dealer.pk] = card
    return cards


def ranked(cards: list[Scorecard], codes: dict[int, str]) -> list[Scorecard]:
    """Rated cards in rank order: overall, then POE, then Service Quality (all high first), then dealer code."""
    rated = [card for card in cards if card.status == EntryStatus.RATED]
    return sorted(rated, key=lambda card: (-card.overall, -card.poe, -card.service_quality, codes[card.dealer_id]))


# --- Publishing ---------------------------------------------------------------------------------------------


def ranking_dealers(network) -> list[Dealer]:
    # Every active dealer of the network is listed, rated or not ("not assessed" is information too).
    return list(Dealer.objects.filter(network=network, is_active=True).select_related("region").order_by("code"))


def _rules(network) -> dict:
    policy = ScoringPolicy.objects.for_network(network)
    return {
        "poe_weight": policy.poe_weight, "service_quality_weight": policy.service_quality_weight,
        "min_sample": policy.min_sample, "min_data_weight_percent": policy.min_data_weight_percent,
        "stars_from": {"5": str(policy.five_stars_from), "4": str(policy.four_stars_from),
                       "3": str(policy.three_stars_from), "2": str(policy.two_stars_from)},
        "tie_rule": "overall, then POE, then Service Quality, then dealer code",
    }


def ranking_current(*, network, month: date) -> Ranking | None:
    return Ranking.objects.filter(network=network, month=month, is_current=True).first()


@transaction.atomic
def ranking_publish(*, network, month: date, by=None, reason: str = "", republish: bool = False,
                    is_network_admin: bool = False, today: date | None = None) -> tuple[Ranking, bool]:
    """Publish the month's ranking as an immutable snapshot; returns (ranking, whether it was published now).

    Without ``republish`` a month already published is left as it is (the beat task may run twice).
    Republishing is a network admin's, with a reason: a new version, the old one kept.
    """
    month = month_check(month, network=network, finished=True, today=today)
    Network.objects.select_for_update().filter(pk=network.pk).first()  # one publisher per network at a time
    existing = Ranking.objects.filter(network=network, month=month).order_by("-version").first()
    if existing is not None and not republish:
        return existing, False
    if republish:
        if not is_network_admin:
            raise ValidationError(_("Only a network admin can republish a ranking."))
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the ranking is republished.")})
        if existing is None:
            raise ValidationError({"month": _("%(month)s has not been published yet.") % {
                "month": month.strftime("%Y-%m")}})
        Ranking.objects.filter(network=network, month=month).update(is_current=False)
    dealers = ranking_dealers(network)
    cards = scorecards_compute(network=network, month=month, dealers=dealers)
    codes = {dealer.pk: dealer.code for dealer in dealers}
    order = ranked(list(cards.values()), codes)
    rank_network = {card.dealer_id: position for position, card in enumerate(order, start=1)}
    rank_region: dict[int, int] = {}
    region_count: dict[int, int] = {}
    region_of = {dealer.pk: dealer.region_id for dealer in dealers}
    for card in order:
        region = region_of[card.dealer_id]
        region_count[region] = region_count.get(region, 0) + 1
        rank_region[card.dealer_id] = region_count[region]
    previous = ranking_current(network=network, month=previous_month(month))
    previous_ranks = dict(previous.entries.values_list("dealer_id", "rank_network")) if previous else {}
    try:
        with transaction.atomic():
            ranking = Ranking.objects.create(
                network=network, month=month, version=(existing.version + 1) if existing else 1,
                reason=reason.strip(), published_by=by, published_at=timezone.now(), rules=_rules(network))
    except IntegrityError:  # published meanwhile by another worker
        return Ranking.objects.get(network=network, month=month, is_current=True), False
    RankingEntry.objects.bulk_create([
        RankingEntry(ranking=ranking, dealer_id=card.dealer_id, region_id=region_of[card.dealer_id],
                     status=card.status, poe=card.poe, service_quality=card.service_quality, speed=card.speed,
                     compliance=card.compliance, overall=card.overall, stars=card.stars,
                     rank_network=rank_network.get(card.dealer_id), rank_region=rank_region.get(card.dealer_id),
                     previous_rank=previous_ranks.get(card.dealer_id),
                     is_top_five=rank_network.get(card.dealer_id, TOP + 1) <= TOP, details=card.details())
        for card in cards.values()
    ], batch_size=1000)
    return ranking, True


def ranking_publish_due(*, network, now: datetime | None = None) -> Ranking | None:
    """The scheduled run: from the 1st at the network's publishing hour, publish last month once."""
    local = timezone.localtime(now or timezone.now(), network_zone(network))
    if local.day == 1 and local.hour < ScoringPolicy.objects.for_network(network).publish_hour:
        return None
    last_month = previous_month(local.date())
    ranking, published = ranking_publish(network=network, month=last_month, today=local.date())
    return ranking if published else None
