"""Forms of the campaign set-up pages; every write goes through campaigns.services."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.forms import ServiceModelForm, UnitChoiceField
from accounts.models import Unit, User
from accounts.selectors import units_visible_to, users_visible_to

from .deadlines import end_of_day_ict
from .models import Campaign, Cluster, ClusterMember, Criterion, Period
from .services import CAMPAIGN_FIELDS, PERIOD_FIELDS, cluster_member_candidates

OFFICE_LEVELS = (Unit.Level.PROVINCE, Unit.Level.DISTRICT, Unit.Level.BLOCK)


def _helper(submit_label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    return helper


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def issuing_units_for(user: User):
    """Offices (province, district, block) the user may issue a campaign for."""
    return units_visible_to(user).filter(level__in=OFFICE_LEVELS, is_active=True).order_by("path")


class CampaignForm(ServiceModelForm):
    issuing_unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Issuing unit"))

    class Meta:
        model = Campaign
        fields = list(CAMPAIGN_FIELDS)
        widgets = {
            "start_date": _date_widget(),
            "end_date": _date_widget(),
            "legal_basis": forms.Textarea(attrs={"rows": 4}),
            "purpose": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        units = issuing_units_for(user)
        if self.instance.pk:
            units = units | Unit.objects.filter(pk=self.instance.issuing_unit_id)
        self.fields["issuing_unit"].queryset = units.order_by("path")
        for name in ("excellent_min_percent", "good_min_percent", "complete_min_percent", "excellent_cap_percent"):
            self.fields[name].validators += [MinValueValidator(0), MaxValueValidator(100)]
        self.helper = _helper(_("Save"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must not be before the start date."))
        high, mid, low = (cleaned.get(k) for k in ("excellent_min_percent", "good_min_percent", "complete_min_percent"))
        if None not in (high, mid, low) and not (high >= mid >= low):
            self.add_error("good_min_percent", _("The thresholds must go down: “excellent” ≥ “good” ≥ “completed”."))
        return cleaned


class DeadlineFieldsMixin(forms.Form):
    deadline_date = forms.DateField(label=_("Deadline (day)"), widget=_date_widget())
    deadline_time = forms.TimeField(
        label=_("Deadline (time)"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Vietnam time. Leave empty for the end of the day (23:59:59)."),
    )

    @property
    def deadline(self):
        return end_of_day_ict(self.cleaned_data["deadline_date"], self.cleaned_data.get("deadline_time"))


class PeriodForm(DeadlineFieldsMixin, ServiceModelForm):
    class Meta:
        model = Period
        fields = list(PERIOD_FIELDS)
        widgets = {"start_date": _date_widget(), "end_date": _date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # An existing period's deadline moves only through the "move deadline" form, with a reason.
            del self.fields["deadline_date"], self.fields["deadline_time"]
        self.helper = _helper(_("Save"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must not be before the start date."))
        return cleaned


class DeadlineForm(DeadlineFieldsMixin):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500,
                             help_text=_("Kept in the audit trail, e.g. the number of the notice that moved it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Move the deadline"))


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, taken: dict[int, str], **kwargs):
        self.taken = taken
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        label = f"{obj.name} ({obj.code})"
        if obj.pk in self.taken:
            label += " — " + str(_("already in %(cluster)s") % {"cluster": self.taken[obj.pk]})
        return label


class ClusterForm(ServiceModelForm):
    members = MemberChoiceField(queryset=Unit.objects.none(), taken={}, label=_("Member units"),
                                widget=forms.CheckboxSelectMultiple)
    leader_unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False,
                                         label=_("Leader unit (cụm trưởng)"))
    deputy_unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False,
                                         label=_("Deputy unit (cụm phó)"))
    follower = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                      label=_("Official following the cluster"))

    class Meta:
        model = Cluster
        fields = ["name", "order", "members", "leader_unit", "deputy_unit", "follower"]

    def __init__(self, *args, campaign: Campaign, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(self.instance.memberships.values_list("unit_id", flat=True)) if self.instance.pk else []
        # Inactive units stay listed while they are members, so editing the cluster does not drop them silently.
        candidates = cluster_member_candidates(campaign).filter(Q(is_active=True) | Q(pk__in=current)).order_by("path")
        others = ClusterMember.objects.filter(campaign=campaign).select_related("cluster")
        if self.instance.pk:
            others = others.exclude(cluster=self.instance)
            self.initial["members"] = current
        taken = {m.unit_id: m.cluster.name for m in others}
        self.fields["members"].taken = taken
        # Units of other clusters stay listed (marked) so that a wrong pick gets a clear message, not "invalid".
        self.fields["members"].queryset = candidates
        self.fields["members"].help_text = _("A unit belongs to one cluster per campaign.")
        self.fields["leader_unit"].queryset = candidates
        self.fields["deputy_unit"].queryset = candidates
        self.fields["follower"].queryset = users_visible_to(user).filter(
            role=User.Role.OFFICE, is_active=True).order_by("full_name", "username")
        self.helper = _helper(_("Save"))

    def clean(self):
        cleaned = super().clean()
        leader, deputy = cleaned.get("leader_unit"), cleaned.get("deputy_unit")
        if leader and deputy and leader == deputy:
            self.add_error("deputy_unit", _("The leader unit and the deputy unit must be different units."))
        return cleaned


class CriterionForm(ServiceModelForm):
    class Meta:
        model = Criterion
        fields = ["parent", "code", "title", "kind", "max_points", "method", "category", "evidence_required",
                  "target_quantity"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2}), "evidence_required": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        sections = campaign.criteria.filter(kind=Criterion.Kind.SECTION).order_by("order", "code")
        if self.instance.pk:
            sections = sections.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = sections
        self.fields["parent"].empty_label = _("(top level)")
        self.fields["parent"].label_from_instance = lambda c: f"{c.code}. {c.title[:80]}"
        self.fields["max_points"].validators.append(MinValueValidator(0))
        self.fields["target_quantity"].validators.append(MinValueValidator(0))
        self.helper = _helper(_("Save"))

