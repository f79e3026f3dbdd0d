"""The API's shared pieces: the uniform error body, the dealer-scoped base, /me and /dealers."""

import copy
from datetime import date, datetime

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import UniqueConstraint
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils import html
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .tenancy.content import content_save
from .tenancy.models import Dealer, Membership, Network, Role
from .tenancy.scoping import unscoped
from .validation import MAX_ID, id_or_none, validate_plausible_year

NON_FIELD_ERRORS_KEY = api_settings.NON_FIELD_ERRORS_KEY


def exception_handler(exc, context):
    """Every API error is JSON: ``{"detail": "...", "errors": {field: [messages]}}`` with the right status."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": gettext("Invalid input."), "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "errors": {}}
    return response


def caller_only_dealer() -> Dealer:
    """The one active dealer the caller's scope holds; a 400 asking for ``dealer`` when there are several."""
    dealers = list(Dealer.objects.filter(is_active=True)[:2])
    if len(dealers) != 1:
        raise ValidationError({"dealer": [_("This field is required: you work at several dealers.")]})
    return dealers[0]


def query_id(request, name: str) -> int:
    """The id in ``?<name>=``; anything but one (letters, a number past 64 bits) is a 400 on that parameter."""
    number = id_or_none(request.query_params.get(name))
    if number is None:
        raise ValidationError({name: [_("Give a %(name)s id (a whole number).") % {"name": name}]})
    return number


def query_date(value: str, name: str) -> date:
    """``value`` of ``?<name>=`` as a date (YYYY-MM-DD) in ``PLAUSIBLE_YEARS``, else a 400 on that parameter."""
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as error:
        raise ValidationError({name: [_("Use a date like 2026-03-02.")]}) from error
    try:
        validate_plausible_year(day)
    except DjangoValidationError as error:
        raise ValidationError({name: error.messages}) from error
    return day


# An id given in a query (``?dealer=3``), as the schema documents it; ``query_id`` is its check.
ID_PARAMETER_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
# The plausible years as a pattern for the API schema: a date parameter (``format: date``) starts with one of them.
PLAUSIBLE_DATE_PATTERN = r"^(19|20|21)[0-9]{2}-"


class DealerOwnedSerializer(serializers.ModelSerializer):
    """Base of every dealer-owned resource: a row names its dealer, and everything it links to is there.

    ``dealer`` is chosen from the dealers the caller may see (the scoped manager), on create only; a
    caller with one dealer may leave it out. Any related dealer-owned row of another dealer is refused
    with the same message as an id that does not exist, so nothing reveals that it exists elsewhere.
    A create and an update are checked alike, on the row as it will be: a date outside ``PLAUSIBLE_YEARS``
    and a duplicate of the model's unique constraints (its message, on its field) are 400s, never a 500.
    A subclass whose create calls a service makes its update call that service's twin with
    ``row_after(validated_data)``, so a PATCH is checked on every field, not only those it sends.
    """

    dealer = serializers.PrimaryKeyRelatedField(queryset=Dealer.objects, required=False)

    def to_internal_value(self, data):
        # A form-encoded body sends an empty value as "", which DRF reads as "not sent" for an optional field:
        # a PATCH with received_at= would answer 200 and change nothing. An empty value is refused instead,
        # unless the field takes blank text or null.
        if html.is_html_input(data):
            empty = {name: [field.error_messages["required"]] for name, field in self.fields.items()
                     if not field.read_only and data.get(name) == "" and not getattr(field, "allow_blank", False)
                     and not field.allow_null}
            if empty:
                raise ValidationError(empty)
        return super().to_internal_value(data)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None:
            if "dealer" in attrs and attrs["dealer"] != self.instance.dealer:
                raise ValidationError({"dealer": [_("A row cannot move to another dealer.")]})
            dealer = self.instance.dealer
        else:
            dealer = attrs.get("dealer") or caller_only_dealer()
            attrs["dealer"] = dealer
        for source, value in attrs.items():  # validated data is keyed by each field's source
            name = self._field_name(source)
            if source != "dealer" and getattr(value, "dealer_id", dealer.pk) != dealer.pk:
                field = self.fields[name]
                raise ValidationError({name: [field.error_messages["does_not_exist"].format(pk_value=value.pk)]})
            try:
                validate_plausible_year(value)  # the forms' and the query filters' check too
            except DjangoValidationError as error:
                raise ValidationError({name: error.messages}) from error
        self._unique_check(attrs)
        return attrs

    def row_after(self, validated_data) -> dict:
        """Every writable value as the row will be, by source: the one sent, else the row's (a PATCH sends a part)."""
        return {field.source: validated_data[field.source] if field.source in validated_data
                else getattr(self.instance, field.source)
                for field in self.fields.values() if not field.read_only and "." not in field.source}

    def _field_name(self, source: str) -> str:
        return next((name for name, field in self.fields.items() if field.source == source), source)

    def _unique_check(self, attrs) -> None:
        """The model's unique constraints on the row as it will be; a duplicate is a 400 on its field."""
        model = self.Meta.model
        row = copy.copy(self.instance) if self.instance is not None else model()
        names = {}  # model field → the serializer field that sets it
        for source, value in attrs.items():
            if "." not in source and source != "*":
                setattr(row, source, value)
                names[_model_field_name(model, source)] = self._field_name(source)
        errors = {}
        for constraint in model._meta.constraints:
            if not isinstance(constraint, UniqueConstraint) or not constraint.fields:
                continue
            if self.instance is not None and not set(constraint.fields) & names.keys():
                continue  # an update that leaves the constraint's fields alone cannot break it
            try:
                constraint.validate(model, row)
            except DjangoValidationError as error:
                named = [names.get(field) for field in constraint.fields if field != "dealer"]
                key = named[0] if len(named) == 1 and named[0] else "non_field_errors"
                errors.setdefault(key, []).extend(error.messages)
        if errors:
            raise ValidationError(errors)


