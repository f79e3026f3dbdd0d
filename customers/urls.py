"""Routes of customers and vehicles. Every app wires its routes the same way: ``dealer_patterns`` (pages at
/n/<network>/d/<dealer>/), ``network_patterns`` (pages at /n/<network>/), ``api_patterns`` (/api/v1/) and
``public_patterns`` (the site root); the project's urls.py includes each list of each app."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, views

router = SimpleRouter()
router.register("customers", api.CustomerViewSet, basename="customer")
router.register("vehicles", api.VehicleViewSet, basename="vehicle")

dealer_patterns = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_update, name="customer_update"),
    path("vehicles/new/", views.vehicle_create, name="vehicle_create"),
    path("vehicles/<int:pk>/edit/", views.vehicle_update, name="vehicle_update"),
]
network_patterns = []
api_patterns = router.urls
public_patterns = []
