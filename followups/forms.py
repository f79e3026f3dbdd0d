from django import forms
from django.utils.translation import gettext_lazy as _

from dealer_portal.forms import LocalDateTimeInput, PortalForm

from .models import ANSWER_COMMENTS_MAX_LENGTH

SCORES = [(score, str(score)) for score in range(5, 0, -1)]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class CallbackForm(PortalForm):
    callback_at = forms.DateTimeField(label=_("Call back at"), widget=LocalDateTimeInput())


class AnswersForm(PortalForm):
    overall = forms.TypedChoiceField(label=_("Overall, how satisfied are you? (5 = very)"), choices=SCORES, coerce=int,
                                     widget=forms.RadioSelect)
    work_done_right = forms.TypedChoiceField(label=_("Was the work done right?"), choices=YES_NO,
                                             coerce=lambda value: value == "yes", widget=forms.RadioSelect)
    ready_when_promised = forms.TypedChoiceField(label=_("Was the car ready when promised?"), choices=YES_NO,
                                                 coerce=lambda value: value == "yes", widget=forms.RadioSelect)
    would_recommend = forms.TypedChoiceField(label=_("Would you recommend us?"), choices=YES_NO,
                                             coerce=lambda value: value == "yes", widget=forms.RadioSelect)
    comments = forms.CharField(label=_("Comments, in the customer's words"), required=False,
                               max_length=ANSWER_COMMENTS_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
