from django.urls import path

from . import dashboard_views, views

urlpatterns = [
    path("complaints/", views.complaint_queue_page, name="complaint_queue"),
    path("complaints/new/", views.complaint_log_page, name="complaint_log"),
    path("complaints/reassign/", views.complaint_reassign, name="complaint_reassign"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/actions/<slug:action>/", views.complaint_action, name="complaint_action"),
    path("complaints/<int:pk>/entries/", views.complaint_entry, name="complaint_entry"),
    path("compliments/", views.compliment_list, name="compliment_list"),
    path("complaints/figures/", dashboard_views.complaint_dashboard_page, name="complaint_dashboard"),
    path("complaints/plans/", dashboard_views.improvement_plan_create, name="improvement_plan_create"),
    path("complaints/plans/<int:pk>/status/", dashboard_views.improvement_plan_status, name="improvement_plan_status"),
]
