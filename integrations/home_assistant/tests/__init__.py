"""Tests of the Raise3D (printer-async) integration, in Home Assistant's harness."""
