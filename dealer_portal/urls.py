from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from complaints import api as complaints_api
from complaints import dashboard_views as complaints_dashboard_views
from customers import api as customers_api
from followups import api as followups_api
from followups import views as followups_views
from scoring import assessment_urls as scoring_assessment_urls
from scoring import ranking_urls as scoring_ranking_urls
from servicejobs import api as servicejobs_api

from . import api, views

# The admin logs in through allauth's login page, so the same rate limits cover it.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Dealer Portal administration"

router = SimpleRouter()
router.register("dealers", api.DealerViewSet, basename="dealer")
router.register("customers", customers_api.CustomerViewSet, basename="customer")
router.register("vehicles", customers_api.VehicleViewSet, basename="vehicle")
router.register("jobs", servicejobs_api.JobViewSet, basename="job")
router.register("handovers", servicejobs_api.HandoverViewSet, basename="handover")
router.register("job-imports", servicejobs_api.JobImportViewSet, basename="job-import")
router.register("complaints", complaints_api.ComplaintViewSet, basename="complaint")
router.register("complaint-categories", complaints_api.CategoryViewSet, basename="complaint-category")
router.register("standard-answers", complaints_api.StandardAnswerViewSet, basename="standard-answer")
router.register("compliments", complaints_api.ComplimentViewSet, basename="compliment")
router.register("improvement-plans", complaints_api.ImprovementPlanViewSet, basename="improvement-plan")
router.register("followups", followups_api.FollowUpViewSet, basename="followup")
router.register("questionnaires", followups_api.QuestionnaireViewSet, basename="questionnaire")

dealer_patterns = [
    path("", views.dealer_home, name="dealer_home"),
    path("", include("customers.urls")),
    path("", include("servicejobs.urls")),
    path("", include("complaints.urls")),
    path("", include("followups.urls")),
    path("", include(scoring_ranking_urls.dealer_patterns)),
    path("", include(scoring_assessment_urls.dealer_patterns)),
]

network_patterns = [
    path("complaints/", complaints_dashboard_views.network_complaints, name="network_complaints"),
    path("", include(scoring_ranking_urls.network_patterns)),
    path("", include(scoring_assessment_urls.network_patterns)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("answer/<str:token>/", followups_views.public_answer, name="followup_public_answer"),
    path("n/<slug:network_slug>/", views.network_home, name="network_home"),
    path("n/<slug:network_slug>/", include(network_patterns)),
    path("n/<slug:network_slug>/d/<str:dealer_code>/", include(dealer_patterns)),
    path("api/v1/me/", api.MeView.as_view(), name="api-me"),
    path("api/v1/", include(router.urls)),
    path("api/v1/", include("scoring.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "dealer_portal.views.bad_request"
