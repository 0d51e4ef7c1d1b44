"""REDACT_KEYS: diagnostics made with attrs.asdict() of what the library returns hold no secret."""

import re

import attrs
import printer_async
import pytest
from printer_async import (
    REDACT_KEYS,
    CameraInfo,
    PrinterIdentity,
    PrinterState,
    RunningStatus,
    RunningStatusInfo,
)
from printer_async._models import SENSITIVE
from test_identity_state import BASIC, NOZZLE, captured_system

from _support import make_job

MODELS = [
    value
    for name in printer_async.__all__
    if isinstance(value := getattr(printer_async, name), type) and attrs.has(value)
]
"""Every attrs class printer-async returns (each is a public name)."""

LOOKS_SENSITIVE = re.compile(
    r"pass|secret|token|sign|cred|auth|key|user|serial|_id$|^id$|uuid|_ip$|^ip|addr|mac|uri"
    r"|url|host|printer"
)
"""Field names that suggest a credential, or an id or address of a printer or its owner."""

REVIEWED = {
    "JobListEntry.user_tag": "a label the user typed for the job in the slicer, no credential",
    "JobDetail.user_tag": "the same label",
    "JobEvent.printer": "the AsyncPrinter object itself, not data: left out of diagnostics",
    "PollReport.printer": "the same object",
    "SystemInfo.machine_name": "the name set on the printer's screen, the device's name anyway",
}
"""Fields whose names look sensitive but which were reviewed and hold nothing to redact."""


def redact(data, keys):
    """What Home Assistant's ``async_redact_data`` does: blank the values of ``keys``, deeply."""
    if isinstance(data, list | tuple):
        return [redact(item, keys) for item in data]
    if not isinstance(data, dict):
        return data
    return {
        key: "**REDACTED**" if key in keys else redact(value, keys) for key, value in data.items()
    }


def values_in(data):
    """Every leaf value of a nested dict/list structure."""
    if isinstance(data, dict):
        return [leaf for value in data.values() for leaf in values_in(value)]
    if isinstance(data, list | tuple):
        return [leaf for value in data for leaf in values_in(value)]
    return [data]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_field_that_looks_sensitive_is_marked_or_reviewed(model):
    """A field named like a secret or an id is marked SENSITIVE, or reviewed in this file."""
    unmarked = [
        f"{model.__name__}.{field.name}"
        for field in attrs.fields(model)
        if LOOKS_SENSITIVE.search(field.name)
        and SENSITIVE not in field.metadata
        and f"{model.__name__}.{field.name}" not in REVIEWED
    ]
    assert unmarked == []


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_marked_field_is_in_redact_keys(model):
    """Each field marked secret or identifying is one of REDACT_KEYS."""
    marked = {field.name for field in attrs.fields(model) if SENSITIVE in field.metadata}
    assert marked <= REDACT_KEYS
    assert {attrs.fields_dict(model)[name].metadata[SENSITIVE] for name in marked} <= {
        "secret",
        "identifying",
    }


def test_redact_keys_name_the_credentials_and_the_printers_ids():
    """The camera's credentials, the token, the password and the printer's ids are in it."""
    assert {
        "password",
        "user_name",
        "token",
        "serial_number",
        "unique_id",
        "machine_id",
        "machine_ip",
        "server_uri",
    } <= REDACT_KEYS
    assert isinstance(REDACT_KEYS, frozenset)


def test_diagnostics_of_every_answer_hold_no_secret_and_no_id():
    """asdict() of camera, system, identity and state, redacted: none of their values remain."""
    system = captured_system()
    camera = CameraInfo(
        is_camera_connected=True,
        server_uri=":30216/api/v1/camera/auth_stream",
        user_name="raise3d_camera",
        password="368d8d",
    )
    state = PrinterState(
        job=make_job(),
        running_status=RunningStatusInfo(RunningStatus.RUNNING),
        basic=BASIC,
        nozzles=(NOZZLE,),
    )
    diagnostics = {
        "camera": attrs.asdict(camera),
        "system": attrs.asdict(system),
        "identity": attrs.asdict(PrinterIdentity.from_system_info(system)),
        "state": attrs.asdict(state),
    }
    left = values_in(redact(diagnostics, REDACT_KEYS))
    for secret in (
        "368d8d",
        "raise3d_camera",
        ":30216/api/v1/camera/auth_stream",
        system.serial_number,
        system.machine_id,
        system.machine_ip,
        make_job().job_id,
    ):
        assert secret not in left
    assert "Raise3D Pro2" in left  # what is not sensitive stays
