"""The standings pages (xếp hạng): exact values for a small world, who may open what, a fixed number of
queries, closing and reopening a period through the pages. Pages render in Vietnamese (LANGUAGE_CODE vi)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Period
from core.models import AuditEntry
from scoring import compute
from scoring.models import DirtyCluster, PeriodStanding, Review, StandingSnapshot
from tests.factories import (
    ClusterFactory,
    ClusterMemberFactory,
    OfficeUnitFactory,
    OfficeUserFactory,
    PeriodFactory,
    UnitFactory,
    UserFactory,
)
from tests.scoring.factories import accepted

D = Decimal


def _scored(world):
    """unit: 8 + 6 of 35 (40 %); leader unit: 10 (28,571 %); other unit: 5 + quantity 20/20 → 5 (28,571 %)."""
    c1, c2, _c3 = world.criteria
    accepted(period=world.period, unit=world.unit, criterion=c1, score=8)
    accepted(period=world.period, unit=world.unit, criterion=c2, score=6)
    accepted(period=world.period, unit=world.leader_unit, criterion=c1, score=10)
    accepted(period=world.period, unit=world.other_unit, criterion=c1, score=5)
    accepted(period=world.period, unit=world.other_unit, criterion=world.quantity_criterion, quantity=20)
    compute.period_recompute(period_id=world.period.pk)
    return world


def _standings_url(world, **query):
    url = reverse("scoring_standings", args=[world.campaign.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _cluster_url(world, cluster=None):
    return reverse("scoring_cluster", args=[(cluster or world.cluster).pk]) + f"?period={world.period.pk}"


def _unit_url(world, unit=None):
    return reverse("scoring_unit", args=[(unit or world.unit).pk, world.period.pk])


def _follower(world):
    """An official of another office who follows the world's (first) cluster."""
    official = OfficeUserFactory(unit=OfficeUnitFactory())
    world.cluster.follower = official
    world.cluster.save(update_fields=["follower"])
    return official


def _stranger():
    """Staff of a unit in another campaign's cluster."""
    member = ClusterMemberFactory()
    return UserFactory(unit=member.unit)


