"""A Griffe extension: the docstrings' reStructuredText bits, rendered as Markdown for the site.

printer-async's docstrings are Google style, read by ``help()`` and IDEs as much as by the
site, and use a few reStructuredText habits that mkdocstrings does not read:

- roles, ``:class:`~printer_async.Fleet``` and the like, become cross-references to the
  documented object when it is part of the public API (exported by ``printer_async`` or one
  of its public subpackages, so rendered in the reference), and inline code otherwise
  (private helpers, the standard library, httpx);
- a paragraph ending in ``::`` introduces an indented literal block, which Markdown reads as a
  code block once the ``::`` is gone (``text::`` becomes ``text:``);
- ``.. code-block:: python`` lines are dropped for the same reason.

Loaded by ``mkdocs.yml`` (``extensions: [docs/griffe_sphinx_roles.py]``). A cross-reference
that does not resolve fails ``mkdocs build --strict``.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|exc|mod|obj):`(~?)([\w.]+)(\(\))?`")
_PUBLIC_PACKAGES = (
    "printer_async",
    "printer_async.simulator",
    "printer_async.exporter",
    "printer_async.notify",
)


def _walk(obj: griffe.Object) -> Any:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _walk(member)


class SphinxRoles(griffe.Extension):
    """Rewrites every docstring of the package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:  # noqa: ARG002
        """Build the map of public names, then rewrite the docstrings."""
        if pkg.path != "printer_async":
            return
        public: dict[str, str] = {}  # canonical path -> the path it is documented under
        for package_path in _PUBLIC_PACKAGES:
            package = pkg.modules_collection[package_path]
            public[package.path] = package.path
            for name in package.exports or ():
                member = package[name]
                target = member.target_path if member.is_alias else member.path
                public.setdefault(target, f"{package.path}.{name}")
        for obj in _walk(pkg):
            if obj.docstring is not None:
                obj.docstring.value = _markdown(obj.docstring.value, obj, public)


def _markdown(text: str, obj: griffe.Object, public: dict[str, str]) -> str:
    text = _ROLE.sub(lambda match: _reference(match, obj, public), text)
    text = re.sub(r"^[ \t]*\.\. code-block::.*\n", "", text, flags=re.MULTILINE)
    text = re.sub(r"^[ \t]*::[ \t]*$", "", text, flags=re.MULTILINE)
    return re.sub(r"(\S)::[ \t]*$", r"\1:", text, flags=re.MULTILINE)


def _reference(match: re.Match[str], obj: griffe.Object, public: dict[str, str]) -> str:
    short, target, call = match.group(1), match.group(2), match.group(3) or ""
    shown = f"`{target.rsplit('.', 1)[-1] if short else target}{call}`"
    path = _documented(_resolve(target, obj), public)
    return f"[{shown}][{path}]" if path else shown


def _resolve(target: str, obj: griffe.Object) -> str | None:
    """The canonical path ``target`` names from ``obj``'s scope, if Griffe can tell."""
    if target.split(".", 1)[0] == "printer_async":
        return target
    first, _, rest = target.partition(".")
    scope: griffe.Object | None = obj
    while scope is not None:
        try:
            resolved = scope.resolve(first)
        except griffe.NameResolutionError:
            scope = scope.parent
            continue
        return f"{resolved}.{rest}" if rest else resolved
    return None


def _documented(path: str | None, public: dict[str, str]) -> str | None:
    """The documented path of ``path`` (an object or one of its public members), or None."""
    if path is None:
        return None
    head, tail = path, ""
    while head:
        if head in public:
            if any(part.startswith("_") for part in tail.split(".") if part):
                return None
            return public[head] + tail
        head, _, last = head.rpartition(".")
        tail = f".{last}{tail}"
    return None
