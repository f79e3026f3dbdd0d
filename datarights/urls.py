"""Routes of a customer's data rights (wired like every app's, see customers/urls.py)."""

from django.urls import path

from . import views

dealer_patterns = [
    path("customers/<int:pk>/data/export.json", views.customer_data_export, {"file_format": "json"},
         name="customer_data_export_json"),
    path("customers/<int:pk>/data/export.html", views.customer_data_export, {"file_format": "html"},
         name="customer_data_export_html"),
    path("customers/<int:pk>/data/erase/", views.customer_data_erase, name="customer_data_erase"),
]
network_patterns = []
api_patterns = []
public_patterns = []
