"""Demo campaigns built on the facts of the plans in shared/seeds.

* The district plan (seed 003): clusters compile the criteria set's evidence
  quarterly; cluster leaders submit by 10/6, 10/9 and 10/10; the office adds a
  year-end deadline of 10/12 for the fourth quarter. Dated in the current year
  so that the demo has an open period.
* The provincial plan 2020 (seed 000): two phases and the numbered targets.
"""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from accounts.models import Unit, User
from targets.models import Target

from .deadlines import end_of_day_ict
from .models import Campaign, Cluster, ClusterMember, Criterion, Period

D = Decimal
# (code, title, kind, max, method, category, target_quantity, evidence_required)
DISTRICT_CRITERIA = [
    ("I", "CÔNG TÁC GIÁO DỤC CHÍNH TRỊ, TƯ TƯỞNG", "section", 20, "", "base", None, ""),
    ("I.1", "Tổ chức học tập, quán triệt Nghị quyết của Đảng, của Đoàn cho 100% cán bộ, đoàn viên", "criterion", 4, "binary", "base", None, "Kế hoạch, báo cáo kết quả, hình ảnh"),
    ("I.2", "Tổ chức hoạt động kỷ niệm các ngày lễ lớn, sự kiện lịch sử của đất nước, của Đoàn", "criterion", 3, "binary", "base", None, "Kế hoạch, hình ảnh hoạt động"),
    ("I.3", "Tuyên truyền trên không gian mạng: số tin, bài đăng trên trang của đơn vị", "criterion", 4, "quantity", "base", 30, "Danh sách đường dẫn tin, bài"),
    ("I.4", "Duy trì sinh hoạt chủ điểm hằng tháng ở các chi đoàn", "criterion", 3, "judgement", "base", None, "Biên bản sinh hoạt, hình ảnh"),
    ("I.5", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "criterion", 3, "judgement", "base", None, "Báo cáo, gương điển hình"),
    ("I.6", "Giáo dục truyền thống, lý tưởng cách mạng cho đoàn viên, thanh niên", "criterion", 3, "binary", "base", None, "Kế hoạch, hình ảnh"),
    ("II", "CÁC PHONG TRÀO HÀNH ĐỘNG CÁCH MẠNG", "section", 35, "", "base", None, ""),
    ("II.1", "Phong trào “Thanh niên tình nguyện”", "section", 15, "", "base", None, ""),
    ("II.1.a", "Đăng ký và thực hiện công trình, phần việc thanh niên", "criterion", 5, "quantity", "base", 3, "Quyết định công nhận, hình ảnh công trình"),
    ("II.1.b", "Trồng mới cây xanh", "criterion", 4, "quantity", "base", 500, "Báo cáo số lượng, hình ảnh"),
    ("II.1.c", "Ra quân Chiến dịch Thanh niên tình nguyện hè", "criterion", 3, "binary", "base", None, "Kế hoạch, hình ảnh lễ ra quân"),
    ("II.1.d", "Vận động đoàn viên, thanh niên hiến máu tình nguyện", "criterion", 3, "quantity", "base", 20, "Danh sách, giấy chứng nhận"),
    ("II.2", "Phong trào “Tuổi trẻ sáng tạo”", "section", 6, "", "base", None, ""),
    ("II.2.a", "Sáng kiến, giải pháp của đoàn viên, thanh niên được công nhận", "criterion", 3, "quantity", "base", 2, "Quyết định công nhận"),
    ("II.2.b", "Hỗ trợ thanh niên khởi nghiệp, lập nghiệp", "criterion", 3, "judgement", "base", None, "Báo cáo, hồ sơ hỗ trợ"),
    ("II.3", "Phong trào “Tuổi trẻ xung kích bảo vệ Tổ quốc”", "section", 8, "", "base", None, ""),
    ("II.3.a", "Tham gia công tác tuyển chọn, gọi công dân nhập ngũ", "criterion", 3, "binary", "base", None, "Báo cáo, danh sách"),
    ("II.3.b", "Duy trì đội thanh niên xung kích giữ gìn an ninh trật tự", "criterion", 3, "judgement", "base", None, "Quyết định thành lập, nhật ký hoạt động"),
    ("II.3.c", "Tuyên truyền phòng, chống tội phạm, ma túy trong thanh thiếu niên", "criterion", 2, "binary", "base", None, "Kế hoạch, hình ảnh"),
    ("II.4", "Tư vấn hướng nghiệp, giới thiệu việc làm cho thanh niên", "criterion", 3, "quantity", "base", 50, "Danh sách lượt tư vấn"),
    ("II.5", "Hoạt động an sinh xã hội: nhà nhân ái, quà cho thiếu nhi có hoàn cảnh khó khăn", "criterion", 3, "judgement", "base", None, "Biên bản bàn giao, hình ảnh"),
    ("III", "XÂY DỰNG TỔ CHỨC ĐOÀN, HỘI VỮNG MẠNH", "section", 30, "", "base", None, ""),
    ("III.1", "Kết nạp đoàn viên mới", "criterion", 5, "quantity", "base", 20, "Quyết định kết nạp"),
    ("III.2", "Chất lượng sinh hoạt chi đoàn", "criterion", 4, "judgement", "base", None, "Biên bản sinh hoạt"),
    ("III.3", "Giới thiệu đoàn viên ưu tú cho Đảng xem xét kết nạp", "criterion", 4, "quantity", "base", 3, "Danh sách giới thiệu"),
    ("III.4", "Thu, nộp đoàn phí đúng quy định", "criterion", 3, "binary", "base", None, "Biên lai, sổ đoàn phí"),
    ("III.5", "Công tác Hội: phát triển hội viên mới", "criterion", 4, "quantity", "base", 30, "Danh sách hội viên mới"),
    ("III.6", "Đánh giá, xếp loại chất lượng đoàn viên", "criterion", 3, "binary", "base", None, "Báo cáo kết quả đánh giá"),
    ("III.7", "Thực hiện chế độ thông tin, báo cáo đúng thời hạn", "criterion", 3, "binary", "base", None, "Văn bản báo cáo"),
    ("III.8", "Công tác kiểm tra, giám sát của Đoàn", "criterion", 4, "binary", "base", None, "Kế hoạch, biên bản kiểm tra"),
    ("IV", "CÔNG TÁC ĐỘI VÀ PHONG TRÀO THIẾU NHI", "section", 15, "", "base", None, ""),
    ("IV.1", "Phụ trách Đội, tổ chức sinh hoạt hè cho thiếu nhi tại địa bàn dân cư", "criterion", 5, "judgement", "base", None, "Kế hoạch hè, hình ảnh"),
    ("IV.2", "Nhận đỡ đầu học sinh có hoàn cảnh khó khăn", "criterion", 5, "quantity", "base", 5, "Danh sách, biên bản"),
    ("IV.3", "Xây dựng, duy trì điểm vui chơi cho thiếu nhi", "criterion", 5, "binary", "base", None, "Hình ảnh điểm vui chơi"),
    ("V", "ĐIỂM THƯỞNG, ĐIỂM TRỪ", "section", 0, "", "base", None, ""),
    ("V.1", "Mô hình mới, cách làm hay được cấp trên biểu dương, nhân rộng", "criterion", 5, "judgement", "bonus", None, "Văn bản biểu dương"),
    ("V.2", "Gửi minh chứng trễ hạn hoặc không đầy đủ theo yêu cầu", "criterion", 5, "binary", "penalty", None, "Do Văn phòng Huyện đoàn xác định"),
]

