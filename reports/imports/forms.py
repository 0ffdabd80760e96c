"""Row forms: ModelForms on the same models, fields and validators as the set-up screens.

Codes that point to other rows (parent unit, unit of a user, target of an
allocation) are plain text fields here; the importer resolves them over the
whole file and the database at once.
"""

from django import forms

from accounts.models import Unit, User
from campaigns.models import Cluster, Criterion
from targets.models import Target, TargetAllocation

from .base import ImportRowForm


class UnitRowForm(ImportRowForm):
    parent_code = forms.CharField(required=False, max_length=32)

    class Meta:
        model = Unit
        fields = ["code", "name", "level", "member_count", "email"]


class UserRowForm(ImportRowForm):
    unit_code = forms.CharField(max_length=32)

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "role", "position", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every imported account is somebody's: name and unit are required.
        self.fields["full_name"].required = True


class ClusterRowForm(ImportRowForm):
    unit_codes = forms.CharField(max_length=5000)
    leader_code = forms.CharField(required=False, max_length=32)
    deputy_code = forms.CharField(required=False, max_length=32)
    follower_username = forms.CharField(required=False, max_length=150)

    class Meta:
        model = Cluster
        fields = ["name", "order"]

    def clean_unit_codes(self) -> list[str]:
        raw = self.cleaned_data["unit_codes"].replace(";", ",").replace("\n", ",")
        codes = [code.strip() for code in raw.split(",") if code.strip()]
        if not codes:
            raise forms.ValidationError(forms.Field.default_error_messages["required"], code="required")
        return codes


class CriterionRowForm(ImportRowForm):
    parent_code = forms.CharField(required=False, max_length=32)
    target_code = forms.CharField(required=False, max_length=32)

    class Meta:
        model = Criterion
        fields = ["code", "title", "kind", "max_points", "method", "category", "evidence_required",
                  "target_quantity"]


class TargetRowForm(ImportRowForm):
    class Meta:
        model = Target
        fields = ["code", "name", "unit_of_measure", "kind", "total", "description"]


class AllocationRowForm(ImportRowForm):
    target_code = forms.CharField(max_length=32)
    unit_code = forms.CharField(max_length=32)

    class Meta:
        model = TargetAllocation
        fields = ["amount"]
