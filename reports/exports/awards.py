"""Award decisions (Quyết định khen thưởng) with their recipients and amounts, and the campaign's prize total."""

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.models import Award, AwardDecision
from awards.selectors import campaign_prize_total

from .tables import PROGRESS_EVERY, Export
from .writer import ExportColumn


def decision_state(decision: AwardDecision, revoked: bool) -> str:
    if revoked:
        return _("Replaced")
    return str(decision.get_status_display())


class AwardDecisionsExport(Export):
    """Every decision of the campaign (or of one period), each recipient with the award form and amount."""

    key = "awards"
    label = gettext_lazy("Award decisions")
    description = gettext_lazy("Every decision with its recipients and prize money, and the campaign's prize "
                               "total.")
    file_stem = "khen-thuong"

    def decisions(self):
        decisions = AwardDecision.objects.filter(campaign=self.campaign)
        if self.period is not None:
            decisions = decisions.filter(period=self.period)
        revoked = AwardDecision.objects.filter(revokes=OuterRef("pk"), status=AwardDecision.Status.ISSUED)
        return decisions.annotate(is_revoked=Exists(revoked))

    def count(self) -> int:
        return Award.objects.filter(decision__in=self.decisions().values("pk")).count()

    def write(self, book, progress=None):
        subtitle = _("Award decisions") + (f", {self.period.name}" if self.period else "")
        decisions = list(
            self.decisions().select_related("period")
            .annotate(recipients=Count("awards"), amount=Sum("awards__amount"))
            .order_by("date", "created_at", "pk")
        )
        sheet = book.sheet(_("Decisions"), [
            ExportColumn(_("Number")), ExportColumn(_("Date"), "date"), ExportColumn(_("Issuer")),
            ExportColumn(_("Subject"), width=50), ExportColumn(_("Period")), ExportColumn(_("Status")),
            ExportColumn(_("Signed by")), ExportColumn(_("Recipients"), "int"),
            ExportColumn(_("Prize money (đồng)"), "money"),
        ], subtitle=subtitle)
        for decision in decisions:
            sheet.append([
                decision.number, decision.date, decision.issuer_name, decision.title,
                decision.period.name if decision.period else _("The year"),
                decision_state(decision, decision.is_revoked),
                decision.signer_name, decision.recipients, decision.amount or 0,
            ])
        states = {decision.pk: decision_state(decision, decision.is_revoked) for decision in decisions}
        kinds = {value: str(label) for value, label in Award.RecipientKind.choices}
        sheet = book.sheet(_("Recipients"), [
            ExportColumn(_("Decision")), ExportColumn(_("Date"), "date"), ExportColumn(_("Status")),
            ExportColumn(_("No."), "int"), ExportColumn(_("Recipient")), ExportColumn(_("Recipient kind")),
            ExportColumn(_("Position")), ExportColumn(_("Unit")), ExportColumn(_("Award form")),
            ExportColumn(_("Reason"), width=50), ExportColumn(_("Standing")),
            ExportColumn(_("Prize money (đồng)"), "money"), ExportColumn(_("Verification code")),
        ], subtitle=subtitle)
        awards = (
            Award.objects.filter(decision__in=[d.pk for d in decisions])
            .select_related("decision", "award_form", "unit", "cluster")
            .order_by("decision__date", "decision__created_at", "decision_id", "order", "pk")
        )
        done, number, current = 0, 0, None
        for award in awards:
            number = number + 1 if award.decision_id == current else 1
            current = award.decision_id
            if award.recipient_kind == Award.RecipientKind.PERSON:
                unit = award.person_unit_name
            else:
                unit = award.unit.name if award.unit_id else (award.cluster.name if award.cluster_id else "")
            sheet.append([
                award.decision.number or str(award.decision), award.decision.date, states[award.decision_id],
                number, award.recipient_name, kinds.get(award.recipient_kind, award.recipient_kind),
                award.person_position, unit, award.award_form.name, award.reason, award.standing, award.amount,
                award.code,
            ])
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done)
        # The prize total counts issued decisions still in force, whatever the period filter.
        sheet.append([_("Prize total of the campaign (issued decisions in force)")] + [None] * 10
                     + [campaign_prize_total(self.campaign), None])
        if progress:
            progress(done)
