from rest_framework import serializers, viewsets

from dealer_portal.api import DealerOwnedSerializer, DealerOwnedViewSetMixin

from .models import Customer, Vehicle
from .selectors import customer_search
from .validators import normalize_phone, normalize_vin

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]  # history keeps customers and cars


class CustomerSerializer(DealerOwnedSerializer):
    class Meta:
        model = Customer
        fields = ["id", "dealer", "name", "phone", "phone_alt", "email", "language", "contact_consent",
                  "do_not_contact", "do_not_contact_reason", "created_at"]
        read_only_fields = ["created_at"]

    def validate_phone(self, value):
        return normalize_phone(value)

    def validate_phone_alt(self, value):
        return normalize_phone(value)


class VehicleSerializer(DealerOwnedSerializer):
    # A manager, not a queryset: evaluated per request inside the caller's scope.
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects)

    class Meta:
        model = Vehicle
        fields = ["id", "dealer", "customer", "vin", "plate", "make", "model", "handover_date", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # per-dealer VIN uniqueness is checked in validate(), with its own message

    def validate_vin(self, value):
        return normalize_vin(value)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        duplicates = Vehicle.objects.filter(dealer=attrs.get("dealer") or self.instance.dealer,
                                            vin=attrs.get("vin", getattr(self.instance, "vin", None)))
        if self.instance is not None:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise serializers.ValidationError({"vin": ["A vehicle with this VIN is already registered at this "
                                                       "dealer."]})
        return attrs


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
