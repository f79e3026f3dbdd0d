from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceJobsConfig(AppConfig):
    name = "servicejobs"
    verbose_name = _("Service jobs and promises")
