"""Buttons: pause, resume and stop the job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.exceptions import HomeAssistantError

from printer_async import AsyncPrinter, PrinterError

from .const import DOMAIN
from .entity import PrinterEntity

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import PrinterAsyncConfigEntry, PrinterCoordinator

# One command at a time per printer: its web server serves the screen and the slicer too.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class PrinterButtonDescription(ButtonEntityDescription):
    """A button, and the printer's command it sends."""

    press: Callable[[AsyncPrinter], Awaitable[None]]


BUTTONS: tuple[PrinterButtonDescription, ...] = (
    PrinterButtonDescription(key="pause", translation_key="pause", press=AsyncPrinter.pause_job),
    PrinterButtonDescription(key="resume", translation_key="resume", press=AsyncPrinter.resume_job),
    PrinterButtonDescription(key="stop", translation_key="stop", press=AsyncPrinter.stop_job),
)


async def async_setup_entry(
    hass: HomeAssistant,  # noqa: ARG001 - Home Assistant's signature
    entry: PrinterAsyncConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the printer's buttons."""
    async_add_entities(PrinterButton(entry.runtime_data, description) for description in BUTTONS)


class PrinterButton(PrinterEntity, ButtonEntity):
    """A command to the printer's current job."""

    entity_description: PrinterButtonDescription

    def __init__(
        self, coordinator: PrinterCoordinator, description: PrinterButtonDescription
    ) -> None:
        """Create the button that ``description`` tells."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    async def async_press(self) -> None:
        """Send the command; the printer's refusal becomes an error shown to the user.

        Nothing is refreshed here: the library's watch, which the coordinator follows, sees
        the printer's new state within about a second of the command.
        """
        try:
            await self.entity_description.press(self.coordinator.printer)
        except PrinterError as exc:
            # The library's messages say what happened and never carry a secret.
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="command_failed",
                translation_placeholders={"error": str(exc)},
            ) from exc
