"""Who hears that a case ended: departments told of a lapsed step, the centre, the coordinators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlmodel import Session, select

from koereplan.definition import Definition
from koereplan.workdays import local_date
from models.tables import Case, OutboxMessage, Step
from notifications.contexts import CaseEndedContext
from notifications.links import flow_run_url
from notifications.messages import MessageType
from services.casefile import CaseFile, department_names
from services.outbox import Outgoing, enqueue_all, idempotency_key
from services.tell import recipients


def centre_awaits_move(db: Session, case: Case) -> bool:
    """The asylum centre was sent a moving notice and the arrival day has not passed yet."""
    if case.id is None or case.arrival_date < local_date():
        return False
    query = select(OutboxMessage.id).where(
        OutboxMessage.case_id == case.id,
        OutboxMessage.message_type == MessageType.MOVING_NOTICE.value,
    )
    return db.exec(query).first() is not None


def tell_case_ended(
    db: Session,
    cf: CaseFile,
    definition: Definition,
    told: Sequence[Step],
    *,
    joined_by: Sequence[Case],
    centre_told: bool,
) -> None:
    """One message per department told of a lapsed step, the centre if moved, the coordinators."""
    case = cf.case
    cause = f"{case.status}:{case.reception_number}"
    base = CaseEndedContext(
        department_name="",
        case_ref=case.ref,
        ending=case.status,
        ended_on=local_date(case.status_changed_at),
        flow_run_url=flow_run_url(case.flow_run_id),
    )
    names = department_names(definition)
    per_department = recipients(definition, told)
    coordinators = definition.coordinators
    contexts = {
        department: replace(
            base, department_name=names.get(department, department), steps_lapsed=len(steps)
        )
        for department, steps in per_department.items()
    }
    contexts[coordinators] = replace(
        base,
        department_name=names.get(coordinators, coordinators),
        steps_lapsed=len(per_department.get(coordinators, ())),
        reason=case.status_reason,
        joined_by=[joined.ref for joined in joined_by],
    )
    messages = [
        Outgoing(
            department=department,
            message_type=MessageType.CASE_ENDED,
            context=context,
            key=idempotency_key(case.ref, "case_ended", department, cause),
            case_id=case.id,
        )
        for department, context in contexts.items()
    ]
    centre = definition.asylum_centre
    if centre_told and case.asylum_centre_email and centre is not None:
        from notifications.apprise_sender import asylum_centre_ref  # Apprise: only when needed

        messages.append(
            Outgoing(
                department=centre,
                message_type=MessageType.CASE_ENDED,
                context=replace(
                    base,
                    department_name=case.asylum_centre_name or "asylcentret",
                    arrival=case.arrival_date,
                    flow_run_url=None,
                ),
                key=idempotency_key(case.ref, "case_ended", centre, cause),
                case_id=case.id,
                extra_urls=[asylum_centre_ref(case.asylum_centre_email)],
            )
        )
    enqueue_all(db, messages)
