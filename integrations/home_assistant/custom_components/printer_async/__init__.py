"""The Raise3D (printer-async) integration: one printer per config entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, Platform
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from printer_async import AsyncPrinter

from .coordinator import PrinterAsyncConfigEntry, PrinterCoordinator

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

PLATFORMS: list[Platform] = [Platform.BUTTON, Platform.SENSOR]


async def async_setup_entry(hass: HomeAssistant, entry: PrinterAsyncConfigEntry) -> bool:
    """Set up one printer: its client, its coordinator's first read, then its entities.

    A printer that does not answer makes the entry "retry later" (``ConfigEntryNotReady``), a
    wrong password starts the re-authentication flow (``ConfigEntryAuthFailed``): the
    coordinator's first refresh raises either.
    """
    # Home Assistant's shared aiohttp session: its connection pool and resolver, which the
    # printer uses and never closes (Home Assistant closes it when it stops).
    printer = AsyncPrinter(
        entry.data[CONF_HOST],
        port=entry.data[CONF_PORT],
        password=entry.data[CONF_PASSWORD],
        session=async_get_clientsession(hass),
    )
    coordinator = PrinterCoordinator(hass, entry, printer)
    # Registered before the first refresh, so that a setup that fails closes the printer too.
    entry.async_on_unload(coordinator.async_close)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator
    coordinator.async_follow_changes()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: PrinterAsyncConfigEntry) -> bool:
    """Unload the entities; the printer is closed by the callback set up above."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
