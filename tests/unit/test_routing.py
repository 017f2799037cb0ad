"""The routing file is checked at load, and every problem points at its line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from notifications.routing import (
    RoutingError,
    load_routing,
    missing_departments,
    unused_tags,
)
from settings import Settings
from settings.production import production_problems

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "apprise.example.yaml"
DEPARTMENTS = [
    "koordinator",
    "socialcenter-integration",
    "jobcenter-integration",
    "familie-beskaeftigelse",
    "by-landskab",
    "aeldre-handicap",
    "borgmesterens-forvaltning",
    "renovation",
    "boern-familie",
    "sundhedspleje",
    "tandpleje",
    "skoleforvaltningen",
    "pladsanvisningen",
    "boern-familieomraader",
    "landdistriktsgruppen",
    "sundhed-kultur",
    "serviceteam-kennedyarkaden",
    "tvaerfaglig-forebyggelse",
    "netvaerkskoordinatorer",
    "asylcenter",
]
MAIL = "mailto://127.0.0.1:8025?from=koereplan@aalborg.example"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "apprise.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(RoutingError) as caught:
        load_routing(path)
    return caught.value.problems


def test_the_example_config_reaches_every_department_but_the_asylum_centre() -> None:
    routing = load_routing(EXAMPLE)

    assert missing_departments(routing, DEPARTMENTS, from_case=["asylcenter"]) == []
    assert unused_tags(routing, DEPARTMENTS) == []
    assert routing.urls_for("asylcenter") == []


def test_the_example_config_has_json_receivers_and_mail_for_the_rest() -> None:
    routing = load_routing(EXAMPLE)
    schemes = {key: routing.urls_for(key)[0].split("://")[0] for key in DEPARTMENTS[:-1]}

    assert "json" in schemes.values()
    assert list(schemes.values()).count("mailto") >= 15


def test_a_department_gets_only_the_urls_tagged_with_its_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""version: 1
urls:
  - {MAIL}&to=koordinator@aalborg.example:
      - tag: koordinator
  - json://127.0.0.1:8099/hooks/jobcenter:
      - tag: jobcenter-integration, koordinator
""",
    )

    routing = load_routing(path)

    assert [u.split("://")[0] for u in routing.urls_for("koordinator")] == ["mailto", "json"]
    assert routing.urls_for("jobcenter-integration") == [
        u for u in routing.urls_for("koordinator") if u.startswith("json")
    ]
    assert routing.urls_for("renovation") == []


def test_the_config_path_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "version: 1\nurls:\n  - json://127.0.0.1:8099/x:\n      - tag: a\n")
    monkeypatch.setenv("KOEREPLAN_APPRISE_CONFIG", str(path))

    assert load_routing(Settings().apprise_config).urls_for("a")


def test_no_config_path_is_the_example_file_which_production_refuses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KOEREPLAN_APPRISE_CONFIG", raising=False)

    assert Settings().apprise_config == EXAMPLE
    problems = production_problems(Settings(env="production"))
    assert any(p.startswith("KOEREPLAN_APPRISE_CONFIG") for p in problems)


def test_a_missing_file_is_reported_with_its_name(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope.yaml") == [
        f"{tmp_path / 'nope.yaml'}: cannot read: No such file or directory"
    ]


def test_a_yaml_syntax_error_is_reported_with_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 1\nurls:\n  - json://127.0.0.1:8099/x:\n      - tag: a\n    - oops\n",
    )

    [problem] = problems_of(path)

    assert problem.startswith(f"{path}:5: invalid YAML")


def test_an_unparseable_url_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""version: 1
urls:
  - {MAIL}&to=koordinator@aalborg.example:
      - tag: koordinator
  - mailto://127.0.0.1:8025?from=not-an-address&to=renovation@aalborg.example:
      - tag: renovation
  - just some words
