"""The simulated printer's file store under ``Local/``.

Printable files, ``.data`` thumbnails, directories, the file operations and uploads. Refusals
follow the vendor's error tables; where the vendor only says "fail to ..." (500), the store
refuses what a file system would: an existing target, a missing parent, a bad name, or a file a
job is printing (the printer tells which, through ``in_use``). Not thread-safe on its own: the
:class:`~printer_async.simulator.SimulatedPrinter` façade calls it under its lock.
"""

from __future__ import annotations

import base64
import re
import zlib
from typing import TYPE_CHECKING, Any, Final

import attrs

from printer_async.simulator._failure import ApiFailure
from printer_async.simulator._images import png

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Set as AbstractSet

ROOT: Final = "Local"
STORAGE_KB: Final = 4_914_340
"""Free storage reported by an empty simulated printer, in KB (the documented example)."""
FILE_LIST_MAX: Final = 24
IMAGE_MAX: Final = 1024
"""Largest width or height of a thumbnail, in pixels."""
UPLOAD_LIMIT: Final = 500 * 1024 * 1024
"""The vendor's upload cap, "file too large size(0~500MB)", read as 500 MiB."""

# At most 9 digits (31 years of seconds): a longer figure is no slicer's, and taken whole it would
# exceed Python's int-conversion limit or the float range of the job's clock, and every later answer
# about the job would be an HTTP 500. Such a header is ignored, like a missing one.
_GCODE_TIME = re.compile(rb"(?im)^;\s*(?:TIME|Print Time)\s*:\s*(\d{1,9})\s*$")
_GCODE_LAYERS = re.compile(rb"(?im)^;\s*(?:LAYER_COUNT|Layer Count)\s*:\s*(\d{1,9})\s*$")


@attrs.frozen(kw_only=True)
class PrintFile:
    """A printable file in the simulated store.

    Attributes:
        total_time: Estimated (and simulated) print time in seconds.
        total_layer: Number of layers.
        filament: Grams of filament used by the left and the right nozzle.
        data_path: Path of the ``.data`` thumbnail file, ``""`` if none.
        size: Bytes of an uploaded file (0 for files added by :meth:`SimulatedPrinter.add_file`).
        sha256: Hex SHA-256 of an uploaded file's content (``""`` for added files); the content
            itself is not kept.
    """

    total_time: int
    total_layer: int
    filament: tuple[float, float] = (0.0, 0.0)
    data_path: str = ""
    size: int = 0
    sha256: str = ""


def is_under_local(path: str) -> bool:
    """Whether ``path`` names ``Local`` or something under it, without ``..`` or empty parts."""
    parts = path.split("/")
    return parts[0] == ROOT and ".." not in parts and "" not in parts[1:-1]


def check_file_path(path: str) -> None:
    """Refuse what is not a file path under ``Local/``.

    Raises:
        ValueError: If it is not.
    """
    if not is_under_local(path) or path.endswith("/") or "/" not in path:
        raise ValueError(f"not a file path under Local/: {path!r}")


def _is_plain_name(name: str) -> bool:
    return name not in {"", ".", ".."} and not any(
        c in "/\\" or ord(c) < 0x20  # noqa: PLR2004 - control characters
        for c in name
    )


def _rebase(path: str, old: str, new: str) -> str:
    """``path`` with the directory ``old`` (itself or as a prefix) replaced by ``new``."""
    if path == old:
        return new
    if path.startswith(old + "/"):
        return new + path[len(old) :]
    return path


