"""The config flow: a printer's address and access password, tested before they are kept."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from printer_async import AsyncPrinter, AuthenticationError, PrinterError

from .const import DEFAULT_PORT, DOMAIN

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.core import HomeAssistant

    from printer_async import PrinterIdentity

_LOGGER = logging.getLogger(__name__)

PASSWORD_SCHEMA = vol.Schema({vol.Required(CONF_PASSWORD): str})


def _printer_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, vol.UNDEFINED)): str,
            vol.Required(CONF_PORT, default=defaults.get(CONF_PORT, DEFAULT_PORT)): cv.port,
            vol.Required(CONF_PASSWORD): str,
        }
    )


async def _identify(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[PrinterIdentity | None, dict[str, str]]:
    """Log in once and read the printer's identity: the connection test of every step.

    Returns:
        The identity and no errors, or ``None`` and the form's errors: ``invalid_host`` for
        an address the library refuses before sending anything, ``invalid_auth`` for a wrong
        access password, ``cannot_connect`` for a printer that does not answer (or answers
        like no Raise3D printer), ``unknown`` for anything else (logged with its traceback).
    """
    try:
        printer = AsyncPrinter(
            data[CONF_HOST],
            port=data[CONF_PORT],
            password=data[CONF_PASSWORD],
            session=async_get_clientsession(hass),
        )
    except ValueError:
        return None, {CONF_HOST: "invalid_host"}
    try:
        async with printer:
            return await printer.identify(), {}
    except AuthenticationError:
        return None, {"base": "invalid_auth"}
    except PrinterError as exc:
        _LOGGER.debug("Cannot connect to %s: %s", printer.name, exc)
        return None, {"base": "cannot_connect"}
    except Exception:
        _LOGGER.exception("Unexpected error while connecting to %s", printer.name)
        return None, {"base": "unknown"}


class PrinterAsyncConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a Raise3D printer; re-authenticate it; move it to a new address."""

    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the printer's address and access password, and test them."""
        errors: dict[str, str] = {}
        if user_input is not None:
            identity, errors = await _identify(self.hass, user_input)
            if identity is not None:
                await self.async_set_unique_id(identity.unique_id)
                # The same printer at a new address: keep the entry, take the new address.
                self._abort_if_unique_id_configured(updates=user_input)
                return self.async_create_entry(title=identity.name, data=user_input)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(_printer_schema({}), user_input or {}),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:  # noqa: ARG002 - the entry is read in the next step
        """Start re-authentication: the printer refused the stored password."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the new access password, and test it on the same printer."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **user_input}
            identity, errors = await _identify(self.hass, data)
            if identity is not None:
                await self.async_set_unique_id(identity.unique_id)
                self._abort_if_unique_id_mismatch(reason="wrong_printer")
                return self.async_update_reload_and_abort(entry, data_updates=user_input)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=PASSWORD_SCHEMA,
            description_placeholders={"host": entry.data[CONF_HOST]},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the printer's address, port or password; it must stay the same printer."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            identity, errors = await _identify(self.hass, user_input)
            if identity is not None:
                await self.async_set_unique_id(identity.unique_id)
                self._abort_if_unique_id_mismatch(reason="wrong_printer")
                return self.async_update_reload_and_abort(entry, data_updates=user_input)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _printer_schema(entry.data), user_input or {}
            ),
            errors=errors,
        )
