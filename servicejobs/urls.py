from django.urls import path

from . import dashboard_views, import_views, views

urlpatterns = [
    path("jobs/", views.job_board, name="job_board"),
    path("jobs/new/", views.job_create, name="job_create"),
    path("jobs/import/", import_views.job_import, name="job_import"),
    path("jobs/import/<int:pk>/", import_views.job_import_detail, name="job_import_detail"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/steps/<slug:step>/", views.job_step, name="job_step"),
    path("handovers/", views.handover_list, name="handover_list"),
    path("promises/", dashboard_views.promise_dashboard, name="promise_dashboard"),
]
