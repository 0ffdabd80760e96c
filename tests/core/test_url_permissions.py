"""Every URL that takes an id refuses, on the server, whoever has no right to the object behind it.

The URL patterns are read from the project's resolver, so a new view that takes an id fails
``test_every_id_taking_url_is_covered`` until it is added to ``ROUTES`` (or, if it is meant to be
public, to ``PUBLIC`` with the reason). For each route:

- an anonymous visitor is sent to the login page (or refused) on GET and POST;
- outsiders (the office of another district, the staff of a unit in another district's campaign) get
  403, 404 or 405 on GET and POST, and their POST changes no row of the project's tables and no stored
  file; routes with two ids are also tried with one id of the outsider's own and one of the victim's;
- the rightful user (the office running the campaign, the unit's own staff, the cluster leader, the
  administrator) is served, so the outsider's 404 is about the right and not a wrong id.

The Django admin is covered as a whole: every one of its id-taking patterns is for ``is_staff`` users
only (portal users are not), checked with a row of the pattern's model.

One world is built per module (in a transaction rolled back at the end) and every test runs in its own
savepoint, so the whole file takes seconds.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Unit
from awards.models import CertificateTemplate
from core.audit import audit_record
from core.models import Job
from evidence.models import DossierSubmission, LateRequest, LateWindow, Reminder
from reports.services import EXPORT_JOB_KIND
from tests.awards.factories import AwardDecisionFactory, AwardFactory, AwardRuleFactory
from tests.evidence.factories import jpeg_bytes
from tests.factories import (
    AdminFactory,
    AwardFormFactory,
    CampaignFactory,
    ClusterFactory,
    ClusterMemberFactory,
    CriterionFactory,
    EvidenceFileFactory,
    OfficeUnitFactory,
    OfficeUserFactory,
    PeriodFactory,
    TargetAllocationFactory,
    TargetFactory,
    UnitFactory,
    UserFactory,
)
from tests.scoring.factories import submitted
from tests.targets.factories import TargetProgressFactory

# Tables whose rows an outsider's request must leave exactly as they were.
CHECKED_APPS = {"accounts", "auth", "campaigns", "evidence", "scoring", "targets", "awards", "reports", "core"}

# Id-taking URLs that are public on purpose.
PUBLIC = {
    # The verification page printed (as a QR code) on every certificate: anyone holding the paper checks it,
    # without an account. It shows only what the certificate itself shows, and only for issued decisions.
    "award_verify",
}

ADMIN_NAMESPACE = "admin"

# The units taking part in district A's campaign: outsiders to the pages of the office running it.
INSIDERS = ("leader_a", "staff_a")


# ---------------------------------------------------------------- the URL patterns


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern, prefix + str(pattern.pattern)


def _takes_arguments(pattern: URLPattern) -> bool:
    """Path converters (``<int:pk>``) or, for ``re_path``, named groups."""
    converters = getattr(pattern.pattern, "converters", {})
    return bool(converters or pattern.pattern.regex.groupindex)


def id_patterns() -> dict[str, tuple[str, str]]:
    """{key: (namespace, route)} of every pattern taking arguments; the key is the (namespaced) url name,
    or the route for the admin's unnamed patterns."""
    found = {}
    for namespace, pattern, route in _walk(get_resolver()):
        if _takes_arguments(pattern):
            key = f"{namespace}{pattern.name}" if pattern.name else route
            found[key] = (namespace, route)
    return found


# ---------------------------------------------------------------- the world


