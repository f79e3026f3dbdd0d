"""Routes of follow-up calls and the customer's answer link (the shape is explained in customers/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, views

router = SimpleRouter()
router.register("followups", api.FollowUpViewSet, basename="followup")
router.register("questionnaires", api.QuestionnaireViewSet, basename="questionnaire")

dealer_patterns = [
    path("calls/", views.call_list_page, name="followup_list"),
    path("calls/figures/", views.followup_figures_page, name="followup_figures"),
    path("calls/<int:pk>/", views.call_page, name="followup_call"),
    path("calls/<int:pk>/attempts/<slug:outcome>/", views.call_attempt, name="followup_attempt"),
    path("calls/<int:pk>/answers/", views.call_answers, name="followup_answers"),
    path("calls/<int:pk>/send-link/", views.call_send_link, name="followup_send_link"),
]
network_patterns = []
api_patterns = [
    *router.urls,
    path("questionnaire/", api.NetworkQuestionnaireView.as_view(), name="network-questionnaire"),
]
public_patterns = [
    path("answer/<str:token>/", views.public_answer, name="followup_public_answer"),
]
