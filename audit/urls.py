"""Routes of the audit trail (see customers/urls.py for how every app wires its routes)."""

from django.urls import path

from . import views

dealer_patterns = []
network_patterns = [
    path("audit/", views.audit_trail, name="audit_trail"),
    path("audit/export.csv", views.audit_trail_export, name="audit_trail_export"),
    path("audit/<str:record_type>/<int:record_id>/", views.record_history, name="audit_record_history"),
]
api_patterns = []
public_patterns = []
