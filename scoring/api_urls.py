"""API routes of scoring (checklists, assessments, KPIs, rankings, scorecards), under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("checklists", api.ChecklistViewSet, basename="checklist")
router.register("assessments", api.AssessmentViewSet, basename="assessment")
router.register("rankings", api.RankingViewSet, basename="ranking")

urlpatterns = [
    path("kpis/", api.KpiSetView.as_view(), name="kpi-set"),
    path("kpis/measures/", api.MeasureListView.as_view(), name="kpi-measures"),
    # By the dealer's id: codes are unique within a network only.
    path("scorecards/<int:dealer_pk>/<str:month>/", api.ScorecardView.as_view(), name="scorecard"),
    *router.urls,
]
