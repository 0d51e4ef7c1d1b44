"""identify() and read_state() against the simulator, on both transports, and under trio."""

import anyio
import pytest
from printer_async import (
    AsyncPrinter,
    AuthenticationError,
    JobStatus,
    PrinterConnectionError,
    PrinterIdentity,
    RunningStatus,
    ServiceUnavailableError,
)
from printer_async.simulator import ManualClock, SimulatedPrinter, serve_in_thread

from _support import PASSWORD, busy_connections


@pytest.fixture(name="sim")
def _sim(clock, nozzles):
    """A simulated printer on the manual clock, with the test's number of nozzles."""
    return SimulatedPrinter(password=PASSWORD, clock=clock, seed=5, nozzles=nozzles)


@pytest.fixture(name="printer")
async def _printer(endpoint, transport):
    """An AsyncPrinter on the served simulator, on each transport."""
    async with AsyncPrinter(
        endpoint.host, port=endpoint.port, password=PASSWORD, transport=transport
    ) as printer:
        yield printer


async def test_identify_describes_the_printer_by_its_serial_number(printer, sim):
    """identify(): the serial as unique id, Raise3D, model, machine name and versions."""
    identity = await printer.identify()
    wire = sim.system_info()
    assert identity == PrinterIdentity(
        unique_id=wire["Serial_number"],
        model=wire["model"],
        name=wire["machine_name"],
        serial_number=wire["Serial_number"],
        sw_version=wire["version"],
        firmware_version=wire["firmware_version"],
        api_version=wire["api_version"],
    )
    assert identity.manufacturer == "Raise3D"


async def test_identify_with_a_wrong_password_is_an_authentication_error(endpoint, transport):
    """The connection test's "wrong password" is AuthenticationError."""
    async with AsyncPrinter(
        endpoint.host, port=endpoint.port, password="not-it", transport=transport
    ) as printer:
        with pytest.raises(AuthenticationError):
            await printer.identify()


async def test_read_state_is_the_four_reads_and_every_nozzle(printer, sim, clock):
    """read_state() holds what current_job, running status, basic and each nozzle say."""
    await printer.start_job("Local/benchy.gcode")
    clock.advance(600)
    state = await printer.read_state()
    assert state.job == await printer.current_job()
    assert state.running_status == await printer.running_status_info()
    assert state.basic == await printer.basic_info()
    assert state.nozzles == (await printer.nozzle(1), await printer.nozzle(2))
    assert state.is_printing
    assert state.job_status is JobStatus.RUNNING
    assert 0 < state.progress < 100
    assert state.remaining_time == state.job.remaining_time


@pytest.mark.parametrize("nozzles", [1])
async def test_a_single_nozzle_printer_has_one_nozzle_in_its_state(printer):
    """On a one-nozzle printer read_state() asks for nozzle1 only (nozzle2 would be a 404)."""
    state = await printer.read_state()
    assert len(state.nozzles) == 1


async def test_an_idle_printer_reads_as_idle_though_its_job_says_running(printer):
    """The simulator answers idle with job_status "running", as a real Pro2: the state is idle."""
    state = await printer.read_state()
    assert state.job.job_status is JobStatus.RUNNING
    assert state.is_idle
    assert state.status is RunningStatus.IDLE
    assert (state.job_status, state.progress, state.remaining_time) == (None, None, None)


async def test_the_nozzle_count_is_read_once(printer, sim):
    """The first read_state() reads /printer/system; later ones do not ask for it again."""
    await printer.read_state()
    sim.faults.service_unavailable(count=100, path="/v1/printer/system")
    await printer.read_state()
    assert not any(path == "/v1/printer/system" for path, _ in sim.faults.fired)


async def test_the_reads_are_concurrent_under_one_deadline(sim, endpoint, transport):
    """Five reads slowed by 0.2 s each end in one timeout of 0.5 s; slowed by 0.6 s, in one."""
    async with AsyncPrinter(
        endpoint.host, port=endpoint.port, password=PASSWORD, transport=transport, timeout=0.5
    ) as printer:
        await printer.identify()
        sim.faults.latency(0.2, count=5)
        await printer.read_state()  # in a row, 1 s: past the timeout
        sim.faults.latency(0.6, count=5)
        started = anyio.current_time()
        with pytest.raises(PrinterConnectionError, match=r"timed out after 0\.5 s"):
            await printer.read_state()
        assert 0.5 <= anyio.current_time() - started < 0.6
        assert busy_connections(printer) == []
        sim.faults.clear()
        await printer.read_state()


async def test_the_first_failure_is_raised_alone_and_the_printer_stays_usable(printer, sim):
    """A read that fails raises its own error (no ExceptionGroup); the next state reads."""
    await printer.identify()
    sim.faults.service_unavailable(count=1, path="/v1/printer/basic")
    with pytest.raises(ServiceUnavailableError):
        await printer.read_state()
    assert busy_connections(printer) == []
    assert (await printer.read_state()).is_idle


def test_read_state_runs_under_trio():
    """Under trio, read_state() reads concurrently in anyio's task group."""
    import trio  # noqa: PLC0415 - only this test needs it

    sim = SimulatedPrinter(password=PASSWORD, clock=ManualClock(), nozzles=2)

    async def main(endpoint):
        async with AsyncPrinter(endpoint.host, port=endpoint.port, password=PASSWORD) as printer:
            first = await printer.read_state()
            sim.faults.service_unavailable(count=1, path="/v1/printer/nozzle2")
            with pytest.raises(ServiceUnavailableError):
                await printer.read_state()
            return first

    with serve_in_thread(sim) as server:
        state = trio.run(main, server.endpoints[0])
    assert len(state.nozzles) == 2
    assert state.is_idle
