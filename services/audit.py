"""A case's audit trail for an access request: every recorded event, in order, with names.

Only `koereplan audit` calls this; what it returns must never be logged or sent.
"""

from __future__ import annotations

from sqlalchemy import and_, func, literal, select
from sqlmodel import Session

from koereplan.audit_trail import AuditLine
from models.tables import AuditEntry, Case, Member, Step
from services.casefile import CaseError

AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]
STEPS = Step.__table__  # type: ignore[attr-defined]
CASES = Case.__table__  # type: ignore[attr-defined]
MEMBERS = Member.__table__  # type: ignore[attr-defined]


def audit_trail(db: Session, ref: str) -> list[AuditLine]:
    """Every audit entry of case `ref`, oldest first, with the step's title and member's name."""
    case_id = db.execute(select(CASES.c.id).where(CASES.c.ref == ref)).scalar()
    if case_id is None:
        raise CaseError(f"Sagen {ref} findes ikke.")
    a, s, m = AUDIT.c, STEPS.c, MEMBERS.c
    name = m.given_name + literal(" ") + m.family_name
    rows = db.execute(
        select(a.at, a.who, a.action, s.title, func.coalesce(name, ""), a.old, a.new, a.detail)
        .select_from(
            AUDIT.outerjoin(STEPS, s.id == a.step_id).outerjoin(
                MEMBERS, and_(m.case_id == s.case_id, m.person_id == s.person_id)
            )
        )
        .where(a.case_id == case_id)
        .order_by(a.at, a.id)
    ).all()
    return [
        AuditLine(at, who, action, title or "", person, old, new, detail)
        for at, who, action, title, person, old, new, detail in rows
    ]
