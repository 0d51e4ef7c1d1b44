"""Notifications of a watch's events through Apprise: ntfy, Slack, Discord, e-mail, webhooks...

It needs the ``notify`` extra (apprise): ``pip install "printer-async[notify]"``. Apprise is
imported only when a :class:`Notifier` is given URLs, and ``import printer_async`` never imports
this package.
"""

from printer_async.notify._notifier import (
    DEFAULT_NOTIFY_ON,
    DEFAULT_RATE_LIMIT,
    DEFAULT_RATE_WINDOW,
    NOTIFY_KINDS,
    Notifier,
    event_name,
)

__all__ = [
    "DEFAULT_NOTIFY_ON",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_RATE_WINDOW",
    "NOTIFY_KINDS",
    "Notifier",
    "event_name",
]
