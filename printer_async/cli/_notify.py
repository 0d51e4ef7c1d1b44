"""``--notify URL`` and ``--notify-on EVENTS``, on watch, fleet and exporter."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import click

from printer_async._errors import PrinterError
from printer_async.notify import DEFAULT_NOTIFY_ON, NOTIFY_KINDS, Notifier

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from printer_async._client import AsyncPrinter

__all__ = ["make_notifier", "notify_options", "reporting_errors"]

_DEFAULT: str = ",".join(kind for kind in NOTIFY_KINDS if kind in DEFAULT_NOTIFY_ON)


def _kinds(_ctx: click.Context, _param: click.Parameter, value: str) -> frozenset[str]:
    kinds = frozenset(part.strip() for part in value.split(",") if part.strip())
    unknown = kinds - set(NOTIFY_KINDS)
    if unknown:
        raise click.BadParameter(
            f"unknown {', '.join(sorted(unknown))}; choose from {', '.join(NOTIFY_KINDS)}"
        )
    return kinds


def notify_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--notify`` (repeatable) and ``--notify-on`` to a command."""
    func = click.option(
        "--notify-on",
        default=_DEFAULT,
        show_default=True,
        metavar="EVENTS",
        callback=_kinds,
        help=f"The events to notify, comma-separated, from: {', '.join(NOTIFY_KINDS)}.",
    )(func)
    return click.option(
        "--notify",
        "notify_urls",
        multiple=True,
        metavar="URL",
        help=(
            "Send notifications through this Apprise URL (ntfy://TOPIC, json://HOST/PATH, "
            "mailto://..., see the Apprise wiki); repeatable. Needs printer-async[notify]."
        ),
    )(func)


def make_notifier(urls: tuple[str, ...], kinds: frozenset[str]) -> Notifier:
    """The notifier the options ask for, made before anything starts.

    Raises:
        click.BadParameter: A URL Apprise does not know (exit 2); the URL is not shown.
        click.ClickException: Apprise is not installed.
    """
    try:
        return Notifier(urls, on=kinds)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--notify'") from None
    except ImportError as exc:
        raise click.ClickException(str(exc)) from None


@contextlib.asynccontextmanager
async def reporting_errors(notifier: Notifier, printer: AsyncPrinter) -> AsyncIterator[None]:
    """Notify ``error`` when a printer error ends the block (a wrong password ends a watch)."""
    try:
        yield
    except PrinterError as exc:
        notifier.submit_error(printer, exc)
        raise
