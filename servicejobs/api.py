"""API for service jobs and new-car handovers, with each job's promise results."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from customers.api import NO_DELETE
from customers.models import Customer, Vehicle
from dealer_portal.api import (
    ID_PARAMETER_SCHEMA,
    PLAUSIBLE_DATE_PATTERN,
    DealerOwnedSerializer,
    DealerOwnedViewSetMixin,
    caller_only_dealer,
    query_date,
)
from dealer_portal.pagination import CursorPagination
from dealer_portal.tenancy.models import Dealer

from . import services
from .imports import file_size_error
from .models import JobImport, JobStatus, PromiseCheck, SalesHandover, ServiceJob
from .promises import evaluate_sales_promises
from .selectors import followup_outcome_for
from .steps import STEPS, step_inputs


class PromiseCheckSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(source="reason_text", read_only=True)  # in the caller's language

    class Meta:
        model = PromiseCheck
        fields = ["number", "status", "reason"]


class JobSerializer(DealerOwnedSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects)
    vehicle = serializers.PrimaryKeyRelatedField(queryset=Vehicle.objects)
    promises = PromiseCheckSerializer(source="promise_checks", many=True, read_only=True)
    repeat_of = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)  # null: no earlier visit

    class Meta:
        model = ServiceJob
        fields = ["id", "dealer", "number", "status", "customer", "vehicle", "advisor", "work_category", "concern",
                  "mileage", "appointment_at", "arrived_at", "greeted_at", "reception_with_customer",
                  "walkaround_at", "walkaround_with_customer", "work_explained_at", "estimated_duration_minutes",
                  "original_promised_ready_at", "promised_ready_at", "work_started_at", "done_as_agreed",
                  "extra_work_authorised_at", "ready_at", "invoice_explained", "advice_given", "delivered_at",
                  "handover_with_customer", "closed_at", "close_reason", "repeat_of", "promises", "created_at",
                  "updated_at"]
        # Milestones are recorded through the step actions, which check their order.
        read_only_fields = ["status", "advisor", "arrived_at", "greeted_at", "reception_with_customer",
                            "walkaround_at", "walkaround_with_customer", "work_explained_at",
                            "estimated_duration_minutes", "original_promised_ready_at", "promised_ready_at",
                            "work_started_at", "done_as_agreed", "extra_work_authorised_at", "ready_at",
                            "invoice_explained", "advice_given", "delivered_at", "handover_with_customer",
                            "closed_at", "close_reason", "created_at", "updated_at"]
        validators = []  # the job service checks the per-dealer job number, with its own message
        extra_kwargs = {"work_category": {"required": True}}  # the service books no job without its work

    def create(self, validated_data):
        return services.job_create(advisor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        # The same checks as a new job's (the service's refusals are 400s through the API's exception handler).
        validated_data.pop("dealer", None)  # the base refuses a move to another dealer
        return services.job_update(job=instance, **validated_data)


class StepPayload(serializers.Serializer):
    at = serializers.DateTimeField(required=False, help_text=gettext_lazy("When it happened (default: now)."))


def _payload_field(form_field, *, required: bool) -> serializers.Field:
    """The API field of a step input, from the form field the page uses (same name, bounds and required-ness)."""
    common = {"required": required, "help_text": str(form_field.help_text or form_field.label)}
    if isinstance(form_field, forms.NullBooleanField):
        return serializers.BooleanField(allow_null=True, **common)
    if isinstance(form_field, forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(form_field, forms.IntegerField):
        return serializers.IntegerField(min_value=form_field.min_value, max_value=form_field.max_value,
                                        allow_null=not form_field.required, **common)
    if isinstance(form_field, forms.DateTimeField):
        return serializers.DateTimeField(allow_null=not form_field.required, **common)
    if isinstance(form_field, forms.CharField):
        return serializers.CharField(max_length=form_field.max_length, allow_blank=not form_field.required,
                                     **common)
    raise TypeError(f"Teach _payload_field the API field of a {type(form_field).__name__}.")


def step_payload(step) -> type[serializers.Serializer]:
    """The API payload of ``step``: ``at``, then the fields of its declared inputs."""
    fields = {name: _payload_field(field, required=field.required) for name, field in step.inputs.base_fields.items()}
    name = "".join(part.capitalize() for part in step.name.split("_")) + "StepSerializer"
    return type(name, (StepPayload,), fields)


STEP_PAYLOADS = {name: step_payload(step) for name, step in STEPS.items()}


def _every_step_payload() -> type[serializers.Serializer]:
    """What a step may carry, for the schema: every step's inputs, none required (each step reads its own)."""
    fields = {}
    for step in STEPS.values():
        for name, field in step.inputs.base_fields.items():
            fields.setdefault(name, _payload_field(field, required=False))
    return type("StepSerializer", (StepPayload,), {"__doc__": _every_step_payload.__doc__, **fields})


