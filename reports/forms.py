from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Cluster, Period


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    dry_run = forms.BooleanField(label=_("Only check the file, write nothing"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ExportForm(forms.Form):
    """Which period and cluster an export covers; the choices are what the user may see."""

    period = forms.ModelChoiceField(label=_("Period"), queryset=Period.objects.none(), required=False,
                                    empty_label=_("All periods"))
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=Cluster.objects.none(), required=False,
                                     empty_label=_("All clusters"))

    def __init__(self, *args, periods, clusters, period_required=False, cluster_required=False, with_period=True,
                 key="", **kwargs):
        # The campaign's Excel page shows one form per export: each needs its own element ids, or every
        # label "Đợt" points at the first card's select.
        if key:
            kwargs.setdefault("auto_id", f"id_{key}_%s")
        super().__init__(*args, **kwargs)
        if not with_period:  # a year-level export: any period in the query string is ignored
            del self.fields["period"]
        if with_period:
            self.fields["period"].queryset = periods
            self.fields["period"].required = period_required
            if period_required:
                self.fields["period"].empty_label = None
        self.fields["cluster"].queryset = clusters
        self.fields["cluster"].required = cluster_required
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = False  # the template holds the <form> with the export's action
        self.helper.add_input(Submit("submit", _("Export"), css_class="btn-success",
                                     css_id=f"submit-{key}" if key else None))
