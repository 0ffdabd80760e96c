"""The review queue and the review page: filters, counts, save and next, conflicts, permissions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evidence.models import Evidence
from scoring.models import Review
from tests.factories import AdminFactory, EvidenceFileFactory, OfficeUserFactory
from tests.scoring.factories import accepted, submitted


def _queue(client, **params):
    return client.get(reverse("scoring_queue"), params)


def _post_review(client, item, query="", **data):
    data.setdefault("version", Evidence.objects.get(pk=item.pk).version)
    url = reverse("scoring_review", args=[item.pk]) + (f"?{query}" if query else "")
    return client.post(url, data)


def test_the_queue_lists_whats_waiting_oldest_first_with_counts(world, login):
    first = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=7)
    second = submitted(period=world.period, unit=world.other_unit, criterion=world.criteria[1], self_score=5)
    Evidence.objects.filter(pk=second.pk).update(submitted_at=first.submitted_at.replace(year=2023))
    accepted(period=world.period, unit=world.unit, criterion=world.criteria[2], score=3)
    Evidence.objects.create(campaign=world.campaign, period=world.period, unit=world.unit,
                            criterion=world.quantity_criterion)  # a draft is never in the queue

    response = _queue(login(world.office))

    assert response.status_code == 200
    assert [e.pk for e in response.context["page"]] == [second.pk, first.pk]
    counts = {link["label"]: link["count"] for link in response.context["status_links"]}
    assert counts == {"Chờ thẩm định": 2, "Đã trả lại": 0, "Đã chấp nhận": 1, "Không chấp nhận": 0, "Tất cả": 3}
    assert "Hàng đợi thẩm định" in response.content.decode()


def test_the_queue_filters_by_cluster_unit_criterion_and_status(world, login):
    mine = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=7)
    submitted(period=world.period, unit=world.other_unit, criterion=world.criteria[0], self_score=5)
    done = accepted(period=world.period, unit=world.unit, criterion=world.criteria[1], score=3)
    client = login(world.office)

    assert [e.pk for e in _queue(client, cluster=world.cluster.pk).context["page"]] == [mine.pk]
    assert [e.pk for e in _queue(client, unit=world.unit.pk, status="all").context["page"]] == [mine.pk, done.pk]
    assert [e.pk for e in _queue(client, criterion=world.criteria[1].pk, status="accepted").context["page"]] == [
        done.pk]
    response = _queue(client, cluster=world.cluster.pk)
    counts = {link["label"]: link["count"] for link in response.context["status_links"]}
    assert counts["Tất cả"] == 2  # the counts follow the other filters


def test_the_queue_hides_other_offices_work_and_the_reviewers_own_unit(world, login):
    submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=7)
    own = submitted(period=world.period, unit=world.office_unit, criterion=world.criteria[1], self_score=7)
    assert own.pk not in [e.pk for e in _queue(login(world.office)).context["page"]]
    assert list(_queue(login(OfficeUserFactory())).context["page"]) == []


def test_unit_staff_have_no_queue(world, login):
    assert _queue(login(world.staff)).status_code == 403
    assert _queue(login(world.leader)).status_code == 403


@pytest.mark.parametrize("rows", [1, 3])
def test_the_queue_query_count_does_not_grow_with_rows(world, login, django_assert_max_num_queries, rows):
    for index in range(rows):
        item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[index], self_score=5)
        EvidenceFileFactory(evidence=item)
    client = login(world.office)
    with django_assert_max_num_queries(16):
        assert _queue(client).status_code == 200


def test_the_review_page_shows_the_files_the_note_the_self_score_and_earlier_reviews(world, login):
    item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=7)
    Evidence.objects.filter(pk=item.pk).update(note="Ảnh lễ ra quân ngày 26/3")
    evidence_file = EvidenceFileFactory(evidence=item, original_name="bien-ban.pdf")
    EvidenceFileFactory(evidence=accepted(period=world.period, unit=world.other_unit, criterion=world.criteria[0]),
                        sha256=evidence_file.sha256)
    Review.objects.create(evidence=item, reviewer=world.office, decision="returned", remark="Thiếu biên bản")

    response = login(world.office).get(reverse("scoring_review", args=[item.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ảnh lễ ra quân ngày 26/3" in page and "bien-ban.pdf" in page and "Thiếu biên bản" in page
    assert reverse("evidence_file_download", args=[evidence_file.pk]) in page
    assert "Lưu và chuyển tiếp" in page
    assert [d["file"].pk for d in response.context["duplicates"]] == [evidence_file.pk]
    assert response.context["form"].initial["score"] == "7"


def test_save_and_next_accepts_and_opens_the_next_waiting_in_the_same_queue(world, login):
    first = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=7)
    second = submitted(period=world.period, unit=world.unit, criterion=world.criteria[1], self_score=6)
    submitted(period=world.period, unit=world.other_unit, criterion=world.criteria[0], self_score=6)
    client = login(world.office)
    query = f"cluster={world.cluster.pk}&status=submitted"

    response = _post_review(client, first, query, decision="accepted", score="6.5", save_next="1")

    assert response.status_code == 302
    assert response["Location"] == reverse("scoring_review", args=[second.pk]) + f"?{query}"
    first.refresh_from_db()
    assert (first.status, first.score) == ("accepted", Decimal("6.50"))

    response = _post_review(client, second, query, decision="returned", remark="Bổ sung ảnh", save_next="1")
    assert response["Location"] == reverse("scoring_queue") + f"?{query}"


def test_a_refused_decision_shows_the_message_and_keeps_what_was_typed(world, login):
    item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=7)
    response = _post_review(login(world.office), item, decision="accepted", score="12")
    assert response.status_code == 400
    assert "Điểm phải từ 0 đến 10 điểm." in response.content.decode()
    assert 'value="12"' in response.content.decode()
    response = _post_review(login(world.office), item, decision="returned", remark="")
    assert "Hãy ghi rõ đơn vị cần bổ sung gì." in response.content.decode()
    assert Evidence.objects.get(pk=item.pk).status == "submitted"


def test_the_second_reviewer_sees_the_first_ones_decision_and_loses_nothing(world, login, client):
    item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=7)
    seen = item.version
    colleague = OfficeUserFactory(unit=world.office_unit, full_name="Lê Văn Cường")
    _post_review(login(colleague), item, decision="accepted", score="5", version=seen)
    client.logout()

    response = _post_review(login(world.office), item, decision="accepted", score="9", remark="Tốt", version=seen)

    page = response.content.decode()
    assert response.status_code == 409
    assert "Lê Văn Cường" in page and "5 điểm" in page
    assert 'value="9"' in page and ">Tốt</textarea>" in page
    assert Evidence.objects.get(pk=item.pk).score == Decimal("5.00")


def test_bulk_accept_from_the_queue(world, login):
    one = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=7)
    two = submitted(period=world.period, unit=world.unit, criterion=world.criteria[1])
    response = login(world.office).post(reverse("scoring_bulk_accept") + "?status=submitted",
                                        {"ids": [one.pk, two.pk]}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("scoring_queue") + "?status=submitted"
    texts = [str(m) for m in response.context["messages"]]
    assert texts[0] == "Đã chấp nhận 1 minh chứng theo điểm tự chấm."
    assert "Hãy cho điểm để chấp nhận minh chứng này." in texts[1]
    assert Evidence.objects.get(pk=one.pk).score == Decimal("7.00")


# ---- permissions of every view taking an id


def test_review_page_permissions(world, login, client):
    item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=7)
    url = reverse("scoring_review", args=[item.pk])
    assert client.get(url).status_code == 302  # anonymous → login
    assert login(world.staff).get(url).status_code == 404
    assert login(world.leader).get(url).status_code == 404
    assert login(OfficeUserFactory()).get(url).status_code == 404
    assert _post_review(login(OfficeUserFactory()), item, decision="accepted", score="7").status_code == 404
    assert login(AdminFactory()).get(url).status_code == 200
    assert Evidence.objects.get(pk=item.pk).status == "submitted"


def test_the_own_unit_page_is_read_only(world, login):
    item = submitted(period=world.period, unit=world.office_unit, criterion=world.criteria[0], self_score=7)
    client = login(world.office)
    response = client.get(reverse("scoring_review", args=[item.pk]))
    assert response.status_code == 403
    assert "Bạn không thể thẩm định minh chứng của chính đơn vị mình." in response.content.decode()
    assert "Lưu và chuyển tiếp" not in response.content.decode()
    assert _post_review(client, item, decision="accepted", score="7").status_code == 403
    assert Evidence.objects.get(pk=item.pk).status == "submitted"


def test_a_follower_reviews_their_clusters_evidence_only(world, login):
    follower = OfficeUserFactory()
    world.cluster.follower = follower
    world.cluster.save()
    mine = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=7)
    other = submitted(period=world.period, unit=world.other_unit, criterion=world.criteria[0], self_score=7)
    client = login(follower)
    assert client.get(reverse("scoring_review", args=[mine.pk])).status_code == 200
    assert client.get(reverse("scoring_review", args=[other.pk])).status_code == 404
    assert [e.pk for e in _queue(client).context["page"]] == [mine.pk]


def test_bulk_accept_refuses_ids_outside_the_reviewers_scope(world, login, client):
    item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=7)
    url = reverse("scoring_bulk_accept")
    assert client.post(url, {"ids": [item.pk]}).status_code == 302 and client.post(url)["Location"].startswith(
        reverse("login"))
    assert login(OfficeUserFactory()).post(url, {"ids": [item.pk]}).status_code == 404
    assert login(world.staff).post(url, {"ids": [item.pk]}).status_code == 403
    assert login(world.office).get(url).status_code == 405
    assert Evidence.objects.get(pk=item.pk).status == "submitted"


def test_campaign_queue_link_permissions(world, login, client):
    url = reverse("scoring_campaign_queue", args=[world.campaign.pk])
    assert client.get(url).status_code == 302 and reverse("login") in client.get(url)["Location"]
    assert login(world.office).get(url)["Location"] == reverse("scoring_queue") + f"?campaign={world.campaign.pk}"
    assert login(OfficeUserFactory()).get(url).status_code == 404
    assert login(world.staff).get(url).status_code == 403


def test_the_csrf_token_is_required(world):
    from django.test import Client

    item = submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=7)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)
    assert client.post(reverse("scoring_review", args=[item.pk]),
                       {"decision": "accepted", "score": "7", "version": 1}).status_code == 403
    assert Evidence.objects.get(pk=item.pk).status == "submitted"


def test_the_reviewers_home_shows_whats_waiting_per_campaign(world, login):
    submitted(period=world.period, unit=world.unit, criterion=world.criteria[0], self_score=7)
    submitted(period=world.period, unit=world.other_unit, criterion=world.criteria[0], self_score=7)
    page = login(world.office).get("/").content.decode()
    assert "2 minh chứng chờ thẩm định" in page
    assert f"{reverse('scoring_queue')}?campaign={world.campaign.pk}" in page
    assert "minh chứng chờ thẩm định" not in login(OfficeUserFactory()).get("/").content.decode()


def test_the_review_page_shows_the_items_place_in_its_queue(world, login):
    items = [submitted(period=world.period, unit=unit, criterion=criterion)
             for unit, criterion in ((world.unit, world.criteria[0]), (world.other_unit, world.criteria[0]),
                                     (world.unit, world.criteria[1]))]
    same_moment = items[0].submitted_at
    Evidence.objects.filter(pk__in=[i.pk for i in items]).update(submitted_at=same_moment)  # ties: oldest id first
    client = login(world.office)

    response = client.get(reverse("scoring_review", args=[items[1].pk]))
    filtered = client.get(reverse("scoring_review", args=[items[2].pk]) + f"?unit={world.unit.pk}")
    Evidence.objects.filter(pk=items[0].pk).update(status=Evidence.Status.ACCEPTED)
    decided = client.get(reverse("scoring_review", args=[items[0].pk]))

    assert (response.context["position"], response.context["waiting_count"]) == (2, 3)
    assert (filtered.context["position"], filtered.context["waiting_count"]) == (2, 2)
    assert (decided.context["position"], decided.context["waiting_count"]) == (None, 2)
