from datetime import date

import pytest

from awards.documents import SafeURLFetcher, _render, certificate_html, certificate_pdf, decision_pdf
from awards.services import decision_issue
from tests.awards.factories import AwardFactory
from tests.awards.pdf import page_size_points, pdf_fonts, pdf_info, pdf_text, rasterise
from tests.factories import OfficeUserFactory

pytestmark = pytest.mark.django_db


def _issued_award(**award_fields):
    award = AwardFactory(**award_fields)
    user = OfficeUserFactory(unit=award.decision.issuer_unit)
    decision_issue(decision=award.decision, user=user, number="45-QĐ/ĐTN", date=date(2024, 12, 20),
                   place="Giồng Riềng", signer_title="TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN / PHÓ BÍ THƯ",
                   signer_name="Võ Văn An")
    award.refresh_from_db()
    return award


def test_certificate_pdf_is_a4_landscape_with_vietnamese_text_and_embedded_serif(tmp_path):
    award = _issued_award(person_name="Trần Thị Ánh Nguyệt", recipient_name="Trần Thị Ánh Nguyệt")
    path = tmp_path / "giay-khen.pdf"
    certificate_pdf(award, str(path))

    text = pdf_text(path)
    assert "ĐOÀN TNCS HỒ CHÍ MINH" in text
    assert "BAN THƯỜNG VỤ HUYỆN ĐOÀN GIỒNG RIỀNG" in text
    assert "TẶNG GIẤY KHEN" in text
    assert "Trần Thị Ánh Nguyệt" in text
    assert "Giồng Riềng, ngày 20 tháng 12 năm 2024" in text
    assert "PHÓ BÍ THƯ" in text
    assert "45-QĐ/ĐTN" in text
    assert award.code in text
    assert page_size_points(path) == (842, 595)
    assert pdf_info(path)["Pages"] == "1"
    fonts = pdf_fonts(path)
    assert fonts and all("Liberation-Serif" in row[0] for row in fonts)
    assert all(row[-5] == "yes" for row in fonts)  # the "emb" column
    assert len(rasterise(path, tmp_path)) == 1


def test_certificate_of_the_hoi_prints_the_hoi_heading(tmp_path):
    award = _issued_award(decision__organisation="hoi",
                          decision__issuer_name="Ủy ban Hội LHTN Việt Nam huyện Giồng Riềng")
    path = tmp_path / "hoi.pdf"
    certificate_pdf(award, str(path))
    text = pdf_text(path)
    assert "HỘI LHTN VIỆT NAM" in text
    assert "ỦY BAN HỘI LHTN VIỆT NAM HUYỆN GIỒNG RIỀNG" in text
    assert "ĐOÀN TNCS HỒ CHÍ MINH" not in text


def test_certificate_prints_a_hostile_recipient_name_as_text(tmp_path):
    name = '<img src="file:///etc/passwd">'
    award = _issued_award(person_name=name, recipient_name=name)
    path = tmp_path / "escaped.pdf"
    certificate_pdf(award, str(path))
    text = pdf_text(path)
    assert '<img src="file:///etc/passwd">' in text
    assert "root:" not in text


def test_fetcher_refuses_file_and_network_urls_and_serves_static_and_data(tmp_path):
    fetcher = SafeURLFetcher()
    html = (
        '<html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head><body>'
        '<img src="file:///etc/passwd"><img src="https://example.org/logo.png">'
        '<img src="static:awards/corner.png"><img src="static:../../etc/passwd">'
        '<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=">'
        "<p>An toàn</p></body></html>"
    )
    path = tmp_path / "probe.pdf"
    _render(html, str(path), fetcher)
    assert fetcher.refused == [
        "http://127.0.0.1:9/x.css", "file:///etc/passwd", "https://example.org/logo.png",
        "static:../../etc/passwd",
    ]
    assert "root:" not in pdf_text(path)


