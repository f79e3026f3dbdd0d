"""Routes of assessments, checklists, scoring settings, rankings and scorecards (the shape is explained in
customers/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, assessment_views, views

router = SimpleRouter()
router.register("checklists", api.ChecklistViewSet, basename="checklist")
router.register("assessments", api.AssessmentViewSet, basename="assessment")
router.register("rankings", api.RankingViewSet, basename="ranking")

dealer_patterns = [
    path("ranking/", views.dealer_ranking_page, name="scoring_dealer_ranking"),
    path("scorecard/", views.scorecard_page, name="scoring_scorecard"),
    path("scorecard/export/<str:fmt>/", views.scorecard_export, name="scoring_scorecard_export"),
    path("scorecard/kpi/<slug:kpi_code>/", views.kpi_cases_page, name="scoring_kpi_cases"),
    path("assessments/", assessment_views.dealer_assessments_page, name="scoring_dealer_assessments"),
    path("assessments/new/", assessment_views.assessment_new_page, name="scoring_assessment_new"),
    path("assessments/<int:pk>/", assessment_views.assessment_page, name="scoring_assessment"),
    path("assessments/<int:pk>/submit/", assessment_views.assessment_submit_page, name="scoring_assessment_submit"),
    path("assessments/<int:pk>/reopen/", assessment_views.assessment_reopen_page, name="scoring_assessment_reopen"),
    path("assessments/<int:pk>/evidence/", assessment_views.evidence_add_page, name="scoring_evidence_add"),
    path("assessments/<int:pk>/evidence/<int:evidence_pk>/", assessment_views.evidence_download,
         name="scoring_evidence"),
    path("assessments/<int:pk>/evidence/<int:evidence_pk>/remove/", assessment_views.evidence_remove_page,
         name="scoring_evidence_remove"),
]
network_patterns = [
    path("ranking/", views.ranking_page, name="scoring_ranking"),
    path("ranking/republish/", views.ranking_republish, name="scoring_republish"),
    path("ranking/export/<str:fmt>/", views.ranking_export, name="scoring_ranking_export"),
    path("ranking/quarterly/", views.quarterly_page, name="scoring_quarterly"),
    path("assessments/", assessment_views.assessment_list_page, name="scoring_assessments"),
    path("settings/scoring/", assessment_views.scoring_settings_page, name="scoring_settings"),
    path("checklists/", assessment_views.checklists_page, name="scoring_checklists"),
    path("checklists/<int:pk>/export/", assessment_views.checklist_export_page, name="scoring_checklist_export"),
]
api_patterns = [
    path("kpis/", api.KpiSetView.as_view(), name="kpi-set"),
    path("kpis/measures/", api.MeasureListView.as_view(), name="kpi-measures"),
    # By the dealer's id: codes are unique within a network only.
    path("scorecards/<int:dealer_pk>/<str:month>/", api.ScorecardView.as_view(), name="scorecard"),
    *router.urls,
]
public_patterns = []
