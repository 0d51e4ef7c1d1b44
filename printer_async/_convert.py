"""The one cattrs converter that turns the printer's JSON into the models.

Extra keys are ignored (new firmware may add fields). Whether a bad value fails the call
depends on what the field is for, decided field by field:

- **Strict**, the default: what the library computes with or the caller relies on. Every field
  of ``/job/currentjob`` (``job_status``, ``job_id``, ``file_name``, the times, the layers,
  ``print_progress``), the statistics and job history, file listings, the camera's state,
  address and credentials, the measurements of ``/printer/basic`` and the nozzles, and in
  ``/printer/system`` the identity (``Serial_number``, ``machine_id``) and ``nozzies_num``. A
  missing key or a value of the wrong type raises :class:`ProtocolError` naming the field:
  no number is made up.
- **Tolerant**: the fields of ``/printer/system`` that only describe the printer
  (``date_time``, ``battery``, ``brightness``, ``storage_available``, the version strings,
  ``language``, ``machine_ip``, ``machine_name``, ``model``, ``update``): one that is missing,
  of another type or unparsable (a ``date_time`` not in the documented form) becomes ``None``
  and is logged at DEBUG; the rest of the answer is used. These are the model fields that
  default to ``None``.

Enums are tolerant by design: a value this version does not know becomes ``UNKNOWN`` and the
wire string is kept beside it (``raw_job_status``, ``raw_running_status``); a value that is not a
string at all is strict. :class:`UnknownValues` logs the first sighting of each unknown value.
"""

from __future__ import annotations

import functools
import logging
import math
import types
import typing
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from printer_async._checks import MAX_NUMBER, shown
from printer_async._errors import ProtocolError
from printer_async._models import (
    CameraInfo,
    CurrentJob,
    FileEntry,
    FileList,
    JobDetail,
    JobStatus,
    RunningStatus,
    RunningStatusInfo,
    Statistics,
    SystemInfo,
)

if TYPE_CHECKING:
    import enum
    from collections.abc import Callable, Mapping

    import cattrs

__all__ = ["UnknownValues", "structure"]

T = TypeVar("T")

_log = logging.getLogger("printer_async.protocol")

_SHOWN_CHARS: Final = 80
"""A value from the printer is cut to this many characters in a log line."""

_MAX_UNKNOWN: Final = 32
"""Unknown enum values remembered per printer, so that each is reported once."""


# -- numbers and text: what any field of any answer may hold --------------------------------------

# Numbers in answers are held to MAX_NUMBER (2**53, the integers JSON carries exactly); no
# documented value comes near. Python's JSON reader also accepts NaN, Infinity and numbers too
# large for a float (as infinity): all are refused, naming the field, so that no arithmetic on
# a model (a watch's progress steps) overflows or turns NaN.


def _check_number(value: Any, wanted: str) -> int | float:
    kind = type(value)
    # Every number of every poll passes here: the usual one is taken at once. NaN compares
    # false and infinity is out of range, so they go on to the checks below, as do bools.
    if (kind is int or kind is float) and -MAX_NUMBER <= value <= MAX_NUMBER:
        return value  # type: ignore[no-any-return]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected {wanted}, got {type(value).__name__}")
    # An int is compared as it is: a huge one would overflow on the way to a float.
    non_finite = isinstance(value, float) and not math.isfinite(value)
    if non_finite or not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise ValueError(f"expected {wanted} within +-2**53, got {shown(value)}")
    return value


def _structure_int(value: Any, _: type) -> int:
    # A JSON number with no fraction may arrive as 197.0; bool is an int in Python but not here.
    number = _check_number(value, "an integer")
    if isinstance(number, float):
        if not number.is_integer():
            raise TypeError(f"expected an integer, got {number!r}")
        return int(number)
    return number


def _structure_float(value: Any, _: type) -> float:
    return float(_check_number(value, "a number"))


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:  # a lone surrogate, "\ud800" in the JSON
            raise ValueError("expected text, got a string with a lone surrogate") from None
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    # Some firmware sends "true"/"false" strings (seen in other clients' converters).
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise TypeError(f"expected a boolean, got {type(value).__name__}")


def _structure_utc_datetime(value: Any, _: type) -> datetime:
    # The vendor documents date_time as UTC in the form "2017-08-16 07:08:59".
    if not isinstance(value, str):
        raise TypeError(f"expected a date string, got {type(value).__name__}")
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        raise TypeError(f"expected a date like '2017-08-16 07:08:59', got {value!r}") from None


