"""The pause, resume and stop buttons."""

from __future__ import annotations

import pytest
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.exceptions import HomeAssistantError

from .conftest import entity_id, until


async def _press(hass, button):
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: button}, blocking=True
    )


@pytest.mark.simulated_printer(file_read_time=0)
async def test_a_press_is_seen_within_a_second(hass, setup_entry, printer):
    """Pause, resume and stop show on the status sensor within a second, not at the interval."""
    simulated = printer.printer
    simulated.start_job("Local/benchy.gcode")
    await setup_entry()
    status = entity_id(hass, "sensor", "status", printer)
    assert hass.states.get(status).state == "running"
    for key, expected in (("pause", "paused"), ("resume", "running"), ("stop", "idle")):
        await _press(hass, entity_id(hass, "button", key, printer))
        # The coordinator reads every 30 s; nothing but the library's watch reads sooner.
        await until(lambda expected=expected: hass.states.get(status).state == expected, within=2)
    assert [t.current for t in simulated.transitions] == ["running", "paused", "running", "stopped"]


async def test_a_refused_command_is_an_error_for_the_user(hass, setup_entry, printer):
    """Pausing an idle printer raises an error that quotes the printer, and no secret."""
    await setup_entry()
    with pytest.raises(HomeAssistantError) as caught:
        await _press(hass, entity_id(hass, "button", "pause", printer))
    assert caught.value.translation_key == "command_failed"
    assert printer.password not in str(caught.value.translation_placeholders)
