"""API for complaints: the queue, logging, the recovery actions, the timeline; taxonomy and compliments."""

import functools

from django import forms as django_forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.models import User
from customers.api import NO_DELETE
from customers.models import Customer, Vehicle
from dealer_portal.api import (
    DealerOwnedSerializer,
    DealerOwnedViewSetMixin,
    NetworkContentSerializer,
    NetworkContentUpdateMixin,
    query_id,
)
from dealer_portal.pagination import CursorPagination
from dealer_portal.tenancy.models import Dealer
from servicejobs.models import ServiceJob

from . import services
from .models import (
    WORDS_LIMIT,
    Complaint,
    ComplaintCategory,
    ComplaintPolicy,
    ComplaintState,
    Compliment,
    Department,
    HoldCause,
    ImprovementPlan,
    Severity,
    StandardAnswer,
    TimelineEntry,
)
from .selectors import complaint_queue, complaints_overdue_q, dealer_staff
from .transitions import TRANSITIONS, allowed_actions


def _raise_as_api_error(error: DjangoValidationError):
    raise ValidationError(error.message_dict if hasattr(error, "error_dict") else {"action": error.messages}) \
        from error


class ComplaintSerializer(DealerOwnedSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects)
    vehicle = serializers.PrimaryKeyRelatedField(queryset=Vehicle.objects, required=False, allow_null=True)
    service_job = serializers.PrimaryKeyRelatedField(queryset=ServiceJob.objects, required=False, allow_null=True)
    category = serializers.PrimaryKeyRelatedField(queryset=ComplaintCategory.objects, required=False,
                                                  allow_null=True)
    received_at = serializers.DateTimeField(required=False, help_text=gettext_lazy("When it came in (default: now)."))
    allowed_actions = serializers.SerializerMethodField()
    # Blank while the complaint is not on hold (a read-only model field is built without its blank).
    hold_cause = serializers.ChoiceField(choices=HoldCause.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Complaint
        fields = ["id", "dealer", "reference", "customer", "vehicle", "service_job", "department", "category",
                  "channel", "words", "severity", "received_at", "state", "representative", "owner",
                  "escalation_level", "first_contact_at", "confirmed_at", "agreed_at", "closed_at",
                  "time_on_hold", "hold_cause", "satisfaction_words", "close_reason", "allowed_actions"]
        read_only_fields = ["reference", "state", "representative", "owner", "escalation_level", "first_contact_at",
                            "confirmed_at", "agreed_at", "closed_at", "time_on_hold", "hold_cause",
                            "satisfaction_words", "close_reason"]
        validators = []

    def get_allowed_actions(self, complaint) -> list[str]:
        return [transition.action for transition in allowed_actions(complaint.state)]

    def create(self, validated_data):
        try:
            return services.complaint_log(by=self.context["request"].user, **validated_data)
        except DjangoValidationError as error:
            _raise_as_api_error(error)


def _payload_field(form_field) -> serializers.Field:
    """The API field for one input of a step's form: it checks the type; the form then checks the value."""
    common = {"required": form_field.required, "allow_null": True, "help_text": str(form_field.label)}
    if isinstance(form_field, django_forms.TypedChoiceField) and form_field.coerce is int:
        return serializers.IntegerField(**common)  # an id among the complaint's proposals or the dealer's staff
    if isinstance(form_field, django_forms.ChoiceField):
        return serializers.ChoiceField(choices=[c for c in form_field.choices if c[0] != ""], allow_blank=True,
                                       **common)
    if isinstance(form_field, django_forms.DateTimeField):
        return serializers.DateTimeField(**common)
    if isinstance(form_field, django_forms.CharField):
        return serializers.CharField(allow_blank=True, max_length=form_field.max_length, **common)
    raise TypeError(f"No API field for {type(form_field).__name__}: add one to _payload_field.")


@functools.cache
def action_payload(action_name: str) -> type[serializers.Serializer]:
    """The API payload of a step, derived from the form its declaration names (``complaints.transitions``)."""
    transition = TRANSITIONS[action_name]
    fields = {name: _payload_field(field) for name, field in transition.form.base_fields.items()}
    name = "".join(part.capitalize() for part in action_name.split("_")) + "Payload"
    return type(name, (serializers.Serializer,), {**fields, "__doc__": f"{transition.label}."})


def _form_errors(form) -> dict:
    return {("non_field_errors" if name == "__all__" else name): list(errors) for name, errors in form.errors.items()}


class TimelineEntrySerializer(serializers.ModelSerializer):
    # Blank unless the entry records a change of state (a read-only model field is built without its blank).
    from_state = serializers.ChoiceField(choices=ComplaintState.choices, allow_blank=True, read_only=True)
    to_state = serializers.ChoiceField(choices=ComplaintState.choices, allow_blank=True, read_only=True)

    class Meta:
        model = TimelineEntry
        fields = ["id", "kind", "author", "at", "channel", "body", "from_state", "to_state"]
        read_only_fields = ["author", "from_state", "to_state"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["body"] = instance.body_text  # a system-written entry in the caller's language
        return data


class ComplaintViewSet(DealerOwnedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Complaints, newest first in pages by cursor (the queue page sorts by what is due first); ``?state=``,
    ``?department=``, ``?overdue=1``, ``?q=``."""

    pagination_class = CursorPagination  # a big table: pages by cursor, never counted
    serializer_class = ComplaintSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller, no scope
            return Complaint.objects.none()
        params = self.request.query_params
        for name, values in (("state", ComplaintState.values), ("department", Department.values),
                             ("severity", Severity.values)):
            if params.get(name) and params[name] not in values:
                raise ValidationError({name: [_("Use one of: %(values)s.") % {"values": ", ".join(values)}]})
        # The due-first order needs a reply limit: that of the (first) network the caller works in.
        dealer = Dealer.objects.select_related("network").order_by("pk").first()
        policy = ComplaintPolicy.objects.for_network(dealer.network) if dealer else ComplaintPolicy()
        complaints = complaint_queue(policy=policy, view="all", state=params.get("state", ""),
                                     department=params.get("department", ""), severity=params.get("severity", ""),
                                     query=params.get("q", ""), include_closed=True).select_related("dealer")
        if params.get("overdue") == "1":
            # Each complaint by its own network's time limits: the caller may work in several networks.
            complaints = complaints.filter(complaints_overdue_q(now=timezone.now()))
        return complaints

    @extend_schema(request=PolymorphicProxySerializer(
        component_name="ComplaintActionPayload", resource_type_field_name=None,
        serializers=[action_payload(name) for name in TRANSITIONS]), responses=ComplaintSerializer,
                   parameters=[OpenApiParameter("action_name", OpenApiTypes.STR, OpenApiParameter.PATH,
                                                enum=list(TRANSITIONS))])
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)")
    def perform_action(self, request, pk=None, action_name=None):
        """Move the complaint on (confirm, propose, agree, …) with the inputs of the step's page form; refused
        with the reason from a state that does not allow it."""
        complaint = self.get_object()
        transition = TRANSITIONS.get(action_name)
        if transition is None:
            raise ValidationError({"action": [_("Unknown action; use one of: %(actions)s.") % {
                "actions": ", ".join(TRANSITIONS)}]})
        refusal = transition.refusal(complaint)
        if refusal:
            raise ValidationError({"action": [refusal]})
        payload = action_payload(action_name)(data=request.data)
        payload.is_valid(raise_exception=True)
        form = transition.form(payload.validated_data, complaint=complaint, staff=dealer_staff(complaint.dealer))
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        try:
            services.complaint_transition(complaint=complaint, action=action_name, by=request.user,
                                          **form.cleaned_data)
        except DjangoValidationError as error:
            _raise_as_api_error(error)
        return Response(self.get_serializer(self.get_queryset().get(pk=complaint.pk)).data)

    # The whole timeline, never paged; a POST answers it with the new entry in it.
    @extend_schema(methods=["GET"], responses={200: TimelineEntrySerializer(many=True)})
    @extend_schema(methods=["POST"], request=TimelineEntrySerializer,
                   responses={201: TimelineEntrySerializer(many=True)})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def timeline(self, request, pk=None):
        """The complaint's timeline, oldest first; POST adds a contact, note or on-hold follow-up."""
        complaint = self.get_object()
        if request.method == "POST":
            entry = TimelineEntrySerializer(data=request.data)
            entry.is_valid(raise_exception=True)
            try:
                services.complaint_add_entry(complaint=complaint, by=request.user, kind=entry.validated_data["kind"],
                                             body=entry.validated_data.get("body", ""),
                                             channel=entry.validated_data.get("channel", ""),
                                             at=entry.validated_data.get("at"))
            except DjangoValidationError as error:
                _raise_as_api_error(error)
        entries = TimelineEntry.objects.filter(complaint=complaint).order_by("at", "pk")
        return Response(TimelineEntrySerializer(entries, many=True).data,
                        status=status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK)


class CategorySerializer(NetworkContentSerializer):
    class Meta:
        model = ComplaintCategory
        fields = ["id", "network", "parent", "name", "translations", "is_active"]
        read_only_fields = ["network", "parent", "is_active"]


class CategoryViewSet(NetworkContentUpdateMixin, viewsets.ReadOnlyModelViewSet):
    """The complaint taxonomy of your networks. A network admin renames a category or writes its translations
    with a PATCH (the taxonomy itself is shaped in the admin)."""

    serializer_class = CategorySerializer

    def get_queryset(self):
        return ComplaintCategory.objects.select_related("parent").order_by("network", "parent__name", "name")


class StandardAnswerSerializer(NetworkContentSerializer):
    class Meta:
        model = StandardAnswer
        fields = ["id", "network", "category", "title", "body", "translations", "is_active"]
        read_only_fields = ["network", "category", "is_active"]
        extra_kwargs = {"body": {"max_length": WORDS_LIMIT}}  # the model's limit, in the schema too


class StandardAnswerViewSet(NetworkContentUpdateMixin, viewsets.ReadOnlyModelViewSet):
    """The approved answers, ``?category=<id>`` for one category. A network admin rewords one or writes its
    translations with a PATCH (answers are added in the admin)."""

    serializer_class = StandardAnswerSerializer

    def get_queryset(self):
        answers = StandardAnswer.objects.filter(is_active=True).order_by("category", "title")
        if self.request.query_params.get("category") is not None:
            answers = answers.filter(category_id=query_id(self.request, "category"))
        return answers


class ComplimentSerializer(DealerOwnedSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects, required=False, allow_null=True)
    # A missing id and someone of another dealer get the service's one answer.
    person = serializers.PrimaryKeyRelatedField(queryset=User.objects, required=False, allow_null=True,
                                                error_messages={"does_not_exist": services.NOT_AVAILABLE},
                                                help_text=gettext_lazy("The id of someone who works at the dealer."))
    received_at = serializers.DateTimeField(required=False, help_text=gettext_lazy("When it came in (default: now)."))

    class Meta:
        model = Compliment
        fields = ["id", "dealer", "customer", "department", "person", "channel", "words", "received_at"]
        validators = []

    def create(self, validated_data):
        try:
            return services.compliment_record(by=self.context["request"].user, **validated_data)
        except DjangoValidationError as error:
            _raise_as_api_error(error)

    def update(self, instance, validated_data):
        # A PATCH names only what changes; the service checks the whole compliment as it will be.
        fields = self.row_after(validated_data)
        fields.pop("dealer")  # a compliment stays at its dealer (the base refuses a move)
        try:
            return services.compliment_update(compliment=instance, **fields)
        except DjangoValidationError as error:
            _raise_as_api_error(error)


class ComplimentViewSet(DealerOwnedViewSetMixin, viewsets.ModelViewSet):
    """Compliments are counted beside complaints (G.4)."""

    serializer_class = ComplimentSerializer
    http_method_names = NO_DELETE

    def get_queryset(self):
        return Compliment.objects.order_by("-received_at", "-pk")


class ImprovementPlanSerializer(DealerOwnedSerializer):
    category = serializers.PrimaryKeyRelatedField(queryset=ComplaintCategory.objects)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects,
                                               error_messages={"does_not_exist": services.NOT_AVAILABLE},
                                               help_text=gettext_lazy("The id of someone who works at the dealer."))

    class Meta:
        model = ImprovementPlan
        fields = ["id", "dealer", "category", "cause", "action", "owner", "due_date", "status", "created_at",
                  "done_at"]
        read_only_fields = ["created_at", "done_at"]
        validators = []

    def create(self, validated_data):
        validated_data.pop("status", None)
        try:
            return services.improvement_plan_open(by=self.context["request"].user, **validated_data)
        except DjangoValidationError as error:
            _raise_as_api_error(error)

    def update(self, instance, validated_data):
        fields = self.row_after(validated_data)
        fields.pop("dealer")  # a plan stays at its dealer (the base refuses a move)
        try:
            return services.improvement_plan_update(plan=instance, **fields)
        except DjangoValidationError as error:
            _raise_as_api_error(error)


class ImprovementPlanViewSet(DealerOwnedViewSetMixin, viewsets.ModelViewSet):
    """Improvement plans against recurring categories; PATCH ``status`` to move one on."""

    serializer_class = ImprovementPlanSerializer
    http_method_names = NO_DELETE

    def get_queryset(self):
        return ImprovementPlan.objects.order_by("due_date", "pk")
