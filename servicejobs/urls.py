from django.urls import path

from . import dashboard_views, views

urlpatterns = [
    path("jobs/", views.job_board, name="job_board"),
    path("jobs/new/", views.job_create, name="job_create"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/steps/<slug:step>/", views.job_step, name="job_step"),
    path("promises/", dashboard_views.promise_dashboard, name="promise_dashboard"),
]
