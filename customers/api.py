from rest_framework import serializers, viewsets

from dealer_portal.api import DealerScopedViewSetMixin

from .models import Customer, Vehicle
from .selectors import customer_search
from .validators import normalize_phone, normalize_vin


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "phone", "phone_alt", "email", "language", "contact_consent", "do_not_contact",
                  "do_not_contact_reason", "created_at"]
        read_only_fields = ["created_at"]

    def validate_phone(self, value):
        return normalize_phone(value)

    def validate_phone_alt(self, value):
        return normalize_phone(value)


class VehicleSerializer(serializers.ModelSerializer):
    # A manager, not a queryset: it is evaluated per request, inside the caller's dealer scope, so the
    # id of another dealer's customer is refused exactly like one that does not exist.
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects)

    class Meta:
        model = Vehicle
        fields = ["id", "customer", "vin", "plate", "make", "model", "handover_date", "created_at"]
        read_only_fields = ["created_at"]

    def validate_vin(self, value):
        vin = normalize_vin(value)
        duplicates = Vehicle.objects.filter(vin=vin)
        if self.instance is not None:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise serializers.ValidationError("A vehicle with this VIN is already registered at this dealer.")
        return vin


class CustomerViewSet(DealerScopedViewSetMixin, viewsets.ModelViewSet):
    """A dealer's customers; ``?q=`` searches by name, phone, plate or VIN."""

    serializer_class = CustomerSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # customers are never deleted

    def get_queryset(self):
        return customer_search(query=self.request.query_params.get("q", ""))


class VehicleViewSet(DealerScopedViewSetMixin, viewsets.ModelViewSet):
    serializer_class = VehicleSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return Vehicle.objects.select_related("customer").order_by("plate", "pk")