def _model_field_name(model, source: str) -> str:
    """The model field a serializer source names (``owner_id`` is ``owner``), else the source itself."""
    try:
        return model._meta.get_field(source).name
    except FieldDoesNotExist:
        return source


# Base of a network's translatable content written through the API (a PATCH sends only what changes): the row is
# checked and saved by ``content_save``, as the admin checks it, so the API refuses what the admin does. (A comment,
# not a docstring: the schema would give it as the description of every subclass.)
class NetworkContentSerializer(serializers.ModelSerializer):

    def update(self, instance, validated_data):
        try:
            return content_save(instance, validated_data)
        except DjangoValidationError as error:
            raise ValidationError({NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name: messages
                                   for name, messages in error.message_dict.items()}) from error


class NetworkContentUpdateMixin(mixins.UpdateModelMixin):
    """A network's content changed in place by a PATCH (it is created in the admin or shipped with the network):
    the row is found in the caller's scope (another network's is a 404), and only a network admin of its network
    may change it (anyone else is a 403, before the input is looked at)."""

    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        row = super().get_object()
        if self.action == "partial_update" and not self.request.tenancy.is_network_admin(row.network):
            raise PermissionDenied(gettext("Only a network admin of %(network)s can do this.") % {
                "network": row.network.name})
        return row


class DealerOwnedViewSetMixin:
    """Base of every dealer-owned API resource: rows come from the caller's scope; ``?dealer=<id>`` narrows."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        dealer = self.request.query_params.get("dealer")
        if dealer is not None:
            queryset = queryset.filter(dealer_id=query_id(self.request, "dealer"))
        return queryset


class MembershipSerializer(serializers.ModelSerializer):
    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # A membership grants a dealer, a region or a whole network: the other two are null.
    dealer = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    region = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "role", "role_label", "department", "network", "region", "dealer"]


class DealerSerializer(serializers.ModelSerializer):
    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    region = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Dealer
        fields = ["id", "code", "name", "city", "time_zone", "is_active", "network", "region"]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    language = serializers.CharField()
    is_superuser = serializers.BooleanField()
    memberships = MembershipSerializer(many=True)
    active_dealer = DealerSerializer(allow_null=True)


class MeView(APIView):
    """The caller, their memberships and the dealer they are working at."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        # The caller's own memberships are what their scope is built from, so they are read unscoped.
        with unscoped():
            memberships = list(Membership.objects.filter(user=user, is_active=True)
                               .select_related("network").order_by("network__name", "role"))
        active = self._active_dealer(request)
        data = {"id": user.pk, "email": user.email, "full_name": user.full_name, "language": user.language,
                "is_superuser": user.is_superuser, "memberships": memberships, "active_dealer": active}
        return Response(MeSerializer(data).data)

    @staticmethod
    def _active_dealer(request) -> Dealer | None:
        """The dealer given by ``?dealer=<id>`` if the caller may see it, else their only dealer, if any."""
        dealers = Dealer.objects.select_related("network", "region")
        if request.query_params.get("dealer") is not None:
            return dealers.filter(pk=query_id(request, "dealer")).first()
        first_two = list(dealers[:2])
        return first_two[0] if len(first_two) == 1 else None


class DealerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Dealers the caller may see: their own, their region's, or their whole network's (HQ)."""

    serializer_class = DealerSerializer

    def get_queryset(self):
        dealers = Dealer.objects.select_related("network", "region").order_by("network__name", "code")
        active = self.request.query_params.get("active")
        if active in ("true", "false"):
            dealers = dealers.filter(is_active=active == "true")
        elif active is not None:
            raise ValidationError({"active": [_("Use true or false.")]})
        return dealers



NETWORK_PARAMETER = OpenApiParameter("network", OpenApiTypes.STR,
                                     description="A network's slug; needed when you work in several networks.")
NO_SUCH_NETWORK = _("Select a valid choice. That choice is not one of the available choices.")


def require_network_admin(request, refusal: str) -> None:
    """403 with ``refusal`` (a whole sentence) unless the caller is a network admin somewhere (which network is
    checked by ``caller_network``)."""
    if not request.tenancy.is_network_admin():
        raise PermissionDenied(refusal)


def caller_network(request, slug: str | None, *, administer: bool = False) -> Network:
    """The network a request is about: the one whose slug is given, else the caller's only one (400 if several).

    With ``administer``, only networks the caller administers are candidates, and another is a 403.
    """
    networks = Network.objects.order_by("slug")  # scoped: the networks the caller belongs to
    if slug:
        network = networks.filter(slug=slug).first()
        if network is None:
            raise ValidationError({"network": [NO_SUCH_NETWORK]})
    else:
        if administer and not request.user.is_superuser:
            networks = networks.filter(pk__in=[grant.network_id for grant in request.tenancy.grants
                                               if grant.role == Role.NETWORK_ADMIN])
        candidates = list(networks[:2])
        if len(candidates) != 1:
            raise ValidationError({"network": [_("This field is required: you work in several networks.")]})
        network = candidates[0]
    if administer and not request.tenancy.is_network_admin(network):
        raise PermissionDenied(_("Only a network admin of %(network)s can do this.") % {"network": network.name})
    return network


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI for signed-in people: its start-up script is a second request to this URL (``?script``),
    never inline, so the page keeps to the Content-Security-Policy. Someone not signed in is sent to log in."""

    template_name = "dealer_portal/api_docs.html"

    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated | AuthenticationFailed):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
