"""The 5-Star rules, each a pure function: POE, a KPI's score, Service Quality with its weights redistributed,
the overall score, the stars, the rank order, how a figure is shown, and which months may be asked for.

Formulas (stated once, tested against hand-computed figures in tests/scoring/test_ranking.py and
tests/scoring/test_rounding.py):
- POE = points achieved / applicable maximum × 100, from the month's submitted HQ POE assessment.
- A KPI's value is the share of its cases that met it (× 100), or the median hours; it scores ``kpi_score``
  (0–100). A KPI with fewer cases than the network's minimum sample is "not enough data" and left out; the
  remaining weights are scaled up to 100 in proportion.
- Service Quality = Σ score × redistributed weight / 100; Speed and Compliance the same within their
  category, each focus area the same within itself.
- Service Quality needs KPIs with data worth the network's minimum share of the weight; otherwise the
  dealer is listed "not enough data", without a rating (never a free score).
- Overall = (POE × POE weight + Service Quality × its weight) / 100.
- Stars by the network's thresholds on the overall score (below the two-star threshold: one star).
- Rank: rated dealers by overall, ties broken by POE, then Service Quality, then dealer code (A–Z).
  The top five of the network receive the month's accolade.

Rounding: every figure above is computed exactly (``Fraction``) from the records' counts and the unrounded
figures before it — never from a rounded one — and rounded once, half up, only where it is shown (``shown``:
one decimal, 76.25 → 76.3; redistributed weights two). Stars and rank order are decided on the unrounded
figures: an overall of 79.97 shows as 80.0 yet earns the stars below 80, and of two dealers both shown at
80.0 the one with the higher unrounded overall ranks first. What is stored and exported is the unrounded
figure as a float (full precision), so anyone can recompute a published score.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dealer_portal.tenancy.calendar import local_today, month_start, quarter_of

from .models import EntryStatus, FocusArea, KpiCategory, ScoringPolicy

TOP = 5
# Kept in English in each published ranking's rules; pages translate it when they show it.
TIE_RULE = gettext_noop("overall, then POE, then Service Quality, then dealer code")  # each compared unrounded
ROUNDING_RULE = gettext_noop("Every figure is computed from the unrounded ones and rounded once, half up, where it "
                             "is shown (one decimal; 76.25 shows as 76.3); stars and ranks are decided on the "
                             "unrounded figures; exports carry them unrounded.")


# --- Which months and quarters ------------------------------------------------------------------------------


# No record is older; an earlier month would only reach dates a time zone cannot convert (year 1 east of UTC).
FIRST_MONTH = date(1970, 1, 1)


# What ``month_parse`` accepts, for the API schema: YYYY-MM from FIRST_MONTH (1970) on.
MONTH_PATTERN = r"^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])$"


def month_parse(text: str) -> date:
    """``2026-10`` → 1 October 2026, or a clear error (also for a month before ``FIRST_MONTH``)."""
    try:
        month = datetime.strptime((text or "").strip(), "%Y-%m").date()
    except ValueError as error:
        raise ValidationError({"month": _("Give the month as YYYY-MM, for example 2026-10.")}) from error
    if month < FIRST_MONTH:
        raise ValidationError({"month": _("Give a month from %(first)s on, as YYYY-MM.") % {
            "first": FIRST_MONTH.strftime("%Y-%m")}})
    return month


def month_check(month: date, *, network, finished: bool = False, today: date | None = None) -> date:
    """Refuse a month in the future (and, with ``finished``, the month still running) in network time."""
    month = month_start(month)
    this_month = month_start(today or local_today(network))
    if month > this_month:
        raise ValidationError({"month": _("%(month)s is in the future.") % {
            "month": date_format(month, "YEAR_MONTH_FORMAT")}})
    if finished and month == this_month:
        raise ValidationError({"month": _("%(month)s is not over yet; its ranking is published on the 1st of "
                                          "next month.") % {"month": date_format(month, "YEAR_MONTH_FORMAT")}})
    return month


def quarter_parse(text: str) -> date:
    """``2026-Q3`` → 1 July 2026, or a clear error."""
    year, _sep, quarter = (text or "").strip().upper().partition("-Q")
    if not (year.isdigit() and len(year) == 4 and quarter in {"1", "2", "3", "4"}):
        raise ValidationError({"quarter": _("Give the quarter as YYYY-Qn, for example 2026-Q3.")})
    start = date(int(year), 3 * int(quarter) - 2, 1)
    if start < FIRST_MONTH:
        raise ValidationError({"quarter": _("Give a quarter from %(first)s on.") % {
            "first": quarter_label(FIRST_MONTH)}})
    return start


def quarter_label(start: date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def quarter_check(start: date, *, network, today: date | None = None) -> date:
    """Refuse a quarter that has not started yet (network time)."""
    if start > quarter_of(today or local_today(network)):
        raise ValidationError({"quarter": _("%(quarter)s is in the future.") % {"quarter": quarter_label(start)}})
    return start


# --- How a figure is shown ----------------------------------------------------------------------------------

Number = int | float | Decimal | Fraction


def exact(value: Number) -> Fraction:
    """A figure as an exact fraction; a float counts as the decimal it prints as (0.1 is one tenth)."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def unrounded(value: Number | None) -> float | None:
    """A figure as it is stored, exported and sent beside the shown one: a float, full precision."""
    return None if value is None else float(value)


