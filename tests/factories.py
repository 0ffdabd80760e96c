"""factory_boy factories for every model; tests build exactly the rows they need."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Unit, User
from awards.models import AwardForm
from campaigns.deadlines import end_of_day_ict
from campaigns.models import Campaign, Cluster, ClusterMember, Criterion, Period
from evidence.models import Evidence, EvidenceFile
from targets.models import Target, TargetAllocation

PASSWORD = "mat-khau-kiem-thu-1"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U-{n:04d}")
    name = factory.Sequence(lambda n: f"Đoàn xã Thử nghiệm {n}")
    level = Unit.Level.GRASSROOTS
    member_count = 100


class OfficeUnitFactory(UnitFactory):
    level = Unit.Level.DISTRICT
    name = factory.Sequence(lambda n: f"Huyện đoàn Thử nghiệm {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Người dùng {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    unit = factory.SubFactory(UnitFactory)
    role = User.Role.STAFF

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class AdminFactory(UserFactory):
    role = User.Role.ADMIN
    unit = factory.SubFactory(OfficeUnitFactory)


class OfficeUserFactory(UserFactory):
    role = User.Role.OFFICE
    unit = factory.SubFactory(OfficeUnitFactory)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    issuing_unit = factory.SubFactory(OfficeUnitFactory)
    number = factory.Sequence(lambda n: f"{n}-KH/ĐTN")
    title = factory.Sequence(lambda n: f"Phong trào thi đua số {n}")
    start_date = date(2024, 1, 1)
    end_date = date(2024, 12, 31)
    status = Campaign.Status.LAUNCHED


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Quý {n}")
    order = factory.Sequence(lambda n: n + 1)
    start_date = date(2024, 4, 1)
    end_date = date(2024, 6, 30)
    # Open by default: the deadline is ten days from now, 23:59:59 ICT.
    deadline = factory.LazyFunction(lambda: end_of_day_ict(timezone.localdate() + timedelta(days=10)))


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Cụm thi đua số {n}")


class ClusterMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClusterMember

    cluster = factory.SubFactory(ClusterFactory)
    campaign = factory.SelfAttribute("cluster.campaign")
    unit = factory.SubFactory(UnitFactory)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"I.{n}")
    title = factory.Sequence(lambda n: f"Tiêu chí {n}")
    kind = Criterion.Kind.CRITERION
    max_points = Decimal("10")
    method = Criterion.Method.JUDGEMENT
    order = factory.Sequence(lambda n: n)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"CT{n}")
    name = factory.Sequence(lambda n: f"Chỉ tiêu {n}")
    unit_of_measure = "cây"
    total = Decimal("1000")


class TargetAllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetAllocation

    target = factory.SubFactory(TargetFactory)
    unit = factory.SubFactory(UnitFactory)
    amount = Decimal("100")


class AwardFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardForm

    name = "Giấy khen"
    issuer_unit = factory.SubFactory(OfficeUnitFactory)
    issuer_name = "Ban Thường vụ Huyện đoàn"
    amount = 1_000_000


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    period = factory.SubFactory(PeriodFactory)
    campaign = factory.SelfAttribute("period.campaign")
    unit = factory.SubFactory(UnitFactory)
    criterion = factory.SubFactory(CriterionFactory, campaign=factory.SelfAttribute("..campaign"))
    status = Evidence.Status.DRAFT


class EvidenceFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceFile

    evidence = factory.SubFactory(EvidenceFactory)
    file = factory.django.FileField(filename="bao-cao.pdf", data=b"%PDF-1.4\n%test\n")
    original_name = "bao-cao.pdf"
    size = 15
    content_type = "application/pdf"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
