"""The period summary report (báo cáo sơ kết) rendered two ways from one :class:`PeriodSummary`:
a PDF in the award decisions' document format (WeasyPrint) and an Excel workbook, a sheet per table.

The chart of the targets is an SVG drawn here, on the server, and put inline
in the HTML: WeasyPrint draws it as vectors, no script and no image file.
"""

from decimal import Decimal
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.templatetags.formatting import number

from .exports.targets import achievement_columns, achievement_row
from .exports.writer import ExportColumn, ExportWorkbook
from .summary import PeriodSummary

CHART_WIDTH = 160  # mm: the text width of an A4 portrait page with the decree's margins
BAR_HEIGHT = 6
BAR_GAP = 3
LABEL_WIDTH = 62
SCALE_MAX = Decimal("120")  # bars longer than 120 % are drawn to the edge, the label says the number


def target_chart_svg(summary: PeriodSummary) -> str:
    """A horizontal bar per target: achieved % of its goal, with a tick at the share expected by now."""
    rows = summary.targets
    if not rows:
        return ""
    plot = CHART_WIDTH - LABEL_WIDTH - 16
    height = len(rows) * (BAR_HEIGHT + BAR_GAP) + 12

    def x(percent: Decimal) -> float:
        return LABEL_WIDTH + float(min(max(percent, Decimal("0")), SCALE_MAX) / SCALE_MAX) * plot

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}mm" height="{height}mm" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" font-family="Times New Roman, Liberation Serif, serif" '
        f'font-size="3.2" role="img">'
    ]
    for tick in (0, 50, 100):
        tx = x(Decimal(tick))
        parts.append(f'<line x1="{tx:.2f}" y1="0" x2="{tx:.2f}" y2="{height - 8}" stroke="#999" '
                     f'stroke-width="0.2" stroke-dasharray="{"" if tick == 100 else "0.8 0.8"}"/>')
        parts.append(f'<text x="{tx:.2f}" y="{height - 4}" text-anchor="middle">{tick} %</text>')
    for index, achievement in enumerate(rows):
        y = index * (BAR_HEIGHT + BAR_GAP) + 1
        label = escape(f"{achievement.target.code}. {achievement.target.name}")
        if len(label) > 44:
            label = label[:42] + "…"
        parts.append(f'<text x="0" y="{y + BAR_HEIGHT - 1.6:.2f}">{label}</text>')
        percent = achievement.percent
        if percent is not None:
            colour = "#2e7d32" if achievement.on_track else "#c62828"
            width = x(percent) - LABEL_WIDTH
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.2f}" height="{BAR_HEIGHT}" '
                         f'fill="{colour}"/>')
            parts.append(f'<text x="{LABEL_WIDTH + width + 1:.2f}" y="{y + BAR_HEIGHT - 1.6:.2f}">'
                         f'{number(percent, 1)} %</text>')
        else:
            parts.append(f'<text x="{LABEL_WIDTH + 1}" y="{y + BAR_HEIGHT - 1.6:.2f}" fill="#666">'
                         f'chưa báo cáo</text>')
        expected = x(achievement.expected_percent)
        parts.append(f'<line x1="{expected:.2f}" y1="{y - 0.8}" x2="{expected:.2f}" y2="{y + BAR_HEIGHT + 0.8}" '
                     f'stroke="#000" stroke-width="0.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def summary_html(summary: PeriodSummary) -> str:
    campaign = summary.campaign
    return render_to_string("reports/documents/period_summary.html", {
        "summary": summary,
        "campaign": campaign,
        "issuer_upper": campaign.issuing_unit.name.upper(),
        "signer_title_lines": [line.strip() for line in campaign.signer_title.replace("/", "\n").splitlines()
                               if line.strip()],
        "chart": mark_safe(target_chart_svg(summary)),  # built from escaped text only
    })


def summary_pdf(summary: PeriodSummary, target=None):
    """The report as a PDF (A4 portrait, the decisions' margins and fonts). Bytes, or written to ``target``."""
    # WeasyPrint costs some 40 MB per process: only the processes that draw a PDF load it.
    from weasyprint import HTML

    from awards.documents import SafeURLFetcher

    return HTML(string=summary_html(summary), url_fetcher=SafeURLFetcher(), base_url=None).write_pdf(target)


def summary_filename(summary: PeriodSummary, extension: str) -> str:
    name = f"so-ket-{summary.campaign.number}-{summary.period.name}".replace("Đ", "D").replace("đ", "d")
    return f"{slugify(name)}.{extension}"


def summary_workbook(summary: PeriodSummary, target) -> None:
    """The same content as the PDF, a sheet per table, in the exports' house style."""
    book = ExportWorkbook(title=summary.campaign.title)
    subtitle = _("Summary report, %(period)s") % {"period": summary.period.name}
    sheet = book.sheet(_("Overview"), [ExportColumn(_("Indicator"), width=45), ExportColumn(_("Value"), "int"),
                                        ExportColumn(_("Rate"), "percent")], subtitle=subtitle)
    sheet.extend([
        [_("Member units"), summary.member_units, None],
        [_("Units with submitted evidence"), summary.participating_units, summary.participation_rate],
        [_("Clusters"), summary.cluster_count, None],
        [_("Clusters with the dossier on time"), summary.dossiers_on_time, summary.on_time_rate],
        [_("Awards issued"), len(summary.awards), None],
    ])
    columns = [ExportColumn(_("Rank"), "int"), ExportColumn(_("Cluster")), ExportColumn(_("Score"), "score")]
    columns += [ExportColumn(f"{section.code} (%)", "score") for section in summary.sections]
    columns += [ExportColumn(_("Number of units"), "int"), ExportColumn(_("Completeness"), "percent"),
                ExportColumn(_("Dossier on time")), ExportColumn(_("Dossier submitted at"), "datetime"),
                ExportColumn(_("Places gained"), "int")]
    sheet = book.sheet(_("Standings"), columns, subtitle=subtitle)
    yes, no = _("Yes"), _("No")
    for line in summary.clusters:
        sheet.append([line.rank, line.name, line.score, *line.sections, line.unit_count, line.completeness,
                      yes if line.on_time else no, line.dossier_submitted_at, line.trend])
    sheet = book.sheet(_("Sections"), [
        ExportColumn(_("Section")), ExportColumn(_("Content"), width=40), ExportColumn(_("Top or bottom")),
        ExportColumn(_("Place in section"), "int"), ExportColumn(_("Unit code")), ExportColumn(_("Unit")),
        ExportColumn(_("Cluster")), ExportColumn(_("Points"), "score"), ExportColumn(_("Max points"), "score"),
    ], subtitle=subtitle)
    top, bottom = _("Top"), _("Bottom")
    for extremes in summary.extremes:
        for label, lines in ((top, extremes.top), (bottom, extremes.bottom)):
            for line in lines:
                sheet.append([extremes.section.code, extremes.section.title, label, line.position, line.unit_code,
                              line.unit_name, line.cluster_name, line.points, extremes.max_points])
    sheet = book.sheet(_("Targets"), achievement_columns(), subtitle=subtitle)
    for achievement in summary.targets:
        sheet.append(achievement_row(achievement))
    sheet = book.sheet(_("Awards"), [
        ExportColumn(_("Decision")), ExportColumn(_("Date"), "date"), ExportColumn(_("Recipient")),
        ExportColumn(_("Award form")), ExportColumn(_("Reason"), width=50),
        ExportColumn(_("Prize money (đồng)"), "money"),
    ], subtitle=subtitle)
    for line in summary.awards:
        sheet.append([line.decision_number, line.decision_date, line.recipient, line.award_form, line.reason,
                      line.amount])
    sheet.append([_("Total"), None, None, None, None, summary.awards_total])
    book.save(target)