def _vn_time(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


# ---------------------------------------------------------------- the office's standings page

def test_standings_show_exact_values_for_a_small_world(world, login):
    _scored(world)
    page = login(world.office).get(_standings_url(world, period=world.period.pk, xep_loai="not_completed"))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [(r.cluster_id, r.rank, r.score, r.completeness, r.on_time) for r in rows] == [
        (world.cluster.pk, 1, D("34.286"), D("0.3750"), False),
        (world.other_cluster.pk, 2, D("28.571"), D("0.5000"), False),
    ]
    html = page.content.decode()
    assert "34,29" in html and "28,57" in html
    assert "37,5 %" in html and "50 %" in html
    assert "Xếp hạng các cụm" in html  # rendered in Vietnamese
    heat = {row.cluster_id: [c.label if c else None for c in row.cells] for row in page.context["heatmap"].rows}
    c1, c2, c3 = world.criteria
    assert [s.pk for s in page.context["heatmap"].sections] == [c1.pk, c2.pk, c3.pk, world.quantity_criterion.pk]
    assert heat == {world.cluster.pk: ["90", "30", "0", "0"], world.other_cluster.pk: ["50", "0", "0", "100"]}
    assert '<td class="heat-4">90</td>' in html and '<td class="heat-0">30</td>' in html
    counts = {value: count for value, _label, count in page.context["classifications"]}
    assert counts == {"excellent": 0, "good": 0, "completed": 0, "not_completed": 3}
    assert [y.unit_id for y in page.context["unit_page"]] == [world.unit.pk, world.leader_unit.pk,
                                                             world.other_unit.pk]


def test_standings_show_the_last_recompute_time_in_vietnam_time(world, login):
    _scored(world)
    computed_at = PeriodStanding.objects.get(period=world.period).computed_at
    html = login(world.office).get(_standings_url(world)).content.decode()
    assert "Tính lại điểm lần cuối lúc" in html
    assert _vn_time(computed_at) in html
    assert "đang tính lại" not in html


def test_standings_say_when_clusters_are_still_being_recomputed(world, login):
    _scored(world)
    DirtyCluster.objects.create(campaign=world.campaign, period=world.period, cluster=world.other_cluster,
                                marked_at=timezone.now())
    html = login(world.office).get(_standings_url(world)).content.decode()
    assert "đang tính lại: 1 cụm" in html


def test_standings_default_to_the_current_period_and_show_the_trend(world, login):
    _scored(world)
    later = PeriodFactory(campaign=world.campaign, name="Quý III", order=world.period.order + 1)
    c1 = world.criteria[0]
    accepted(period=later, unit=world.other_unit, criterion=c1, score=10)
    compute.period_recompute(period_id=later.pk)
    page = login(world.office).get(_standings_url(world, period=later.pk))
    assert [(r.cluster_id, r.rank, r.previous_rank, r.trend) for r in page.context["rows"]] == [
        (world.other_cluster.pk, 1, 2, 1), (world.cluster.pk, 2, 1, -1)]
    html = page.content.decode()
    assert "▲ 1" in html and "▼ 1" in html


def test_standings_year_view_shows_the_year_ranks(world, login):
    _scored(world)
    page = login(world.office).get(_standings_url(world, view="year"))
    assert page.status_code == 200
    assert [(r.cluster_id, r.rank, r.score, r.on_time_count, r.period_count)
            for r in page.context["rows"]] == [
        (world.cluster.pk, 1, D("34.286"), 0, 1), (world.other_cluster.pk, 2, D("28.571"), 0, 1)]
    assert "Cả năm" in page.content.decode()


def test_standings_unknown_period_is_404(world, login):
    other_period = PeriodFactory()
    assert login(world.office).get(_standings_url(world, period=other_period.pk)).status_code == 404


# ---------------------------------------------------------------- one cluster, one unit

def test_cluster_page_shows_rank_gap_and_members(world, login):
    _scored(world)
    page = login(world.leader).get(_cluster_url(world))
    assert page.status_code == 200
    assert page.context["standing"].rank == 1 and page.context["cluster_count"] == 2
    assert page.context["is_leader"] is True and page.context["compare_with"].cluster_id == world.other_cluster.pk
    c1, c2, c3 = world.criteria
    gaps = {row.criterion.pk: (row.ours, row.theirs, row.gap) for row in page.context["gap_rows"]}
    assert gaps == {
        c1.pk: (D("9.00"), D("5.00"), D("4.00")), c2.pk: (D("3.00"), D("0.00"), D("3.00")),
        c3.pk: (D("0.00"), D("0.00"), D("0.00")), world.quantity_criterion.pk: (D("0.00"), D("5.00"), D("-5.00")),
    }
    assert [(s.unit_id, s.total, s.rank_in_cluster) for s, _year in page.context["members"]] == [
        (world.unit.pk, D("14.00"), 1), (world.leader_unit.pk, D("10.00"), 2)]
    html = page.content.decode()
    assert "Hạng 1/2" in html
    assert "<svg" in html and "#1" in html
    assert reverse("scoring_unit", args=[world.unit.pk, world.period.pk]) in html
    assert reverse("cluster_matrix", args=[world.cluster.pk, world.period.pk]) in html


def test_cluster_page_of_a_trailing_cluster_compares_with_the_leader(world, login):
    _scored(world)
    leader = UserFactory(unit=world.other_unit)
    page = login(leader).get(_cluster_url(world, world.other_cluster))
    assert page.context["is_leader"] is False
    assert page.context["compare_with"].cluster_id == world.cluster.pk
    assert "Khoảng cách với cụm dẫn đầu" in page.content.decode()


def test_unit_page_shows_points_evidence_and_remark(world, login):
    c1, c2, _c3 = world.criteria
    evidence = accepted(period=world.period, unit=world.unit, criterion=c1, score=8, reviewer=world.office)
    Review.objects.create(evidence=evidence, reviewer=world.office, decision=Review.Decision.RETURNED,
                          remark="Thiếu biên bản họp")
    Review.objects.create(evidence=evidence, reviewer=world.office, decision=Review.Decision.ACCEPTED, score=8)
    returned = accepted(period=world.period, unit=world.unit, criterion=c2, score=6)
    returned.status, returned.review_remark = "returned", "Bổ sung ảnh hoạt động"
    returned.save(update_fields=["status", "review_remark"])
    accepted(period=world.period, unit=world.leader_unit, criterion=c1, score=10)
    compute.period_recompute(period_id=world.period.pk)
    page = login(world.staff).get(_unit_url(world))
    assert page.status_code == 200
    rows = {row.criterion.pk: row for row in page.context["rows"]}
    assert rows[c1.pk].score.points == D("8.00") and rows[c1.pk].remark == "Thiếu biên bản họp"
    assert rows[c2.pk].score is None and rows[c2.pk].remark == "Bổ sung ảnh hoạt động"
    assert page.context["score"].rank_in_cluster == 2 and page.context["cluster_size"] == 2
    assert page.context["year"].classification == "not_completed"
    html = page.content.decode()
    assert reverse("evidence_detail", args=[evidence.pk]) in html
    assert "Hạng 2/2 trong cụm" in html
    assert "Không hoàn thành nhiệm vụ" in html
    assert "Thiếu biên bản họp" in html and "Bổ sung ảnh hoạt động" in html


# ---------------------------------------------------------------- who may open what

@pytest.mark.parametrize(("who", "expected"), [
    ("office", 200), ("follower", 200), ("admin", 200), ("other_office", 404), ("stranger", 404),
    ("staff", 403), ("leader", 403),
])
def test_standings_access(world, login, who, expected):
    user = _user(world, who)
    assert login(user).get(_standings_url(world)).status_code == expected


@pytest.mark.parametrize(("who", "expected"), [
    ("office", 200), ("follower", 200), ("admin", 200), ("leader", 200), ("deputy", 200),
    ("other_office", 404), ("stranger", 404), ("staff", 404), ("other_staff", 404),
])
def test_cluster_page_access(world, login, who, expected):
    user = _user(world, who)
    assert login(user).get(_cluster_url(world)).status_code == expected


@pytest.mark.parametrize(("who", "expected"), [
    ("staff", 200), ("leader", 200), ("deputy", 200), ("office", 200), ("follower", 200), ("admin", 200),
    ("other_office", 404), ("stranger", 404), ("other_staff", 404), ("fellow_member", 404),
])
def test_unit_page_access(world, login, who, expected):
    user = _user(world, who)
    assert login(user).get(_unit_url(world)).status_code == expected


def test_unit_page_of_a_unit_outside_the_campaign_is_404(world, login):
    outsider = UnitFactory()
    assert login(world.office).get(_unit_url(world, outsider)).status_code == 404


def _user(world, who):
    if who == "office":
        return world.office
    if who == "follower":
        return _follower(world)
    if who == "admin":
        from tests.factories import AdminFactory
        return AdminFactory()
    if who == "other_office":
        return OfficeUserFactory(unit=OfficeUnitFactory())
    if who == "stranger":
        return _stranger()
    if who == "staff":
        return world.staff
    if who == "leader":
        return world.leader
    if who == "deputy":
        deputy_unit = UnitFactory(parent=world.office_unit)
        ClusterMemberFactory(cluster=world.cluster, unit=deputy_unit)
        world.cluster.deputy_unit = deputy_unit
        world.cluster.save(update_fields=["deputy_unit"])
        return UserFactory(unit=deputy_unit)
    if who == "other_staff":
        return world.other_staff
    if who == "fellow_member":  # another plain member of the same cluster: sees its own unit only
        fellow = UnitFactory(parent=world.office_unit)
        ClusterMemberFactory(cluster=world.cluster, unit=fellow)
        return UserFactory(unit=fellow)
    raise AssertionError(who)


@pytest.mark.parametrize("url_name", ["scoring_standings", "scoring_cluster", "scoring_unit", "scoring_campaign"])
def test_pages_send_anonymous_visitors_to_the_login(world, client, url_name):
    url = {"scoring_standings": _standings_url(world), "scoring_cluster": _cluster_url(world),
           "scoring_unit": _unit_url(world),
           "scoring_campaign": reverse("scoring_campaign", args=[world.campaign.pk])}[url_name]
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("who", "target"), [("office", "standings"), ("leader", "cluster"), ("staff", "unit")])
def test_campaign_entry_sends_each_role_to_its_standing(world, login, who, target):
    expected = {"standings": reverse("scoring_standings", args=[world.campaign.pk]),
                "cluster": reverse("scoring_cluster", args=[world.cluster.pk]),
                "unit": reverse("scoring_unit", args=[world.unit.pk, world.period.pk])}[target]
    response = login(_user(world, who)).get(reverse("scoring_campaign", args=[world.campaign.pk]))
    assert response.status_code == 302 and response["Location"] == expected