StepSerializer = _every_step_payload()


def _steps_description() -> str:
    """Each declared step: the statuses it may happen in, where it leads and what it takes (* required)."""
    lines = ["Record one step of the job, as the board's buttons do (refused with a reason when out of order).",
             "", "Every step takes `at` (default: now). The steps:"]
    for step in STEPS.values():
        inputs = ", ".join(f"`{name}`{'*' if field.required else ''}"
                           for name, field in step.inputs.base_fields.items())
        moves = f" → {step.leads_to}" if step.leads_to else ""
        lines.append(f"- `{step.name}` from {', '.join(sorted(step.allowed_from))}{moves}"
                     f"{': ' + inputs if inputs else ''}")
    return "\n".join(lines)


def _day_bounds(value: str, field: str):
    day = query_date(value, field)
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


class JobImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobImport
        fields = ["id", "dealer", "file_name", "status", "failure_reason", "row_count", "rows_done", "attempts",
                  "created", "updated", "unchanged", "rejected", "uploaded_at", "started_at", "finished_at"]
        read_only_fields = fields


class JobImportUploadSerializer(serializers.Serializer):
    dealer = serializers.PrimaryKeyRelatedField(queryset=Dealer.objects, required=False,
                                                help_text=gettext_lazy("Required when you work at several dealers."))
    file = serializers.FileField(help_text=gettext_lazy("CSV (UTF-8) exported from the dealer management system."))

    def validate_file(self, upload):
        size_error = file_size_error(upload.size)
        if size_error:
            raise ValidationError(size_error)
        return upload

    def validate(self, attrs):
        if "dealer" not in attrs:
            attrs["dealer"] = caller_only_dealer()
        return attrs


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("dealer", ID_PARAMETER_SCHEMA, description="Only this dealer's jobs."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=JobStatus.values, description="Only jobs in this status."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, pattern=PLAUSIBLE_DATE_PATTERN,
                     description="Service day (arrival, else appointment, else booking) on or after, in UTC."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, pattern=PLAUSIBLE_DATE_PATTERN,
                     description="Service day (arrival, else appointment, else booking) on or before, in UTC."),
]))
class JobViewSet(DealerOwnedViewSetMixin, viewsets.ModelViewSet):
    """Service jobs (repair orders) with their nine promise results, newest first in pages by cursor; steps go
    through ``/steps/<step>/``."""

    pagination_class = CursorPagination  # a big table: pages by cursor, never counted
    serializer_class = JobSerializer
    http_method_names = NO_DELETE

    def get_queryset(self):
        jobs = (ServiceJob.objects.select_related("dealer")
                .prefetch_related(Prefetch("promise_checks", queryset=PromiseCheck.objects.order_by("number")))
                .order_by("-created_at", "-pk"))
        params = self.request.query_params
        wanted_status = params.get("status")
        if wanted_status is not None:
            if wanted_status not in JobStatus.values:
                raise ValidationError({"status": [_("Use one of: %(values)s.") % {
                    "values": ", ".join(JobStatus.values)}]})
            jobs = jobs.filter(status=wanted_status)
        # An empty date is a 400 like any other that is no date, not "no filter".
        if params.get("date_from") is not None or params.get("date_to") is not None:
            jobs = jobs.annotate(service_at=Coalesce("arrived_at", "appointment_at", "created_at"))
        if params.get("date_from") is not None:
            jobs = jobs.filter(service_at__gte=_day_bounds(params["date_from"], "date_from")[0])
        if params.get("date_to") is not None:
            jobs = jobs.filter(service_at__lt=_day_bounds(params["date_to"], "date_to")[1])
        return jobs

    @extend_schema(request=StepSerializer, responses=JobSerializer, description=_steps_description(),
                   parameters=[OpenApiParameter("step", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(STEPS))])
    @action(detail=True, methods=["post"], url_path=r"steps/(?P<step>[a-z_]+)")
    def step(self, request, pk=None, step=None):
        """Record one step of the job, as the board's buttons do (refused with a reason when out of order)."""
        job = self.get_object()
        if step not in STEPS:
            raise ValidationError({"step": [_("Unknown step; use one of: %(steps)s.") % {"steps": ", ".join(STEPS)}]})
        payload = STEP_PAYLOADS[step](data=request.data)
        payload.is_valid(raise_exception=True)
        data = step_inputs(payload.validated_data)
        try:
            job = services.job_step(job=job, step=step, by=request.user, **data)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict if hasattr(error, "error_dict")
                                  else {"step": error.messages}) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=job.pk)).data)

    @extend_schema(request={"multipart/form-data": JobImportUploadSerializer}, responses={
        202: JobImportSerializer,
        503: OpenApiResponse(description="The background service is down: the file is saved (status queued) and "
                                         "is imported automatically once the service is back.")})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_csv(self, request):
        """Upload a DMS export (CSV). The whole file is checked now (400 if refused); its rows are imported
        in the background: follow ``/api/v1/job-imports/<id>/`` until its status is ``done`` or ``failed`` (then
        ``failure_reason`` says why). 503 if the background service is down: the file is saved and waits
        (status ``queued``), and is imported automatically once the service is back."""
        upload = JobImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            job_import = services.job_import_start(dealer=upload.validated_data["dealer"], data=file.read(),
                                                   file_name=file.name, by=request.user)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(JobImportSerializer(job_import).data, status=status.HTTP_202_ACCEPTED)


