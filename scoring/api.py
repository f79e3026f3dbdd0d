"""API of scoring: checklists, assessments, KPIs, published rankings and dealer scorecards.

Everything is read through the scoped managers, so another network's (or, for dealer staff, another
dealer's) object answers 404. Writes are by role: network admins import checklists, replace KPIs,
republish rankings and reopen assessments; HQ auditors run HQ assessments; a dealer manager runs the
dealer's self-assessment.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from dealer_portal.api import (
    ID_PARAMETER_SCHEMA,
    NETWORK_PARAMETER,
    DealerOwnedViewSetMixin,
    caller_network,
    caller_only_dealer,
    require_network_admin,
)
from dealer_portal.tenancy.access import require_dealer, roles_at_dealer
from dealer_portal.tenancy.models import Role

from . import selectors, services
from .kpis import MEASURES
from .models import (
    Assessment,
    AssessmentEvent,
    AssessmentScore,
    AssessmentStatus,
    ChecklistSection,
    ChecklistTemplate,
    Kpi,
    Ranking,
)
from .rules import MONTH_PATTERN, month_check, month_parse
from .serializers import (
    AssessmentDetailSerializer,
    AssessmentSerializer,
    ChecklistFileSerializer,
    ChecklistImportSerializer,
    ChecklistSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    KpiSetSerializer,
    MeasureSerializer,
    RankingDetailSerializer,
    RankingSerializer,
    ReasonSerializer,
    RepublishSerializer,
    ScorecardSerializer,
    ScoresInputSerializer,
)

HQ_ROLES = {Role.HQ_ANALYST, Role.NETWORK_ADMIN}
def _as_api_error(error: DjangoValidationError, field: str = "non_field_errors") -> ValidationError:
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else {field: error.messages})


def _yes_no(params, name: str) -> bool | None:
    value = params.get(name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise ValidationError({name: [_("Use true or false.")]})
    return value == "true"


def _month_param(params) -> object | None:
    if params.get("month") is None:
        return None
    try:
        return month_parse(params["month"])
    except DjangoValidationError as error:
        raise _as_api_error(error) from error


# --- Checklists ----------------------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("current", OpenApiTypes.BOOL, description="true: only current versions; false: only older."),
]))
class ChecklistViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your networks' checklists, every version, with sections and items. Network admins import new ones."""

    serializer_class = ChecklistSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller, no scope
            return ChecklistTemplate.objects.none()
        templates = (ChecklistTemplate.objects.select_related("network")
                     .prefetch_related("sections__items").order_by("network__slug", "code", "-version"))
        current = _yes_no(self.request.query_params, "current")
        if current is not None:
            templates = templates.filter(is_current=current)
        return templates

    @extend_schema(request=ChecklistImportSerializer, responses={201: ChecklistSerializer})
    def create(self, request):
        """Import a checklist (the shape ``export`` gives). A code the network has becomes its next version."""
        require_network_admin(request, _("Only a network admin can import checklists."))
        payload = ChecklistImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        network = caller_network(request, data.pop("network", None), administer=True)
        try:
            template = services.checklist_import(network=network, data=data)
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        return Response({**self.get_serializer(self.get_queryset().get(pk=template.pk)).data,
                         "warnings": template.import_warnings}, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ChecklistFileSerializer)
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The checklist as a readable file (JSON), ready to import into another network or as a new version."""
        return Response(selectors.checklist_export(self.get_object()))


# --- Assessments ---------------------------------------------------------------------------------------------


def _may_run(request, dealer, *, is_self_assessment: bool) -> bool:
    """HQ assessments are HQ auditors' and network admins'; a self-assessment is the dealer manager's."""
    if request.user.is_superuser:
        return True
    roles = roles_at_dealer(request.tenancy.grants, dealer)
    return Role.DEALER_MANAGER in roles if is_self_assessment else bool(roles & HQ_ROLES)


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("dealer", ID_PARAMETER_SCHEMA, description="Only this dealer's assessments (its id)."),
    OpenApiParameter("month", OpenApiTypes.STR, pattern=MONTH_PATTERN, description="Only this month, as YYYY-MM."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=AssessmentStatus.values, description="Only this status."),
    OpenApiParameter("is_self_assessment", OpenApiTypes.BOOL,
                     description="true: dealers' self-assessments; false: HQ's assessments."),
]))
class AssessmentViewSet(DealerOwnedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Monthly assessments with their scores, POE result, evidence and history; submitted ones are locked.

    Dealer staff see their dealer's self-assessments and HQ's assessments once submitted, never HQ's drafts.
    """

    def get_serializer_class(self):
        return AssessmentSerializer if self.action == "list" else AssessmentDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller, no scope
            return Assessment.objects.none()
        assessments = (selectors.assessments_visible(self.request.tenancy.user_scope)
                       .select_related("dealer__network", "template", "auditor")
                       .order_by("-month", "dealer__code", "is_self_assessment", "pk"))
        if self.action != "list":
            assessments = assessments.prefetch_related(
                Prefetch("scores", queryset=AssessmentScore.objects.select_related("item__section")
                         .order_by("item__section__position", "item__position")),
                Prefetch("template__sections", queryset=ChecklistSection.objects.order_by("position")),
                "evidence",
                Prefetch("events", queryset=AssessmentEvent.objects.select_related("by")))
        params = self.request.query_params
        month = _month_param(params)
        if month is not None:
            assessments = assessments.filter(month=month)
        wanted_status = params.get("status")
        if wanted_status is not None:
            if wanted_status not in AssessmentStatus.values:
                raise ValidationError({"status": [_("Use one of: %(values)s.") % {
                    "values": ", ".join(AssessmentStatus.values)}]})
            assessments = assessments.filter(status=wanted_status)
        is_self = _yes_no(params, "is_self_assessment")
        if is_self is not None:
            assessments = assessments.filter(is_self_assessment=is_self)
        return assessments

    def _detail(self, assessment: Assessment, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=assessment.pk)
        return Response(AssessmentDetailSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status_code)

    def _editable_object(self) -> Assessment:
        assessment = self.get_object()
        if not _may_run(self.request, assessment.dealer, is_self_assessment=assessment.is_self_assessment):
            raise PermissionDenied(_("You may read this assessment but not change it: HQ's are scored by HQ, "
                                     "a self-assessment by the dealer's manager."))
        return assessment

    @extend_schema(request=AssessmentSerializer, responses={201: AssessmentDetailSerializer})
    def create(self, request):
        """Open a month's assessment: HQ's (HQ auditors, network admins) or the dealer's own (its manager)."""
        payload = AssessmentSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        dealer = data.get("dealer") or caller_only_dealer()
        is_self = data.get("is_self_assessment")
        if is_self is None:
            is_self = not _may_run(request, dealer, is_self_assessment=False)
        if not _may_run(request, dealer, is_self_assessment=is_self):
            raise PermissionDenied(_("Only HQ auditors and network admins run HQ assessments; a dealer's manager "
                                     "runs its self-assessment."))
        try:
            month = month_check(data["month"], network=dealer.network)
            assessment = services.assessment_start(dealer=dealer, template=data["template"], month=month,
                                                   by=request.user, is_self_assessment=is_self)
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        return self._detail(assessment, status.HTTP_201_CREATED)

    @extend_schema(request=ScoresInputSerializer, responses=AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None):
        """Score items all at once: every row is saved, or none (the errors name each refused item)."""
        assessment = self._editable_object()
        payload = ScoresInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rows = payload.validated_data["scores"]
        try:
            services.assessment_score_many(assessment=assessment, rows=rows)
        except services.ScoresRefused as refused:  # keyed by position, as DRF keys a list's errors
            raise ValidationError({"scores": {
                str(index): {name: [f"{rows[index]['item'].code}: {message}" for message in messages]
                             for name, messages in error.message_dict.items()}
                for index, error in refused.by_row.items()}}) from refused
        except DjangoValidationError as error:
            raise _as_api_error(error, "assessment") from error
        return self._detail(assessment)

    @extend_schema(request={"multipart/form-data": EvidenceUploadSerializer}, responses={201: EvidenceSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, pk=None):
        """Attach a photo or document (optionally to one item) to an assessment still being scored."""
        assessment = self._editable_object()
        payload = EvidenceUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            evidence = services.evidence_attach(assessment=assessment, upload=data["file"], by=request.user,
                                                item=data.get("item"), note=data["note"])
        except DjangoValidationError as error:
            raise _as_api_error(error, "assessment") from error
        evidence.assessment = assessment
        return Response(EvidenceSerializer(evidence, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit and lock the assessment; every item must be scored or marked not applicable first."""
        assessment = self._editable_object()
        try:
            services.assessment_submit(assessment=assessment, by=request.user)
        except DjangoValidationError as error:
            raise _as_api_error(error, "assessment") from error
        return self._detail(assessment)

    @extend_schema(request=ReasonSerializer, responses=AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a submitted assessment (network admins only); the reason is kept in its history."""
        assessment = self.get_object()
        if not request.tenancy.is_network_admin(assessment.dealer.network):
            raise PermissionDenied(_("Only a network admin can reopen a submitted assessment."))
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.assessment_reopen(assessment=assessment, by=request.user, reason=payload.validated_data["reason"],
                              is_network_admin=True)
        except DjangoValidationError as error:
            raise _as_api_error(error, "assessment") from error
        return self._detail(assessment)


# --- KPIs ------------------------------------------------------------------------------------------------------


def _kpi_set(network) -> dict:
    return {"network": network.slug, "is_default": not Kpi.objects.filter(network=network).exists(),
            "kpis": selectors.network_kpis(network)}


class KpiSetView(APIView):
    """The network's Service Quality KPIs: its own set, or the shipped defaults until it saves one."""

    @extend_schema(parameters=[NETWORK_PARAMETER], responses=KpiSetSerializer)
    def get(self, request):
        network = caller_network(request, request.query_params.get("network"))
        return Response(KpiSetSerializer(_kpi_set(network)).data)

    @extend_schema(request=KpiSetSerializer, responses=KpiSetSerializer)
    def put(self, request):
        """Replace the whole set (network admins); the weights must add up to 100, or nothing changes."""
        require_network_admin(request, _("Only a network admin can change the KPIs."))
        payload = KpiSetSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        network = caller_network(request, payload.validated_data.get("network"), administer=True)
        try:
            services.kpi_set_replace(network=network, rows=[dict(row) for row in payload.validated_data["kpis"]])
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        return Response(KpiSetSerializer(_kpi_set(network)).data)


class MeasureListView(APIView):
    """What a KPI can be measured from: each measure computed from the platform's own records."""

    @extend_schema(responses=MeasureSerializer(many=True))
    def get(self, request):
        measures = [{"key": measure.key, "label": str(measure.label), "unit": measure.unit,
                     "higher_is_better": measure.higher_is_better, "record": measure.record,
                     "explanation": str(measure.explanation)} for measure in MEASURES.values()]
        return Response(MeasureSerializer(measures, many=True).data)


# --- Rankings and scorecards ---------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("month", OpenApiTypes.STR, pattern=MONTH_PATTERN, description="Only this month, as YYYY-MM."),
    OpenApiParameter("all_versions", OpenApiTypes.BOOL,
                     description="true: every published version; default: the current version of each month."),
    NETWORK_PARAMETER,
]))
class RankingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Published monthly rankings of your networks, newest first; every member of a network reads them.

    A ranking's lines give each dealer's figures and ranks; the KPIs behind them are on the scorecard.
    """

    def get_serializer_class(self):
        return RankingSerializer if self.action == "list" else RankingDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller, no scope
            return Ranking.objects.none()
        rankings = Ranking.objects.select_related("network", "published_by").order_by("network__slug", "-month",
                                                                                       "-version")
        params = self.request.query_params
        month = _month_param(params)
        if month is not None:
            rankings = rankings.filter(month=month)
        if self.action == "list" and not _yes_no(params, "all_versions"):
            rankings = rankings.filter(is_current=True)
        if params.get("network"):
            rankings = rankings.filter(network__slug=params["network"])
        return rankings

    @extend_schema(request=RepublishSerializer, responses={201: RankingDetailSerializer})
    @action(detail=False, methods=["post"])
    def republish(self, request):
        """Publish a month again as a new version, with a reason (network admins); the old version is kept."""
        require_network_admin(request, _("Only a network admin can republish a ranking."))
        payload = RepublishSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        network = caller_network(request, data.get("network"), administer=True)
        try:
            ranking, _published = services.ranking_publish(network=network, month=data["month"], by=request.user,
                                                  reason=data["reason"], republish=True, is_network_admin=True)
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        return Response(RankingDetailSerializer(ranking).data, status=status.HTTP_201_CREATED)


class ScorecardView(APIView):
    """A dealer's month: POE by section, Service Quality by focus area and category, the KPIs, its rank.

    The dealer is given by id (dealer codes repeat across networks). The published snapshot when the month
    has one, else a live preview. Dealer staff see their own dealer's only.
    """

    @extend_schema(
        parameters=[OpenApiParameter("dealer_pk", OpenApiTypes.INT, OpenApiParameter.PATH,
                                     description="The dealer's id."),
                    OpenApiParameter("month", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=MONTH_PATTERN,
                                     description="The month, as YYYY-MM; not in the future.")],
        responses=ScorecardSerializer)
    def get(self, request, dealer_pk, month):
        dealer = require_dealer(request)  # 404 outside the caller's dealers, before the month is looked at
        try:
            scorecard = selectors.dealer_month(dealer=dealer, month=month_parse(month))
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        entry, ranking = scorecard.entry, scorecard.ranking
        data = {"dealer": dealer.pk, "dealer_code": dealer.code, "dealer_name": dealer.name,
                "month": scorecard.month.strftime("%Y-%m"), **scorecard.card,
                "is_published": scorecard.is_published,
                "ranking_version": ranking.version if ranking else None,
                "rank_network": entry.rank_network if entry else None,
                "rank_region": entry.rank_region if entry else None,
                "previous_rank": entry.previous_rank if entry else None,
                "movement": entry.movement if entry else None,
                "is_top_five": entry.is_top_five if entry else False}
        return Response(ScorecardSerializer(data).data)
