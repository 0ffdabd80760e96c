from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Criterion
from core.templatetags.formatting import score as score_format

from .models import Review


class ReviewForm(forms.Form):
    """One reviewer's decision; the rules (score range and step, required remark) are the service's."""

    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        (Review.Decision.ACCEPTED, _("Accept")),
        (Review.Decision.RETURNED, _("Return for revision")),
        (Review.Decision.REJECTED, _("Reject")),
    ])
    score = forms.CharField(label=_("Score"), required=False, max_length=12,
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    remark = forms.CharField(label=_("Remark to the unit"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, criterion: Criterion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].help_text = _("From 0 to %(max)s points, in steps of 0.25.") % {
            "max": score_format(criterion.max_points)}
        if criterion.method == Criterion.Method.BINARY:
            self.fields["score"].help_text = _("Done or not done: accepting gives the full %(max)s points.") % {
                "max": score_format(criterion.max_points)}
        self.fields["remark"].help_text = _("Required when returning or rejecting; the unit sees it.")

