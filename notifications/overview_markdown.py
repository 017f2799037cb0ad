"""The overview's Prefect artifacts as markdown: Danish headings, case references only."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from koereplan.checklist import LEGAL_MARK
from koereplan.danish import danish_date
from koereplan.overview import COMPLIANCE_HEADERS, QUEUE_HEADERS, Compliance, Overview, Queue
from notifications.chart import compliance_svg, data_uri

OVERVIEW_KEY = "oversigt"
COMPLIANCE_KEY = "lovfrister"
NO_PERSONAL_DATA = "Kun sagsnumre: ingen navne, cpr-numre eller fødselsdatoer."
COMPLIANCE_FOOTNOTE = (
    "Lovbestemte frister efter måned for fristen. *Andel til tiden* = til tiden ÷ (til tiden "
    "+ for sent + åbne, overskredet). Trin, der ikke er relevante, er udeladt af alle tal; "
    "åbne trin, hvis frist ikke er nået, tæller med i *Frister* men ikke i andelen. En frist "
    "på en lørdag, søndag, helligdag eller lukkedag løber til næste arbejdsdag. Dage for sent "
    "er kalenderdage efter fristen; medianen er over de trin, der blev udført for sent."
)


def department_key(department: str) -> str:
    """The artifact key of a department's queue: `afdeling-jobcenter-integration`."""
    return "afdeling-" + re.sub(r"[^a-z0-9-]+", "-", department.lower()).strip("-")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A markdown table; pipes in cells are escaped."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    lines = [line(headers), "| " + " | ".join("---" for _ in headers) + " |"]
    lines += [line(row) for row in rows]
    return "\n".join(lines)


def overview_markdown(view: Overview, names: Mapping[str, str]) -> str:
    """The `oversigt` artifact: phases, arrivals, CPR waits, cases with legal steps overdue."""
    parts = [
        f"# Oversigt {danish_date(view.today)}",
        f"**{view.active} aktive sager**",
        "## Aktive sager pr. fase",
        table(("Fase", "Sager"), view.phase_rows()) if view.by_phase else "Ingen aktive sager.",
        f"## Ankomster til og med {danish_date(view.until)} (10 arbejdsdage)",
        table(("Dato", "Sag", "Personer"), view.arrival_rows())
        if view.arrivals
        else "Ingen ankomster.",
        f"## Venter på cpr-registrering ({len(view.waiting_cpr)})",
        ", ".join(view.waiting_cpr) or "Ingen.",
        f"## Sager med overskredne lovfrister ({len(view.overdue_legal)})",
        table(
            ("Sag", "Overskredne lovfrister", "Ældste frist", "Afdelinger"),
            view.overdue_rows(names),
        )
        if view.overdue_legal
        else "Ingen.",
        f"_{NO_PERSONAL_DATA}_",
    ]
    return "\n\n".join(parts) + "\n"


def queue_markdown(queue: Queue) -> str:
    """The `afdeling-<key>` artifact: the count on top, then the open steps."""
    parts = [
        f"# {queue.name}",
        f"**{queue.total} åbne trin, heraf {queue.overdue} overskredet** "
        f"(opgjort {danish_date(queue.today)})",
        table(QUEUE_HEADERS, (item.row(queue.today) for item in queue.items)),
    ]
    if len(queue.items) < queue.total:
        parts.append(
            f"_Viser de første {len(queue.items)} af {queue.total} trin; hele listen: "
            f"`koereplan queue {queue.department}`._"
        )
    parts.append(
        f"_{LEGAL_MARK} = lovbestemt frist. Overskredne trin først, så efter frist. "
        f"{NO_PERSONAL_DATA}_"
    )
    return "\n\n".join(parts) + "\n"


def compliance_markdown(view: Compliance) -> str:
    """The `lovfrister` artifact: the chart, then per month, per step and per department."""
    step_headers = ("Måned", "Trin", *COMPLIANCE_HEADERS[1:])
    department_headers = ("Måned", "Afdeling", *COMPLIANCE_HEADERS[1:])
    parts = [
        f"# Lovbestemte frister {view.first} – {view.last}",
        f"Opgjort {danish_date(view.today)}.",
        f"![Lovbestemte frister pr. måned]({data_uri(compliance_svg(view.by_month))})",
        "## Pr. måned",
        table(COMPLIANCE_HEADERS, view.month_rows()),
        "## Pr. trin",
        table(step_headers, view.step_rows()),
        "## Pr. afdeling",
        table(department_headers, view.department_rows()),
        f"_{COMPLIANCE_FOOTNOTE}_",
    ]
    return "\n\n".join(parts) + "\n"