def _side(province: Unit, tag: str) -> dict:
    """One district with its campaign and everything an id can point at in it."""
    office_unit = OfficeUnitFactory(parent=province, name=f"Huyện đoàn {tag}")
    leader_unit = UnitFactory(parent=office_unit)
    unit = UnitFactory(parent=office_unit)
    office = OfficeUserFactory(unit=office_unit)
    leader = UserFactory(unit=leader_unit)
    staff = UserFactory(unit=unit)
    campaign = CampaignFactory(issuing_unit=office_unit)
    period = PeriodFactory(campaign=campaign, order=1)
    cluster = ClusterFactory(campaign=campaign, leader_unit=leader_unit)
    ClusterMemberFactory(cluster=cluster, unit=leader_unit)
    ClusterMemberFactory(cluster=cluster, unit=unit)
    criterion = CriterionFactory(campaign=campaign)
    evidence = submitted(period=period, unit=unit, criterion=criterion, self_score=5)
    evidence_file = EvidenceFileFactory(evidence=evidence)
    evidence_file.thumbnail.save("anh-nho.jpg", ContentFile(jpeg_bytes()))
    late_request = LateRequest.objects.create(period=period, unit=unit, reason="Mất điện", requested_by=staff)
    target = TargetFactory(campaign=campaign)
    TargetAllocationFactory(target=target, unit=unit)
    TargetProgressFactory(target=target, unit=unit, period=period)
    award_form = AwardFormFactory(issuer_unit=office_unit)
    rule = AwardRuleFactory(campaign=campaign, award_form=award_form)
    decision = AwardDecisionFactory(campaign=campaign, period=period)
    award = AwardFactory(decision=decision, award_form=award_form)
    template = CertificateTemplate.objects.create(name=f"Mẫu {tag}", campaign=campaign, issuer_unit=office_unit)
    certificate_job = Job(kind="award_certificates", params={"decision_id": decision.pk}, status=Job.Status.DONE,
                          created_by=office, output_name="giay-khen.pdf", extra_output_name="giay-khen.zip")
    certificate_job.output.save("giay-khen.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    certificate_job.extra_output.save("giay-khen.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=False)
    certificate_job.save()
    export_job = Job(kind=EXPORT_JOB_KIND, created_by=office, status=Job.Status.DONE, output_name="xuat.xlsx")
    export_job.output.save("xuat.xlsx", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=True)
    return {
        "office_unit": office_unit, "leader_unit": leader_unit, "unit": unit, "office": office, "leader": leader,
        "staff": staff, "campaign": campaign, "period": period, "cluster": cluster, "criterion": criterion,
        "evidence": evidence, "file": evidence_file, "late_request": late_request, "target": target,
        "award_form": award_form, "rule": rule, "decision": decision, "award": award, "template": template,
        "certificate_job": certificate_job, "export_job": export_job,
    }


def build_world() -> SimpleNamespace:
    """District A (the victim's) and district B (the outsiders'), side by side in one province; every
    object of A is also in B, so an outsider can mix an id of their own with one of A's."""
    province = OfficeUnitFactory(level=Unit.Level.PROVINCE, name="Tỉnh đoàn")
    world = SimpleNamespace(province=province)
    for tag in ("a", "b"):
        for name, obj in _side(province, tag.upper()).items():
            setattr(world, f"{name}_{tag}", obj)
    world.admin = AdminFactory(unit=province)
    world.superuser = UserFactory(unit=province, is_staff=True, is_superuser=True)
    # For every campaign: offices use it, administrators set it.
    world.shared_template = CertificateTemplate.objects.create(name="Mẫu chung")
    # Rows for the admin's pages of models nothing above creates.
    Group.objects.create(name="Nhóm")
    LateWindow.objects.create(period=world.period_a, unit=world.unit_a, reason="Gia hạn", ends_at=timezone.now(),
                              granted_by=world.office_a)
    Reminder.objects.create(cluster=world.cluster_a, period=world.period_a, unit=world.unit_a,
                            sent_by=world.leader_a)
    DossierSubmission.objects.create(cluster=world.cluster_a, period=world.period_a, submitted_by=world.leader_a,
                                     submitted_at=timezone.now(), on_time=True)
    audit_record(actor=world.office_a, action="campaign.update", obj=world.campaign_a, campaign=world.campaign_a)
    return world


# ---------------------------------------------------------------- what each id-taking URL needs


def ids(**spec: str) -> Callable[[SimpleNamespace], dict]:
    """URL kwargs from the world: ``campaign_id="campaign_a"`` takes that object's pk, ``action="=close"`` is
    the literal after ``=``."""

    def build(world):
        return {key: value[1:] if value.startswith("=") else getattr(world, value).pk for key, value in spec.items()}

    return build


