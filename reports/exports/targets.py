"""Target progress (Tiến độ chỉ tiêu): the campaign's targets, then units × targets, at the end of a period.

The numbers come from the targets app's selectors: ``campaign_achievements``
(the maintained roll-ups) for the summary and ``allocation_rows`` (one
annotated query per target) for the units.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from campaigns.models import ClusterMember
from targets.models import TargetAllocation
from targets.selectors import allocation_rows, campaign_achievements

from .standings import share
from .tables import PROGRESS_EVERY, Export
from .writer import ExportColumn


def achievement_row(achievement) -> list:
    target = achievement.target
    return [target.code, target.name, target.unit_of_measure, target.get_kind_display(), achievement.goal,
            achievement.result, share(achievement.percent), share(achievement.expected_percent),
            achievement.units_allocated, achievement.units_reported]


def achievement_columns() -> list[ExportColumn]:
    return [
        ExportColumn(_("Code")), ExportColumn(_("Target"), width=50), ExportColumn(_("Unit of measure")),
        ExportColumn(_("Kind")), ExportColumn(_("Goal"), "score"), ExportColumn(_("Result"), "score"),
        ExportColumn(_("Achieved"), "percent"), ExportColumn(_("Expected by now"), "percent"),
        ExportColumn(_("Units allocated"), "int"), ExportColumn(_("Units reported"), "int"),
    ]


class TargetProgressExport(Export):
    """Every allocation of the campaign's targets with the unit's value at the end of the period."""

    key = "targets"
    label = gettext_lazy("Target progress")
    description = gettext_lazy("Each target's result, then every unit's allocation, value reported and "
                               "achievement at the end of the period.")
    file_stem = "tien-do-chi-tieu"
    period_required = True

    def count(self) -> int:
        return TargetAllocation.objects.filter(target__campaign=self.campaign).count()

    def write(self, book, progress=None):
        subtitle = _("Target progress, %(period)s") % {"period": self.period.name}
        achievements = campaign_achievements(campaign=self.campaign, period=self.period)
        sheet = book.sheet(_("Targets"), achievement_columns(), subtitle=subtitle)
        for achievement in achievements:
            sheet.append(achievement_row(achievement))
        clusters = dict(ClusterMember.objects.filter(campaign=self.campaign).values_list("unit_id", "cluster__name"))
        sheet = book.sheet(pgettext("sheet", "Units"), [
            ExportColumn(_("Target code")), ExportColumn(_("Target"), width=40), ExportColumn(_("Unit of measure")),
            ExportColumn(_("Cluster")), ExportColumn(_("Unit code")), ExportColumn(_("Unit")),
            ExportColumn(_("Allocated"), "score"), ExportColumn(_("Value reported"), "score"),
            ExportColumn(_("Achieved"), "percent"), ExportColumn(_("Expected by now"), "score"),
            ExportColumn(_("Behind"))
        ], subtitle=subtitle)
        yes, no, done = _("Yes"), _("No"), 0
        for achievement in achievements:
            target = achievement.target
            for row in allocation_rows(target=target, period=self.period):
                expected = row.expected.quantize(Decimal("0.01")) if row.expected is not None else None
                sheet.append([target.code, target.name, target.unit_of_measure, clusters.get(row.unit_id, ""),
                              row.unit.code, row.unit.name, row.amount, row.value, share(row.percent), expected,
                              yes if row.behind else no])
                done += 1
                if progress and done % PROGRESS_EVERY == 0:
                    progress(done)
        if progress:
            progress(done)
