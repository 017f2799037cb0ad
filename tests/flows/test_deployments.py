"""Every deployment in prefect.yaml imports, and every shipped config file validates."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect import Flow

from koereplan.definition_file import check_definition
from notifications.routing import load_routing

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENTS = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=lambda d: d["name"])
def test_every_prefect_yaml_entrypoint_is_a_flow(deployment: dict) -> None:
    path, name = deployment["entrypoint"].split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    assert isinstance(getattr(module, name), Flow)


def test_the_flow_names_match_the_deployment_names_used_in_code() -> None:
    from serving.serve import deployments

    assert {d.name for d in deployments()} == {d["name"] for d in DEPLOYMENTS}


@pytest.mark.parametrize("path", sorted((ROOT / "config").glob("koereplan.*.yaml")), ids=str)
def test_every_shipped_koereplan_validates(path: Path) -> None:
    assert check_definition(path) == []


def test_the_example_routing_file_reaches_every_department() -> None:
    routing = load_routing(ROOT / "config" / "apprise.example.yaml")
    departments = yaml.safe_load((ROOT / "config" / "koereplan.aalborg.yaml").read_text())
    keys = {d["key"] for d in departments["departments"]} - {"asylcenter"}
    assert all(routing.urls_for(key) for key in keys)


def schedule_facts(schedule: Any, active: Any, parameters: Any) -> tuple:
    """What a schedule does: kind, cron or interval, timezone, day_or, active, parameters."""
    if hasattr(schedule, "cron"):
        what: tuple = ("cron", schedule.cron, schedule.day_or)
    else:
        what = ("interval", schedule.interval.total_seconds(), None)
    return (*what, schedule.timezone or "UTC", active is not False, parameters or {})


def test_served_schedules_are_what_prefect_deploy_makes_of_prefect_yaml() -> None:
    """Serve and `prefect deploy --all` read one source; compared schedule by schedule."""
    from prefect.cli.deploy._schedules import _schedule_config_to_deployment_schedule

    from serving.serve import deployments

    def deployed(entry: dict) -> tuple:
        made = _schedule_config_to_deployment_schedule(entry)  # prefect deploy's own reading
        return schedule_facts(made["schedule"], made.get("active"), made.get("parameters"))

    in_yaml = {d["name"]: [deployed(s) for s in d.get("schedules") or []] for d in DEPLOYMENTS}
    in_serve = {
        d.name: [schedule_facts(s.schedule, s.active, s.parameters) for s in d.schedules]
        for d in deployments()
    }
    assert in_serve == in_yaml
    assert in_yaml["overview"] == [("cron", "30 6 * * 1-5", True, "Europe/Copenhagen", True, {})]
    assert in_yaml["intake"] == [("interval", 60.0, None, "UTC", True, {})]


def test_served_limits_parameters_and_tags_are_those_of_prefect_yaml() -> None:
    from serving.serve import deployments

    def written(entry: dict) -> tuple:
        limit = entry.get("concurrency_limit")
        if isinstance(limit, dict):
            limit = (limit["limit"], limit.get("collision_strategy"))
        return (limit, entry.get("parameters") or {}, sorted(entry.get("tags") or []))

    def served(deployment: Any) -> tuple:
        limit = deployment.concurrency_limit
        options = deployment.concurrency_options
        if options is not None:
            limit = (limit, options.collision_strategy.value)
        return (limit, deployment.parameters or {}, sorted(deployment.tags))

    in_yaml = {d["name"]: written(d) for d in DEPLOYMENTS}
    assert {d.name: served(d) for d in deployments()} == in_yaml
    assert in_yaml["intake"][0] == (1, "CANCEL_NEW")  # one intake at a time
