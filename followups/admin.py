from django.contrib import admin
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from dealer_portal.tenancy.admin import ReadOnlyTenantAdmin, TranslatedContentAdmin
from outbox.models import Email

from .models import QUESTIONS, SHIPPED_QUESTIONS, CallAnswer, CallAttempt, DailyCallReport, FollowUpCall, Questionnaire


@admin.register(Questionnaire)
class QuestionnaireAdmin(TranslatedContentAdmin):
    """Network admins word the follow-up questions here, in the network's languages, and decide what counts as
    a dissatisfied answer."""

    list_display = ["network", "dissatisfied_at_or_below", "work_not_right_is_dissatisfied"]

    def get_changeform_initial_data(self, request):
        # A new questionnaire starts from the shipped questions, in the admin's language.
        language = translation.get_language() or "en"
        shipped = {field: SHIPPED_QUESTIONS[field].get(language) or SHIPPED_QUESTIONS[field]["en"]
                   for field in QUESTIONS}
        return {**shipped, **super().get_changeform_initial_data(request)}


class AttemptInline(admin.TabularInline):
    model = CallAttempt
    extra = 0
    fields = ["at", "outcome", "by", "callback_at"]
    readonly_fields = fields
    can_delete = False


class AnswerInline(admin.StackedInline):
    model = CallAnswer
    extra = 0
    readonly_fields = ["overall", "work_done_right", "ready_when_promised", "would_recommend", "comments",
                       "answered_at", "via", "dissatisfied", "complaint"]
    fields = readonly_fields
    can_delete = False


@admin.register(FollowUpCall)
class FollowUpCallAdmin(ReadOnlyTenantAdmin):
    """Calls are scheduled by handovers and worked from the call list; here they are read."""

    list_display = ["customer", "kind", "dealer", "window_start", "window_end", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["customer", "dealer"]
    inlines = [AttemptInline, AnswerInline]


@admin.register(DailyCallReport)
class DailyCallReportAdmin(ReadOnlyTenantAdmin):
    """Evidence of each day's follow-up report: its figures, when it was claimed, and whether its email went out."""

    list_display = ["day", "dealer", "due", "reached_in_window", "last_day_calls", "claimed_at", "email_delivery"]
    list_filter = ["emails__status"]
    list_select_related = ["dealer"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            Prefetch("emails", queryset=Email.objects.select_related("dealer")))

    @admin.display(description=_("claimed"), ordering="sent_at")
    def claimed_at(self, report):
        return report.sent_at

    @admin.display(description=_("email"))
    def email_delivery(self, report):
        return report.email.delivery_note if report.email else _("— (the dealer has no representative)")
