"""Helpers for scoring tests: accepted evidence in one line."""

from decimal import Decimal

from django.utils import timezone

from evidence.models import Evidence
from tests.factories import EvidenceFactory


def accepted(*, period, unit, criterion, score=None, quantity=None, reviewer=None) -> Evidence:
    """Evidence of ``unit`` on ``criterion`` accepted with ``score`` (the self-score too)."""
    score = None if score is None else Decimal(str(score))
    return EvidenceFactory(
        period=period, campaign=period.campaign, unit=unit, criterion=criterion, status=Evidence.Status.ACCEPTED,
        score=score, self_score=score, quantity=quantity, reviewed_by=reviewer, reviewed_at=timezone.now(),
        submitted_at=timezone.now(),
    )


def submitted(*, period, unit, criterion, self_score=None) -> Evidence:
    self_score = None if self_score is None else Decimal(str(self_score))
    return EvidenceFactory(
        period=period, campaign=period.campaign, unit=unit, criterion=criterion, status=Evidence.Status.SUBMITTED,
        self_score=self_score, submitted_at=timezone.now(),
    )
