"""Assessment checklists (POE, PRC): a network's templates with sections and weighted items, versioned."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

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
