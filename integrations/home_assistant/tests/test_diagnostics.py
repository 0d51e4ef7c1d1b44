"""Diagnostics: useful, and without a secret or the serial number."""

from __future__ import annotations

import json

from homeassistant.components.diagnostics import REDACTED
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from .conftest import secrets_of


async def test_diagnostics_hold_no_secret(hass, hass_client, setup_entry, printer, caplog):
    """Diagnostics show the state and identity, redact every secret and the serial number."""
    entry = await setup_entry()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics["entry"]["data"]["password"] == REDACTED
    assert diagnostics["entry"]["unique_id"] == REDACTED
    assert diagnostics["identity"]["serial_number"] == REDACTED
    assert diagnostics["identity"]["manufacturer"] == "Raise3D"
    assert diagnostics["state"]["running_status"]["running_status"] == "idle"
    assert diagnostics["camera"]["is_camera_connected"] is True
    assert diagnostics["camera"]["password"] == REDACTED

    text = json.dumps(diagnostics)
    secrets = secrets_of(printer)
    assert len(secrets) >= 3  # the password, the camera's, at least one token
    for name, secret in secrets.items():
        assert secret not in text, name
        assert secret not in caplog.text, name
    assert printer.printer.serial_number not in text
    assert printer.printer.machine_id not in text
