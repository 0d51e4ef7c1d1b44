import sys

import pytest
from printer_async import (
    AsyncPrinter,
    Fleet,
    JobStatus,
    PrinterConnectionError,
    aiohttp_client,
)
from printer_async.simulator import ScaledClock, SimulatedPrinter, serve


async def test_printers_share_one_aiohttp_client():
    """Several printers on one aiohttp_client() each reach their own simulated printer."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(3)]
    sims[1].start_job("Local/benchy.gcode")
    async with serve(*sims, cameras=False) as server, aiohttp_client() as client:
        printers = [
            AsyncPrinter(e.host, port=e.port, password=e.password, client=client)
            for e in server.endpoints
        ]
        jobs = [await printer.current_job() for printer in printers]
        for printer in printers:
            await printer.aclose()
        assert not client.is_closed  # the printers leave a shared client open
    assert [job.has_job for job in jobs] == [False, True, False]
    assert jobs[1].job_status is JobStatus.RUNNING


async def test_a_fleet_from_toml_can_share_it(tmp_path):
    """Fleet.from_toml(client=...) gives every printer the same client."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(2)]
    async with serve(*sims, cameras=False) as server, aiohttp_client() as client:
        entries = "".join(
            f'[[printer]]\nname = "p{i}"\nhost = "{e.host}"\nport = {e.port}\n'
            f'password = "{e.password}"\n'
            for i, e in enumerate(server.endpoints)
        )
        path = tmp_path / "printers.toml"
        path.write_text(entries)
        async with Fleet.from_toml(path, client=client) as fleet:
            results = await fleet.snapshot()
    assert set(results) == {"p0", "p1"}
    assert all(not isinstance(r, Exception) for r in results.values())


async def test_failures_are_still_typed():
    """A refused connection over the aiohttp transport is a PrinterConnectionError."""
    sim = SimulatedPrinter(clock=ScaledClock())
    async with serve(sim, cameras=False) as server:
        port = server.endpoints[0].port
    async with aiohttp_client(timeout=2.0) as client:
        printer = AsyncPrinter("127.0.0.1", port=port, password="123456", client=client)
        with pytest.raises(PrinterConnectionError):
            await printer.current_job()


def test_without_httpx_aiohttp_it_says_what_to_install(monkeypatch):
    """Without the optional dependency, aiohttp_client() names the extra to install."""
    monkeypatch.setitem(sys.modules, "httpx_aiohttp", None)
    with pytest.raises(ImportError, match=r"printer-async\[aiohttp\]"):
        aiohttp_client()
