"""Every export by its key, as the URL ``reports_export`` names it."""

from .awards import AwardDecisionsExport
from .standings import PeriodStandings, YearStandings
from .tables import CompletenessMatrix, EvidenceRegister, Export
from .targets import TargetProgressExport

EXPORTS: dict[str, type[Export]] = {
    cls.key: cls
    for cls in (CompletenessMatrix, EvidenceRegister, PeriodStandings, YearStandings, TargetProgressExport,
                AwardDecisionsExport)
}
