"""The project's routes: each app's ``dealer_patterns``, ``network_patterns``, ``api_patterns`` and
``public_patterns`` (see customers/urls.py), included the same way for every app."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from accounts import urls as accounts_urls
from accounts import views as accounts_views
from complaints import urls as complaints_urls
from customers import urls as customers_urls
from followups import urls as followups_urls
from scoring import urls as scoring_urls
from servicejobs import urls as servicejobs_urls

from . import api, views

# The admin logs in through allauth's login page, so the same rate limits cover it.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Dealer Portal administration"

APPS = [accounts_urls, customers_urls, servicejobs_urls, complaints_urls, followups_urls, scoring_urls]

router = SimpleRouter()
router.register("dealers", api.DealerViewSet, basename="dealer")

dealer_patterns = [path("", views.dealer_home, name="dealer_home")]
network_patterns = [path("", views.network_home, name="network_home")]
api_patterns = [path("me/", api.MeView.as_view(), name="api-me"), *router.urls]
public_patterns = []
for app in APPS:
    dealer_patterns += app.dealer_patterns
    network_patterns += app.network_patterns
    api_patterns += app.api_patterns
    public_patterns += app.public_patterns

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # allauth's reset request, answering its form again (not "sent") when the mail server fails.
    path("accounts/password/reset/", accounts_views.password_reset, name="account_reset_password"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    *public_patterns,
    path("n/<slug:network_slug>/", include(network_patterns)),
    path("n/<slug:network_slug>/d/<str:dealer_code>/", include(dealer_patterns)),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path(settings.ADMIN_URL, admin.site.urls),
]

# Errors raised outside a DRF view: JSON in the API's shape under /api/, a page elsewhere.
handler400 = "dealer_portal.views.bad_request"
handler403 = "dealer_portal.views.permission_denied"
handler404 = "dealer_portal.views.page_not_found"
handler500 = "dealer_portal.views.server_error"
