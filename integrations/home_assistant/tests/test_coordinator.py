"""What the entities show as the printer changes: a job, an outage, a busy spell."""

from __future__ import annotations

import logging

import pytest
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from printer_async.simulator import ManualClock

from .conftest import entity_id

JOB_SECONDS = 3600


def _records(caplog, level=logging.INFO):
    """What the integration and the library logged at ``level`` or above, as text."""
    return [
        f"{record.levelname} {record.getMessage()}"
        for record in caplog.records
        if record.levelno >= level
        and record.name.startswith(("custom_components.printer_async", "printer_async"))
    ]


@pytest.mark.simulated_printer(clock=ManualClock(), file_read_time=0, job_duration=JOB_SECONDS)
async def test_a_job_is_seen_running_paused_and_completed(hass, setup_entry, printer):
    """A job shows running, paused, then completed, with its progress and remaining time."""
    entry = await setup_entry()
    coordinator = entry.runtime_data
    status = entity_id(hass, "sensor", "status", printer)
    progress = entity_id(hass, "sensor", "progress", printer)
    remaining = entity_id(hass, "sensor", "remaining_time", printer)
    assert hass.states.get(progress).state == STATE_UNKNOWN  # no job
    assert hass.states.get(remaining).state == STATE_UNKNOWN  # no estimate without a job

    simulated = printer.printer
    simulated.start_job("Local/benchy.gcode")
    simulated.clock.advance(JOB_SECONDS / 4)
    await coordinator.async_refresh()
    assert hass.states.get(status).state == "running"
    assert float(hass.states.get(progress).state) == pytest.approx(25, abs=1)
    assert float(hass.states.get(remaining).state) == pytest.approx(45, abs=1)  # minutes

    simulated.pause()
    await coordinator.async_refresh()
    assert hass.states.get(status).state == "paused"

    simulated.resume()
    simulated.clock.advance(JOB_SECONDS)
    await coordinator.async_refresh()
    assert hass.states.get(status).state == "completed"
    assert float(hass.states.get(progress).state) == 100
    assert float(hass.states.get(remaining).state) == 0
    seen = [t.current for t in simulated.transitions]
    assert seen == ["running", "paused", "running", "completed"]


@pytest.mark.simulated_printer(file_read_time=3600, speed=1)
async def test_a_job_without_an_estimate_has_no_remaining_time(hass, setup_entry, printer):
    """While the printer has no estimate for a started job, the remaining time is unknown."""
    entry = await setup_entry()
    printer.printer.start_job("Local/benchy.gcode")
    await entry.runtime_data.async_refresh()
    assert hass.states.get(entity_id(hass, "sensor", "status", printer)).state == "running"
    assert hass.states.get(entity_id(hass, "sensor", "remaining_time", printer)).state == (
        STATE_UNKNOWN
    )


async def test_temperatures_of_the_bed_and_each_nozzle(hass, setup_entry, printer):
    """The bed and both nozzles of a Pro2 have their temperature and target sensors."""
    entry = await setup_entry()
    state = entry.runtime_data.data
    assert len(state.nozzles) == 2
    bed = hass.states.get(entity_id(hass, "sensor", "bed_temperature", printer))
    assert float(bed.state) == state.basic.heatbed_cur_temp
    assert bed.attributes["unit_of_measurement"] == "°C"
    for number, nozzle in enumerate(state.nozzles, 1):
        key = f"nozzle_temperature_{number}"
        current = hass.states.get(entity_id(hass, "sensor", key, printer))
        assert float(current.state) == nozzle.nozzle_cur_temp
        assert current.name.endswith(f"Nozzle {number} temperature")


async def test_an_outage_is_logged_once_each_way(hass, setup_entry, printer, caplog):
    """A printer that stops answering is unavailable with one ERROR, and back with one INFO."""
    entry = await setup_entry()
    coordinator = entry.runtime_data
    status = entity_id(hass, "sensor", "status", printer)
    caplog.clear()

    printer.printer.faults.drop(duration=600)  # no answer at all until cleared
    await coordinator.async_refresh()
    await coordinator.async_refresh()
    assert hass.states.get(status).state == STATE_UNAVAILABLE
    logged = _records(caplog)
    assert len(logged) == 1, logged
    assert logged[0].startswith("ERROR Error fetching")

    caplog.clear()
    printer.printer.faults.clear()
    await coordinator.async_refresh()
    await coordinator.async_refresh()
    assert hass.states.get(status).state == "idle"
    assert _records(caplog) == [f"INFO Fetching {coordinator.name} data recovered"]


async def test_a_short_busy_spell_is_ridden_out(hass, setup_entry, printer, caplog):
    """Two busy answers (someone at the screen) leave the entities available, logging nothing."""
    entry = await setup_entry()
    coordinator = entry.runtime_data
    caplog.clear()
    printer.printer.faults.busy("10003", count=2)
    await coordinator.async_refresh()
    assert len(printer.printer.faults.fired) == 2  # the printer did answer busy, twice
    assert coordinator.last_update_success
    assert hass.states.get(entity_id(hass, "sensor", "status", printer)).state == "idle"
    assert _records(caplog, logging.WARNING) == []