def _tolerant_enum(enum_type: type[T]) -> Any:
    def hook(value: Any, _: type) -> T:
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {type(value).__name__}")
        return enum_type(value)  # type: ignore[call-arg]  # _missing_ maps unknown values

    return hook


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else f"{text[: _SHOWN_CHARS - 3]}..."


def _tolerant(converter: cattrs.Converter, cls: type, name: str, base: type) -> Any:
    """A hook for an informational field: a value the strict hook refuses becomes ``None``."""
    strict = converter.get_structure_hook(base)

    def hook(value: Any, _: type) -> Any:
        if value is None:
            return None
        try:
            return strict(value, base)
        except (TypeError, ValueError) as exc:
            _log.debug(
                "%s.%s: %s is not usable (%s); it is None", cls.__name__, name, _shown(value), exc
            )
            return None

    return hook


def _informational(
    converter: cattrs.Converter, cls: type, *, renames: Mapping[str, str]
) -> dict[str, Any]:
    """Tolerant overrides for the fields of ``cls`` that default to ``None``, with wire names."""
    from cattrs.gen import override  # noqa: PLC0415 - see _converter()

    hints = typing.get_type_hints(cls)
    overrides = {}
    for field in attrs.fields(cls):
        if field.default is None:
            base = next(t for t in typing.get_args(hints[field.name]) if t is not types.NoneType)
            overrides[field.name] = override(
                rename=renames.get(field.name),
                struct_hook=_tolerant(converter, cls, field.name, base),
            )
    return overrides


def _keep_raw(converter: cattrs.Converter, cls: type[T], key: str) -> Callable[[Any, type], T]:
    """A hook for a model with an enum field ``key`` and its ``raw_<key>``, the wire string."""
    from cattrs.gen import make_dict_structure_fn  # noqa: PLC0415 - see _converter()

    default = make_dict_structure_fn(cls, converter)
    raw = f"raw_{key}"

    def hook(value: Any, _: type) -> T:
        if isinstance(value, dict) and isinstance(value.get(key), str):
            value = {**value, raw: value[key]}
        return default(value, cls)

    return hook


@functools.cache
def _converter() -> cattrs.Converter:
    """The converter, built on the first call rather than at import.

    Importing cattrs and generating the models' hooks is about a tenth of ``import
    printer_async``; a program that never reads an answer (``--help``, a CLI error) does not
    pay it, and one that does pays it once, on its first answer.
    """
    import cattrs  # noqa: PLC0415 - deferred, as the docstring says
    from cattrs.gen import make_dict_structure_fn, override  # noqa: PLC0415 - same

    converter = cattrs.Converter(forbid_extra_keys=False)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(bool, _structure_bool)
    for enum_type in (JobStatus, RunningStatus):
        converter.register_structure_hook(enum_type, _tolerant_enum(enum_type))
    converter.register_structure_hook(CurrentJob, _keep_raw(converter, CurrentJob, "job_status"))
    converter.register_structure_hook(
        RunningStatusInfo, _keep_raw(converter, RunningStatusInfo, "running_status")
    )
    converter.register_structure_hook(
        Statistics,
        make_dict_structure_fn(
            Statistics,
            converter,
            printed_used_filament_left=override(rename="printed_used_filament_0"),
            printed_used_filament_right=override(rename="printed_used_filament_1"),
        ),
    )
    converter.register_structure_hook(datetime, _structure_utc_datetime)
    _register_renames(converter)
    return converter


def _is(cls: Any) -> Callable[[Any], bool]:
    return lambda other: bool(other == cls)


def _json_array(converter: cattrs.Converter, cls: Any) -> Any:
    # cattrs would turn a string into a tuple of its characters; only a JSON array is a list.
    default = converter.get_structure_hook(cls)

    def hook(value: Any, _: type) -> Any:
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        return default(value, cls)

    return hook


