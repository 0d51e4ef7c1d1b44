"""The one cattrs converter that turns the printer's JSON into the models, strictly.

Extra keys are ignored (new firmware may add fields); a missing key or a value of the wrong
type raises :class:`ProtocolError` naming the field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar

import cattrs
from cattrs.gen import make_dict_structure_fn, override

from printer_async._errors import ProtocolError
from printer_async._models import (
    CameraInfo,
    FileEntry,
    FileList,
    JobDetail,
    JobStatus,
    RunningStatus,
    Statistics,
    SystemInfo,
)

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["structure"]

T = TypeVar("T")


def _structure_int(value: Any, _: type) -> int:
    # A JSON number with no fraction may arrive as 197.0; bool is an int in Python but not here.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    if isinstance(value, float):
        if not value.is_integer():
            raise TypeError(f"expected an integer, got {value!r}")
        return int(value)
    return value


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
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


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=False)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(bool, _structure_bool)
    for enum_type in (JobStatus, RunningStatus):
        converter.register_structure_hook(enum_type, _tolerant_enum(enum_type))
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
    converter.register_structure_hook(
        SystemInfo,
        make_dict_structure_fn(
            SystemInfo,
            converter,
            serial_number=override(rename="Serial_number"),
            nozzle_count=override(rename="nozzies_num"),
            storage_available_kb=override(rename="storage_available"),
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


_CONVERTER: Final = _make_converter()


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
    try:
        return _CONVERTER.structure(data, cls)
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as exc:
        if isinstance(exc, cattrs.BaseValidationError):
            detail = "; ".join(cattrs.transform_error(exc, path=""))
        else:
            detail = str(exc)
        raise ProtocolError(
            f"{endpoint}: the answer is not in the documented shape: {detail}", endpoint=endpoint
        ) from exc
