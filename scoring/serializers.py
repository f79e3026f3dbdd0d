"""Serializers of the scoring API: checklists, assessments, KPIs, rankings and scorecards.

They only parse and render; the writes live in ``services``, the reads in ``selectors``, the formulas in ``rules``.
Figures (POE, Service Quality, overall, a KPI's value and score) are shown as the pages show them: rounded once,
half up, to one decimal (redistributed weights to two), or null when there is none. Beside them, ``unrounded``
gives the same figures at full precision, from which any score can be recomputed (scoring/rules.py).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dealer_portal.tenancy.models import Dealer

from .kpis import MEASURES
from .models import (
    Assessment,
    AssessmentEvent,
    AssessmentEvidence,
    AssessmentScore,
    ChecklistItem,
    ChecklistKind,
    ChecklistSection,
    ChecklistTemplate,
    EntryStatus,
    FocusArea,
    Kpi,
    KpiCategory,
    Ranking,
    RankingEntry,
)
from .rules import month_parse, shown
from .selectors import assessment_result, ranking_entries

# The same words as a choice that does not exist, so nothing says that the object exists elsewhere.
INVALID_CHOICE = _("Select a valid choice. That choice is not one of the available choices.")
NOT_A_CHOICE = {"does_not_exist": INVALID_CHOICE, "incorrect_type": INVALID_CHOICE}


class MonthField(serializers.CharField):
    """A month written ``YYYY-MM``; inside, the first day of that month."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("A month, as YYYY-MM (for example 2026-10)."))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return month_parse(super().to_internal_value(data))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["month"]) from error

    def to_representation(self, value):
        return value.strftime("%Y-%m")


class ShownField(serializers.FloatField):
    """A figure as the pages show it: rounded once, half up, to ``places`` decimals (``scoring.rules.shown``)."""

    def __init__(self, *, places: int = 1, **kwargs):
        self.places = places
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("help_text", f"Shown: rounded half up to {places} decimal(s); see ``unrounded``.")
        super().__init__(**kwargs)

    def to_representation(self, value):
        return float(shown(value, self.places))


def _unrounded_field(**kwargs):
    return serializers.FloatField(read_only=True, allow_null=True, help_text=_("Full precision."), **kwargs)


class UnroundedPercentSerializer(serializers.Serializer):
    percent = _unrounded_field()


class UnroundedScoresSerializer(serializers.Serializer):
    """POE, Service Quality, Speed, Compliance and overall at full precision."""

    poe = _unrounded_field()
    service_quality = _unrounded_field()
    speed = _unrounded_field()
    compliance = _unrounded_field()
    overall = _unrounded_field()


# --- Checklists ----------------------------------------------------------------------------------------------

TRANSLATIONS_HELP = _("{language: {field: text}} in the network's content languages besides its default.")


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "code", "text", "guidance", "max_points", "translations"]


class ChecklistSectionSerializer(serializers.ModelSerializer):
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistSection
        fields = ["id", "code", "title", "translations", "items"]


class ChecklistSerializer(serializers.ModelSerializer):
    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sections = ChecklistSectionSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "network", "code", "kind", "name", "version", "is_current", "created_at", "sections"]
        read_only_fields = fields


class ChecklistFileItemSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    text = serializers.CharField()
    max_points = serializers.IntegerField(min_value=1, max_value=100)
    guidance = serializers.CharField(required=False, allow_blank=True)
    translations = serializers.JSONField(required=False, help_text=TRANSLATIONS_HELP)


class ChecklistFileSectionSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    title = serializers.CharField(max_length=200)
    translations = serializers.JSONField(required=False, help_text=TRANSLATIONS_HELP)
    items = ChecklistFileItemSerializer(many=True, allow_empty=False)


class ChecklistFileSerializer(serializers.Serializer):
    """A checklist as a readable file: what ``export`` gives and an import reads back."""

    code = serializers.SlugField(max_length=40)
    kind = serializers.ChoiceField(choices=ChecklistKind.choices)
    name = serializers.CharField(max_length=160)
    version = serializers.IntegerField(read_only=True, help_text=_("An import makes the next version of its code."))
    language = serializers.CharField(required=False, max_length=16,
                                     help_text=_("The language of the texts (the network's default)."))
    sections = ChecklistFileSectionSerializer(many=True, allow_empty=False)


class ChecklistImportSerializer(ChecklistFileSerializer):
    network = serializers.SlugField(required=False, write_only=True,
                                    help_text=_("The network's slug; needed when you administer several networks."))


# --- Assessments ---------------------------------------------------------------------------------------------


class ScoreSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)

    class Meta:
        model = AssessmentScore
        fields = ["item", "item_code", "points", "not_applicable", "comment"]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = AssessmentEvidence
        fields = ["id", "item", "original_name", "content_type", "size", "note", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, evidence) -> str:
        assessment = evidence.assessment
        url = reverse("scoring_evidence", kwargs={
            "network_slug": assessment.dealer.network.slug, "dealer_code": assessment.dealer.code,
            "pk": assessment.pk, "evidence_pk": evidence.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class EventSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = AssessmentEvent
        fields = ["action", "reason", "by", "at"]
        read_only_fields = fields


class PoeSectionResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    achieved = serializers.IntegerField()
    applicable_max = serializers.IntegerField()
    percent = ShownField(help_text=_("Shown (one decimal); null when no item of the section applies."))
    unrounded = UnroundedPercentSerializer(source="*", read_only=True)


class PoeResultSerializer(serializers.Serializer):
    achieved = serializers.IntegerField()
    applicable_max = serializers.IntegerField()
    percent = ShownField(help_text=_("Points achieved over the applicable maximum, shown (one decimal)."))
    unrounded = UnroundedPercentSerializer(source="*", read_only=True)
    sections = PoeSectionResultSerializer(many=True)


class AssessmentSerializer(serializers.ModelSerializer):
    dealer = serializers.PrimaryKeyRelatedField(queryset=Dealer.objects, required=False, error_messages=NOT_A_CHOICE,
                                                help_text=_("The dealer's id; may be left out if you work at one."))
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    template = serializers.PrimaryKeyRelatedField(queryset=ChecklistTemplate.objects, error_messages=NOT_A_CHOICE,
                                                  help_text=_("The id of the current version of a checklist."))
    template_name = serializers.CharField(source="template.name", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    month = MonthField()
    is_self_assessment = serializers.BooleanField(
        default=None, allow_null=True,
        help_text=_("Left out: an HQ assessment if you are HQ there, else the dealer manager's self-assessment."))
    auditor = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "dealer", "dealer_code", "template", "template_name", "template_version", "month",
                  "is_self_assessment", "status", "auditor", "submitted_at", "created_at"]
        read_only_fields = ["status", "submitted_at", "created_at"]
        validators = []  # the service refuses a second assessment of the month with its own message


class AssessmentDetailSerializer(AssessmentSerializer):
    result = serializers.SerializerMethodField()
    scores = ScoreSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "result", "scores", "evidence", "events"]

    @extend_schema_field(PoeResultSerializer)
    def get_result(self, assessment):
        total, by_title = assessment_result(assessment)
        sections = []
        for section in assessment.template.sections.all():
            part = by_title.get(section.title)
            sections.append({"code": section.code, "title": section.title,
                             "achieved": part.achieved if part else 0,
                             "applicable_max": part.applicable_max if part else 0,
                             "percent": part.percent if part else None})
        return PoeResultSerializer({"achieved": total.achieved, "applicable_max": total.applicable_max,
                                    "percent": total.percent, "sections": sections}).data


class ScoreInputSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=ChecklistItem.objects,
                                              error_messages=NOT_A_CHOICE)
    points = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                      help_text=_("From 0 to the item's maximum; leave out when not applicable."))
    not_applicable = serializers.BooleanField(default=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ScoresInputSerializer(serializers.Serializer):
    scores = ScoreInputSerializer(many=True, allow_empty=False,
                                  help_text=_("Applied all together: one refused row and none is saved."))


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("A photo (JPEG, PNG, WebP, HEIC) or a document (PDF, Word, Excel)."))
    item = serializers.PrimaryKeyRelatedField(queryset=ChecklistItem.objects,
                                              required=False, allow_null=True, error_messages=NOT_A_CHOICE)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("Why; kept in history."))


# --- KPIs ------------------------------------------------------------------------------------------------------


class KpiSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=160, required=False, allow_blank=True,
                                 help_text=_("Left out: the measure's label."))
    translations = serializers.JSONField(required=False, help_text=TRANSLATIONS_HELP)
    measure = serializers.ChoiceField(choices=[(key, measure.label) for key, measure in MEASURES.items()])
    measure_label = serializers.SerializerMethodField()
    measure_explanation = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    higher_is_better = serializers.SerializerMethodField()
    focus_area = serializers.ChoiceField(choices=FocusArea.choices)
    focus_area_name = serializers.CharField(source="get_focus_area_display", read_only=True)
    category = serializers.ChoiceField(choices=KpiCategory.choices)
    target = serializers.DecimalField(max_digits=7, decimal_places=1, min_value=Decimal("0.1"), coerce_to_string=False,
                                      help_text=_("A percentage, or hours for a median."))
    weight = serializers.IntegerField(min_value=1, max_value=100,
                                      help_text=_("The weights of the whole set add up to 100."))

    def get_measure_label(self, kpi: Kpi) -> str:
        return str(MEASURES[kpi.measure].label)

    def get_measure_explanation(self, kpi: Kpi) -> str:
        return str(MEASURES[kpi.measure].explanation)

    def get_unit(self, kpi: Kpi) -> str:
        return MEASURES[kpi.measure].unit

    def get_higher_is_better(self, kpi: Kpi) -> bool:
        return MEASURES[kpi.measure].higher_is_better


