"""Diagnostics: what the printer said, with every secret and identifying number redacted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD

from printer_async import REDACT_KEYS, PrinterError

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .coordinator import PrinterAsyncConfigEntry

# The library's list (passwords, tokens, the camera's credentials, serial and machine ids),
# the entry's own password, and the entry's unique id, which is the printer's serial number.
TO_REDACT = REDACT_KEYS | {CONF_PASSWORD, "unique_id"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant,  # noqa: ARG001 - Home Assistant's signature
    entry: PrinterAsyncConfigEntry,
) -> dict[str, Any]:
    """The entry, the printer's identity, its last state and its camera's settings."""
    coordinator = entry.runtime_data
    try:
        # Not kept by the coordinator: the camera's credentials change at every reboot.
        camera: dict[str, Any] | str = attrs.asdict(await coordinator.printer.camera_info())
    except PrinterError as exc:
        camera = str(exc)
    return async_redact_data(
        {
            "entry": entry.as_dict(),
            "identity": attrs.asdict(coordinator.identity),
            "last_update_success": coordinator.last_update_success,
            "state": attrs.asdict(coordinator.data) if coordinator.data is not None else None,
            "camera": camera,
        },
        TO_REDACT,
    )
