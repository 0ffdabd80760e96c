import pytest

from tests.evidence.factories import build_world


@pytest.fixture
def world(db):
    """Office, campaign, one open period "Quý II"; cluster (leader unit + unit) and other cluster (other unit);
    three judgement criteria of 10 points and a quantity criterion (5 points for 20)."""
    return build_world()
