"""The base of every entity of a printer: its device, and availability from the coordinator."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import PrinterCoordinator


class PrinterEntity(CoordinatorEntity[PrinterCoordinator]):
    """An entity of one printer, named after its device (``has_entity_name``)."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: PrinterCoordinator, key: str) -> None:
        """Create the entity ``key`` of the coordinator's printer."""
        super().__init__(coordinator)
        identity = coordinator.identity
        # The library's unique id (the serial number) names the device and its entities, so
        # that a printer that moves to another address keeps its history.
        self._attr_unique_id = f"{identity.unique_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, identity.unique_id)},
            manufacturer=identity.manufacturer,
            model=identity.model,
            name=identity.name,
            serial_number=identity.serial_number,
            sw_version=identity.sw_version,
            # The device registry has no firmware field: the motion controller's firmware is
            # the nearest thing to a hardware revision that the printer reports.
            hw_version=identity.firmware_version,
        )
