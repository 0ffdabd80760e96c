"""Factories for the targets app's own models (the shared ones are in tests/factories.py)."""

from decimal import Decimal

import factory

from targets.models import TargetProgress
from tests.factories import PeriodFactory, TargetFactory, UnitFactory


class TargetProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetProgress

    target = factory.SubFactory(TargetFactory)
    unit = factory.SubFactory(UnitFactory)
    period = factory.SubFactory(PeriodFactory, campaign=factory.SelfAttribute("..target.campaign"))
    value = Decimal("10")
