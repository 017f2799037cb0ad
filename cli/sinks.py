"""`koereplan sinks`: the local mail and webhook receivers the example routing points at.

Without them every message of a local run fails and steps show as not told. What arrives is
printed and kept as files under `data/beskeder/`.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, err_console, require_demo_tools

MAIL_PORT = 8025  # config/apprise.example.yaml and KOEREPLAN_ASYLUM_MAIL_URL's default
WEBHOOK_PORT = 8099
FOLDER = Path("data/beskeder")


def port_taken(port: int) -> bool:
    """True when something already listens on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def sinks(
    mail_port: Annotated[int, typer.Option(help="SMTP-port (routing-filens mailto://).")] = (
        MAIL_PORT
    ),
    webhook_port: Annotated[int, typer.Option(help="HTTP-port (routing-filens json://).")] = (
        WEBHOOK_PORT
    ),
    folder: Annotated[Path, typer.Option(help="Hvor hver modtaget besked gemmes.")] = FOLDER,
) -> None:
    """Modtag beskederne fra en lokal kørsel (mail og webhooks) og gem dem som filer."""
    require_demo_tools("sinks")
    from devtools.kept import MessageFolder
    from devtools.sinks import mail_sink, webhook_sink

    for port, option in ((mail_port, "--mail-port"), (webhook_port, "--webhook-port")):
        if port_taken(port):
            err_console.print(
                f"Port {port} på 127.0.0.1 er optaget: stop det program, der bruger den, "
                f"eller vælg en anden med {option} (og ret routing-filen)."
            )
            raise typer.Exit(1)
    keep = MessageFolder(folder, announce=lambda line: console.print(line, highlight=False))
    with mail_sink(mail_port, keep), webhook_sink(webhook_port, keep):
        console.print(
            f"Modtager mail på 127.0.0.1:{mail_port} og webhooks på 127.0.0.1:{webhook_port}; "
            f"gemmer hver besked i {folder}/. Stop med Ctrl-C."
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            console.print(f"Stoppet. Beskederne ligger i {folder}/.")