CLUSTERS = [  # name, member unit indexes (1-based), leader index, deputy index
    ("Cụm thi đua số 1", [1, 2, 3, 4, 5], 1, 3),
    ("Cụm thi đua số 2", [6, 7, 8, 9, 10], 7, 8),
    ("Cụm thi đua số 3", [11, 12, 13, 14, 15], 11, 13),
    ("Cụm thi đua số 4", [16, 17, 18, 19, 20], 20, 16),
]

# (code, name, unit of measure, kind, total) — the numbered targets of the provincial plan 2020.
PROVINCIAL_TARGETS = [
    ("1a", "Cán bộ, đoàn viên học tập, quán triệt các Nghị quyết của Đảng, Đoàn", "%", "percentage", 100),
    ("1b", "Thanh niên học tập, quán triệt các Nghị quyết của Đảng, Đoàn", "%", "percentage", 80),
    ("2", "Xây dựng mới mô hình, giải pháp tư vấn, hỗ trợ thanh thiếu niên yếu thế", "mô hình", "count", 13),
    ("3", "Trồng mới cây xanh", "cây", "count", 27000),
    ("4", "Hỗ trợ mô hình khởi nghiệp sáng tạo của thanh niên", "mô hình", "count", 4),
    ("5a", "Tư vấn hướng nghiệp cho thanh thiếu niên", "lượt", "count", 15000),
    ("5b", "Giới thiệu việc làm cho thanh niên", "thanh niên", "count", 4000),
    ("6a", "Công trình thanh niên cấp tỉnh", "công trình", "count", 2),
    ("6b", "Công trình thanh niên cấp huyện", "công trình", "count", 16),
    ("6c", "Công trình thanh niên cấp cơ sở", "công trình", "count", 315),
    ("7", "Xây dựng mới điểm sinh hoạt, vui chơi cho thanh thiếu nhi", "điểm", "count", 15),
    ("8a", "Nhận đỡ đầu học sinh", "em", "count", 300),
    ("8b", "Hỗ trợ, giúp đỡ thiếu nhi có hoàn cảnh khó khăn", "em", "count", 29000),
    ("9", "Kết nạp đoàn viên mới", "đoàn viên", "count", 7000),
    ("10a", "Giới thiệu đoàn viên ưu tú cho Đảng", "đoàn viên", "count", 1200),
    ("10b", "Tỷ lệ đoàn viên ưu tú được kết nạp Đảng so với đảng viên mới", "%", "percentage", 70),
]


