"""Sensors: the printer's status, the job's progress and remaining time, the temperatures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, UnitOfTemperature, UnitOfTime

from printer_async import NozzleInfo, PrinterState, RunningStatus

from .entity import PrinterEntity

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import PrinterAsyncConfigEntry, PrinterCoordinator

# Values only: the coordinator holds the state; nothing here talks to the printer.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class PrinterSensorDescription(SensorEntityDescription):
    """A sensor of the whole printer, and how to read it from a state."""

    value: Callable[[PrinterState], str | float | None]


@dataclass(frozen=True, kw_only=True)
class NozzleSensorDescription(SensorEntityDescription):
    """A sensor of each nozzle, and how to read it from that nozzle's values."""

    value: Callable[[NozzleInfo], float]


def _progress(state: PrinterState) -> float | None:
    return state.job.print_progress if state.job.has_job else None


PRINTER_SENSORS: tuple[PrinterSensorDescription, ...] = (
    PrinterSensorDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in RunningStatus],
        value=lambda state: state.running_status.running_status.value,
    ),
    PrinterSensorDescription(
        key="progress",
        translation_key="progress",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value=_progress,
    ),
    PrinterSensorDescription(
        # None, shown as "unknown", while the printer has no estimate (idle, or a job that
        # has just started): the library never makes one up from its placeholder total.
        key="remaining_time",
        translation_key="remaining_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_unit_of_measurement=UnitOfTime.MINUTES,
        value=lambda state: state.job.remaining_time,
    ),
    PrinterSensorDescription(
        key="bed_temperature",
        translation_key="bed_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        value=lambda state: state.basic.heatbed_cur_temp,
    ),
    PrinterSensorDescription(
        key="bed_target_temperature",
        translation_key="bed_target_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        value=lambda state: state.basic.heatbed_tar_temp,
    ),
)

NOZZLE_SENSORS: tuple[NozzleSensorDescription, ...] = (
    NozzleSensorDescription(
        key="nozzle_temperature",
        translation_key="nozzle_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        value=lambda nozzle: nozzle.nozzle_cur_temp,
    ),
    NozzleSensorDescription(
        key="nozzle_target_temperature",
        translation_key="nozzle_target_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        value=lambda nozzle: nozzle.nozzle_tar_temp,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,  # noqa: ARG001 - Home Assistant's signature
    entry: PrinterAsyncConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the printer's sensors, with one set per nozzle the first read found."""
    coordinator = entry.runtime_data
    entities: list[SensorEntity] = [
        PrinterSensor(coordinator, description) for description in PRINTER_SENSORS
    ]
    entities.extend(
        NozzleSensor(coordinator, description, nozzle)
        for nozzle in range(1, len(coordinator.data.nozzles) + 1)
        for description in NOZZLE_SENSORS
    )
    async_add_entities(entities)


class PrinterSensor(PrinterEntity, SensorEntity):
    """A value of the whole printer."""

    entity_description: PrinterSensorDescription

    def __init__(
        self, coordinator: PrinterCoordinator, description: PrinterSensorDescription
    ) -> None:
        """Create the sensor that ``description`` tells."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> str | float | None:
        """The value in the coordinator's last state."""
        return self.entity_description.value(self.coordinator.data)


class NozzleSensor(PrinterEntity, SensorEntity):
    """A value of one nozzle (1 is the left one)."""

    entity_description: NozzleSensorDescription

    def __init__(
        self,
        coordinator: PrinterCoordinator,
        description: NozzleSensorDescription,
        nozzle: int,
    ) -> None:
        """Create the sensor that ``description`` tells, for nozzle number ``nozzle``."""
        super().__init__(coordinator, f"{description.key}_{nozzle}")
        self.entity_description = description
        self._attr_translation_placeholders = {"nozzle": str(nozzle)}
        self._index = nozzle - 1

    @property
    def native_value(self) -> float | None:
        """The nozzle's value in the coordinator's last state."""
        nozzles = self.coordinator.data.nozzles
        if self._index >= len(nozzles):  # a state read after the printer lost a nozzle
            return None
        return self.entity_description.value(nozzles[self._index])
