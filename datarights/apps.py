from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataRightsConfig(AppConfig):
    name = "datarights"
    verbose_name = _("Customers' data rights")