def shown(value: Number | None, places: int = 1) -> Decimal | None:
    """A figure as people see it, rounded once: ``places`` decimals, halves rounded up (76.25 → 76.3)."""
    if value is None:
        return None
    scaled = exact(value) * 10 ** places
    units = math.floor(abs(scaled) + Fraction(1, 2))
    return Decimal(units if scaled >= 0 else -units).scaleb(-places)


# --- POE ----------------------------------------------------------------------------------------------------


def poe_percent(achieved: int, applicable_max: int) -> Fraction | None:
    """Points achieved over the applicable maximum × 100; None when nothing applies."""
    return Fraction(100 * achieved, applicable_max) if applicable_max else None


@dataclass(frozen=True)
class Percentage:
    """Points achieved over the applicable maximum (the POE formula): exact, stored or shown."""

    achieved: int
    applicable_max: int

    @property
    def value(self) -> Fraction | None:
        return poe_percent(self.achieved, self.applicable_max)

    @property
    def percent(self) -> float | None:
        return unrounded(self.value)

    @property
    def shown(self) -> Decimal | None:
        return shown(self.value)


# --- Service Quality ----------------------------------------------------------------------------------------


def kpi_value(met: int, cases: int) -> Fraction:
    """A share KPI's value: the percentage of its cases that met it."""
    return Fraction(100 * met, cases)


def kpi_score(value: Number, *, target: Number, higher_is_better: bool) -> Fraction:
    """How far a KPI reaches its target, 0–100: meeting or beating the target is 100.

    A share scores value/target (80 % against a 90 % target is 88.89); a duration scores target/value
    (a 96-hour median against a 72-hour target is 75).
    """
    value, target = exact(value), exact(target)
    if higher_is_better:
        return min(Fraction(100), 100 * value / target)
    if value <= target:
        return Fraction(100)
    return 100 * target / value


@dataclass
class KpiResult:
    """One KPI's month for one dealer; ``value``, ``score`` and ``effective_weight`` are exact until stored."""

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
    value: Fraction | None = None
    score: Fraction | None = None
    enough_data: bool = False
    effective_weight: Fraction | None = None
    translations: dict = field(default_factory=dict)  # the KPI name in the network's other languages

    def as_json(self) -> dict:
        """The result as the snapshot keeps it: plain JSON, figures unrounded."""
        data = asdict(self)
        for name in ("value", "score", "effective_weight"):
            data[name] = unrounded(data[name])
        return data


