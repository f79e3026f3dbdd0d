"""Routes of service jobs, handovers and the promise dashboard (the shape is explained in customers/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, dashboard_views, import_views, views

router = SimpleRouter()
router.register("jobs", api.JobViewSet, basename="job")
router.register("handovers", api.HandoverViewSet, basename="handover")
router.register("job-imports", api.JobImportViewSet, basename="job-import")

dealer_patterns = [
    path("jobs/", views.job_board, name="job_board"),
    path("jobs/new/", views.job_create, name="job_create"),
    path("jobs/import/", import_views.job_import, name="job_import"),
    path("jobs/import/<int:pk>/", import_views.job_import_detail, name="job_import_detail"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/steps/<slug:step>/", views.job_step, name="job_step"),
    path("handovers/", views.handover_list, name="handover_list"),
    path("promises/", dashboard_views.promise_dashboard, name="promise_dashboard"),
]
network_patterns = []
api_patterns = router.urls
public_patterns = []
