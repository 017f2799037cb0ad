"""`koereplan plan` and `koereplan check-config`: the core, with no database and no Prefect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import EXIT_BAD_INPUT, console, definition_or_fail, err_console, read_notice_file
from cli.render import print_checklist

if TYPE_CHECKING:
    from koereplan.definition import Definition


def plan(
    notice_file: Annotated[Path, typer.Argument(help="En besked (JSON) fra Udlændingestyrelsen.")],
    as_json: Annotated[bool, typer.Option("--json", help="Skriv planen som JSON.")] = False,
) -> None:
    """Planlæg en besked uden at gemme noget: hvert trin med dato, i køreplanens rækkefølge."""
    from koereplan.checklist import checklist_rows, waiting_reasons
    from koereplan.danish import danish_date
    from koereplan.household import person_labels
    from koereplan.planner import plan_case
    from koereplan.takeover import describe_takeover
    from settings import get_settings

    settings = get_settings()
    definition = definition_or_fail()
    notice = read_notice_file(notice_file)
    result = plan_case(notice, definition, arrivals_per_day=settings.arrivals_per_day)
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    dates = result.dates
    household = notice.household(dates.arrival)
    rows = checklist_rows(
        result.steps,
        departments={key: dept.name for key, dept in definition.departments.items()},
        labels=person_labels(household.people),
        waiting=waiting_reasons(definition, takeover_known=dates.takeover is not None),
    )
    planned = " (planlagt)" if dates.arrival_planned else ""
    heading = (
        f"Køreplan for besked {result.notice_id} · {definition.municipality_name}\n"
        f"Besked {danish_date(dates.notice)} · afgørelse {danish_date(dates.decision)}"
        f" · ankomst {danish_date(dates.arrival)}{planned}\n"
        f"Overtagelse {describe_takeover(dates.takeover, dates.takeover_basis)}"
        f" · {len(result.steps)} trin"
    )
    print_checklist(console, heading, rows)


def check_config(
    definition_file: Annotated[
        Path | None, typer.Argument(help="En køreplan-fil (standard: den indstillede).")
    ] = None,
) -> None:
    """Kontrollér køreplan-filen og routing-filen og vis hvert problem (for administratorer).

    Problemerne i køreplan-filen skrives på engelsk: de er til den, der vedligeholder den.
    """
    from settings import get_settings
    from settings.production import production_problems

    settings = get_settings()
    path = definition_file or settings.definition
    definition = definition_or_fail(path)
    problems = [
        *_routing_problems(definition, settings.apprise_config),
        *production_problems(settings),
    ]
    if problems:
        err_console.print(f"{len(problems)} problem(er)", style="bold red")
        for problem in problems:
            err_console.print(f"  • {problem}", markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    centre = f", asylcenter: {definition.asylum_centre}" if definition.asylum_centre else ""
    console.print(
        f"{path}: OK — {len(definition.steps)} trin, {len(definition.departments)} afdelinger"
        f" (koordinatorer: {definition.coordinators}{centre})"
    )


def _routing_problems(definition: Definition, apprise_config: Path) -> list[str]:
    """Departments of the køreplan with no address, and tags no department uses."""
    from notifications.routing import RoutingError, load_routing, missing_departments, unused_tags

    try:
        routing = load_routing(apprise_config)
    except RoutingError as error:
        return list(error.problems)
    except OSError as error:
        return [f"{apprise_config}: {error.strerror or error}"]
    keys = list(definition.departments)
    from_case = [key for key, dept in definition.departments.items() if dept.from_case]
    return [
        *(
            f"{apprise_config}: afdelingen {key!r} har ingen adresse"
            for key in missing_departments(routing, keys, from_case=from_case)
        ),
        *(
            f"{apprise_config}: tagget {tag!r} bruges ikke af nogen afdeling"
            for tag in unused_tags(routing, keys)
        ),
    ]
