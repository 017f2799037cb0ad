"""A stored case in the shape `koereplan plan --json` prints, plus its status and step reasons."""

from __future__ import annotations

from typing import Any

from koereplan.planner import Plan, PlannedStep
from services.casefile import CaseFile
from services.checklist import status_date
from services.steps import stored_dates


def case_json(cf: CaseFile) -> dict[str, Any]:
    """`{"case": {…plan's case fields, ref, status, status_reason…}, "steps": [{…, reason}]}`."""
    case = cf.case
    planned = tuple(
        PlannedStep(
            key=s.key,
            phase=s.phase,
            title=s.title,
            person_id=s.person_id or None,
            responsible=s.responsible,
            notify=tuple(s.notify),
            kind=s.kind,
            legal=s.legal,
            due=s.due,
            status=s.status,
        )
        for s in cf.steps
    )
    data = Plan(case.notice_id, case.kind, stored_dates(case), planned).to_json()
    changed = status_date(case.status_changed_at or case.completed_at)
    data["case"].update(
        ref=case.ref,
        status=case.status,
        status_reason=case.status_reason,
        status_date=changed.isoformat() if changed else None,
        new_municipality_code=case.new_municipality_code,
    )
    for line, step in zip(data["steps"], cf.steps, strict=True):
        line["reason"] = step.reason
    return data