def test_campaign_page_links_to_the_standings(world, login):
    for user in (world.office, world.leader, world.staff):
        html = login(user).get(reverse("campaign_detail", args=[world.campaign.pk])).content.decode()
        assert reverse("scoring_campaign", args=[world.campaign.pk]) in html
    stranger_html = login(_stranger()).get(reverse("campaign_detail", args=[world.campaign.pk]))
    assert stranger_html.status_code == 404


def test_home_page_shows_the_leaders_cluster_rank(world, login):
    _scored(world)
    html = login(world.leader).get(reverse("home")).content.decode()
    assert "Cụm của bạn" in html and "hạng 1/2, điểm 34,29" in html


# ---------------------------------------------------------------- a fixed number of queries

def _add_cluster(world, index):
    unit = UnitFactory(parent=world.office_unit)
    cluster = ClusterFactory(campaign=world.campaign, leader_unit=unit)
    ClusterMemberFactory(cluster=cluster, unit=unit)
    accepted(period=world.period, unit=unit, criterion=world.criteria[index % 3], score=index + 1)
    return cluster


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("view", ["period", "year"])
def test_standings_queries_do_not_grow_with_the_clusters(world, login, view):
    world.other_cluster.delete()
    accepted(period=world.period, unit=world.unit, criterion=world.criteria[0], score=3)
    compute.period_recompute(period_id=world.period.pk)
    client = login(world.office)
    query = {"view": "year"} if view == "year" else {"period": world.period.pk}
    url = _standings_url(world, xep_loai="not_completed", **query)
    one = _count_queries(client, url)
    assert len(client.get(url).context["rows"]) == 1
    for index in range(2):
        _add_cluster(world, index)
    compute.period_recompute(period_id=world.period.pk)
    assert len(client.get(url).context["rows"]) == 3
    assert _count_queries(client, url) == one


