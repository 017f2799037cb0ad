"""Notifications departments can trust: routing by Apprise tag, Danish templates, delivery."""

from notifications.apprise_sender import (
    Address,
    AppriseSender,
    DeliveryError,
    FakeSender,
    Sender,
    SentMessage,
    asylum_centre_ref,
    asylum_centre_url,
)
from notifications.messages import MessageType, RenderedMessage, render
from notifications.routing import (
    Routing,
    RoutingError,
    load_routing,
    missing_departments,
    unused_tags,
)
from notifications.wording import household_summary

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
