"""Writes on units and users. Views and forms call these; none re-implements a rule."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from core.audit import audit_record, changes_between

from .models import Unit, User

UNIT_FIELDS = ("code", "name", "level", "parent", "member_count", "email", "is_active")
USER_FIELDS = ("unit", "role", "full_name", "position", "email", "phone", "is_active")


def _snapshot(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


def _check_unit_code(*, code: str, exclude_pk: int | None = None) -> None:
    clash = Unit.objects.filter(code__iexact=code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {"code": _("The code “%(code)s” is already used by another unit. Choose another code.") % {"code": code}}
        )


@transaction.atomic
def unit_create(*, user: User, code: str, name: str, level: str, parent: Unit | None = None,
                member_count: int = 0, email: str = "") -> Unit:
    """Create a unit under ``parent`` (or at the top). Audited as ``unit.create``."""
    _check_unit_code(code=code)
    unit = Unit(code=code, name=name, level=level, parent=parent, member_count=member_count, email=email)
    unit.save()
    audit_record(actor=user, action="unit.create", obj=unit, unit=unit,
                 data={"code": code, "parent": str(parent) if parent else None})
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, parent: Unit | None, user: User) -> Unit:
    """Put ``unit`` under ``parent`` and rewrite the paths of the unit and all its descendants.

    Refuses to move a unit under itself or one of its own descendants (the tree would become a loop).
    """
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if parent is not None and parent.path.startswith(unit.path):
        raise ValidationError(
            {"parent": _("A unit cannot be moved under itself or under one of its own sub-units. "
                         "Choose a parent outside “%(unit)s”.") % {"unit": unit.name}}
        )
    if unit.parent_id == (parent.pk if parent else None):
        return unit
    old_parent = unit.parent
    old_path, old_depth = unit.path, unit.depth
    unit.parent = parent
    unit.save()
    Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
        path=Concat(Value(unit.path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + (unit.depth - old_depth),
    )
    audit_record(actor=user, action="unit.move", obj=unit, unit=unit,
                 data={"parent": [str(old_parent) if old_parent else None, str(parent) if parent else None]})
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, user: User, **fields) -> Unit:
    """Change a unit's fields; a new ``parent`` moves its whole subtree (see :func:`unit_move`)."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = _snapshot(unit, UNIT_FIELDS)
    if "code" in fields:
        _check_unit_code(code=fields["code"], exclude_pk=unit.pk)
    if "parent" in fields:
        unit = unit_move(unit=unit, parent=fields.pop("parent"), user=user)
    for name, value in fields.items():
        if name not in UNIT_FIELDS:
            raise ValueError(name)
        setattr(unit, name, value)
    unit.save()
    changes = changes_between(before, _snapshot(unit, UNIT_FIELDS))
    changes.pop("parent", None)  # audited by unit_move
    if changes:
        audit_record(actor=user, action="unit.update", obj=unit, unit=unit, data=changes)
    return unit


@transaction.atomic
def unit_deactivate(*, unit: Unit, user: User) -> Unit:
    """Mark a unit inactive (it stays in history, campaigns and scores). Audited."""
    if unit.is_active:
        unit.is_active = False
        unit.save(update_fields=["is_active"])
        audit_record(actor=user, action="unit.deactivate", obj=unit, unit=unit)
    return unit


@transaction.atomic
def unit_activate(*, unit: Unit, user: User) -> Unit:
    if not unit.is_active:
        unit.is_active = True
        unit.save(update_fields=["is_active"])
        audit_record(actor=user, action="unit.activate", obj=unit, unit=unit)
    return unit


def user_may_manage(*, actor: User, unit: Unit | None, role: str) -> bool:
    """Admins manage everyone; an office manages non-admin users of units within its subtree."""
    if actor.is_admin:
        return True
    if not actor.is_office or unit is None:
        return False
    return role != User.Role.ADMIN and unit.is_within(actor.unit)


def _check_may_manage(*, actor: User, unit: Unit | None, role: str) -> None:
    if not user_may_manage(actor=actor, unit=unit, role=role):
        raise PermissionDenied(_("You may only manage non-administrator users of units within your own unit."))


@transaction.atomic
def user_create(*, actor: User, username: str, password: str, unit: Unit | None, role: str,
                full_name: str = "", position: str = "", email: str = "", phone: str = "") -> User:
    """Create a user with an initial password. Offices never create administrators. Audited."""
    _check_may_manage(actor=actor, unit=unit, role=role)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("The user name “%(name)s” is already taken.") % {"name": username}})
    user = User(username=username, unit=unit, role=role, full_name=full_name, position=position,
                email=email, phone=phone)
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action="user.create", obj=user, unit=unit,
                 data={"username": username, "role": role})
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, **fields) -> User:
    """Change a user's unit, role, names, contact or active flag. Audited with old and new values."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_may_manage(actor=actor, unit=user.unit, role=user.role)
    _check_may_manage(actor=actor, unit=fields.get("unit", user.unit), role=fields.get("role", user.role))
    if user.pk == actor.pk and (fields.get("is_active") is False or fields.get("role", user.role) != user.role):
        raise ValidationError(_("You cannot deactivate yourself or change your own role."))
    before = _snapshot(user, USER_FIELDS)
    for name, value in fields.items():
        if name not in USER_FIELDS:
            raise ValueError(name)
        setattr(user, name, value)
    user.save()
    changes = changes_between(before, _snapshot(user, USER_FIELDS))
    if changes:
        audit_record(actor=actor, action="user.update", obj=user, unit=user.unit, data=changes)
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """Reset a user's password (the new one is never written to the audit trail)."""
    _check_may_manage(actor=actor, unit=user.unit, role=user.role)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="user.password_reset", obj=user, unit=user.unit)
    return user
