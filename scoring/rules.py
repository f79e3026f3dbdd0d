"""The 5-Star rules, each a pure function: POE, a KPI's score, Service Quality with its weights redistributed,
the overall score, the stars, the rank order, how a figure is shown, and which months may be asked for.

Formulas (stated once, tested against hand-computed figures in tests/scoring/test_rules.py):
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
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dealer_portal.tenancy.calendar import local_today, month_start, quarter_of

from .models import EntryStatus, FocusArea, KpiCategory, ScoringPolicy

TOP = 5
# Kept in English in each published ranking's rules; pages translate it when they show it.
TIE_RULE = gettext_noop("overall, then POE, then Service Quality, then dealer code")


# --- Which months and quarters ------------------------------------------------------------------------------


def month_parse(text: str) -> date:
    """``2026-10`` → 1 October 2026, or a clear error."""
    try:
        return datetime.strptime((text or "").strip(), "%Y-%m").date()
    except ValueError as error:
        raise ValidationError({"month": _("Give the month as YYYY-MM, for example 2026-10.")}) from error


def month_check(month: date, *, network, finished: bool = False, today: date | None = None) -> date:
    """Refuse a month in the future (and, with ``finished``, the month still running) in network time."""
    month = month_start(month)
    this_month = month_start(today or local_today(network))
    if month > this_month:
        raise ValidationError({"month": _("%(month)s is in the future.") % {"month": month.strftime("%Y-%m")}})
    if finished and month == this_month:
        raise ValidationError({"month": _("%(month)s is not over yet; its ranking is published on the 1st of "
                                          "next month.") % {"month": month.strftime("%Y-%m")}})
    return month


def quarter_parse(text: str) -> date:
    """``2026-Q3`` → 1 July 2026, or a clear error."""
    year, _sep, quarter = (text or "").strip().upper().partition("-Q")
    if not (year.isdigit() and len(year) == 4 and quarter in {"1", "2", "3", "4"}):
        raise ValidationError({"quarter": _("Give the quarter as YYYY-Qn, for example 2026-Q3.")})
    return date(int(year), 3 * int(quarter) - 2, 1)


def quarter_label(start: date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def quarter_check(start: date, *, network, today: date | None = None) -> date:
    """Refuse a quarter that has not started yet (network time)."""
    if start > quarter_of(today or local_today(network)):
        raise ValidationError({"quarter": _("%(quarter)s is in the future.") % {"quarter": quarter_label(start)}})
    return start


# --- How a figure is shown ----------------------------------------------------------------------------------


def one_decimal(value: float | Decimal | None) -> Decimal | None:
    """A score as people see it: one decimal, halves rounded up (76.25 → 76.3)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- POE ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Percentage:
    """Points achieved over the applicable maximum: the POE formula, rounded half up to one decimal everywhere."""

    achieved: int
    applicable_max: int

    @property
    def exact(self) -> Decimal | None:
        return one_decimal(Decimal(100 * self.achieved) / self.applicable_max) if self.applicable_max else None

    @property
    def percent(self) -> float | None:
        return None if self.exact is None else float(self.exact)


# --- Service Quality ----------------------------------------------------------------------------------------


def kpi_score(value: float, *, target: float, higher_is_better: bool) -> float:
    """How far a KPI reaches its target, 0–100: meeting or beating the target is 100.

    A share scores value/target (80 % against a 90 % target is 88.9); a duration scores target/value
    (a 96-hour median against a 72-hour target is 75).
    """
    if higher_is_better:
        return min(100.0, 100.0 * value / target)
    if value <= target:
        return 100.0
    return 100.0 * target / value


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


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


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


# --- The rating and the rank --------------------------------------------------------------------------------


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


def ranked(cards: list[Scorecard], codes: dict[int, str]) -> list[Scorecard]:
    """Rated cards in rank order: overall, then POE, then Service Quality (all high first), then dealer code."""
    rated = [card for card in cards if card.status == EntryStatus.RATED]
    return sorted(rated, key=lambda card: (-card.overall, -card.poe, -card.service_quality, codes[card.dealer_id]))


def movement_text(entry) -> str:
    """▲n places gained, ▼n lost, – unchanged, "new" for a dealer ranked for the first time; "" unranked."""
    if entry.rank_network is None:
        return ""
    if entry.previous_rank is None:
        return _("new")
    change = entry.movement
    if change > 0:
        return f"▲{change}"
    if change < 0:
        return f"▼{-change}"
    return "–"
