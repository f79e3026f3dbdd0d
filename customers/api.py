from rest_framework import serializers, viewsets

from dealer_portal.api import DealerOwnedSerializer, DealerOwnedViewSetMixin

from . import services
from .models import Customer, Vehicle
from .selectors import customer_search
from .validators import normalize_phone, normalize_vin

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]  # history keeps customers and cars


class CustomerSerializer(DealerOwnedSerializer):
    """Creates and updates through the customer services (a phone already at the dealer is a field error)."""

    class Meta:
        model = Customer
        fields = ["id", "dealer", "name", "phone", "phone_alt", "email", "language", "contact_consent",
                  "do_not_contact", "do_not_contact_reason", "created_at"]
        read_only_fields = ["created_at"]

    def validate_phone(self, value):
        return normalize_phone(value)

    def validate_phone_alt(self, value):
        return normalize_phone(value)

    def create(self, validated_data):
        return services.customer_create(**validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("dealer", None)  # the base refuses a move to another dealer
        return services.customer_update(customer=instance, **validated_data)


class VehicleSerializer(DealerOwnedSerializer):
    """Creates and updates through the vehicle services (a VIN already at the dealer is a field error)."""

    # A manager, not a queryset: evaluated per request inside the caller's scope.
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects)

    class Meta:
        model = Vehicle
        fields = ["id", "dealer", "customer", "vin", "plate", "make", "model", "handover_date", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # per-dealer VIN uniqueness is the vehicle service's, with its own message

    def validate_vin(self, value):
        return normalize_vin(value)

    def create(self, validated_data):
        return services.vehicle_create(**validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("dealer", None)  # the base refuses a move to another dealer
        return services.vehicle_update(vehicle=instance, **validated_data)


class CustomerViewSet(DealerOwnedViewSetMixin, viewsets.ModelViewSet):
    """Customers of the dealers you work at; ``?q=`` searches by name, phone, plate or VIN."""

    serializer_class = CustomerSerializer
    http_method_names = NO_DELETE

    def get_queryset(self):
        return customer_search(query=self.request.query_params.get("q", "")).order_by("name", "pk")


class VehicleViewSet(DealerOwnedViewSetMixin, viewsets.ModelViewSet):
    serializer_class = VehicleSerializer
    http_method_names = NO_DELETE

    def get_queryset(self):
        return Vehicle.objects.select_related("customer").order_by("plate", "pk")
