"""The project's routes plus views that fail on purpose, under /api/ and outside it, for the error-shape tests."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from dealer_portal.errors import BackgroundUnavailable
from dealer_portal.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401

FAILURES = {
    "crash": ZeroDivisionError("a bug"),
    "throttled": Throttled(wait=42),
    "django-404": Http404("Raised by Django"),
    "django-403": PermissionDenied("Raised by Django"),
    "saved-but-not-started": BackgroundUnavailable("The import was saved; it starts when the service is back."),
    "broker-down": OperationalError("Error 111 connecting to localhost:6379. Connection refused."),
    "redis-down": RedisConnectionError("Connection refused"),
}


class Failing(APIView):
    permission_classes = [AllowAny]

    def get(self, request, failure):
        raise FAILURES[failure]


def failing_page(request, failure):
    raise FAILURES[failure]


urlpatterns = [
    path("api/v1/failing/<str:failure>/", Failing.as_view()),
    path("api/v1/plain/<str:failure>/", failing_page),  # a plain Django view under /api/, outside DRF
    path("failing/<str:failure>/", failing_page),
    *urlpatterns,
]