class JobImportViewSet(DealerOwnedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """DMS uploads and their reports. Upload with ``POST /api/v1/jobs/import/``; poll here until ``done`` or
    ``failed``."""

    serializer_class = JobImportSerializer

    def get_queryset(self):
        return JobImport.objects.defer("data").order_by("-uploaded_at", "-pk")


class HandoverSerializer(DealerOwnedSerializer):
    """Records through ``handover_record`` (once per car: sent again, the existing record is the answer) and
    corrects through ``handover_update`` (the same checks)."""

    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects)
    vehicle = serializers.PrimaryKeyRelatedField(queryset=Vehicle.objects)
    promises = serializers.SerializerMethodField()

    class Meta:
        model = SalesHandover
        fields = ["id", "dealer", "customer", "vehicle", "sales_consultant", "promised_delivery_date",
                  "delivered_at", "delivered_faultless", "introduction_given", "promises", "created_at"]
        read_only_fields = ["sales_consultant", "created_at"]
        validators = []  # one handover per car is the service's answer (the existing record), not a refusal

    def get_promises(self, handover) -> list[dict]:
        with timezone.override(handover.dealer.zone):
            results = evaluate_sales_promises(handover, followup=followup_outcome_for(handover))
        return [{"number": r.number, "status": str(r.status), "reason": r.reason} for r in results]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        vehicle = attrs.get("vehicle", getattr(self.instance, "vehicle", None))
        customer = attrs.get("customer", getattr(self.instance, "customer", None))
        if vehicle and customer and vehicle.customer_id != customer.pk:
            raise ValidationError({"vehicle": [_("This vehicle belongs to another customer.")]})
        return attrs

    def _unique_check(self, attrs) -> None:
        if self.instance is None:
            return  # a car's second handover is answered with the first (handover_record), not refused
        super()._unique_check(attrs)

    def create(self, validated_data):
        # The service's refusals reach the caller as 400s through the API's exception handler.
        data = {name: value for name, value in validated_data.items() if name != "customer"}  # the car's owner
        handover, self.created = services.handover_record(by=self.context["request"].user, **data)
        return handover

    def update(self, instance, validated_data):
        validated_data.pop("dealer", None)  # the base refuses a move to another dealer
        return services.handover_update(handover=instance, **validated_data)


@extend_schema_view(create=extend_schema(responses={
    201: HandoverSerializer, 200: OpenApiResponse(HandoverSerializer, description="This car's handover was "
                                                  "already recorded: the existing record, unchanged.")}))
class HandoverViewSet(DealerOwnedViewSetMixin, viewsets.ModelViewSet):
    """New-car handovers, with the sales promises they show (7, 8 and 9). A car is handed over once per dealer:
    posting its handover again (a retry) answers 200 with the record already there."""

    serializer_class = HandoverSerializer
    http_method_names = NO_DELETE

    def get_queryset(self):
        return (SalesHandover.objects.select_related("dealer").prefetch_related("followup_calls")
                .order_by("-delivered_at", "-pk"))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handover = serializer.save()
        shown = self.get_serializer(self.get_queryset().get(pk=handover.pk))
        return Response(shown.data, status=status.HTTP_201_CREATED if serializer.created else status.HTTP_200_OK)
