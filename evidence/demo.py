"""Demo evidence for the past quarters of the district campaign (idempotent).

Written straight to the tables (past quarters are locked for the services),
with small PDF and PNG files generated here so the lists show real thumbnails.
"""

import hashlib
import io
import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageDraw

from campaigns.models import Cluster, Period
from campaigns.selectors import scored_criteria

from .models import DossierSubmission, Evidence, EvidenceFile
from .selectors import SENT_STATUSES

S = Evidence.Status
# unit code → statuses for the first criteria of the set, in order.
PLAN = {
    "GR-01": [S.ACCEPTED, S.ACCEPTED, S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.SUBMITTED],
    "GR-02": [S.SUBMITTED, S.RETURNED, S.DRAFT, S.ACCEPTED],
    "GR-03": [S.ACCEPTED, S.SUBMITTED, S.REJECTED],
    "GR-04": [S.DRAFT, S.SUBMITTED],
    "GR-06": [S.ACCEPTED, S.ACCEPTED, S.SUBMITTED],
}


def _png(text: str) -> bytes:
    image = Image.new("RGB", (480, 320), (11, 92, 171))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 300), outline=(255, 255, 255), width=4)
    draw.text((40, 140), text, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _pdf(text: str) -> bytes:
    page = Image.new("RGB", (595, 842), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    draw.text((60, 80), "BAO CAO KET QUA", fill=(0, 0, 0))
    draw.text((60, 120), text, fill=(0, 0, 0))
    out = io.BytesIO()
    page.save(out, "PDF", resolution=72)
    return out.getvalue()


def _attach(evidence: Evidence, name: str, data: bytes, content_type: str, user) -> None:
    extension = name.rsplit(".", 1)[1]
    now = timezone.now()
    stored = default_storage.save(f"evidence/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{extension}", ContentFile(data))
    EvidenceFile.objects.create(
        evidence=evidence, file=stored, original_name=name, size=len(data), content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by=user,
    )


def seed(demo: dict) -> None:
    campaign = demo["campaigns"]["district"]
    units, accounts = demo["units"], demo["accounts"]
    reviewer = accounts["reviewer"]
    now = timezone.now()
    periods = list(Period.objects.filter(campaign=campaign).order_by("order"))
    # Early in the year no quarter is past yet: then the first one gets the demo evidence.
    past = [p for p in periods if p.deadline < now] or periods[:1]
    criteria = list(scored_criteria(campaign).filter(category="base"))
    for period in past:
        for code, statuses in PLAN.items():
            unit = units[code]
            author = accounts["leader"] if code == "GR-01" else accounts["staff"] if code == "GR-02" else None
            for index, status in enumerate(statuses):
                criterion = criteria[(index + period.order) % len(criteria)]
                submitted = status != S.DRAFT
                max_points = criterion.max_points
                evidence, created = Evidence.objects.get_or_create(
                    period=period, unit=unit, criterion=criterion,
                    defaults={
                        "campaign": campaign, "status": status, "created_by": author,
                        "note": f"Minh chứng {criterion.code} của {unit.name}, {period.name}.",
                        "links": [f"https://www.facebook.com/doanthanhnien.{code.lower()}/posts/{period.order}{index}"],
                        "quantity": Decimal(criterion.target_quantity or 0) if criterion.method == "quantity" else None,
                        "self_score": max_points,
                        "submitted_at": period.deadline - timedelta(days=3) if submitted else None,
                        "submitted_by": author if submitted else None,
                        "score": max_points - Decimal("0.5") if status == S.ACCEPTED else None,
                        "review_remark": {
                            S.RETURNED: "Bổ sung hình ảnh hoạt động và văn bản kế hoạch có chữ ký, đóng dấu.",
                            S.REJECTED: "Minh chứng không đúng nội dung tiêu chí.",
                            S.ACCEPTED: "Đạt yêu cầu.",
                        }.get(status, ""),
                        "reviewed_by": reviewer if status in (S.ACCEPTED, S.RETURNED, S.REJECTED) else None,
                        "reviewed_at": period.deadline + timedelta(days=5)
                        if status in (S.ACCEPTED, S.RETURNED, S.REJECTED) else None,
                    },
                )
                if created and index < 2:
                    label = f"{unit.code} {criterion.code} {period.name}".encode("ascii", "ignore").decode()
                    _attach(evidence, f"bao-cao-{criterion.code}.pdf", _pdf(label), "application/pdf", author)
                    _attach(evidence, f"hinh-anh-{criterion.code}.png", _png(label), "image/png", author)
        cluster = Cluster.objects.filter(campaign=campaign, leader_unit=units["GR-01"]).first()
        if cluster and not DossierSubmission.objects.filter(cluster=cluster, period=period).exists():
            sent = Evidence.objects.filter(period=period, unit__cluster_memberships__cluster=cluster,
                                           status__in=SENT_STATUSES).prefetch_related("files")
            items = [{"id": e.pk, "unit_id": e.unit_id, "criterion_id": e.criterion_id, "status": e.status,
                      "version": e.version,
                      "files": [{"id": f.pk, "sha256": f.sha256, "size": f.size} for f in e.files.all()]}
                     for e in sent]
            DossierSubmission.objects.create(
                cluster=cluster, period=period, submitted_by=accounts["leader"],
                submitted_at=period.deadline - timedelta(days=1), on_time=True, snapshot={"evidence": items},
                evidence_count=len(items), file_count=sum(len(i["files"]) for i in items),
            )
