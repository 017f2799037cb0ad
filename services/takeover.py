"""An earlier takeover with the refugee's consent (IL § 4 stk. 2), recorded by a coordinator.

The one function behind the Prefect UI form and `koereplan takeover`: it checks the bounds,
moves the open legal steps, tells their departments and records who did it, or changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from koereplan.definition import Definition
from koereplan.status import AuditAction, CaseStatus, TakeoverBasis
from koereplan.takeover import by_registration, consent_problem
from models.tables import AuditEntry, Step
from services.casefile import CaseError, load_case
from services.steps import already_applied, redate
from services.tell import tell_due_moved

CONSENT_FIELD = "Overtagelsesdato efter samtykke"


@dataclass
class ConsentRecorded:
    """What a recorded consent moved."""

    case_ref: str
    old_takeover: date | None
    new_takeover: date
    moved: list[tuple[Step, date | None]] = field(default_factory=list)
    replayed: bool = False


def record_consent(
    db: Session,
    definition: Definition,
    *,
    ref: str,
    takeover: date,
    consent: bool,
    by: str,
    input_key: str | None = None,
) -> ConsentRecorded:
    """Set an earlier takeover agreed with the refugee, or raise CaseError and change nothing."""
    if input_key and already_applied(db, input_key):
        return ConsentRecorded(ref, None, takeover, replayed=True)
    if not by.strip():
        raise CaseError("Angiv hvem der registrerer samtykket (initialer). Intet er ændret.")
    if not consent:
        raise CaseError(
            f"{CONSENT_FIELD}: en tidligere overtagelse kræver borgerens samtykke; "
            "bekræft at samtykket er givet (--samtykke). Intet er ændret."
        )
    cf = load_case(db, ref, for_update=True)
    case = cf.case
    if case.status != CaseStatus.ACTIVE:
        raise CaseError(f"Sag {ref} er ikke aktiv. Intet er ændret.")
    if by_registration(case.kind, case.legal_basis):
        raise CaseError(
            f"{CONSENT_FIELD}: sag {ref} er kvoteflygtning eller familiesammenføring; her "
            "starter integrationsansvaret ved registreringen i CPR (trinnet cpr_tilflyttet), "
            "ikke ved samtykke. Intet er ændret."
        )
    decision = case.decision_date or case.notice_date
    problem = consent_problem(takeover, decision)
    if problem:
        raise CaseError(f"{CONSENT_FIELD} {takeover.isoformat()} {problem}. Intet er ændret.")
    old = case.takeover_date
    if old == takeover and case.takeover_basis == TakeoverBasis.CONSENT:
        raise CaseError(
            f"Sag {ref} har allerede overtagelse {takeover.isoformat()} efter samtykke."
        )
    case.takeover_date, case.takeover_basis = takeover, TakeoverBasis.CONSENT.value
    db.add(case)
    db.add(
        AuditEntry(
            case_id=case.id or 0,
            who=by.strip(),
            action=AuditAction.TAKEOVER.value,
            old=old.isoformat() if old else None,
            new=takeover.isoformat(),
            detail="efter samtykke",
            input_key=input_key,
        )
    )
    moved = redate(db, cf, definition, anchors=frozenset({"takeover"}), by=by.strip())
    tell_due_moved(
        db,
        cf,
        definition,
        moved,
        reason="Overtagelse efter samtykke (integrationsloven § 4)",
        cause=f"consent:{takeover.isoformat()}",
    )
    return ConsentRecorded(ref, old, takeover, moved)
