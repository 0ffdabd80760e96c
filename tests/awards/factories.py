from datetime import date

import factory

from awards.models import Award, AwardDecision, AwardRule, BaseSalary
from awards.services import verification_code_new
from scoring.models import ClusterScore, UnitScore
from tests.factories import AwardFormFactory, CampaignFactory, ClusterFactory, OfficeUnitFactory, PeriodFactory


class AwardRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardRule

    campaign = factory.SubFactory(CampaignFactory)
    award_form = factory.SubFactory(AwardFormFactory, issuer_unit=factory.SelfAttribute("..campaign.issuing_unit"))
    recipient_kind = AwardRule.RecipientKind.CLUSTER
    count = 1
    reason_template = "Đã có thành tích xuất sắc, dẫn đầu {standing}"


class AwardDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardDecision

    campaign = factory.SubFactory(CampaignFactory)
    issuer_unit = factory.SelfAttribute("campaign.issuing_unit")
    issuer_name = "Ban Thường vụ Huyện đoàn Giồng Riềng"
    title = "Về việc khen thưởng các tập thể có thành tích xuất sắc"
    place = "Giồng Riềng"
    signer_title = "TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN\nPHÓ BÍ THƯ"
    signer_name = "Võ Văn An"
    legal_basis = "Căn cứ Điều lệ Đoàn TNCS Hồ Chí Minh;"


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award

    decision = factory.SubFactory(AwardDecisionFactory)
    award_form = factory.SubFactory(AwardFormFactory, issuer_unit=factory.SelfAttribute("..decision.issuer_unit"))
    recipient_kind = Award.RecipientKind.PERSON
    person_name = factory.Sequence(lambda n: f"Nguyễn Thị Hồng {n}")
    recipient_name = factory.SelfAttribute("person_name")
    reason = "Đã có thành tích xuất sắc trong công tác Đoàn và phong trào thanh thiếu nhi năm 2024"
    code = factory.LazyFunction(verification_code_new)
    order = factory.Sequence(lambda n: n + 1)


class ClusterScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClusterScore

    period = factory.SubFactory(PeriodFactory)
    campaign = factory.SelfAttribute("period.campaign")
    cluster = factory.SubFactory(ClusterFactory, campaign=factory.SelfAttribute("..campaign"))


class UnitScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitScore

    period = factory.SubFactory(PeriodFactory)
    campaign = factory.SelfAttribute("period.campaign")


class BaseSalaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BaseSalary

    amount = 2_340_000
    effective_from = date(2024, 7, 1)


__all__ = ["OfficeUnitFactory"]
