from datetime import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from campaigns.deadlines import end_of_day_ict
from campaigns.models import Criterion
from core.templatetags.formatting import number, score

from .uploads import ACCEPT_ATTRIBUTE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is judged later by ``evidence.uploads.check_upload``."""

    def __init__(self, *args, **kwargs):
        # form-control: Bootstrap's file input takes the width of its box; the bare one is wider than a phone.
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE, "multiple": True,
                                                             "class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [f for f in files if f]


class EvidenceForm(forms.Form):
    files = MultipleFileField(
        label=_("Add files"), required=False,
        help_text=_("PDF, photos (JPEG, PNG, WebP, HEIC), Word, Excel, PowerPoint or MP4; several at once."),
    )
    links = forms.CharField(
        label=_("Links"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One web address per line (e.g. the unit's Facebook post)."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    quantity = forms.DecimalField(label=_("Quantity achieved"), required=False, min_value=0, max_digits=14,
                                  decimal_places=2)
    self_score = forms.DecimalField(label=_("Self-assessed score"), required=False, min_value=0, max_digits=7,
                                    decimal_places=2)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, criterion: Criterion, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion = criterion
        self.fields["self_score"].max_value = criterion.max_points
        self.fields["self_score"].validators.append(MaxValueValidator(criterion.max_points))
        self.fields["self_score"].widget.attrs.update({"max": criterion.max_points, "step": "0.25"})
        self.fields["self_score"].help_text = _("From 0 to %(max)s points.") % {"max": score(criterion.max_points)}
        if criterion.method != Criterion.Method.QUANTITY:
            del self.fields["quantity"]
        elif criterion.target_quantity:
            self.fields["quantity"].help_text = _("Target: %(target)s.") % {"target": number(criterion.target_quantity)}
        self.helper = FormHelper()
        self.helper.form_tag = False
        # The file inputs are laid out by the template (drop zone, camera button).
        self.helper.layout = Layout(*(name for name in self.fields if name != "files"))

    def clean_links(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]


class LateRequestForm(forms.Form):
    reason = forms.CharField(label=_("Why does your unit need more time?"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class EndMomentMixin:
    """An end date and an optional time, read as Vietnam time (23:59:59 when no time is given)."""

    def end_moment(self):
        return end_of_day_ict(self.cleaned_data["ends_on"], self.cleaned_data.get("ends_time") or None)


class LateWindowForm(EndMomentMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=None, required=False, empty_label=_("— every unit (reopen the period) —"),
    )
    period = forms.ModelChoiceField(label=_("Period"), queryset=None)
    ends_on = forms.DateField(label=_("Open until (date)"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_time = forms.TimeField(
        label=_("Time (Vietnam time)"), required=False, initial=time(23, 59, 59),
        widget=forms.TimeInput(attrs={"type": "time", "step": 1}),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["period"].queryset = periods
        self.helper = FormHelper()
        self.helper.form_tag = False


class LateDecisionForm(EndMomentMixin, forms.Form):
    ends_on = forms.DateField(label=_("Open until (date)"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    ends_time = forms.TimeField(label=_("Time (Vietnam time)"), required=False,
                                widget=forms.TimeInput(attrs={"type": "time", "step": 1}))
    remark = forms.CharField(label=_("Remark"), required=False)

    def end_moment(self):
        return super().end_moment() if self.cleaned_data.get("ends_on") else None


class ReminderForm(forms.Form):
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    message = forms.CharField(label=_("Message to the units"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AuditFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False)
    action = forms.CharField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("User"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
