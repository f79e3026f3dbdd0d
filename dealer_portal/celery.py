"""The Celery app. Broker from REDIS_URL; reliable defaults live in settings (CELERY_*).

Tasks ack late (a worker that dies mid-task leaves the message for another), retry with back-off
through ``DealerTask``, and are written to be safe to run twice.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealer_portal.settings")

app = Celery("dealer_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
