"""API routes of scoring (checklists, assessments, KPIs, rankings, scorecards)."""

urlpatterns = []
