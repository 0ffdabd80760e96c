"""Set-up pages for the unit tree (administrators) and users (administrators and offices)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import PasswordResetForm, UnitForm, UnitSearchForm, UserFilter, UserForm
from .models import Unit, User
from .selectors import users_visible_to


def _require_admin(user: User) -> None:
    if not user.is_admin:
        raise PermissionDenied(_("Only administrators manage the unit tree."))


def _require_user_manager(user: User) -> None:
    if not (user.is_admin or user.is_office):
        raise PermissionDenied(_("Only administrators and offices manage users."))


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    search = UnitSearchForm(request.GET or None)
    units = Unit.objects.select_related("parent").annotate(user_count=Count("users")).order_by("path")
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if query:
        units = units.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return render(request, "accounts/unit_list.html", {"units": units, "search": search, "query": query})


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    initial = {}
    parent_id = request.GET.get("parent")
    if parent_id and parent_id.isdigit():
        initial["parent"] = Unit.objects.filter(pk=parent_id).first()
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Unit “%(unit)s” created.") % {"unit": unit.name})
            return redirect("unit_list")
    return render(request, "accounts/unit_form.html", {"form": form, "title": _("New unit")})


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request.user)
    unit = get_object_or_404(Unit, pk=pk)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_update(unit=unit, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Unit “%(unit)s” saved.") % {"unit": unit.name})
            return redirect("unit_list")
    return render(request, "accounts/unit_form.html", {"form": form, "unit": unit, "title": unit.name})


@login_required
@require_POST
def unit_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request.user)
    unit = get_object_or_404(Unit, pk=pk)
    if request.POST.get("activate"):
        services.unit_activate(unit=unit, user=request.user)
        messages.success(request, _("Unit “%(unit)s” is active again.") % {"unit": unit.name})
    else:
        services.unit_deactivate(unit=unit, user=request.user)
        messages.success(request, _("Unit “%(unit)s” deactivated.") % {"unit": unit.name})
    return redirect("unit_list")


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    _require_user_manager(request.user)
    queryset = users_visible_to(request.user).select_related("unit").order_by("unit__path", "username")
    filterset = UserFilter(request.GET or None, queryset=queryset, actor=request.user)
    return render(request, "accounts/user_list.html", {"filter": filterset, "users": filterset.qs})


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    _require_user_manager(request.user)
    form = UserForm(request.POST or None, actor=request.user,
                    initial={"unit": request.user.unit if request.user.is_office else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user, username=data["username"], password=data["password1"], unit=data["unit"],
                role=data["role"], full_name=data["full_name"], position=data["position"],
                email=data["email"], phone=data["phone"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("User “%(user)s” created.") % {"user": user.username})
            return redirect("user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("New user")})


def _managed_user(request: HttpRequest, pk: int) -> User:
    _require_user_manager(request.user)
    user = get_object_or_404(users_visible_to(request.user).select_related("unit"), pk=pk)
    if not services.user_may_manage(actor=request.user, unit=user.unit, role=user.role):
        raise PermissionDenied(_("You may only manage non-administrator users of units within your own unit."))
    return user


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _managed_user(request, pk)
    form = UserForm(request.POST or None, instance=user, actor=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.USER_FIELDS}
        try:
            user = services.user_update(actor=request.user, user=user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("User “%(user)s” saved.") % {"user": user.username})
            return redirect("user_list")
    return render(request, "accounts/user_form.html", {"form": form, "managed": user, "title": user.username})


@login_required
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = _managed_user(request, pk)
    form = PasswordResetForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        services.user_set_password(actor=request.user, user=user, password=form.cleaned_data["password1"])
        messages.success(request, _("The password of “%(user)s” was changed.") % {"user": user.username})
        return redirect("user_list")
    return render(request, "accounts/user_password.html", {"form": form, "managed": user})