def _register_renames(converter: cattrs.Converter) -> None:
    """The wire spellings of the rest of the API, kept out of the models."""
    from cattrs.gen import make_dict_structure_fn, override  # noqa: PLC0415 - see _converter()

    converter.register_structure_hook(
        SystemInfo,
        make_dict_structure_fn(
            SystemInfo,
            converter,
            serial_number=override(rename="Serial_number"),
            nozzle_count=override(rename="nozzies_num"),
            **_informational(
                converter, SystemInfo, renames={"storage_available_kb": "storage_available"}
            ),
        ),
    )
    converter.register_structure_hook(
        CameraInfo,
        make_dict_structure_fn(
            CameraInfo, converter, server_uri=override(rename="camerserver_URI")
        ),
    )
    converter.register_structure_hook(
        JobDetail,
        make_dict_structure_fn(
            JobDetail,
            converter,
            filament_used_left=override(rename="filament_used_0"),
            filament_used_right=override(rename="filament_used_1"),
        ),
    )
    for sequence in (tuple[str, ...], tuple[FileEntry, ...]):
        converter.register_structure_hook_func(_is(sequence), _json_array(converter, sequence))
    file_entry = make_dict_structure_fn(FileEntry, converter)

    def structure_file_entry(value: Any, cls: type) -> FileEntry:
        # An empty data_path means "no .data file"; None says that in Python.
        if isinstance(value, dict) and value.get("data_path") == "":
            value = {**value, "data_path": None}
        return file_entry(value, cls)

    converter.register_structure_hook(FileEntry, structure_file_entry)
    converter.register_structure_hook(
        FileList,
        make_dict_structure_fn(
            FileList,
            converter,
            directories=override(rename="dir_list"),
            files=override(rename="file_list"),
        ),
    )


def _why(exc: BaseException, cls: type | None) -> str:
    # The hooks above say what they expected and what came ("expected a number within +-2**53,
    # got nan"); cattrs' own text would only name the type.
    if isinstance(exc, TypeError | ValueError) and str(exc).startswith("expected "):
        return str(exc)
    from cattrs.v import format_exception  # noqa: PLC0415 - loaded by _converter() already

    return format_exception(exc, cls)


def structure(data: Any, cls: type[T], *, endpoint: str) -> T:
    """Turn decoded JSON into ``cls``.

    Args:
        data: The ``data`` member of a successful answer.
        cls: The model class (or ``list[Model]``) to build.
        endpoint: The API path, named in the error.

    Returns:
        The model.

    Raises:
        ProtocolError: A field is missing or has the wrong type; the message names it.
    """
    converter = _converter()
    import cattrs  # noqa: PLC0415 - loaded by _converter(), so this is a lookup

    try:
        return converter.structure(data, cls)
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as exc:
        if isinstance(exc, cattrs.BaseValidationError):
            detail = "; ".join(cattrs.transform_error(exc, path="", format_exception=_why))
        else:
            detail = str(exc)
        raise ProtocolError(
            f"{endpoint}: the answer is not in the documented shape: {detail}", endpoint=endpoint
        ) from exc


class UnknownValues:
    """Reports the enum values a printer sends that this version does not know, once each.

    The first time a printer sends a given unknown value in a given field, one WARNING on the
    ``printer_async.protocol`` logger names the value, the field and the printer; polls that
    see it again say nothing. Memory is bounded: past :data:`_MAX_UNKNOWN` distinct values
    (a firmware sending a new one on every poll), further ones are only logged at DEBUG.
    """

    def __init__(self) -> None:
        self._seen: set[tuple[str, str]] = set()

    def check(self, model: object, field: str, *, endpoint: str, printer: str) -> None:
        """Report ``model``'s ``field`` if it was read as ``UNKNOWN`` and is new for this printer.

        Args:
            model: A model with an enum ``field`` and its wire string ``raw_<field>``.
            field: The wire field, like ``job_status``.
            endpoint: The API path it came from.
            printer: The printer's name.
        """
        member: enum.Enum = getattr(model, field)
        if member.name != "UNKNOWN":
            return
        raw: str = getattr(model, f"raw_{field}")
        key = (field, raw[:_SHOWN_CHARS])
        if key in self._seen:
            return
        if len(self._seen) >= _MAX_UNKNOWN:
            _log.debug("printer %r: %s %s on %s is unknown", printer, field, _shown(raw), endpoint)
            return
        self._seen.add(key)
        _log.warning(
            "printer %r sent %s %s on %s, a value this version of printer-async does not know; "
            "it is read as UNKNOWN. Please report it to the printer-async developers, with the "
            "printer's model and firmware version.",
            printer,
            field,
            _shown(raw),
            endpoint,
        )