""",
    )

    problems = problems_of(path)

    assert problems[0].startswith(f"{path}:5: Apprise cannot use")
    assert "Invalid ~From~ email" in problems[0]
    assert problems[1] == f"{path}:7: not a URL: just some words"


def test_an_unknown_service_is_reported_with_a_hint_for_old_teams_urls(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """version: 1
urls:
  - nosuchservice://host/path:
      - tag: a
  - msteams://token-a/token-b/token-c:
      - tag: koordinator
""",
    )

    assert problems_of(path) == [
        f"{path}:3: unknown service `nosuchservice://`: Apprise does not know this service",
        f"{path}:5: unknown service `msteams://`: Teams is workflows:// in Apprise 1.x",
    ]


def test_a_url_without_a_tag_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nurls:\n  - json://127.0.0.1:8099/lost\n")

    [problem] = problems_of(path)

    assert problem.startswith(f"{path}:3: json://127.0.0.1:8099/lost")
    assert problem.endswith("has no tag: no department would receive it")


def test_unsupported_keys_and_versions_are_problems(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 2\ninclude: other.yaml\nurls:\n  - json://127.0.0.1:8099/x:\n      - tag: a\n",
    )

    assert problems_of(path) == [
        f"{path}:2: unsupported key `include`",
        f"{path}:1: only `version: 1` is supported",
    ]


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "- json://127.0.0.1:8099/x\n")

    assert problems_of(path) == [f"{path}:1: expected a mapping with `version: 1` and `urls:`"]


def test_a_secret_in_a_bad_url_is_not_repeated_in_the_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 1\nurls:\n"
        "  - mailto://user:TopSecret99@127.0.0.1:8025?from=bad&to=x@aalborg.example:\n"
        "      - tag: a\n",
    )

    [problem] = problems_of(path)

    assert "TopSecret99" not in problem


def test_departments_without_a_url_are_listed_except_the_asylum_centre(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"version: 1\nurls:\n  - {MAIL}&to=k@aalborg.example:\n      - tag: koordinator\n",
    )

    routing = load_routing(path)

    assert missing_departments(
        routing, ["koordinator", "renovation", "asylcenter", "tandpleje"], from_case=["asylcenter"]
    ) == [
        "renovation",
        "tandpleje",
    ]


def test_tags_that_no_department_uses_are_listed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""version: 1
urls:
  - {MAIL}&to=k@aalborg.example:
      - tag: koordinator, koordinater
  - json://127.0.0.1:8099/x:
      - tag: renovasion
""",
    )

    routing = load_routing(path)

    assert unused_tags(routing, ["koordinator", "renovation"]) == ["koordinater", "renovasion"]


def test_a_global_tag_applies_to_every_url(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 1\ntag: koordinator\nurls:\n  - json://127.0.0.1:8099/a\n"
        "  - json://127.0.0.1:8099/b:\n      - tag: renovation\n",
    )

    routing = load_routing(path)

    assert len(routing.urls_for("koordinator")) == 2
    assert len(routing.urls_for("renovation")) == 1


def test_loading_does_not_log_secrets(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(
        tmp_path,
        "version: 1\nurls:\n"
        "  - mailto://user:TopSecret99@127.0.0.1:8025?from=bad&to=x@aalborg.example:\n"
        "      - tag: a\n",
    )
    caplog.set_level(logging.DEBUG, logger="notifications")

    with pytest.raises(RoutingError):
        load_routing(path)

    assert "TopSecret99" not in caplog.text


def test_the_sender_keeps_apprise_s_logger_above_debug_so_no_url_secret_is_logged() -> None:
    import logging

    from notifications.apprise_sender import AppriseSender
    from notifications.routing import parse_routing

    apprise_log = logging.getLogger("apprise")
    before = apprise_log.level
    apprise_log.setLevel(logging.DEBUG)
    try:
        AppriseSender(
            parse_routing("version: 1\nurls:\n  - json://127.0.0.1:9/x:\n      - tag: a\n")
        )
        assert apprise_log.getEffectiveLevel() == logging.INFO
    finally:
        apprise_log.setLevel(before)