def seed_district_campaign(units: dict[str, Unit], accounts: dict[str, User], year: int | None = None) -> Campaign:
    year = year or timezone.localdate().year
    campaign, _ = Campaign.objects.update_or_create(
        issuing_unit=units["HD-GR"],
        number=f"05-KHPH/HĐ-HLHTN-{year}",
        defaults={
            "title": (
                "Phát động thi đua tổng hợp các tiêu chí minh chứng công tác Đoàn, Hội "
                f"và phong trào thanh thiếu nhi năm {year}"
            ),
            "theme": "Tuổi trẻ Giồng Riềng đoàn kết, xung kích, sáng tạo",
            "legal_basis": "\n".join([
                f"Căn cứ Chương trình Công tác Đoàn - Hội và phong trào thanh thiếu nhi năm {year};",
                f"Căn cứ Bộ tiêu chí bình xét thi đua Công tác Đoàn - Hội và phong trào thanh thiếu nhi năm {year};",
                f"Căn cứ Thông báo số 42-TB/ĐTN ngày 04/12/{year - 1} của Ban Chấp hành Huyện đoàn về việc chia cụm "
                "và phân công theo dõi, chỉ đạo cụm thi đua;",
            ]),
            "purpose": (
                "Tạo phong trào thi đua sôi nổi trong các cụm thi đua; biểu dương, khen thưởng các tập thể có "
                "thành tích tiêu biểu, xuất sắc trong tổng hợp các tiêu chí minh chứng."
            ),
            "start_date": date(year, 1, 1),
            "end_date": date(year, 12, 31),
            "place": "Giồng Riềng",
            "signer_title": "TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN\nPHÓ BÍ THƯ",
            "signer_name": "Võ Văn An",
            "status": Campaign.Status.LAUNCHED,
            "created_by": accounts["admin"],
        },
    )
    quarters = [
        (1, "Quý I", date(year, 1, 1), date(year, 3, 31), date(year, 6, 10)),
        (2, "Quý II", date(year, 4, 1), date(year, 6, 30), date(year, 9, 10)),
        (3, "Quý III", date(year, 7, 1), date(year, 9, 30), date(year, 10, 10)),
        (4, "Quý IV", date(year, 10, 1), date(year, 12, 31), date(year, 12, 10)),
    ]
    for order, name, start, end, deadline in quarters:
        Period.objects.update_or_create(
            campaign=campaign, order=order,
            defaults={"name": name, "kind": Period.Kind.QUARTER, "start_date": start, "end_date": end,
                      "deadline": end_of_day_ict(deadline)},
        )
    seed_criteria(campaign)
    for order, (name, members, leader, deputy) in enumerate(CLUSTERS, start=1):
        cluster, _ = Cluster.objects.update_or_create(
            campaign=campaign, name=name,
            defaults={"order": order, "leader_unit": units[f"GR-{leader:02d}"],
                      "deputy_unit": units[f"GR-{deputy:02d}"],
                      "follower": accounts["reviewer"] if order <= 2 else accounts["office2"]},
        )
        for index in members:
            ClusterMember.objects.update_or_create(
                campaign=campaign, unit=units[f"GR-{index:02d}"], defaults={"cluster": cluster}
            )
    return campaign


