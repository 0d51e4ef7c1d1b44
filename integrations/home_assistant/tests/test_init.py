"""Setting up, reloading and unloading an entry; the device registry."""

from __future__ import annotations

import asyncio

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_PORT
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.plugins import get_scheduled_timer_handles

from custom_components.printer_async.const import DOMAIN

from .conftest import closed_port, entity_id


def _left_on_the_loop() -> list[str]:
    """The timers and tasks of printer-async or of this integration still on the loop."""
    loop = asyncio.get_running_loop()
    timers = [
        repr(handle)
        for handle in get_scheduled_timer_handles(loop)
        if not handle.cancelled() and "printer_async" in repr(handle)
    ]
    tasks = [
        repr(task)
        for task in asyncio.all_tasks(loop)
        if task is not asyncio.current_task() and "printer_async" in repr(task)
    ]
    return timers + tasks


async def test_a_printer_that_answers_is_loaded(hass, setup_entry, printer):
    """A printer that answers is loaded, with its sensors and buttons."""
    entry = await setup_entry()
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(entity_id(hass, "sensor", "status", printer)).state == "idle"
    assert hass.states.get(entity_id(hass, "button", "pause", printer)) is not None


async def test_the_device_is_the_printer(hass, setup_entry, printer):
    """The device registry has the printer by its serial, with the library's description."""
    entry = await setup_entry()
    device = dr.async_get(hass).async_get_device({(DOMAIN, printer.printer.serial_number)})
    assert device is not None
    assert device.config_entries == {entry.entry_id}
    assert device.manufacturer == "Raise3D"
    assert device.model == printer.printer.profile.model
    assert device.name == printer.printer.name
    assert device.serial_number == printer.printer.serial_number
    assert device.sw_version == printer.printer.profile.version
    assert device.hw_version == printer.printer.profile.firmware_version


async def test_a_printer_that_is_off_is_set_up_later(hass, config_entry, setup_entry):
    """A printer that does not answer at setup leaves the entry to retry, not failed."""
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_PORT: closed_port()}
    )
    entry = await setup_entry()
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_a_wrong_password_at_setup_asks_for_the_new_one(hass, config_entry, setup_entry):
    """A wrong password at setup fails the entry and starts re-authentication."""
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_PASSWORD: "changed-on-the-printer"}
    )
    entry = await setup_entry()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_reload_and_unload_leave_nothing_behind(hass, setup_entry, printer):
    """A reloaded entry works again; an unloaded one leaves no timer, task or open printer."""
    entry = await setup_entry()
    first = entry.runtime_data.printer
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert first.closed
    assert hass.states.get(entity_id(hass, "sensor", "status", printer)).state == "idle"
    second = entry.runtime_data.printer
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert second.closed
    assert _left_on_the_loop() == []
