"""Assessment checklists (POE, PRC): a network's templates with sections and weighted items, versioned."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dealer_portal.tenancy.models import DealerOwnedModel
from dealer_portal.tenancy.scoping import NetworkOwnedManager, TenantManager


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


class ChecklistSection(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    objects = SectionManager()

    class Meta:
        ordering = ["template", "position"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="section_code_unique")]

    def __str__(self):
        return f"{self.code} {self.title}"


class ChecklistItem(models.Model):
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


class AssessmentScore(DealerOwnedModel):
    """The points given for one item (``None`` with ``not_applicable`` when it does not apply)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dealer", "assessment", "item"], name="score_once_per_item")]


class AssessmentEvent(DealerOwnedModel):
    """The assessment's history: submitted, reopened (with the reason)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
