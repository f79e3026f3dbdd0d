"""Reads for the ranking and scorecards: the published snapshot when there is one, a live preview otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q

from dealer_portal.tenancy.calendar import previous_month
from dealer_portal.tenancy.scoping import TenantScope

from .kpis import network_kpis
from .models import Assessment, AssessmentStatus, Ranking, RankingEntry
from .ranking import Scorecard, month_check, ranking_current, scorecards_compute


@dataclass
class DealerMonth:
    """A dealer's scorecard for one month, and where it came from."""

    dealer: object
    month: date
    card: dict  # status, poe, service_quality, speed, compliance, overall, stars, poe_sections, focus_areas, kpis
    entry: RankingEntry | None  # the published line (ranks, movement, top five), or None for a live preview
    ranking: Ranking | None

    @property
    def is_published(self) -> bool:
        return self.entry is not None


def _entry_card(entry: RankingEntry) -> dict:
    return {"status": entry.status, "poe": entry.poe, "service_quality": entry.service_quality,
            "speed": entry.speed, "compliance": entry.compliance, "overall": entry.overall, "stars": entry.stars,
            **entry.details}


def _live_card(card: Scorecard) -> dict:
    details = card.details()
    return {"status": card.status, "poe": card.poe, "service_quality": card.service_quality, "speed": card.speed,
            "compliance": card.compliance, "overall": card.overall, "stars": card.stars, **details}


def dealer_month(*, dealer, month: date) -> DealerMonth:
    """The month's scorecard of ``dealer``: frozen from the current published ranking, else computed now.

    Raises ValidationError for a month in the future.
    """
    month = month_check(month, network=dealer.network)
    ranking = ranking_current(network=dealer.network, month=month)
    entry = ranking.entries.filter(dealer=dealer).first() if ranking else None
    if entry is not None:
        return DealerMonth(dealer=dealer, month=month, card=_entry_card(entry), entry=entry, ranking=ranking)
    card = scorecards_compute(network=dealer.network, month=month, dealers=[dealer])[dealer.pk]
    return DealerMonth(dealer=dealer, month=month, card=_live_card(card), entry=None, ranking=None)


def dealer_trend(*, dealer, until: date, months: int = 12) -> list[RankingEntry]:
    """The dealer's published lines of the last ``months`` months up to ``until`` (oldest first)."""
    first = until.replace(day=1)
    for _ in range(months - 1):
        first = previous_month(first)
    return list(RankingEntry.objects.filter(dealer=dealer, ranking__is_current=True, ranking__month__gte=first,
                                            ranking__month__lte=until)
                .select_related("ranking").order_by("ranking__month"))


def assessments_visible(user_scope: TenantScope):
    """Assessments in scope, less HQ's drafts at dealers the person sees only as dealer staff (they see HQ's
    assessment once it is submitted)."""
    assessments = Assessment.objects.all()
    if user_scope.unrestricted:
        return assessments
    hq_side = TenantScope(network_ids=user_scope.network_ids, region_ids=user_scope.region_ids).dealer_q("dealer")
    return assessments.exclude(Q(is_self_assessment=False, status=AssessmentStatus.DRAFT) & ~hq_side)


def ranking_entries(ranking: Ranking):
    """The lines of a published ranking in rank order (rated first, then the rest by dealer code)."""
    return (ranking.entries.select_related("dealer", "region")
            .order_by(F("rank_network").asc(nulls_last=True), "dealer__code"))


def kpi_of(network, code: str):
    """The network's KPI with ``code`` (configured or default), or None."""
    return next((kpi for kpi in network_kpis(network) if kpi.code == code), None)

