"""Assessment checklists (POE, PRC): a network's templates with sections and weighted items, versioned."""

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dealer_portal.tenancy.content import TranslatableModel, localized
from dealer_portal.tenancy.models import DealerOwnedModel
from dealer_portal.tenancy.scoping import NetworkOwnedManager, NetworkPolicyManager, TenantManager


class SectionManager(TenantManager):
    network_path = "template__network"


class ItemManager(TenantManager):
    network_path = "section__template__network"


class ChecklistKind(models.TextChoices):
    POE = "poe", _("POE (operational excellence)")
    PRC = "prc", _("Dealer PRC (complaint recovery)")
    OTHER = "other", _("Other")


class ChecklistTemplate(models.Model):
    """One version of a checklist. Editing a version used by an assessment makes a new version instead."""

    network = models.ForeignKey("tenancy.Network", on_delete=models.CASCADE, related_name="checklists")
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=8, choices=ChecklistKind.choices)
    name = models.CharField(_("name"), max_length=160)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NetworkOwnedManager()

    class Meta:
        ordering = ["network", "code", "-version"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        constraints = [
            models.UniqueConstraint(fields=["network", "code", "version"], name="checklist_version_unique"),
            models.UniqueConstraint(fields=["network", "code"], condition=models.Q(is_current=True),
                                    name="checklist_one_current_version"),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"


class ChecklistSection(TranslatableModel):
    translatable_fields = ("title",)

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    objects = SectionManager()

    class Meta:
        ordering = ["template", "position"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="section_code_unique")]

    def __str__(self):
        return f"{self.code} {localized(self, 'title')}"

    @property
    def content_network(self):
        return self.template.network if self.template_id else None


class ChecklistItem(TranslatableModel):
    translatable_fields = ("text", "guidance")

    section = models.ForeignKey(ChecklistSection, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("requirement"))
    guidance = models.TextField(_("guidance for the auditor"), blank=True)
    max_points = models.PositiveSmallIntegerField(_("maximum points"),
                                                  validators=[MinValueValidator(1), MaxValueValidator(100)])
    position = models.PositiveSmallIntegerField(default=0)

    objects = ItemManager()

    class Meta:
        ordering = ["section", "position"]
        constraints = [models.UniqueConstraint(fields=["section", "code"], name="item_code_unique")]

    def __str__(self):
        return f"{self.code} ({self.max_points})"

    @property
    def content_network(self):
        return self.section.template.network if self.section_id else None


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Being scored")
    SUBMITTED = "submitted", _("Submitted (locked)")


class Assessment(DealerOwnedModel):
    """A monthly assessment of one dealer against one checklist version; locked once submitted."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="assessments")
    month = models.DateField(_("month (its first day)"))
    is_self_assessment = models.BooleanField(_("the dealer's own self-assessment"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.DRAFT)
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            # One HQ assessment of a checklist per dealer and month (self-assessments do not count as HQ's).
            models.UniqueConstraint(fields=["dealer", "template", "month", "is_self_assessment"],
                                    name="assessment_one_per_month"),
        ]

    @property
    def is_submitted(self) -> bool:
        return self.status == AssessmentStatus.SUBMITTED


class AssessmentScore(DealerOwnedModel):
    """The points given for one item (``None`` with ``not_applicable`` when it does not apply)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dealer", "assessment", "item"], name="score_once_per_item")]


class AssessmentAction(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    REOPENED = "reopened", _("reopened")


class AssessmentEvent(DealerOwnedModel):
    """The assessment's history: submitted, reopened (with the reason)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=AssessmentAction.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]


def evidence_upload_to(evidence, filename: str) -> str:
    # The stored name is ours (the dealer, the assessment and a random part); the original name is kept apart.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{evidence.dealer_id}/{evidence.assessment_id}/{uuid.uuid4().hex}{suffix}"


class AssessmentEvidence(DealerOwnedModel):
    """A photo or document attached to an assessment (optionally to one item), kept through Django's storage."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("item"))
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.original_name


class FocusArea(models.IntegerChoices):
    """The six focus areas of Service Quality (DOMAIN.md section 3)."""

    APPOINTMENT = 1, _("Appointment and welcome")
    RECEPTION = 2, _("Reception and diagnosis")
    SCHEDULE = 3, _("Schedule reliability")
    WORK_QUALITY = 4, _("Work quality")
    DELIVERY = 5, _("Delivery and explanation")
    FOLLOW_UP = 6, _("Follow-up and complaint handling")


class KpiCategory(models.TextChoices):
    SPEED = "speed", _("Speed")
    COMPLIANCE = "compliance", _("Compliance")


class ScoringPolicy(models.Model):
    """A network's 5-Star rules: how POE and Service Quality combine, the minimum sample and the star thresholds."""

    network = models.OneToOneField("tenancy.Network", on_delete=models.CASCADE, related_name="scoring_policy")
    poe_weight = models.PositiveSmallIntegerField(_("weight of POE (%)"), default=50,
                                                  validators=[MaxValueValidator(100)])
    service_quality_weight = models.PositiveSmallIntegerField(_("weight of Service Quality (%)"), default=50,
                                                              validators=[MaxValueValidator(100)])
    min_sample = models.PositiveSmallIntegerField(
        _("minimum cases for a KPI to count"), default=10, validators=[MinValueValidator(1), MaxValueValidator(1000)])
    min_data_weight_percent = models.PositiveSmallIntegerField(
        _("Service Quality needs KPIs with data worth at least this share of the weight (%)"), default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)])
    five_stars_from = models.DecimalField(_("five stars from (overall %)"), max_digits=4, decimal_places=1,
                                          default=90, validators=[MaxValueValidator(100)])
    four_stars_from = models.DecimalField(_("four stars from"), max_digits=4, decimal_places=1, default=80,
                                          validators=[MaxValueValidator(100)])
    three_stars_from = models.DecimalField(_("three stars from"), max_digits=4, decimal_places=1, default=70,
                                           validators=[MaxValueValidator(100)])
    two_stars_from = models.DecimalField(_("two stars from"), max_digits=4, decimal_places=1, default=60,
                                         validators=[MaxValueValidator(100)])
    publish_hour = models.PositiveSmallIntegerField(
        _("publish the ranking at this hour of the 1st (network time)"), default=3, validators=[MaxValueValidator(23)])

    objects = NetworkPolicyManager()

    class Meta:
        verbose_name = _("scoring policy")
        verbose_name_plural = _("scoring policies")

    def __str__(self):
        return f"{self.network}: scoring policy"

    def clean(self):
        errors = {}
        if (self.poe_weight or 0) + (self.service_quality_weight or 0) != 100:
            errors["service_quality_weight"] = _("The weights of POE and Service Quality must add up to 100.")
        thresholds = [self.five_stars_from, self.four_stars_from, self.three_stars_from, self.two_stars_from]
        if None not in thresholds and not all(a > b for a, b in zip(thresholds, thresholds[1:], strict=False)):
            errors["four_stars_from"] = _("Each star threshold must be below the one for more stars.")
        if errors:
            raise ValidationError(errors)


