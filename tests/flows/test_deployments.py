"""Every deployment in prefect.yaml imports, and every shipped config file validates."""

from __future__ import annotations

import importlib
from pathlib import Path

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
    from flows.serving import deployments

    assert {d.name for d in deployments()} == {d["name"] for d in DEPLOYMENTS}


@pytest.mark.parametrize("path", sorted((ROOT / "config").glob("koereplan.*.yaml")), ids=str)
def test_every_shipped_koereplan_validates(path: Path) -> None:
    assert check_definition(path) == []


def test_the_example_routing_file_reaches_every_department() -> None:
    routing = load_routing(ROOT / "config" / "apprise.example.yaml")
    departments = yaml.safe_load((ROOT / "config" / "koereplan.aalborg.yaml").read_text())
    keys = {d["key"] for d in departments["departments"]} - {"asylcenter"}
    assert all(routing.urls_for(key) for key in keys)


def test_served_schedules_are_the_schedules_of_prefect_yaml() -> None:
    from flows.serving import deployments

    def written(entry: dict) -> tuple:
        if "cron" in entry:
            return ("cron", entry["cron"], entry.get("timezone"))
        return ("interval", float(entry["interval"]), None)

    def served(schedule: object) -> tuple:
        inner = schedule.schedule  # type: ignore[attr-defined]
        if hasattr(inner, "cron"):
            return ("cron", inner.cron, inner.timezone)
        return ("interval", inner.interval.total_seconds(), None)

    in_yaml = {d["name"]: [written(s) for s in d.get("schedules") or []] for d in DEPLOYMENTS}
    in_serve = {d.name: [served(s) for s in d.schedules] for d in deployments()}
    assert in_serve == in_yaml
    assert in_yaml["overview"] == [("cron", "30 6 * * 1-5", "Europe/Copenhagen")]
