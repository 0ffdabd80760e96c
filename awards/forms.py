from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.selectors import units_visible_to
from campaigns.models import Cluster

from .models import Award, AwardDecision, AwardForm, AwardRule, BaseSalary, CertificateTemplate


def _helper(label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


class AwardFormForm(forms.ModelForm):
    class Meta:
        model = AwardForm
        fields = ["name", "issuer_unit", "issuer_name", "organisation", "amount", "base_salary_coefficient",
                  "description"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer_unit"].queryset = units_visible_to(user).filter(level__in=["province", "district", "block"])
        self.helper = _helper(_("Save"))


class BaseSalaryForm(forms.ModelForm):
    class Meta:
        model = BaseSalary
        fields = ["amount", "effective_from", "legal_basis"]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Add"))


class CertificateTemplateForm(forms.ModelForm):
    class Meta:
        model = CertificateTemplate
        fields = ["name", "layout", "colour", "accent_colour", "border", "campaign", "issuer_unit", "organisation",
                  "is_active"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"}),
                   "accent_colour": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args, user, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["issuer_unit"].queryset = units_visible_to(user).filter(level__in=["province", "district", "block"])
        self.user = user
        self.helper = _helper(_("Save"))

    def clean(self):
        data = super().clean()
        if not self.user.is_admin and not data.get("campaign") and not data.get("issuer_unit"):
            # A template with neither is shared by every campaign of every district: the administrators' to set.
            raise forms.ValidationError(_("Choose the campaign or the issuing unit this template is for."))
        return data


class AwardRuleForm(forms.ModelForm):
    class Meta:
        model = AwardRule
        fields = ["award_form", "recipient_kind", "scope", "count", "reason_template", "order", "is_active"]

    def __init__(self, *args, award_forms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_form"].queryset = award_forms
        self.helper = _helper(_("Save"))


class ProposeForm(forms.Form):
    """Which frozen standing (a closed period, or the year) and which issuer to propose awards for."""

    standing = forms.ChoiceField(label=_("Standing"))
    issuer = forms.ChoiceField(label=_("Issuer"))

    def __init__(self, *args, periods, year_frozen: bool, issuers: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(p.pk), p.name) for p in periods]
        if year_frozen:
            choices.append(("year", _("The whole year")))
        self.fields["standing"].choices = choices
        self.fields["issuer"].choices = issuers
        self.helper = _helper(_("Propose awards"))


class DecisionForm(forms.ModelForm):
    class Meta:
        model = AwardDecision
        fields = ["title", "issuer_name", "number", "date", "place", "signer_title", "signer_name", "legal_basis",
                  "recipients_of_copies", "certificate_template"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "legal_basis": forms.Textarea(attrs={"rows": 4}),
                   "recipients_of_copies": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificate_template"].queryset = templates
        self.helper = _helper(_("Save"))


class IssueForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=64, help_text=_("e.g. 45-QĐ/ĐTN"))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    place = forms.CharField(label=_("Place"), max_length=100)
    signer_title = forms.CharField(
        label=_("Signer's title"), max_length=255, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One line each (or separated by /), e.g. TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN / PHÓ BÍ THƯ"),
    )
    signer_name = forms.CharField(label=_("Signer's name"), max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Issue the decision"))


class AwardAddForm(forms.Form):
    award_form = forms.ModelChoiceField(label=_("Award form"), queryset=AwardForm.objects.none())
    recipient_kind = forms.ChoiceField(label=_("Recipient kind"), choices=Award.RecipientKind.choices)
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=Cluster.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    person_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    person_position = forms.CharField(label=_("Position"), max_length=150, required=False)
    person_unit_name = forms.CharField(label=_("Unit (as printed)"), max_length=255, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, decision: AwardDecision, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_form"].queryset = AwardForm.objects.filter(
            issuer_unit=decision.issuer_unit, organisation=decision.organisation, is_active=True
        )
        self.fields["cluster"].queryset = decision.campaign.clusters.all()
        self.fields["unit"].queryset = units_visible_to(user)
        self.helper = _helper(_("Add recipient"))

    def clean(self):
        data = super().clean()
        kind = data.get("recipient_kind")
        if kind == Award.RecipientKind.CLUSTER and not data.get("cluster"):
            self.add_error("cluster", _("Choose the cluster."))
        if kind == Award.RecipientKind.UNIT and not data.get("unit"):
            self.add_error("unit", _("Choose the unit."))
        if kind == Award.RecipientKind.PERSON and not (data.get("person_name") or "").strip():
            self.add_error("person_name", _("Enter the person's full name."))
        return data


class AwardEditForm(forms.ModelForm):
    class Meta:
        model = Award
        fields = ["award_form", "recipient_name", "person_position", "person_unit_name", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decision = self.instance.decision
        self.fields["award_form"].queryset = AwardForm.objects.filter(
            issuer_unit=decision.issuer_unit, organisation=decision.organisation
        )
        if self.instance.recipient_kind != Award.RecipientKind.PERSON:
            del self.fields["person_position"]
            del self.fields["person_unit_name"]
        self.helper = _helper(_("Save"))