def test_fetcher_refuses_file_and_http_directly():
    fetcher = SafeURLFetcher()
    for url in ("file:///etc/passwd", "http://example.org/", "https://example.org/", "ftp://example.org/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("static:awards/corner.png").read().startswith(b"\x89PNG")


def test_decision_pdf_is_a4_portrait_with_format_and_page_numbers_from_page_two(tmp_path):
    first = AwardFactory(person_name="Lê Văn Bình", recipient_name="Lê Văn Bình")
    for _ in range(39):  # enough rows for a second page
        AwardFactory(decision=first.decision, award_form=first.award_form)
    user = OfficeUserFactory(unit=first.decision.issuer_unit)
    decision = decision_issue(decision=first.decision, user=user, number="45-QĐ/ĐTN", date=date(2024, 12, 20),
                              place="Giồng Riềng", signer_title="TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN / PHÓ BÍ THƯ",
                              signer_name="Võ Văn An")
    path = tmp_path / "quyet-dinh.pdf"
    decision_pdf(decision, str(path))

    text = pdf_text(path)
    assert "ĐOÀN TNCS HỒ CHÍ MINH" in text
    assert "Số: 45-QĐ/ĐTN" in text
    assert "***" in text
    assert "Giồng Riềng, ngày 20 tháng 12 năm 2024" in text
    assert "QUYẾT ĐỊNH" in text
    assert "Căn cứ Điều lệ Đoàn TNCS Hồ Chí Minh;" in text
    assert "Điều 1." in text
    assert "Lê Văn Bình" in text
    assert "Tổng cộng" in text
    assert "40.000.000 đồng" in text
    assert "Nơi nhận:" in text
    assert "Võ Văn An" in text
    assert page_size_points(path) == (595, 842)
    pages = int(pdf_info(path)["Pages"])
    assert pages >= 2
    page_texts = text.split("\f")
    assert page_texts[0].split()[0] == "BAN"  # no number on the first page
    assert page_texts[1].split()[0] == "2"
    assert all(row[-5] == "yes" for row in pdf_fonts(path))
    assert len(rasterise(path, tmp_path)) == pages


def test_template_choice_prefers_the_most_specific_active_template():
    from awards.models import CertificateTemplate
    from awards.selectors import template_for

    award = AwardFactory()
    decision = award.decision
    assert template_for(decision) is None
    shared = CertificateTemplate.objects.create(name="Chung")
    CertificateTemplate.objects.create(name="Hội", issuer_unit=decision.issuer_unit, organisation="hoi")
    by_issuer = CertificateTemplate.objects.create(name="Đơn vị", issuer_unit=decision.issuer_unit)
    assert template_for(decision) == by_issuer
    by_campaign = CertificateTemplate.objects.create(name="Phong trào", campaign=decision.campaign)
    CertificateTemplate.objects.create(name="Tắt", campaign=decision.campaign, issuer_unit=decision.issuer_unit,
                                       is_active=False)
    assert template_for(decision) == by_campaign
    decision.certificate_template = shared
    assert template_for(decision) == shared


def test_ribbon_template_renders_with_its_colour(tmp_path):
    from awards.models import CertificateTemplate

    award = _issued_award(person_name="Võ Thị Sáu", recipient_name="Võ Thị Sáu")
    template = CertificateTemplate.objects.create(name="Xanh", layout="ribbon", colour="#0b5394")
    path = tmp_path / "ribbon.pdf"
    certificate_pdf(award, str(path), template=template)
    assert "Võ Thị Sáu" in pdf_text(path)
    assert page_size_points(path) == (842, 595)
    assert "#0b5394" in certificate_html(award, template)


def test_certificate_of_a_draft_is_marked_as_draft(tmp_path):
    award = AwardFactory()
    path = tmp_path / "draft.pdf"
    certificate_pdf(award, str(path))
    assert "DỰ THẢO — CHƯA CÓ GIÁ TRỊ" in pdf_text(path)
    issued = _issued_award()
    certificate_pdf(issued, str(path))
    assert "DỰ THẢO" not in pdf_text(path)
