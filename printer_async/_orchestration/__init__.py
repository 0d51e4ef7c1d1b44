"""Orchestration: watching printers over time, fleets of them, fleet files, the gc freeze.

Above the client (:mod:`printer_async._client`), below the farm tools (``exporter``, ``notify``)
and the CLI.
"""
