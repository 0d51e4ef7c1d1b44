"""The config flow: the user step, re-authentication and reconfiguration."""

from __future__ import annotations

import pytest
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT
from homeassistant.data_entry_flow import FlowResultType

from custom_components.printer_async.const import DOMAIN

from .conftest import closed_port


def _user_input(printer, **changes):
    return {
        CONF_HOST: printer.host,
        CONF_PORT: printer.port,
        CONF_PASSWORD: printer.password,
        **changes,
    }


async def _start(hass):
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return result


async def test_a_printer_is_added_by_its_serial_number(hass, printer):
    """A printer that answers is added, titled with its name, its serial as unique id."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], _user_input(printer))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == printer.printer.name
    assert result["data"] == _user_input(printer)
    assert result["result"].unique_id == printer.printer.serial_number


async def test_a_wrong_password_is_invalid_auth(hass, printer):
    """A wrong access password shows invalid_auth; the right one then adds the printer."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(printer, password="not-the-password")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], _user_input(printer))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_an_unreachable_printer_is_cannot_connect(hass, printer):
    """A port where nothing listens shows cannot_connect; the right one then works."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(printer, port=closed_port())
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], _user_input(printer))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    "host", ["http://192.168.0.57", "192.168.0.57:10800", "256.1.1.1", "a printer"]
)
async def test_a_malformed_host_is_invalid_host(hass, printer, host):
    """An address the library refuses is invalid_host, on the host field, before any request."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(printer, host=host)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert not printer.printer._auth.tokens  # no login reached the printer


async def test_the_same_printer_twice_is_already_configured(hass, config_entry, printer):
    """Adding a printer already added aborts, and keeps the address given."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(printer, host="localhost")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert config_entry.data[CONF_HOST] == "localhost"


async def test_reauthentication_keeps_the_new_password(hass, config_entry, printer):
    """Re-authentication refuses a wrong password, then stores the right one."""
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_PASSWORD: "the-old-one"}
    )
    result = await config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: printer.password}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert config_entry.data[CONF_PASSWORD] == printer.password
    await hass.async_block_till_done()  # the entry's reload, with the new password
    assert config_entry.state is ConfigEntryState.LOADED


async def test_reconfiguration_moves_the_printer(hass, config_entry, printer):
    """Reconfiguring the same printer at another address keeps the entry, with the address."""
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_HOST: "192.0.2.1"}
    )
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], _user_input(printer))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data == _user_input(printer)
    await hass.async_block_till_done()  # the entry's reload, at the new address
    assert config_entry.state is ConfigEntryState.LOADED


async def test_reconfiguration_to_another_printer_is_refused(
    hass, config_entry, printer, simulated_printer_factory
):
    """Reconfiguring an entry onto another printer (another serial) aborts, entry unchanged."""
    other = simulated_printer_factory()
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], _user_input(other))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_printer"
    assert config_entry.data == _user_input(printer)
