"""Routes of the ranking and scorecard pages: network-level (HQ) and dealer-level patterns."""

from django.urls import path

from . import views

network_patterns = [
    path("ranking/", views.ranking_page, name="scoring_ranking"),
    path("ranking/republish/", views.ranking_republish, name="scoring_republish"),
    path("ranking/export/<str:fmt>/", views.ranking_export, name="scoring_ranking_export"),
    path("ranking/quarterly/", views.quarterly_page, name="scoring_quarterly"),
]
dealer_patterns = [
    path("ranking/", views.dealer_ranking_page, name="scoring_dealer_ranking"),
    path("scorecard/", views.scorecard_page, name="scoring_scorecard"),
    path("scorecard/export/<str:fmt>/", views.scorecard_export, name="scoring_scorecard_export"),
    path("scorecard/kpi/<slug:kpi_code>/", views.kpi_cases_page, name="scoring_kpi_cases"),
]
