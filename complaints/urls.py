"""Routes of complaint recovery and compliments (the shape is explained in customers/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, views

router = SimpleRouter()
router.register("complaints", api.ComplaintViewSet, basename="complaint")
router.register("complaint-categories", api.CategoryViewSet, basename="complaint-category")
router.register("standard-answers", api.StandardAnswerViewSet, basename="standard-answer")
router.register("compliments", api.ComplimentViewSet, basename="compliment")
router.register("improvement-plans", api.ImprovementPlanViewSet, basename="improvement-plan")

dealer_patterns = [
    path("complaints/", views.complaint_queue_page, name="complaint_queue"),
    path("complaints/new/", views.complaint_log_page, name="complaint_log"),
    path("complaints/reassign/", views.complaint_reassign, name="complaint_reassign"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/actions/<slug:action>/", views.complaint_action, name="complaint_action"),
    path("complaints/<int:pk>/entries/", views.complaint_entry, name="complaint_entry"),
    path("compliments/", views.compliment_list, name="compliment_list"),
    path("complaints/figures/", views.complaint_dashboard_page, name="complaint_dashboard"),
    path("complaints/plans/", views.improvement_plan_create, name="improvement_plan_create"),
    path("complaints/plans/<int:pk>/status/", views.improvement_plan_status, name="improvement_plan_status"),
]
network_patterns = [
    path("complaints/", views.network_complaints, name="network_complaints"),
]
api_patterns = router.urls
public_patterns = []
