"""API for follow-up calls: the list by due state, attempts, answers; and the network's questionnaire."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from dealer_portal.api import (
    ID_PARAMETER_SCHEMA,
    NETWORK_PARAMETER,
    DealerOwnedViewSetMixin,
    caller_network,
    query_id,
    require_network_admin,
)
from dealer_portal.pagination import CursorPagination
from dealer_portal.tenancy.content import content_save

from . import services
from .models import ANSWER_COMMENTS_MAX_LENGTH, QUESTIONS, AttemptOutcome, CallAnswer, FollowUpCall, Questionnaire
from .selectors import call_list

DUE_STATES = ("due_today", "last_day", "due_soon", "missed")


def _as_api_error(error: DjangoValidationError) -> ValidationError:
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else {"call": error.messages})


class CallSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpCall
        fields = ["id", "dealer", "kind", "customer", "vehicle", "service_job", "sales_handover", "delivered_at",
                  "window_start", "window_end", "status", "not_contacted_reason", "callback_at", "reached_at",
                  "representative"]
        read_only_fields = fields


class MomentField(serializers.DateTimeField):
    """A date and time; one at the calendar's very end, which no time zone can hold, is refused, not a 500."""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError as error:
            raise ValidationError(_("Check the year: this time cannot be right.")) from error


class AttemptSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AttemptOutcome.choices)
    callback_at = MomentField(required=False, help_text=_("Required for call_back."))


class AnswersSerializer(serializers.ModelSerializer):
    overall = serializers.IntegerField(min_value=1, max_value=5)

    class Meta:
        model = CallAnswer
        fields = ["overall", "work_done_right", "ready_when_promised", "would_recommend", "comments",
                  "dissatisfied", "complaint", "answered_at"]
        read_only_fields = ["dissatisfied", "complaint", "answered_at"]
        extra_kwargs = {"comments": {"max_length": ANSWER_COMMENTS_MAX_LENGTH}}


class LinkSentSerializer(serializers.Serializer):
    sent_to = serializers.EmailField(help_text=_("The customer's address the link was emailed to."))


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("due", OpenApiTypes.STR, enum=list(DUE_STATES),
                     description="Only calls in this part of the list."),
    OpenApiParameter("dealer", ID_PARAMETER_SCHEMA, description="Only this dealer's calls."),
]))
class FollowUpViewSet(DealerOwnedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Follow-up calls, newest first in pages by cursor; ``?due=`` gives one part of the representative's list (in
    each dealer's local day), paged like the whole list."""

    pagination_class = CursorPagination  # a big table: pages by cursor, never counted
    serializer_class = CallSerializer

    def get_queryset(self):
        return FollowUpCall.objects.order_by("window_end", "pk")

    def list(self, request, *args, **kwargs):
        due = request.query_params.get("due")
        if due is None:
            return super().list(request, *args, **kwargs)
        if due not in DUE_STATES:
            raise ValidationError({"due": [_("Use one of: %(values)s.") % {"values": ", ".join(DUE_STATES)}]})
        calls = getattr(call_list(), due)
        if request.query_params.get("dealer") is not None:
            wanted = query_id(request, "dealer")
            calls = [call for call in calls if call.dealer_id == wanted]
        # Pages like the whole list (by cursor, ``?cursor=`` checked): the part's calls as a queryset.
        page = self.paginate_queryset(self.get_queryset().filter(pk__in=[call.pk for call in calls]))
        return self.get_paginated_response(CallSerializer(page, many=True).data)

    @extend_schema(request=AttemptSerializer, responses=CallSerializer)
    @action(detail=True, methods=["post"])
    def attempts(self, request, pk=None):
        """Log an attempt that did not reach the customer (``call_back`` re-queues the call)."""
        call = self.get_object()
        payload = AttemptSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.call_attempt_log(call=call, by=request.user, **payload.validated_data)
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        return Response(CallSerializer(self.get_queryset().get(pk=call.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswersSerializer, responses=AnswersSerializer)
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        """Record the reached customer's answers; a dissatisfied answer opens a complaint (``complaint``)."""
        call = self.get_object()
        payload = AnswersSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            answer = services.call_answers_record(call=call, by=request.user, **payload.validated_data)
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        return Response(AnswersSerializer(answer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: LinkSentSerializer})
    @action(detail=True, methods=["post"], url_path="send-link", url_name="send-link")
    def send_link(self, request, pk=None):
        """Email the customer a signed, single-use, expiring link to answer online (as the call page does)."""
        call = self.get_object()
        try:
            services.answer_link_send(call=call, by=request.user, link_builder=lambda token: request.build_absolute_uri(
                reverse("followup_public_answer", args=[token])))
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        return Response({"sent_to": call.customer.email}, status=status.HTTP_202_ACCEPTED)


class QuestionnaireSerializer(serializers.ModelSerializer):
    questions = serializers.SerializerMethodField(
        help_text=_("Each question as it is asked in the caller's language (else the network's default)."))

    class Meta:
        model = Questionnaire
        fields = ["network", "dissatisfied_at_or_below", "work_not_right_is_dissatisfied", *QUESTIONS,
                  "translations", "questions"]

    def get_questions(self, questionnaire) -> list[dict]:
        return [{"name": name, "label": label} for name, label in questionnaire.questions().items()]


class QuestionnaireViewSet(viewsets.ReadOnlyModelViewSet):
    """Your networks' follow-up questionnaires, those saved (a network's admins write its questions at
    ``/questionnaire/``)."""

    serializer_class = QuestionnaireSerializer

    def get_queryset(self):
        return Questionnaire.objects.order_by("network")


class QuestionnaireTextsSerializer(serializers.ModelSerializer):
    network = serializers.SlugField(required=False, write_only=True,
                                    help_text=_("The network's slug; needed when you work in several networks."))

    class Meta:
        model = Questionnaire
        fields = ["network", *QUESTIONS, "translations"]


class NetworkQuestionnaireView(APIView):
    """The network's follow-up questions: its own, or the shipped ones (in its languages) until it saves them.

    A network admin writes them: PUT gives all five questions (and their translations, none if left out), PATCH
    only what changes; the first write saves the network's own questionnaire.
    """

    @extend_schema(parameters=[NETWORK_PARAMETER], responses=QuestionnaireSerializer)
    def get(self, request):
        network = caller_network(request, request.query_params.get("network"))
        return Response(QuestionnaireSerializer(Questionnaire.objects.for_network(network)).data)

    @extend_schema(request=QuestionnaireTextsSerializer, responses=QuestionnaireSerializer)
    def put(self, request):
        return self._write(request, partial=False)

    @extend_schema(request=QuestionnaireTextsSerializer, responses=QuestionnaireSerializer)
    def patch(self, request):
        return self._write(request, partial=True)

    def _write(self, request, *, partial: bool) -> Response:
        require_network_admin(request, gettext("Only network admins change these settings."))
        payload = QuestionnaireTextsSerializer(data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        network = caller_network(request, values.pop("network", None), administer=True)
        if not partial:
            values.setdefault("translations", {})
        try:
            questionnaire = content_save(Questionnaire.objects.for_network(network), values)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(QuestionnaireSerializer(questionnaire).data)