def test_cluster_page_queries_do_not_grow_with_the_members(world, login):
    _scored(world)
    client = login(world.office)
    before = _count_queries(client, _cluster_url(world))
    for _ in range(3):
        unit = UnitFactory(parent=world.office_unit)
        ClusterMemberFactory(cluster=world.cluster, unit=unit)
        accepted(period=world.period, unit=unit, criterion=world.criteria[1], score=2)
    compute.period_recompute(period_id=world.period.pk)
    assert _count_queries(client, _cluster_url(world)) == before


# ---------------------------------------------------------------- closing and reopening

def _close_url(world):
    return reverse("scoring_period_close", args=[world.period.pk])


def _reopen_url(world):
    return reverse("scoring_period_reopen", args=[world.period.pk])


def test_office_closes_the_period_from_the_standings(world, login):
    _scored(world)
    client = login(world.office)
    response = client.post(_close_url(world), follow=True)
    assert response.redirect_chain[-1][0] == _standings_url(world, period=world.period.pk)
    world.period.refresh_from_db()
    assert world.period.status == Period.Status.CLOSED and world.period.closed_by == world.office
    snapshot = StandingSnapshot.objects.get(period=world.period)
    assert [c["cluster_id"] for c in snapshot.data["clusters"]] == [world.cluster.pk, world.other_cluster.pk]
    entry = AuditEntry.objects.get(action="period.close")
    assert entry.object_id == str(world.period.pk) and entry.actor == world.office
    html = response.content.decode()
    assert "Đợt này đã khóa sổ" in html and _vn_time(world.period.closed_at) in html
    assert str(world.office) in html
    assert reverse("scoring_period_reopen", args=[world.period.pk]) in html


def test_closing_a_closed_period_says_so_in_vietnamese(world, login):
    client = login(world.office)
    client.post(_close_url(world))
    html = client.post(_close_url(world), follow=True).content.decode()
    assert "Đợt này đã được khóa sổ rồi." in html
    assert AuditEntry.objects.filter(action="period.close").count() == 1


def test_reopening_needs_a_reason(world, login):
    client = login(world.office)
    client.post(_close_url(world))
    html = client.post(_reopen_url(world), {"reason": "  "}, follow=True).content.decode()
    assert "Hãy nêu lý do mở lại đợt." in html
    world.period.refresh_from_db()
    assert world.period.is_closed


def test_office_reopens_the_period_with_a_reason(world, login):
    client = login(world.office)
    client.post(_close_url(world))
    response = client.post(_reopen_url(world), {"reason": "Sai sót khi chấm tiêu chí I.1"}, follow=True)
    world.period.refresh_from_db()
    assert world.period.status == Period.Status.OPEN
    entry = AuditEntry.objects.get(action="period.reopen")
    assert entry.data["reason"] == "Sai sót khi chấm tiêu chí I.1"
    snapshot = StandingSnapshot.objects.get(period=world.period)
    assert snapshot.reopened_by == world.office
    assert "Sai sót khi chấm tiêu chí I.1" in response.content.decode()
    assert DirtyCluster.objects.filter(period=world.period).count() == 2


@pytest.mark.parametrize("who", ["follower", "other_office", "staff", "leader", "stranger"])
def test_only_the_managing_office_closes_or_reopens(world, login, who):
    client = login(_user(world, who))
    assert client.post(_close_url(world)).status_code == 404
    assert client.post(_reopen_url(world), {"reason": "x"}).status_code == 404
    world.period.refresh_from_db()
    assert world.period.status == Period.Status.OPEN
    assert not AuditEntry.objects.filter(action__startswith="period.").exists()


def test_close_and_reopen_refuse_get(world, login):
    client = login(world.office)
    assert client.get(_close_url(world)).status_code == 405
    assert client.get(_reopen_url(world)).status_code == 405
    world.period.refresh_from_db()
    assert world.period.status == Period.Status.OPEN


def test_close_and_reopen_need_anonymous_visitors_to_log_in(world, client):
    for url in (_close_url(world), _reopen_url(world)):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_close_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)
    assert client.post(_close_url(world)).status_code == 403
    world.period.refresh_from_db()
    assert world.period.status == Period.Status.OPEN
