"""A case's audit trail as an access request (aktindsigt) reads it: in order, in Danish.

This is the one output that may name the members: an access request is about them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from koereplan.danish import STATUS_DA
from koereplan.status import AuditAction
from koereplan.workdays import COPENHAGEN

AUDIT_HEADERS = ("Tidspunkt", "Hvem", "Hvad", "Trin", "Person", "Før → efter", "Begrundelse")
ACTION_DA: dict[str, str] = {
    AuditAction.CREATED: "sag oprettet",
    AuditAction.OPENED: "trin åbnet",
    AuditAction.WAITING: "venter på dato (frist fjernet)",
    AuditAction.DONE: "udført",
    AuditAction.NOT_APPLICABLE: "ikke relevant",
    AuditAction.RESCHEDULED: "ankomst flyttet",
    AuditAction.TAKEOVER: "overtagelsesdato fastsat",
    AuditAction.DATED: "frist sat/flyttet",
    AuditAction.REMINDED: "påmindelse sendt",
    AuditAction.ESCALATED: "rykker sendt",
    AuditAction.NOTE: "note",
    AuditAction.COMPLETED: "sag afsluttet",
    AuditAction.AMENDED: "ændret af Udlændingestyrelsen",
    AuditAction.WITHDRAWN: "visitering tilbagekaldt",
    AuditAction.CLOSED: "sag lukket",
    AuditAction.REOPENED: "sag genåbnet",
}


@dataclass(frozen=True)
class AuditLine:
    """One recorded event of a case."""

    at: datetime
    who: str
    action: str
    step: str = ""  # the step's title, "" for a case event
    person: str = ""  # the member's name, "" for a household or case event
    old: str | None = None
    new: str | None = None
    detail: str | None = None

    def row(self) -> tuple[str, ...]:
        """The line with Copenhagen time and Danish words."""
        return (
            self.at.astimezone(COPENHAGEN).strftime("%d-%m-%Y %H:%M:%S"),
            self.who,
            ACTION_DA.get(self.action, self.action),
            self.step,
            self.person,
            change(self.old, self.new),
            self.detail or "",
        )


def change(old: str | None, new: str | None) -> str:
    """`åben → udført`; one side alone when the other is unknown."""
    words = [STATUS_DA.get(v, v) if v else "" for v in (old, new)]
    if not any(words):
        return ""
    return " → ".join(word or "–" for word in words)
