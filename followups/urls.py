from django.urls import path

from . import views

urlpatterns = [
    path("calls/", views.call_list_page, name="followup_list"),
    path("calls/figures/", views.followup_figures_page, name="followup_figures"),
    path("calls/<int:pk>/", views.call_page, name="followup_call"),
    path("calls/<int:pk>/attempts/<slug:outcome>/", views.call_attempt, name="followup_attempt"),
    path("calls/<int:pk>/answers/", views.call_answers, name="followup_answers"),
    path("calls/<int:pk>/send-link/", views.call_send_link, name="followup_send_link"),
]
