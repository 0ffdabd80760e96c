from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Target
from .services import ProgressInput

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["code", "name", "unit_of_measure", "kind", "total", "order", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = Target.objects.filter(campaign=self.campaign, code__iexact=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another target of this campaign already has this code."))
        return code

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Target.Kind.PERCENTAGE and cleaned.get("total") is not None \
                and cleaned["total"] > 100:
            self.add_error("total", _("A percentage to reach cannot be above 100."))
        return cleaned


def _amount_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        required=False, min_value=0, max_digits=14, decimal_places=2,
        error_messages={"min_value": _("Cannot be negative."), "invalid": _("Enter a number.")},
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm text-end", "step": "any",
                                        "min": "0", "inputmode": "decimal"}),
        **kwargs,
    )


class AllocationGridForm(forms.Form):
    """One amount per candidate unit; a blank amount means "not allocated"."""

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        for unit in self.units:
            self.fields[f"unit_{unit.pk}"] = _amount_field(label=unit.name)

    def rows(self):
        return [(unit, self[f"unit_{unit.pk}"]) for unit in self.units]

    def amounts(self) -> dict[int, Decimal | None]:
        return {unit.pk: self.cleaned_data.get(f"unit_{unit.pk}") for unit in self.units}


class AllocationImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("import", _("Import")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Choose an Excel file ending in .xlsx."))
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class ProgressGridForm(forms.Form):
    """A unit's numbers for all its targets in one period.

    ``previous`` maps target id → the unit's progress in the period before,
    used to ask for confirmation of a jump above ``TARGET_JUMP_CONFIRM_FACTOR``
    times the previous value.
    """

    confirm_jump = forms.BooleanField(
        required=False, label=_("I confirm that these numbers are correct despite the large increase.")
    )

    def __init__(self, *args, allocations, previous, linked=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.allocations = list(allocations)
        self.previous = previous
        self.linked = linked or {}
        self.jumps: list[str] = []
        for allocation in self.allocations:
            target = allocation.target
            key = target.pk
            if target.kind == Target.Kind.PERCENTAGE:
                self.fields[f"num_{key}"] = _amount_field(label=_("numerator"))
                self.fields[f"den_{key}"] = _amount_field(label=_("denominator"))
            else:
                self.fields[f"value_{key}"] = _amount_field(label=target.name)
            self.fields[f"note_{key}"] = forms.CharField(
                required=False, max_length=1000, label=_("note"),
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def rows(self):
        rows = []
        for allocation in self.allocations:
            key = allocation.target.pk
            rows.append({
                "allocation": allocation,
                "target": allocation.target,
                "previous": self.previous.get(key),
                "criteria": self.linked.get(key, []),
                "value": self[f"value_{key}"] if f"value_{key}" in self.fields else None,
                "num": self[f"num_{key}"] if f"num_{key}" in self.fields else None,
                "den": self[f"den_{key}"] if f"den_{key}" in self.fields else None,
                "note": self[f"note_{key}"],
            })
        return rows

    def clean(self):
        cleaned = super().clean()
        factor = Decimal(str(settings.TARGET_JUMP_CONFIRM_FACTOR))
        self.jumps = []
        for allocation in self.allocations:
            target = allocation.target
            key = target.pk
            if target.kind == Target.Kind.PERCENTAGE:
                num, den = cleaned.get(f"num_{key}"), cleaned.get(f"den_{key}")
                if (num is None) != (den is None) and f"num_{key}" not in self.errors \
                        and f"den_{key}" not in self.errors:
                    self.add_error(f"den_{key}" if den is None else f"num_{key}",
                                   _("Enter both the numerator and the denominator, or neither."))
                    continue
                if num is not None and den is not None and num > den:
                    self.add_error(f"num_{key}", _("The numerator (%(num)s) cannot be larger than the "
                                                   "denominator (%(den)s).") % {"num": num, "den": den})
                    continue
                new = num
                old = self.previous[key].numerator if key in self.previous else None
            else:
                new = cleaned.get(f"value_{key}")
                old = self.previous[key].value if key in self.previous else None
            if new is not None and old and new > old * factor:
                self.jumps.append(target.code)
        if self.jumps and not cleaned.get("confirm_jump") and not self.errors:
            self.add_error(
                "confirm_jump",
                _("Targets %(codes)s are more than %(factor)s times the previous period's value. Check the "
                  "numbers, then tick the box to confirm and save again.")
                % {"codes": ", ".join(self.jumps), "factor": settings.TARGET_JUMP_CONFIRM_FACTOR},
            )
        return cleaned

    def entries(self) -> dict[int, ProgressInput]:
        data = self.cleaned_data
        return {
            allocation.target.pk: ProgressInput(
                value=data.get(f"value_{allocation.target.pk}"),
                numerator=data.get(f"num_{allocation.target.pk}"),
                denominator=data.get(f"den_{allocation.target.pk}"),
                note=data.get(f"note_{allocation.target.pk}", "").strip(),
            )
            for allocation in self.allocations
        }
