import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ClusterMemberFactory, PeriodFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _member_of_campaigns(count: int):
    unit = UnitFactory()
    for _ in range(count):
        member = ClusterMemberFactory(unit=unit)
        PeriodFactory(campaign=member.campaign)
    return UserFactory(unit=unit)


@pytest.mark.parametrize("url_name", ["home", "campaign_list"])
def test_list_pages_do_not_query_per_campaign(login, url_name):
    one = login(_member_of_campaigns(1))
    with CaptureQueriesContext(connection) as one_campaign:
        assert one.get(reverse(url_name)).status_code == 200
    three = login(_member_of_campaigns(3))
    with CaptureQueriesContext(connection) as three_campaigns:
        assert three.get(reverse(url_name)).status_code == 200
    assert len(three_campaigns.captured_queries) == len(one_campaign.captured_queries)
