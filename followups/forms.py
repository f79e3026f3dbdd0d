from django import forms
from django.utils.translation import gettext_lazy as _

from dealer_portal.forms import LocalDateTimeInput, PortalForm

from .models import ANSWER_COMMENTS_MAX_LENGTH, Questionnaire

SCORES = [(score, str(score)) for score in range(5, 0, -1)]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class CallbackForm(PortalForm):
    callback_at = forms.DateTimeField(label=_("Call back at"), widget=LocalDateTimeInput())


class AnswersForm(PortalForm):
    """The follow-up's answers; each question is worded as the network's questionnaire asks it, in the active
    language (the representative's on the call page, the customer's on the public page)."""

    overall = forms.TypedChoiceField(choices=SCORES, coerce=int, widget=forms.RadioSelect)
    work_done_right = forms.TypedChoiceField(choices=YES_NO, coerce=lambda value: value == "yes",
                                             widget=forms.RadioSelect)
    ready_when_promised = forms.TypedChoiceField(choices=YES_NO, coerce=lambda value: value == "yes",
                                                 widget=forms.RadioSelect)
    would_recommend = forms.TypedChoiceField(choices=YES_NO, coerce=lambda value: value == "yes",
                                             widget=forms.RadioSelect)
    comments = forms.CharField(required=False, max_length=ANSWER_COMMENTS_MAX_LENGTH,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        for field, text in questionnaire.questions().items():
            self.fields[field].label = text