@dataclass(frozen=True)
class Route:
    kwargs: Callable[[SimpleNamespace], dict]
    rightful: str  # the world's user who may open it
    # What the outsiders POST: a valid request for the rightful user, so that a missing check would show.
    post: Callable[[SimpleNamespace], dict] = lambda world: {}
    outsiders: tuple[str, ...] = ("office_b", "staff_b")
    # {outsider: [kwargs]}: one id of the outsider's own next to one of district A's.
    mixed: dict[str, list[Callable[[SimpleNamespace], dict]]] = field(default_factory=dict)
    # Users who may read the page, whose POST must change nothing.
    readers: tuple[str, ...] = ()


ISSUE = {"number": "45-QĐ/ĐTN", "date": "2024-12-20", "place": "Giồng Riềng", "signer_title": "PHÓ BÍ THƯ",
         "signer_name": "Võ Văn An"}

ROUTES: dict[str, Route] = {
    # accounts: the unit tree is the administrators'; users are managed within one's own unit.
    "unit_edit": Route(ids(pk="unit_a"), "admin", post=lambda w: {
        "code": w.unit_a.code, "name": "Đổi tên", "level": "grassroots", "parent": w.office_unit_a.pk,
        "member_count": 1}),
    "unit_deactivate": Route(ids(pk="unit_a"), "admin"),
    "user_edit": Route(ids(pk="staff_a"), "office_a", post=lambda w: {
        "username": w.staff_a.username, "full_name": "Đổi tên", "unit": w.unit_a.pk, "role": "staff",
        "is_active": "on"}),
    "user_password": Route(ids(pk="staff_a"), "office_a",
                           post=lambda w: {"password1": "mat-khau-moi-12345", "password2": "mat-khau-moi-12345"}),
    # awards
    "award_form_edit": Route(ids(pk="award_form_a"), "office_a", post=lambda w: {
        "name": "Đổi tên", "issuer_unit": w.office_unit_b.pk, "issuer_name": "Ban Thường vụ", "organisation": "doan",
        "amount": 1}),
    "award_form_deactivate": Route(ids(pk="award_form_a"), "office_a"),
    # ... and the shared template is nobody's to take over (it was: see tests/awards/test_views.py).
    "certificate_template_edit": Route(ids(pk="template_a"), "office_a", post=lambda w: {
        "name": "Đổi tên", "layout": "classic", "colour": "#000000", "accent_colour": "#000000", "border": "double",
        "issuer_unit": w.office_unit_b.pk}, mixed={"office_b": [ids(pk="shared_template")]}),
    "campaign_awards": Route(ids(campaign_id="campaign_a"), "office_a"),
    "award_rule_create": Route(ids(campaign_id="campaign_a"), "office_a", post=lambda w: {
        "award_form": w.award_form_b.pk, "recipient_kind": "cluster", "scope": "campaign", "count": 1,
        "reason_template": "Dẫn đầu", "order": 1, "is_active": "on"}),
    "award_rule_edit": Route(ids(campaign_id="campaign_a", pk="rule_a"), "office_a", post=lambda w: {
        "award_form": w.award_form_b.pk, "recipient_kind": "cluster", "scope": "campaign", "count": 3,
        "reason_template": "Dẫn đầu", "order": 1}, mixed={"office_b": [ids(campaign_id="campaign_b", pk="rule_a")]}),
    "award_rule_delete": Route(ids(pk="rule_a"), "office_a"),
    "decision_propose": Route(ids(campaign_id="campaign_a"), "office_a"),
    "decision_detail": Route(ids(pk="decision_a"), "office_a"),
    "decision_edit": Route(ids(pk="decision_a"), "office_a", post=lambda w: {"title": "Đổi tiêu đề"}),
    "decision_delete": Route(ids(pk="decision_a"), "office_a"),
    "decision_issue": Route(ids(pk="decision_a"), "office_a", post=lambda w: ISSUE),
    "decision_correct": Route(ids(pk="decision_a"), "office_a"),
    "decision_document": Route(ids(pk="decision_a"), "office_a"),
    "award_add": Route(ids(pk="decision_a"), "office_a", post=lambda w: {
        "award_form": w.award_form_a.pk, "recipient_kind": "person", "person_name": "Nguyễn Văn Lạ",
        "reason": "Thành tích"}),
    "certificates_start": Route(ids(pk="decision_a"), "office_a"),
    "award_edit": Route(ids(pk="award_a"), "office_a", post=lambda w: {"reason": "Đổi lý do"}),
    "award_remove": Route(ids(pk="award_a"), "office_a"),
    "award_certificate": Route(ids(pk="award_a"), "office_a"),
    "certificate_job": Route(ids(pk="certificate_job_a"), "office_a"),
    "certificate_job_status": Route(ids(pk="certificate_job_a"), "office_a"),
    "certificate_job_download": Route(ids(pk="certificate_job_a", which="=pdf"), "office_a"),
    # campaigns
    "campaign_detail": Route(ids(pk="campaign_a"), "staff_a"),
    "campaign_edit": Route(ids(pk="campaign_a"), "office_a"),
    "campaign_setup": Route(ids(pk="campaign_a"), "office_a"),
    "campaign_status": Route(ids(pk="campaign_a", action="=close"), "office_a"),
    "period_create": Route(ids(pk="campaign_a"), "office_a", post=lambda w: {
        "name": "Quý lạ", "order": 9, "start_date": "2024-01-01", "end_date": "2024-03-31",
        "deadline_date": "2030-04-10"}),
    "period_edit": Route(ids(pk="period_a"), "office_a"),
    "period_deadline": Route(ids(pk="period_a"), "office_a",
                             post=lambda w: {"deadline_date": "2030-12-31", "reason": "Gia hạn"}),
    "period_delete": Route(ids(pk="period_a"), "office_a"),
    "cluster_list": Route(ids(pk="campaign_a"), "office_a"),
    "cluster_create": Route(ids(pk="campaign_a"), "office_a", post=lambda w: {"name": "Cụm lạ", "order": 9}),
    "cluster_edit": Route(ids(pk="cluster_a"), "office_a"),
    "cluster_delete": Route(ids(pk="cluster_a"), "office_a"),
    "criterion_list": Route(ids(pk="campaign_a"), "office_a"),
    "criterion_create": Route(ids(pk="campaign_a"), "office_a"),
    "criterion_edit": Route(ids(pk="criterion_a"), "office_a"),
    "criterion_delete": Route(ids(pk="criterion_a"), "office_a"),
    "criterion_move": Route(ids(pk="criterion_a", direction="=down"), "office_a"),
    # evidence: the unit's own pages, the files, late windows, the cluster matrix and dossier
    "evidence_campaign": Route(ids(campaign_id="campaign_a"), "staff_a"),
    "evidence_period": Route(ids(period_id="period_a"), "staff_a"),
    "evidence_edit": Route(ids(period_id="period_a", criterion_id="criterion_a"), "staff_a",
                           post=lambda w: {"note": "Ghi chú lạ", "self_score": "1", "submit": "1"},
                           mixed={"staff_b": [ids(period_id="period_b", criterion_id="criterion_a")]}),
    "late_request_create": Route(ids(period_id="period_a"), "staff_a", post=lambda w: {"reason": "Xin thêm"}),
    "evidence_detail": Route(ids(pk="evidence_a"), "staff_a"),
    "evidence_file_download": Route(ids(file_id="file_a"), "staff_a"),
    "evidence_file_thumbnail": Route(ids(file_id="file_a"), "staff_a"),
    # The cluster leader and the office read the unit's files; only the unit removes one.
    "evidence_file_remove": Route(ids(file_id="file_a"), "staff_a", readers=("leader_a", "office_a")),
    "late_windows": Route(ids(campaign_id="campaign_a"), "office_a", post=lambda w: {
        "period": w.period_a.pk, "unit": w.unit_a.pk, "reason": "Gia hạn", "end_date": "2030-01-01"}),
    "late_request_decide": Route(ids(request_id="late_request_a"), "office_a",
                                 post=lambda w: {"approve": "1", "end_date": "2030-01-01", "remark": "Đồng ý"}),
    "dossier_overview": Route(ids(campaign_id="campaign_a"), "office_a"),
    "cluster_matrix_campaign": Route(ids(campaign_id="campaign_a"), "leader_a"),
    "cluster_matrix": Route(ids(cluster_id="cluster_a", period_id="period_a"), "leader_a",
                            outsiders=("office_b", "staff_b", "leader_b"),
                            mixed={"leader_b": [ids(cluster_id="cluster_b", period_id="period_a"),
                                                ids(cluster_id="cluster_a", period_id="period_b")]}),
    "cluster_remind": Route(ids(cluster_id="cluster_a", period_id="period_a"), "leader_a",
                            outsiders=("office_b", "staff_b", "leader_b", "staff_a"),
                            readers=("office_a",),  # the office sees the matrix; only the leader acts on it
                            mixed={"leader_b": [ids(cluster_id="cluster_b", period_id="period_a")]}),
    "dossier_submit": Route(ids(cluster_id="cluster_a", period_id="period_a"), "leader_a",
                            outsiders=("office_b", "staff_b", "leader_b", "staff_a"),
                            readers=("office_a",),  # the office sees the matrix; only the leader acts on it
                            mixed={"leader_b": [ids(cluster_id="cluster_b", period_id="period_a")]}),
    # reports
    # Not an object id: the imports without a campaign (units, users) are the administrators'.
    "reports_import": Route(ids(kind="=units"), "admin"),
    "reports_import_template": Route(ids(kind="=units"), "office_a",
                                     # Not an object id: the blank template of an import kind, for offices.
                                     outsiders=("staff_b",)),
    "reports_campaign": Route(ids(pk="campaign_a"), "office_a",
                              readers=("leader_a",)),  # the leader exports its own cluster's tables
    "reports_campaign_import": Route(ids(campaign_pk="campaign_a", kind="=clusters"), "office_a"),
    "reports_export": Route(ids(pk="campaign_a", key="=register"), "office_a",
                            outsiders=("office_b", "staff_b", "leader_b")),
    "reports_period_summary_pdf": Route(ids(pk="period_a"), "office_a"),
    "reports_period_summary_xlsx": Route(ids(pk="period_a"), "office_a"),
    "reports_job": Route(ids(pk="export_job_a"), "office_a"),
    "reports_job_status": Route(ids(pk="export_job_a"), "office_a"),
    "reports_job_download": Route(ids(pk="export_job_a"), "office_a"),
    # scoring: the review queue and standings
    "scoring_campaign_queue": Route(ids(campaign_id="campaign_a"), "office_a"),
    "scoring_review": Route(ids(evidence_id="evidence_a"), "office_a",
                            outsiders=("office_b", "staff_b", "leader_b"),
                            post=lambda w: {"decision": "accepted", "score": "10", "remark": "",
                                            "version": w.evidence_a.version}),
    # The entry from the campaign page: a leader goes on to its cluster, a member unit to its own scores.
    "scoring_campaign": Route(ids(campaign_id="campaign_a"), "office_a", readers=INSIDERS),
    "scoring_standings": Route(ids(campaign_id="campaign_a"), "office_a"),
    "scoring_cluster": Route(ids(cluster_id="cluster_a"), "leader_a", outsiders=("office_b", "staff_b", "leader_b")),
    "scoring_unit": Route(ids(unit_id="unit_a", period_id="period_a"), "staff_a",
                          outsiders=("office_b", "staff_b", "leader_b"),
                          mixed={"staff_b": [ids(unit_id="unit_a", period_id="period_b")],
                                 "office_b": [ids(unit_id="unit_a", period_id="period_b")]}),
    "scoring_period_close": Route(ids(period_id="period_a"), "office_a"),
    "scoring_period_reopen": Route(ids(period_id="period_a"), "office_a", post=lambda w: {"reason": "Mở lại"}),
    # targets
    # The campaign's units see its targets, with the numbers of their own scope only.
    "targets:dashboard": Route(ids(campaign_pk="campaign_a"), "office_a", readers=INSIDERS),
    "targets:create": Route(ids(campaign_pk="campaign_a"), "office_a",
                            post=lambda w: {"code": "LẠ", "name": "Chỉ tiêu lạ", "kind": "count",
                                            "unit_of_measure": "cây", "total": "5"}),
    "targets:reporting": Route(ids(campaign_pk="campaign_a"), "office_a", readers=INSIDERS),
    "targets:unit": Route(ids(campaign_pk="campaign_a", unit_pk="unit_a"), "staff_a",
                          mixed={"staff_b": [ids(campaign_pk="campaign_b", unit_pk="unit_a")],
                                 "office_b": [ids(campaign_pk="campaign_b", unit_pk="unit_a")]}),
    "targets:progress": Route(ids(campaign_pk="campaign_a", unit_pk="unit_a"), "staff_a",
                              readers=("leader_a",),  # the cluster leader follows its members' numbers
                              post=lambda w: {f"value_{w.target_a.pk}": "999"},
                              mixed={"staff_b": [ids(campaign_pk="campaign_b", unit_pk="unit_a")]}),
    "targets:detail": Route(ids(pk="target_a"), "office_a", readers=INSIDERS),
    "targets:edit": Route(ids(pk="target_a"), "office_a"),
    "targets:delete": Route(ids(pk="target_a"), "office_a"),
    "targets:allocate": Route(ids(pk="target_a"), "office_a",
                              post=lambda w: {f"unit_{w.unit_a.pk}": "1"}),
    "targets:import": Route(ids(pk="target_a"), "office_a"),
    "targets:import_template": Route(ids(pk="target_a"), "office_a"),
}

