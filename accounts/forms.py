"""Forms of the unit and user set-up pages; every write goes through accounts.services."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import password_validation
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Unit, User
from .selectors import units_visible_to


def _helper(submit_label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    return helper


class UnitChoiceField(forms.ModelChoiceField):
    """Shows the tree depth in the drop-down so that a long list stays readable."""

    def label_from_instance(self, obj):
        return f"{'— ' * obj.depth}{obj.name} ({obj.code})"


class ServiceModelForm(forms.ModelForm):
    """A model form whose data a service writes.

    The form checks fields; the service checks every rule and database constraint with a clear Vietnamese
    message. The model's own unique/constraint checks are skipped here, because their generic messages
    ("Constraint … is violated") would only repeat the service's less clearly, and the instance is left
    untouched until the service saves it.
    """

    def _post_clean(self):
        pass


class UnitForm(ServiceModelForm):
    parent = UnitChoiceField(queryset=Unit.objects.none(), required=False, label=_("Parent unit"),
                             empty_label=_("(top of the tree)"))

    class Meta:
        model = Unit
        fields = ["code", "name", "level", "parent", "member_count", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Unit.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.parent_id)).order_by("path")
        self.helper = _helper(_("Save"))

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = Unit.objects.filter(code__iexact=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("The code “%(code)s” is already used by another unit. Choose another code."),
                params={"code": code},
            )
        return code


class UnitSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)


def _role_choices(actor: User):
    if actor.is_admin:
        return User.Role.choices
    return [(value, label) for value, label in User.Role.choices if value != User.Role.ADMIN]


class UserForm(forms.ModelForm):
    """Create (with an initial password) or edit a user, limited to what the acting user may manage."""

    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label=_("Unit"))
    password1 = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Repeat the password"), widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ["username", "full_name", "position", "unit", "role", "email", "phone", "is_active"]

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["unit"].queryset = units_visible_to(actor).filter(
            Q(is_active=True) | Q(pk=self.instance.unit_id)).order_by("path")
        self.fields["unit"].required = not actor.is_admin
        self.fields["role"].choices = _role_choices(actor)
        if self.instance.pk:
            del self.fields["username"], self.fields["password1"], self.fields["password2"]
        else:
            del self.fields["is_active"]
        self.helper = _helper(_("Save"))

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("The user name “%(name)s” is already taken."), params={"name": username})
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == User.Role.OFFICE and cleaned.get("unit") is None:
            self.add_error("unit", _("An office reviewer must belong to a unit."))
        if "password1" in self.fields:
            _check_passwords(self, cleaned)
        return cleaned


def _check_passwords(form, cleaned) -> None:
    first, second = cleaned.get("password1"), cleaned.get("password2")
    if first and second and first != second:
        form.add_error("password2", _("The two passwords differ. Type the same password twice."))
    elif first:
        try:
            password_validation.validate_password(first, form.instance if form.instance.pk else None)
        except forms.ValidationError as error:
            form.add_error("password1", error)


class PasswordResetForm(forms.Form):
    password1 = forms.CharField(label=_("New password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Repeat the password"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, instance: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.helper = _helper(_("Set the password"))

    def clean(self):
        cleaned = super().clean()
        _check_passwords(self, cleaned)
        return cleaned


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.none(), label=_("Unit"), method="in_unit",
                                            empty_label=_("All units"))
    role = django_filters.ChoiceFilter(choices=User.Role.choices, label=_("Role"), empty_label=_("All roles"))
    is_active = django_filters.BooleanFilter(
        label=_("Status"),
        widget=forms.Select(choices=[("", _("All")), ("true", _("Active")), ("false", _("Inactive"))]),
    )

    class Meta:
        model = User
        fields = ["q", "unit", "role", "is_active"]

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = units_visible_to(actor).order_by("path")
        self.filters["unit"].field.label_from_instance = lambda u: f"{'— ' * u.depth}{u.name}"
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value) | Q(full_name__icontains=value) | Q(email__icontains=value)
        )

    def in_unit(self, queryset, name, value):
        """A unit and everything below it."""
        return queryset.filter(unit__path__startswith=value.path)
