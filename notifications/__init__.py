"""Notifications departments can trust: routing by Apprise tag, Danish templates, delivery.

The names below are loaded on first use (PEP 562), so importing one light module of this
package (`notifications.codec`) does not load Apprise and Jinja2 into a reception run.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "notifications.apprise_sender": (
        "Address",
        "AppriseSender",
        "DeliveryError",
        "FakeSender",
        "Sender",
        "SentMessage",
        "asylum_centre_ref",
        "asylum_centre_url",
    ),
    "notifications.messages": ("MessageType", "RenderedMessage", "render"),
    "notifications.wording": ("household_summary",),
    "notifications.routing": (
        "Routing",
        "RoutingError",
        "load_routing",
        "missing_departments",
        "unused_tags",
    ),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """`from notifications import Sender` works as before, importing its module then."""
    if name not in _HOME_OF:
        raise AttributeError(f"module 'notifications' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME_OF[name]), name)


__all__ = [
    "Address",
    "AppriseSender",
    "DeliveryError",
    "FakeSender",
    "MessageType",
    "RenderedMessage",
    "Routing",
    "RoutingError",
    "Sender",
    "SentMessage",
    "asylum_centre_ref",
    "asylum_centre_url",
    "household_summary",
    "load_routing",
    "missing_departments",
    "render",
    "unused_tags",
]
