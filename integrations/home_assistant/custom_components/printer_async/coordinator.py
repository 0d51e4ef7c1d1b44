"""The coordinator: one read of the printer's whole state per interval, and after a change."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from printer_async import AuthenticationError, EventKind, PrinterError, PrinterState

from .const import DOMAIN, SCAN_INTERVAL

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from printer_async import AsyncPrinter, PrinterIdentity

_LOGGER = logging.getLogger(__name__)

type PrinterAsyncConfigEntry = ConfigEntry[PrinterCoordinator]


class PrinterCoordinator(DataUpdateCoordinator[PrinterState]):
    """Holds one printer's client, its identity and the last state read.

    Errors map to Home Assistant's states in one place, here: a wrong password
    (``AuthenticationError``, which the library raises only when logging in again did not
    help) is "re-authenticate"; any other ``PrinterError`` (off, unreachable, still busy after
    the library rode out a short busy spell, a malformed answer) is "unavailable until the next
    good read", logged once when it starts and once when it ends.
    """

    config_entry: PrinterAsyncConfigEntry
    identity: PrinterIdentity

    def __init__(
        self, hass: HomeAssistant, entry: PrinterAsyncConfigEntry, printer: AsyncPrinter
    ) -> None:
        """Create the coordinator of ``entry``'s printer; nothing is sent yet."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=SCAN_INTERVAL,
        )
        self.printer = printer
        self._follower: asyncio.Task[None] | None = None

    async def _async_setup(self) -> None:
        """Log in and read the printer's identity, for the device registry (once per setup)."""
        try:
            self.identity = await self.printer.identify()
        except AuthenticationError as exc:
            raise ConfigEntryAuthFailed(str(exc)) from exc
        except PrinterError as exc:
            raise UpdateFailed(str(exc)) from exc

    async def _async_update_data(self) -> PrinterState:
        """Read the job, the status, the bed and every nozzle, under one deadline."""
        try:
            return await self.printer.read_state()
        except AuthenticationError as exc:
            raise ConfigEntryAuthFailed(str(exc)) from exc
        except PrinterError as exc:
            raise UpdateFailed(str(exc)) from exc

    @callback
    def async_follow_changes(self) -> None:
        """Start following the job's changes, in a task the entry cancels when it unloads."""
        self._follower = self.config_entry.async_create_background_task(
            self.hass, self._follow_changes(), name=f"{self.name} watch"
        )

    async def _follow_changes(self) -> None:
        """Read the whole state again as soon as the printer's job changes.

        After a command sent through this printer (the pause, resume and stop buttons), the
        library's watch sees the printer's new state within about a second, instead of at the
        next interval. Its offline and online events are left to the coordinator's own reads,
        which already mark the entities unavailable and log the outage once.
        """
        events = self.printer.watch(interval=SCAN_INTERVAL.total_seconds())
        try:
            async with contextlib.aclosing(events):
                async for event in events:
                    if event.kind not in {EventKind.INITIAL, EventKind.OFFLINE}:
                        await self.async_refresh()
        except AuthenticationError:
            # The coordinator's next read raises it too, and starts the re-authentication.
            return

    async def async_close(self) -> None:
        """Stop following changes, then close the printer (the shared session stays open)."""
        if self._follower is not None:
            self._follower.cancel()
            await asyncio.wait([self._follower])
        await self.printer.aclose()
