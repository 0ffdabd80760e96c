"""Writing the audit trail. Every service that changes evidence, scores,
locks, deadlines or awards calls :func:`audit_record` inside its transaction."""

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .middleware import current_client_ip
from .models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    data: dict | None = None,
    unit=None,
    campaign=None,
) -> AuditEntry:
    """Append one entry to the audit trail (never updated, never deleted)."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=(actor.get_username() if actor else "system"),
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        unit=unit,
        campaign=campaign,
        data=_plain(data or {}),
        ip_address=current_client_ip(),
    )


def changes_between(old: dict, new: dict) -> dict:
    """{field: [old, new]} for the fields whose value differs."""
    return {k: [_plain(old.get(k)), _plain(new.get(k))] for k in new if old.get(k) != new.get(k)}
