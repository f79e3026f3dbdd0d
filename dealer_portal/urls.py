"""The project's routes: each app's ``dealer_patterns``, ``network_patterns``, ``api_patterns`` and
``public_patterns`` (see customers/urls.py), included the same way for every app."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from accounts import urls as accounts_urls
from accounts import views as accounts_views
from audit import urls as audit_urls
from complaints import urls as complaints_urls
from customers import urls as customers_urls
from datarights import urls as datarights_urls
from followups import urls as followups_urls
from scoring import urls as scoring_urls
from servicejobs import urls as servicejobs_urls

from . import api, views

# The admin logs in through allauth's login page, so the same rate limits and the second factor cover it; its
# own login form is never shown.
admin.site.login = secure_admin_login(views.admin_login_signed_in)
admin.site.site_header = gettext_lazy("Dealer Portal administration")

APPS = [accounts_urls, customers_urls, servicejobs_urls, complaints_urls, followups_urls, scoring_urls, audit_urls,
        datarights_urls]

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
    # A person's address is their login, set by the invitation: allauth's page to add addresses (and the
    # confirmations it sends) is not offered.
    re_path(r"^accounts/(?:email|confirm-email)/", views.page_not_found),
    path("accounts/", include("allauth.urls")),
    # The picker's target: Django's set_language, which also keeps the choice on the account of whoever is in.
    path("i18n/setlang/", accounts_views.language_set, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/", accounts_views.profile, name="profile"),
    path("account/api-tokens/", accounts_views.api_token_create, name="api_token_create"),
    path("account/api-tokens/<int:pk>/revoke/", accounts_views.api_token_revoke, name="api_token_revoke"),
    *public_patterns,
    path("n/<slug:network_slug>/", include(network_patterns)),
    path("n/<slug:network_slug>/d/<str:dealer_code>/", include(dealer_patterns)),
    path("api/v1/", include(api_patterns)),
    # Both need a login (SPECTACULAR_SETTINGS SERVE_PERMISSIONS): anonymous callers get a 401, the docs a login.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api.ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path(settings.ADMIN_URL, admin.site.urls),
]

# Errors raised outside a DRF view: JSON in the API's shape under /api/, a page elsewhere.
handler400 = "dealer_portal.views.bad_request"
handler403 = "dealer_portal.views.permission_denied"
handler404 = "dealer_portal.views.page_not_found"
handler500 = "dealer_portal.views.server_error"