@dataclass
class Scorecard:
    """One dealer's month: everything its ranking line and scorecard page show, figures exact."""

    dealer_id: int
    month: str
    poe: Fraction | None = None
    poe_sections: list[dict] = field(default_factory=list)
    service_quality: Fraction | None = None
    speed: Fraction | None = None
    compliance: Fraction | None = None
    focus_areas: list[dict] = field(default_factory=list)
    kpis: list[KpiResult] = field(default_factory=list)
    overall: Fraction | None = None
    stars: int | None = None
    status: str = EntryStatus.NOT_ASSESSED

    def figures(self) -> dict:
        """The columns of its ranking line, unrounded (floats)."""
        return {"poe": unrounded(self.poe), "service_quality": unrounded(self.service_quality),
                "speed": unrounded(self.speed), "compliance": unrounded(self.compliance),
                "overall": unrounded(self.overall)}

    def details(self) -> dict:
        """What the published snapshot keeps beside its columns (plain JSON, figures unrounded)."""
        return {"poe_sections": self.poe_sections, "focus_areas": self.focus_areas,
                "kpis": [result.as_json() for result in self.kpis]}


def weighted_score(results: list[KpiResult]) -> Fraction | None:
    """Σ score × weight / Σ weight over the results with enough data (the weights redistributed); None if none."""
    counted = [result for result in results if result.enough_data]
    total = sum(result.weight for result in counted)
    if not total:
        return None
    return sum((exact(result.score) * result.weight for result in counted), Fraction(0)) / total


def service_quality_apply(card: Scorecard, *, min_data_weight_percent: int) -> None:
    """Service Quality, Speed, Compliance and the focus areas from the card's KPI results (weights redistributed)."""
    results = card.kpis
    all_weight = sum(result.weight for result in results)
    counted_weight = sum(result.weight for result in results if result.enough_data)
    for result in results:
        result.effective_weight = (Fraction(100 * result.weight, counted_weight)
                                   if result.enough_data and counted_weight else None)
    enough = bool(all_weight) and 100 * counted_weight >= min_data_weight_percent * all_weight
    card.service_quality = weighted_score(results) if enough else None
    card.speed = weighted_score([r for r in results if r.category == KpiCategory.SPEED]) if enough else None
    card.compliance = weighted_score([r for r in results if r.category == KpiCategory.COMPLIANCE]) if enough else None
    card.focus_areas = [
        {"area": area.value, "name": str(area.label),
         "percent": unrounded(weighted_score([r for r in results if r.focus_area == area.value]))}
        for area in FocusArea
    ]


# --- The rating and the rank --------------------------------------------------------------------------------


def overall_score(poe: Number, service_quality: Number, *, poe_weight: int, service_quality_weight: int) -> Fraction:
    """(POE × its weight + Service Quality × its weight) / 100, exact."""
    return (exact(poe) * poe_weight + exact(service_quality) * service_quality_weight) / 100


def stars_for(overall: Number, policy: ScoringPolicy) -> int:
    """The stars of an unrounded overall score: the most whose threshold it reaches (79.97 is below 80)."""
    for stars, threshold in ((5, policy.five_stars_from), (4, policy.four_stars_from),
                             (3, policy.three_stars_from), (2, policy.two_stars_from)):
        if exact(overall) >= exact(threshold):
            return stars
    return 1


def rating_apply(card: Scorecard, policy: ScoringPolicy) -> None:
    """The overall score, the stars and the status, from POE and Service Quality."""
    if card.poe is None:
        card.status = EntryStatus.NOT_ASSESSED
    elif card.service_quality is None:
        card.status = EntryStatus.NOT_ENOUGH_DATA
    else:
        card.overall = overall_score(card.poe, card.service_quality, poe_weight=policy.poe_weight,
                                     service_quality_weight=policy.service_quality_weight)
        card.stars = stars_for(card.overall, policy)
        card.status = EntryStatus.RATED


def rank_key(card: Scorecard, code: str) -> tuple:
    """The order of rated dealers: unrounded overall, then POE, then Service Quality (all high first), then code."""
    return (-exact(card.overall), -exact(card.poe), -exact(card.service_quality), code)


def ranked(cards: list[Scorecard], codes: dict[int, str]) -> list[Scorecard]:
    """Rated cards in rank order (``rank_key``)."""
    rated = [card for card in cards if card.status == EntryStatus.RATED]
    return sorted(rated, key=lambda card: rank_key(card, codes[card.dealer_id]))


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