class Kpi(TranslatableModel):
    """One Service Quality KPI of a network: what it measures, its focus area and category, target and weight."""

    translatable_fields = ("name",)

    network = models.ForeignKey("tenancy.Network", on_delete=models.CASCADE, related_name="kpis")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=160)
    measure = models.CharField(_("measured from"), max_length=40)  # a key of scoring.kpis.MEASURES
    focus_area = models.PositiveSmallIntegerField(_("focus area"), choices=FocusArea.choices)
    category = models.CharField(_("category"), max_length=16, choices=KpiCategory.choices)
    target = models.DecimalField(_("target"), max_digits=7, decimal_places=1,
                                 validators=[MinValueValidator(Decimal("0.1"))])
    weight = models.PositiveSmallIntegerField(_("weight"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    position = models.PositiveSmallIntegerField(default=0)

    objects = NetworkOwnedManager()

    class Meta:
        ordering = ["network", "position", "pk"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        constraints = [models.UniqueConstraint(fields=["network", "code"], name="kpi_code_unique_in_network")]

    def __str__(self):
        return localized(self, "name")


class RankingEntryManager(TenantManager):
    # The published ranking is shared with every member of the network (DOMAIN.md section 3).
    network_path = "ranking__network"


class Ranking(models.Model):
    """One published version of a network's monthly ranking: immutable once written."""

    network = models.ForeignKey("tenancy.Network", on_delete=models.PROTECT, related_name="rankings")
    month = models.DateField(_("month (its first day)"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    reason = models.TextField(_("reason for republishing"), blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    published_at = models.DateTimeField(_("published"))
    rules = models.JSONField(_("the rules it was computed with"), default=dict)

    objects = NetworkOwnedManager()

    class Meta:
        ordering = ["network", "-month", "-version"]
        verbose_name = _("monthly ranking")
        verbose_name_plural = _("monthly rankings")
        constraints = [
            models.UniqueConstraint(fields=["network", "month", "version"], name="ranking_version_unique"),
            models.UniqueConstraint(fields=["network", "month"], condition=models.Q(is_current=True),
                                    name="ranking_one_current_version"),
        ]

    def __str__(self):
        return f"{self.network} {self.month:%Y-%m} v{self.version}"


class EntryStatus(models.TextChoices):
    RATED = "rated", _("Rated")
    NOT_ASSESSED = "not_assessed", _("Not assessed this month")
    NOT_ENOUGH_DATA = "not_enough_data", _("Not enough data for a rating")


class RankingEntry(models.Model):
    """One dealer's line in a published ranking, with everything its scorecard shows, frozen (figures unrounded;
    lines published before migration 0004 hold the one-decimal figures of their time)."""

    ranking = models.ForeignKey(Ranking, on_delete=models.CASCADE, related_name="entries")
    dealer = models.ForeignKey("tenancy.Dealer", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("tenancy.Region", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=EntryStatus.choices)
    # Unrounded, so a published score can be recomputed; pages round it once where they show it (scoring.rules).
    poe = models.FloatField(_("POE (%)"), null=True)
    service_quality = models.FloatField(_("Service Quality (%)"), null=True)
    speed = models.FloatField(_("Speed (%)"), null=True)
    compliance = models.FloatField(_("Compliance (%)"), null=True)
    overall = models.FloatField(_("overall (%)"), null=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True)
    rank_network = models.PositiveIntegerField(_("rank in the network"), null=True)
    rank_region = models.PositiveIntegerField(_("rank in the region"), null=True)
    previous_rank = models.PositiveIntegerField(_("rank last month"), null=True)
    is_top_five = models.BooleanField(_("top five"), default=False)
    details = models.JSONField(_("POE sections, focus areas and KPIs"), default=dict)

    objects = RankingEntryManager()

    class Meta:
        ordering = ["ranking", "rank_network", "dealer__code"]
        verbose_name = _("ranking entry")
        verbose_name_plural = _("ranking entries")
        constraints = [models.UniqueConstraint(fields=["ranking", "dealer"], name="ranking_entry_once_per_dealer")]
        indexes = [models.Index(fields=["dealer", "ranking"], name="ranking_entry_dealer_idx")]

    def __str__(self):
        return f"{self.ranking}: {self.dealer_id}"

    @property
    def is_rated(self) -> bool:
        return self.status == EntryStatus.RATED

    @property
    def movement(self) -> int | None:
        """Places gained since last month (negative: lost); None when either month has no rank."""
        if self.rank_network is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank_network
