"""The four awards of the district plan 2024 (seed 003): two issuers, two awards each,
with the rules that propose them from the standing, two certificate designs and the base salary."""

from datetime import date

from accounts.models import Unit
from campaigns.models import Campaign

from .models import AwardForm, AwardRule, BaseSalary, CertificateTemplate

AWARDS = [
    ("doan", "Ban Thường vụ Huyện đoàn Giồng Riềng", "Giấy khen Cụm thi đua dẫn đầu", 1_000_000,
     "Cụm thi đua dẫn đầu tổng hợp các tiêu chí minh chứng (công tác Đoàn)"),
    ("doan", "Ban Thường vụ Huyện đoàn Giồng Riềng", "Giấy khen Cụm trưởng xuất sắc", 500_000,
     "Cụm trưởng có thành tích xuất sắc trong tổng hợp các tiêu chí minh chứng (công tác Đoàn)"),
    ("hoi", "Ủy ban Hội LHTN Việt Nam huyện Giồng Riềng", "Giấy khen Cụm thi đua dẫn đầu", 1_000_000,
     "Cụm thi đua dẫn đầu tổng hợp các tiêu chí minh chứng (công tác Hội)"),
    ("hoi", "Ủy ban Hội LHTN Việt Nam huyện Giồng Riềng", "Giấy khen Cụm trưởng xuất sắc", 500_000,
     "Cụm trưởng có thành tích xuất sắc trong tổng hợp các tiêu chí minh chứng (công tác Hội)"),
]

# (award name, organisation, recipient kind, reason printed on the certificate)
RULES = [
    ("Giấy khen Cụm thi đua dẫn đầu", "doan", "cluster",
     "Đã có thành tích xuất sắc, dẫn đầu các cụm thi đua trong tổng hợp các tiêu chí minh chứng công tác Đoàn ({standing})"),
    ("Giấy khen Cụm trưởng xuất sắc", "doan", "cluster_leader_unit",
     "Đã có thành tích xuất sắc trong vai trò Cụm trưởng {cluster}, tổng hợp các tiêu chí minh chứng công tác Đoàn ({standing})"),
    ("Giấy khen Cụm thi đua dẫn đầu", "hoi", "cluster",
     "Đã có thành tích xuất sắc, dẫn đầu các cụm thi đua trong tổng hợp các tiêu chí minh chứng công tác Hội ({standing})"),
    ("Giấy khen Cụm trưởng xuất sắc", "hoi", "cluster_leader_unit",
     "Đã có thành tích xuất sắc trong vai trò Cụm trưởng {cluster}, tổng hợp các tiêu chí minh chứng công tác Hội ({standing})"),
]

# Mức lương cơ sở: Nghị định 24/2023/NĐ-CP and 73/2024/NĐ-CP.
BASE_SALARIES = [
    (date(2023, 7, 1), 1_800_000, "Nghị định 24/2023/NĐ-CP"),
    (date(2024, 7, 1), 2_340_000, "Nghị định 73/2024/NĐ-CP"),
]


def seed_award_forms(units: dict[str, Unit]) -> list[AwardForm]:
    forms = []
    for organisation, issuer, name, amount, description in AWARDS:
        form, _ = AwardForm.objects.update_or_create(
            issuer_unit=units["HD-GR"], organisation=organisation, name=name,
            defaults={"issuer_name": issuer, "amount": amount, "description": description},
        )
        forms.append(form)
    return forms


def seed_rules(campaign: Campaign, forms: list[AwardForm]) -> None:
    by_key = {(form.name, form.organisation): form for form in forms}
    for order, (name, organisation, kind, reason) in enumerate(RULES, start=1):
        AwardRule.objects.update_or_create(
            campaign=campaign, award_form=by_key[(name, organisation)], recipient_kind=kind,
            defaults={"count": 1, "scope": AwardRule.Scope.BOTH, "reason_template": reason, "order": order},
        )


def seed_templates(units: dict[str, Unit]) -> None:
    CertificateTemplate.objects.update_or_create(
        name="Giấy khen Đoàn — viền đỏ vàng", defaults={
            "layout": "classic", "colour": "#b3261e", "accent_colour": "#c9a227", "border": "double",
            "issuer_unit": units["HD-GR"], "organisation": "doan"},
    )
    CertificateTemplate.objects.update_or_create(
        name="Giấy khen Hội — khung xanh", defaults={
            "layout": "ribbon", "colour": "#0b5394", "accent_colour": "#c9a227", "border": "solid",
            "issuer_unit": units["HD-GR"], "organisation": "hoi"},
    )


def seed(demo: dict) -> None:
    demo["award_forms"] = seed_award_forms(demo["units"])
    for day, amount, basis in BASE_SALARIES:
        BaseSalary.objects.update_or_create(effective_from=day, defaults={"amount": amount, "legal_basis": basis})
    seed_templates(demo["units"])
    district = demo.get("campaigns", {}).get("district")
    if district is not None:
        seed_rules(district, demo["award_forms"])