class KpiSetSerializer(serializers.Serializer):
    network = serializers.SlugField(required=False,
                                    help_text=_("The network's slug; needed when you work in several networks."))
    is_default = serializers.BooleanField(read_only=True,
                                          help_text=_("True while the network uses the shipped default set."))
    kpis = KpiSerializer(many=True)


class MeasureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField(help_text=_("percent (a share of cases) or hours (a median duration)."))
    higher_is_better = serializers.BooleanField()
    record = serializers.CharField(help_text=_("What one case is: job, complaint or call."))
    explanation = serializers.CharField()


# --- Rankings and scorecards ---------------------------------------------------------------------------------


class RankingSerializer(serializers.ModelSerializer):
    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    month = MonthField(read_only=True)
    published_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)

    class Meta:
        model = Ranking
        fields = ["id", "network", "month", "version", "is_current", "reason", "published_at", "published_by"]
        read_only_fields = fields


class RankingEntrySerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    region = serializers.CharField(source="region.name", read_only=True)
    poe = ShownField()
    service_quality = ShownField()
    speed = ShownField()
    compliance = ShownField()
    overall = ShownField()
    unrounded = UnroundedScoresSerializer(source="*", read_only=True)
    movement = serializers.IntegerField(read_only=True, allow_null=True,
                                        help_text=_("Places gained since last month (negative: lost)."))

    class Meta:
        model = RankingEntry
        fields = ["dealer", "dealer_code", "dealer_name", "region", "status", "poe", "service_quality", "speed",
                  "compliance", "overall", "stars", "unrounded", "rank_network", "rank_region", "previous_rank",
                  "movement", "is_top_five"]
        read_only_fields = fields


class RankingDetailSerializer(RankingSerializer):
    rules = serializers.JSONField(read_only=True, help_text=_("The weights and thresholds it was computed with."))
    entries = serializers.SerializerMethodField()

    class Meta(RankingSerializer.Meta):
        fields = [*RankingSerializer.Meta.fields, "rules", "entries"]
        read_only_fields = fields

    @extend_schema_field(RankingEntrySerializer(many=True))
    def get_entries(self, ranking):
        return RankingEntrySerializer(ranking_entries(ranking), many=True).data


class RepublishSerializer(serializers.Serializer):
    month = MonthField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    network = serializers.SlugField(required=False,
                                    help_text=_("The network's slug; needed when you administer several networks."))


class PoeSectionFigureSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    translations = serializers.JSONField(read_only=True, help_text=TRANSLATIONS_HELP)
    achieved = serializers.IntegerField()
    applicable = serializers.IntegerField()
    percent = ShownField()
    unrounded = UnroundedPercentSerializer(source="*", read_only=True)


class FocusAreaFigureSerializer(serializers.Serializer):
    area = serializers.IntegerField()
    name = serializers.CharField()
    percent = ShownField(help_text=_("Shown (one decimal); null: not enough data."))
    unrounded = UnroundedPercentSerializer(source="*", read_only=True)


class KpiUnroundedSerializer(serializers.Serializer):
    value = _unrounded_field()
    score = _unrounded_field()
    effective_weight = _unrounded_field()


class KpiFigureSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    translations = serializers.JSONField(read_only=True, help_text=TRANSLATIONS_HELP)
    measure = serializers.CharField()
    record = serializers.CharField()
    unit = serializers.CharField()
    focus_area = serializers.IntegerField()
    category = serializers.CharField()
    target = serializers.FloatField()
    weight = serializers.IntegerField()
    cases = serializers.IntegerField()
    met = serializers.IntegerField(allow_null=True)
    value = ShownField()
    score = ShownField()
    enough_data = serializers.BooleanField()
    effective_weight = ShownField(places=2, help_text=_("The weight after redistribution, shown (two decimals)."))
    unrounded = KpiUnroundedSerializer(source="*", read_only=True)


class ScorecardSerializer(serializers.Serializer):
    dealer = serializers.IntegerField()
    dealer_code = serializers.CharField()
    dealer_name = serializers.CharField()
    month = serializers.CharField()
    status = serializers.ChoiceField(choices=EntryStatus.choices)
    poe = ShownField()
    service_quality = ShownField()
    speed = ShownField()
    compliance = ShownField()
    overall = ShownField()
    unrounded = UnroundedScoresSerializer(source="*", read_only=True)
    stars = serializers.IntegerField(allow_null=True)
    poe_sections = PoeSectionFigureSerializer(many=True)
    focus_areas = FocusAreaFigureSerializer(many=True)
    kpis = KpiFigureSerializer(many=True)
    is_published = serializers.BooleanField(help_text=_("False: a live preview of a month not published yet."))
    ranking_version = serializers.IntegerField(allow_null=True)
    rank_network = serializers.IntegerField(allow_null=True)
    rank_region = serializers.IntegerField(allow_null=True)
    previous_rank = serializers.IntegerField(allow_null=True)
    movement = serializers.IntegerField(allow_null=True)
    is_top_five = serializers.BooleanField()
