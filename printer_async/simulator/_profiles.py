"""Printer profiles: what each Raise3D model reports about itself, and how big it is.

A :class:`PrinterProfile` holds what differs between models in the Remote Access API: the
``/printer/system`` fields that describe the machine (``model``, ``nozzies_num``, the versions,
``battery``) and the build volume, which bounds absolute moves of ``/printer/axiscontrol/set``
(the vendor's message names the limit: ``x error aboslute model value(0~305)`` on a Pro2).
"""

from __future__ import annotations

import re
import types
from typing import TYPE_CHECKING, Final

import attrs

if TYPE_CHECKING:
    from collections.abc import Mapping


@attrs.frozen(kw_only=True)
class PrinterProfile:
    """What one Raise3D model answers about itself, and how big it is.

    What is known, and where nothing is known (no invented facts):

    * ``Pro2`` (``Raise3D Pro2``, 2 nozzles, 305 x 305 x 300 mm): ``model``, the three
      versions, ``battery`` 0 and ``brightness`` 6 are a real Pro2's
      (``tests/fixtures/captures/A1_system.json``).
    * ``Pro2 Plus`` (2 nozzles, 305 x 305 x 605 mm): one firmware for the Pro2 series, so the
      Pro2's versions.
    * ``Pro3`` (2 nozzles, 300 x 300 x 300 mm), ``Pro3 Plus`` (2 nozzles, 300 x 300 x 605 mm) and
      ``E2`` (two independent nozzles, 330 x 240 x 240 mm): no answer of these has been published;
      their versions and ``battery`` are the Pro2's, standing in.
    * ``N2 Plus`` (``Raise3D N2Plus``, 1 nozzle, 305 x 305 x 610 mm): ``model``, versions and
      ``battery`` 3.957441568374634 are the vendor's own example answer, which names an N2Plus.
      ``N2`` (1 nozzle, 305 x 305 x 305 mm) shares them.
    * ``model`` strings other than ``Raise3D Pro2`` and ``Raise3D N2Plus`` have not been seen from a
      printer: they follow those two (``Plus`` written without a space, as in ``N2Plus``).

    Build volumes are the vendor's published single-extrusion figures. The API's documented ranges
    (nozzle 0-310 °C, heatbed 0-110 °C, the rates) are the same for every model: the vendor's text
    gives them without a model.

    Attributes:
        name: The name :class:`~printer_async.simulator.SimulatedPrinter` takes as ``model``.
        model: The ``model`` string of ``/printer/system``.
        nozzles: 1 or 2 (``nozzies_num``).
        build_volume: X, Y and Z travel in millimetres: the bounds of absolute axis moves.
        firmware_version: ``firmware_version`` of ``/printer/system``.
        version: ``version`` (the printer's system version).
        api_version: ``api_version``.
        battery: ``battery`` (a voltage, says the vendor; 0 on a real Pro2).
        brightness: ``brightness`` of the screen.
    """

    name: str
    model: str
    nozzles: int
    build_volume: tuple[int, int, int]
    firmware_version: str = "1.7.0.1008"
    version: str = "1.7.7.1026"
    api_version: str = "0.1.0.926"
    battery: float = 0
    brightness: int = 6

    @property
    def axis_limits(self) -> dict[str, int]:
        """Upper bounds in millimetres of absolute ``x``, ``y`` and ``z`` moves."""
        return dict(zip("xyz", self.build_volume, strict=True))


_PRO2 = PrinterProfile(name="Pro2", model="Raise3D Pro2", nozzles=2, build_volume=(305, 305, 300))
_N2_PLUS = PrinterProfile(
    name="N2 Plus",
    model="Raise3D N2Plus",
    nozzles=1,
    build_volume=(305, 305, 610),
    firmware_version="1.1.6-rev1",
    version="0.9.3.1165",
    api_version="0.1.0.307",
    battery=3.957441568374634,
)

PROFILES: Final[Mapping[str, PrinterProfile]] = types.MappingProxyType(
    {
        profile.name: profile
        for profile in (
            _PRO2,
            attrs.evolve(
                _PRO2, name="Pro2 Plus", model="Raise3D Pro2Plus", build_volume=(305, 305, 605)
            ),
            attrs.evolve(_PRO2, name="Pro3", model="Raise3D Pro3", build_volume=(300, 300, 300)),
            attrs.evolve(
                _PRO2, name="Pro3 Plus", model="Raise3D Pro3Plus", build_volume=(300, 300, 605)
            ),
            attrs.evolve(_PRO2, name="E2", model="Raise3D E2", build_volume=(330, 240, 240)),
            attrs.evolve(_N2_PLUS, name="N2", model="Raise3D N2", build_volume=(305, 305, 305)),
            _N2_PLUS,
        )
    }
)
"""The known models by name: Pro2, Pro2 Plus, Pro3, Pro3 Plus, E2, N2, N2 Plus."""

DEFAULT_MODEL: Final = "Pro2"
ONE_NOZZLE_MODEL: Final = "N2 Plus"
"""The model of ``SimulatedPrinter(nozzles=1)``: what the simulator reported before profiles."""


def _key(name: str) -> str:
    return re.sub(r"[\s_-]+", "", name).casefold()


_BY_KEY: Final = {_key(name): profile for name, profile in PROFILES.items()}


def find_profile(model: str | None, nozzles: int | None) -> PrinterProfile:
    """Return the profile of ``model`` with ``nozzles`` (when given) overriding its own.

    Names are matched without regard to case, spaces, dashes or underscores (``pro2plus`` is
    ``Pro2 Plus``). Without a model: a Pro2, or an N2 Plus when ``nozzles`` is 1.

    Raises:
        ValueError: For an unknown model (the message lists the known ones), or ``nozzles`` not
            1 or 2.
    """
    if nozzles is not None and nozzles not in (1, 2):
        raise ValueError(f"nozzles must be 1 or 2, got {nozzles!r}")
    if model is None:
        model = ONE_NOZZLE_MODEL if nozzles == 1 else DEFAULT_MODEL
    profile = _BY_KEY.get(_key(model))
    if profile is None:
        raise ValueError(f"unknown printer model {model!r}; known: {', '.join(PROFILES)}")
    if nozzles is not None and nozzles != profile.nozzles:
        profile = attrs.evolve(profile, nozzles=nozzles)
    return profile