PATTERNS = id_patterns()
ADMIN_KEYS = sorted(key for key, (namespace, _route) in PATTERNS.items() if namespace == f"{ADMIN_NAMESPACE}:")


# ---------------------------------------------------------------- fixtures and checks


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=hashers), django_db_blocker.unblock(), \
            transaction.atomic():
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media_root(world):
    """The world's files live in the module's media folder (not a folder per test, as in tests/conftest.py)."""


def _snapshot() -> dict:
    """A digest of every row of the project's tables (one query), and the stored files."""
    tables = sorted(
        model._meta.db_table for model in apps.get_models()
        if model._meta.app_label in CHECKED_APPS and model._meta.managed and not model._meta.proxy
        and model is not Permission  # 170 rows that no view writes
    )
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{table}', md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM {quote(table)} r"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = dict(cursor.fetchall())
    root = settings.MEDIA_ROOT
    rows["files"] = sorted(str(p) for p in root.rglob("*")) if root.exists() else []
    return rows


def _changes(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _to_login(response, login_url: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(login_url)


REFUSED = (403, 404, 405)


def _assert_refused(client: Client, urls: list[str], data: dict, who: str, *, methods=("get", "post"),
                    allow_login=False, status=True):
    """Every request is refused (or, for an anonymous visitor, sent to log in) and no row or file changes.
    With ``status=False`` only the second: a reader's POST to a read-only page shows the page again."""
    login_url = resolve_url(settings.LOGIN_URL)
    before = _snapshot()
    for url in urls:
        for method in methods:
            response = client.post(url, data) if method == "post" else client.get(url)
            ok = response.status_code in REFUSED or (allow_login and _to_login(response, login_url))
            ok = ok or not status and response.status_code in (200, 302)
            assert ok, f"{who} {method.upper()} {url}: {response.status_code} {response.get('Location', '')}"
    changed = _changes(before, _snapshot())
    assert not changed, f"{who} {' '.join(methods).upper()} {urls} changed {changed}"


# ---------------------------------------------------------------- the tests


def test_every_id_taking_url_is_covered():
    """A new view that takes an id must say here who may open it (or why it is public)."""
    portal = {key for key, (namespace, _route) in PATTERNS.items() if namespace != f"{ADMIN_NAMESPACE}:"}
    assert sorted(portal - set(ROUTES) - PUBLIC) == []
    assert sorted((set(ROUTES) | PUBLIC) - portal) == []  # no stale entry
    assert len(portal) == len(ROUTES) + len(PUBLIC) == 88


def _outsiders(route: Route) -> list[str]:
    """The route's outsiders; for the office's own pages also the campaign's units (its leader and a member),
    which take part in the campaign but do not run it, unless they read the page."""
    extra = [] if route.rightful != "office_a" else [u for u in INSIDERS if u not in (*route.readers, *route.outsiders)]
    return [*route.outsiders, *extra]


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_url_refuses_anonymous_and_outsiders(db, world, name):
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    data = route.post(world)
    _assert_refused(_client(), [url], data, "anonymous", allow_login=True)
    assert set(route.mixed) <= set(route.outsiders)
    for outsider in _outsiders(route):
        urls = [url] + [reverse(name, kwargs=kwargs(world)) for kwargs in route.mixed.get(outsider, [])]
        _assert_refused(_client(getattr(world, outsider)), urls, data, outsider)
    for reader in route.readers:
        _assert_refused(_client(getattr(world, reader)), [url], data, reader, methods=("post",), status=False)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_url_serves_the_rightful_user(db, world, name):
    """The ids are valid: the rightful user is served (a POST-only view answers GET with 405 and its POST
    is carried out), so the outsiders' 404 is a refusal."""
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    client = _client(getattr(world, route.rightful))
    response = client.get(url)
    served = (200, 302)
    if response.status_code == 405:
        response = client.post(url, route.post(world))
        served = (200, 302, 400)  # 400: the form's errors, on the page of the object the id found
    assert response.status_code in served, f"{route.rightful} {url}: {response.status_code}"
    if response.status_code == 302:
        assert not _to_login(response, resolve_url(settings.LOGIN_URL))


def _admin_kwargs(world, key: str) -> dict:
    _namespace, route = PATTERNS[key]
    if key == "admin:app_list":
        return {"app_label": "accounts"}
    if key == "admin:view_on_site":
        return {"content_type_id": ContentType.objects.get_for_model(Unit).pk, "object_id": world.unit_a.pk}
    match = re.search(r"django-admin/(\w+)/(\w+)/<", route)
    assert match, route
    model = apps.get_model(match[1], match[2])
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"the world has no {model._meta.label} for {route}"
    return {name: obj.pk for name in ("object_id", "id") if f"<{name}>" in route or f":{name}>" in route}


# The admin's catch-all (a 404 for any address it does not know, once logged in) takes the rest of the path.
ADMIN_CATCH_ALL = "django-admin/(?P<url>.*)$"


def _admin_url(world, key: str) -> str:
    namespace, route = PATTERNS[key]
    if key == ADMIN_CATCH_ALL:
        return "/django-admin/khong-co/"
    if key.startswith(namespace):
        return reverse(key, kwargs=_admin_kwargs(world, key))
    # The admin's unnamed "<path:object_id>/" redirect: fill the route in by hand.
    url = re.sub(r"<[^>]+>", str(next(iter(_admin_kwargs(world, key).values()))), route)
    return "/" + url


@pytest.mark.parametrize("key", ADMIN_KEYS)
def test_admin_url_is_for_staff_only(db, world, key):
    url = _admin_url(world, key)
    login_url = reverse("admin:login")
    clients = {who: _client(None if who == "anonymous" else getattr(world, who))
               for who in ("anonymous", "office_a", "admin", "staff_a")}
    before = _snapshot()
    for who, client in clients.items():
        for response in (client.get(url), client.post(url, {"post": "yes"})):
            assert _to_login(response, login_url), f"{who} {url}: {response.status_code}"
    assert not _changes(before, _snapshot())
    response = _client(world.superuser).get(url)
    # "View on site" is a 404 for models without get_absolute_url (none here has one), the catch-all by design.
    missing_is_right = key in ("admin:view_on_site", ADMIN_CATCH_ALL)
    assert response.status_code != 404 or missing_is_right, f"superuser {url}: {response.status_code}"
    assert response.status_code != 405, f"superuser {url}: {response.status_code}"