def seed_criteria(campaign: Campaign) -> None:
    by_code: dict[str, Criterion] = {}
    for order, (code, title, kind, max_points, method, category, target_qty, evidence) in enumerate(
        DISTRICT_CRITERIA, start=1
    ):
        parent_code = code.rsplit(".", 1)[0] if "." in code else None
        by_code[code], _ = Criterion.objects.update_or_create(
            campaign=campaign, code=code,
            defaults={
                "parent": by_code.get(parent_code) if parent_code else None,
                "title": title, "kind": kind, "max_points": D(max_points),
                "method": method or Criterion.Method.BINARY, "category": category,
                "target_quantity": D(target_qty) if target_qty is not None else None,
                "evidence_required": evidence, "order": order * 10,
            },
        )


def seed_provincial_campaign(units: dict[str, Unit], accounts: dict[str, User]) -> Campaign:
    campaign, _ = Campaign.objects.update_or_create(
        issuing_unit=units["TD-KG"],
        number="52-KH/TĐTN-VP",
        defaults={
            "title": (
                "Phát động thi đua thực hiện nhiệm vụ công tác Đoàn và phong trào thanh thiếu nhi góp phần phát "
                "triển kinh tế - xã hội năm 2020"
            ),
            "theme": "Lập thành tích chào mừng Đại hội Đảng các cấp, nhiệm kỳ 2020 - 2025",
            "legal_basis": (
                "Thực hiện Chỉ thị số 01/CT-UBND ngày 03/01/2020 của Ủy ban nhân dân tỉnh về việc phát động năm "
                "thi đua cao điểm;"
            ),
            "start_date": date(2020, 1, 1),
            "end_date": date(2020, 12, 31),
            "place": "Rạch Giá",
            "signer_title": "TM. BAN THƯỜNG VỤ TỈNH ĐOÀN\nBÍ THƯ",
            "signer_name": "Nguyễn Văn Hải",
            "status": Campaign.Status.CLOSED,
            "year_aggregation": Campaign.YearAggregation.SUM,
            "created_by": accounts["admin"],
        },
    )
    phases = [
        (1, "Đợt 1", date(2020, 1, 1), date(2020, 6, 30), date(2020, 7, 10)),
        (2, "Đợt 2", date(2020, 7, 1), date(2020, 12, 31), date(2021, 1, 10)),
    ]
    for order, name, start, end, deadline in phases:
        Period.objects.update_or_create(
            campaign=campaign, order=order,
            defaults={"name": name, "kind": Period.Kind.PHASE, "start_date": start, "end_date": end,
                      "deadline": end_of_day_ict(deadline)},
        )
    for order, (code, name, measure, kind, total) in enumerate(PROVINCIAL_TARGETS, start=1):
        Target.objects.update_or_create(
            campaign=campaign, code=code,
            defaults={"name": name, "unit_of_measure": measure, "kind": kind, "total": D(total), "order": order},
        )
    return campaign


def seed(demo: dict) -> None:
    demo["campaigns"] = {
        "district": seed_district_campaign(demo["units"], demo["accounts"]),
        "provincial": seed_provincial_campaign(demo["units"], demo["accounts"]),
    }