def _size_kb(spec: PrintFile) -> int:
    """Storage a file takes, in KB: its real size when uploaded, a guess from its layers else."""
    return -(-spec.size // 1024) if spec.size else 8 * spec.total_layer


def check_image_size(width: int, height: int) -> None:
    """Refuse a thumbnail size the way both image endpoints do.

    Raises:
        ApiFailure: 10002 with the documented width or height range.
    """
    if not 1 <= width <= IMAGE_MAX:
        raise ApiFailure(10002, "width error, range(1~1024)")
    if not 1 <= height <= IMAGE_MAX:
        raise ApiFailure(10002, "height error, range(1~1024)")


class FileStore:
    """Directories, printable files and ``.data`` files, by path.

    Args:
        in_use: Returns the paths of the files a job is printing (or will resume), which may not
            be deleted, renamed, moved or overwritten.
    """

    def __init__(self, in_use: Callable[[], AbstractSet[str]]) -> None:
        self._in_use = in_use
        self.dirs: set[str] = {"Local", "Local/webapi_store"}
        self.files: dict[str, PrintFile] = {}
        self.data_files: dict[str, bool] = {}  # path of a .data file -> whether it is corrupt

    # ------------------------------------------------------------------ for the printer's owner

    def add_file(self, path: str, spec: PrintFile) -> None:
        """Put a checked file in the store, creating its directories (and its ``.data`` file)."""
        self.add_dir(path.rsplit("/", 1)[0])
        self.files[path] = spec
        if spec.data_path:
            self.add_dir(spec.data_path.rsplit("/", 1)[0])
            self.data_files.setdefault(spec.data_path, False)

    def add_data_file(self, path: str, *, corrupt: bool) -> None:
        """Put a checked ``.data`` file in the store (replacing any), creating its directories."""
        self.add_dir(path.rsplit("/", 1)[0])
        self.data_files[path] = corrupt

    def add_dir(self, path: str) -> None:
        """Create a checked directory and its parents."""
        parts = path.split("/")
        for end in range(1, len(parts) + 1):
            self.dirs.add("/".join(parts[:end]))

    def storage_available(self) -> int:
        """Free storage in KB."""
        return STORAGE_KB - sum(_size_kb(spec) for spec in self.files.values())

    # ------------------------------------------------------------------ answers

    def list_files(self, directory: str, start_pos: int, max_num: int) -> dict[str, Any]:
        """Do :meth:`SimulatedPrinter.list_files` (its docstring lists the refusals)."""
        directory = directory.rstrip("/")
        if not is_under_local(directory):
            raise ApiFailure(10005, "root path error")
        if start_pos < 0:
            raise ApiFailure(10002, "start_pos error, it must be non-negative")
        if not 1 <= max_num <= FILE_LIST_MAX:
            raise ApiFailure(10002, "max_num error, range(1~24)")
        if directory not in self.dirs:
            raise ApiFailure(404, "directory not exist")
        prefix = directory + "/"
        subdirs = sorted(
            d[len(prefix) :]
            for d in self.dirs
            if d.startswith(prefix) and "/" not in d[len(prefix) :]
        )
        files = sorted(
            (p[len(prefix) :], spec)
            for p, spec in self.files.items()
            if p.startswith(prefix) and "/" not in p[len(prefix) :]
        )
        entries: list[tuple[str, PrintFile | None]] = [(d, None) for d in subdirs]
        entries += files
        page = entries[start_pos : start_pos + max_num]
        return {
            "dir_list": [name for name, spec in page if spec is None],
            "file_list": [
                {"data_path": spec.data_path, "file_name": name}
                for name, spec in page
                if spec is not None
            ],
        }

    def thumbnail(self, data_path: str, width: int, height: int, *, missing: str) -> dict[str, Any]:
        """Answer an image download: a PNG of the ``.data`` file, base64-encoded.

        Args:
            data_path: The ``.data`` file's path.
            width: Width in pixels, already checked.
            height: Height in pixels, already checked.
            missing: The 404 message when there is no such ``.data`` file.

        Raises:
            ApiFailure: 404 ``missing``; 10004 "data file error" for a corrupt ``.data`` file.
        """
        corrupt = self.data_files.get(data_path) if data_path else None
        if corrupt is None:
            raise ApiFailure(404, missing)
        if corrupt:
            raise ApiFailure(10004, "data file error")
        image = png(width, height, zlib.crc32(data_path.encode()))
        return {"img_data": base64.b64encode(image).decode()}

    # ------------------------------------------------------------------ file operations

    def _touches_in_use(self, directory: str) -> bool:
        prefix = directory + "/"
        return any(path.startswith(prefix) for path in self._in_use())

    def create_dir(self, dir_path: str) -> None:
        """Do :meth:`SimulatedPrinter.create_dir` (its docstring lists the refusals)."""
        path = dir_path.rstrip("/")
        if not is_under_local(path):
            raise ApiFailure(10005, "root path error")
        parts = path.split("/")
        if not all(_is_plain_name(part) for part in parts[1:]) or any(
            "/".join(parts[:end]) in self.files for end in range(2, len(parts) + 1)
        ):
            raise ApiFailure(500, "fail to create directory")
        self.add_dir(path)

    def delete_dir(self, dir_path: str) -> None:
        """Do :meth:`SimulatedPrinter.delete_dir` (its docstring lists the refusals)."""
        path = dir_path.rstrip("/")
        if not is_under_local(path):
            raise ApiFailure(10005, "root path error")
        if path == ROOT:
            raise ApiFailure(10006, "no access to delete Local directory")
        prefix = path + "/"
        if path not in self.dirs:
            raise ApiFailure(404, "directory not exist")
        if self._touches_in_use(path):
            raise ApiFailure(500, "fail to delete directory")
        self.dirs = {d for d in self.dirs if d != path and not d.startswith(prefix)}
        self.files = {p: f for p, f in self.files.items() if not p.startswith(prefix)}
        self.data_files = {p: c for p, c in self.data_files.items() if not p.startswith(prefix)}

    def rename_dir(self, dir_path: str, new_name: str) -> None:
        """Do :meth:`SimulatedPrinter.rename_dir` (its docstring lists the refusals)."""
        path = dir_path.rstrip("/")
        if not is_under_local(path):
            raise ApiFailure(10005, "root path error")
        if path == ROOT:
            raise ApiFailure(10006, "no access to rename Local directory")
        if path not in self.dirs:
            raise ApiFailure(404, "directory not exist")
        target = f"{path.rsplit('/', 1)[0]}/{new_name}"
        if target == path:
            return
        if (
            not _is_plain_name(new_name)
            or target in self.dirs
            or target in self.files
            or self._touches_in_use(path)
        ):
            raise ApiFailure(500, "fail to rename directory")
        self.dirs = {_rebase(d, path, target) for d in self.dirs}
        self.files = {
            _rebase(p, path, target): attrs.evolve(f, data_path=_rebase(f.data_path, path, target))
            for p, f in self.files.items()
        }
        self.data_files = {_rebase(p, path, target): c for p, c in self.data_files.items()}

    def delete_file(self, file_path: str) -> None:
        """Do :meth:`SimulatedPrinter.delete_file` (its docstring lists the refusals)."""
        if not is_under_local(file_path):
            raise ApiFailure(10005, "root path error")
        if file_path not in self.files:
            raise ApiFailure(404, "file not exist")
        if file_path in self._in_use():
            raise ApiFailure(500, "fail to delete file")
        del self.files[file_path]

    def rename_file(self, file_path: str, new_name: str) -> None:
        """Do :meth:`SimulatedPrinter.rename_file` (its docstring lists the refusals)."""
        if not is_under_local(file_path):
            raise ApiFailure(10005, "root path error")
        if file_path not in self.files:
            raise ApiFailure(404, "file not exist")
        target = f"{file_path.rsplit('/', 1)[0]}/{new_name}"
        if (
            not _is_plain_name(new_name)
            or target in self.files
            or target in self.dirs
            or file_path in self._in_use()
        ):
            raise ApiFailure(500, "fail to rename file")
        self.files[target] = self.files.pop(file_path)

    def _check_transfer(self, file_src: str, file_dst: str, failure: str) -> PrintFile:
        """Validate a move or copy; return the source file."""
        if not is_under_local(file_src):
            raise ApiFailure(10005, "file_src root path error")
        if not is_under_local(file_dst) or "/" not in file_dst:
            raise ApiFailure(10005, "file_dst root path error")
        spec = self.files.get(file_src)
        if spec is None:
            raise ApiFailure(404, "source file not exist")
        parent, _, name = file_dst.rpartition("/")
        if (
            not _is_plain_name(name)
            or parent not in self.dirs
            or file_dst in self.files
            or file_dst in self.dirs
        ):
            raise ApiFailure(500, failure)
        return spec

    def move_file(self, file_src: str, file_dst: str) -> None:
        """Do :meth:`SimulatedPrinter.move_file` (its docstring lists the refusals)."""
        spec = self._check_transfer(file_src, file_dst, "fail to move file")
        if file_src in self._in_use():
            raise ApiFailure(500, "fail to move file")
        del self.files[file_src]
        self.files[file_dst] = spec

    def copy_file(self, file_src: str, file_dst: str) -> None:
        """Do :meth:`SimulatedPrinter.copy_file` (its docstring lists the refusals)."""
        self.files[file_dst] = self._check_transfer(file_src, file_dst, "fail to copy file")

    def store_upload(
        self,
        dir_path: str,
        filename: str,
        *,
        size: int,
        sha256: str,
        head: bytes,
        limit: int,
        default_time: float,
    ) -> str:
        """Put an uploaded file in the store (the end of ``POST /fileops/upload``).

        The print time and layer count come from a slicer's header comment in the first bytes
        (``;TIME:`` / ``;Print Time:``, ``;LAYER_COUNT:`` / ``;Layer Count:``) when there is one,
        otherwise ``default_time`` and 100 layers.

        Returns:
            The file's path in the store.

        Raises:
            ApiFailure: 10005 "root path error"; 10003 "file too large size(0~500MB)" above
                ``limit`` bytes; 404 "directory not exist"; 500 "IODevice can not open" for a bad
                name, a directory of that name or the file being printed; 500 "IODevice write
                failed" when the storage is full.
        """
        directory = dir_path.rstrip("/")
        if not is_under_local(directory):
            raise ApiFailure(10005, "root path error")
        if size > limit:
            raise ApiFailure(10003, "file too large size(0~500MB)")
        path = f"{directory}/{filename}"
        time_hint = _GCODE_TIME.search(head)
        layer_hint = _GCODE_LAYERS.search(head)
        spec = PrintFile(
            total_time=max(1, int(time_hint[1]) if time_hint else round(default_time)),
            total_layer=max(1, int(layer_hint[1])) if layer_hint else 100,
            filament=(round(size / 50_000, 3), 0.0),
            size=size,
            sha256=sha256,
        )
        if directory not in self.dirs:
            raise ApiFailure(404, "directory not exist")
        if not _is_plain_name(filename) or path in self.dirs or path in self._in_use():
            raise ApiFailure(500, "IODevice can not open")
        old = self.files.get(path)
        free_kb = self.storage_available() + (0 if old is None else _size_kb(old))
        if _size_kb(spec) > free_kb:
            raise ApiFailure(500, "IODevice write failed")
        self.files[path] = spec
        return path
