from django.contrib import admin

from dealer_portal.tenancy.admin import ReadOnlyTenantAdmin, TenantScopedAdmin

from .models import CallAnswer, CallAttempt, FollowUpCall, Questionnaire


@admin.register(Questionnaire)
class QuestionnaireAdmin(TenantScopedAdmin):
    """Network admins decide here what counts as a dissatisfied answer."""

    list_display = ["network", "dissatisfied_at_or_below", "work_not_right_is_dissatisfied"]


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
