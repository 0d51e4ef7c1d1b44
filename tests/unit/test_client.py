import json
import re

import httpx
import pytest
import respx
from printer_async import (
    AsyncPrinter,
    InvalidParameterError,
    JobListEntry,
    PathError,
    PrinterBusyError,
)

from _support import BASE, HOST, PASSWORD, TOKEN, load_fixture, ok


async def test_current_job_is_a_get_with_the_token(api, printer):
    """current_job() sends GET /v1/job/currentjob?token=... and nothing else."""
    route = api.get("/job/currentjob").mock(
        return_value=httpx.Response(200, json=load_fixture("current_job"))
    )
    job = await printer.current_job()
    request = route.calls.last.request
    assert request.method == "GET"
    assert request.url.path == "/v1/job/currentjob"
    assert dict(request.url.params) == {"token": TOKEN}
    assert request.content == b""
    assert job.printed_layer == 1


async def test_start_job_posts_the_file_path_as_json(api, printer):
    """start_job() POSTs {"file_path": ...} to /v1/job/newjob/set with the token in the query."""
    route = api.post("/job/newjob/set").mock(return_value=ok())
    assert await printer.start_job("Local/a.gcode") is None
    request = route.calls.last.request
    assert request.url.path == "/v1/job/newjob/set"
    assert dict(request.url.params) == {"token": TOKEN}
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"file_path": "Local/a.gcode"}


@pytest.mark.parametrize(
    "path",
    [
        "a.gcode",
        "/Local/a.gcode",
        "local/a.gcode",
        "Local/../etc/passwd",
        "Local/x/../../a",
        "",
        "USB/a.gcode",
    ],
)
async def test_start_job_rejects_paths_outside_local_before_sending(api, printer, path):
    """A path not under Local/, or with a '..' segment, raises PathError and sends nothing."""
    route = api.post("/job/newjob/set").mock(return_value=ok())
    with pytest.raises(PathError) as info:
        await printer.start_job(path)
    assert info.value.endpoint == "/job/newjob/set"
    assert route.call_count == 0
    assert api["login"].call_count == 0


async def test_start_job_accepts_dots_inside_names(api, printer):
    """Names with dots ('a..b.gcode') are not '..' segments and are sent."""
    route = api.post("/job/newjob/set").mock(return_value=ok())
    await printer.start_job("Local/v1..2/a..b.gcode")
    assert route.call_count == 1


async def test_recover_job_posts_without_a_body(api, printer):
    """recover_job() sends POST /v1/job/recover/set with only the token."""
    route = api.post("/job/recover/set").mock(return_value=ok())
    await printer.recover_job()
    request = route.calls.last.request
    assert request.method == "POST"
    assert dict(request.url.params) == {"token": TOKEN}
    assert request.content == b""


async def test_statistics_is_a_get(api, printer):
    """statistics() sends GET /v1/dashboard/statistics."""
    route = api.get("/dashboard/statistics").mock(
        return_value=httpx.Response(200, json=load_fixture("statistics"))
    )
    await printer.statistics()
    assert dict(route.calls.last.request.url.params) == {"token": TOKEN}


async def test_job_list_sends_max_num_and_start_pos(api, printer):
    """job_list() sends max_num and start_pos as query parameters beside the token."""
    route = api.get("/dashboard/joblist").mock(
        return_value=httpx.Response(200, json=load_fixture("job_list"))
    )
    jobs = await printer.job_list(max_num=2, start_pos=9)
    assert dict(route.calls.last.request.url.params) == {
        "token": TOKEN,
        "max_num": "2",
        "start_pos": "9",
    }
    assert [j.job_index for j in jobs] == [9, 10]


async def test_job_list_defaults_to_a_full_page_from_the_start(api, printer):
    """Without arguments, job_list() asks for 12 jobs from position 0."""
    route = api.get("/dashboard/joblist").mock(return_value=ok({"job_list": []}))
    assert await printer.job_list() == []
    params = route.calls.last.request.url.params
    assert (params["max_num"], params["start_pos"]) == ("12", "0")


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"max_num": 0}, "max_num must be a whole number from 1 to 12"),
        ({"max_num": 13}, "max_num must be a whole number from 1 to 12"),
        ({"max_num": True}, "max_num"),
        ({"start_pos": -1}, "start_pos must be a whole number of at least 0"),
        ({"start_pos": 1.5}, "start_pos"),
    ],
)
async def test_job_list_checks_ranges_before_sending(api, printer, kwargs, fragment):
    """max_num outside 1-12 or a negative start_pos raises InvalidParameterError, nothing sent."""
    with pytest.raises(InvalidParameterError, match=fragment) as info:
        await printer.job_list(**kwargs)
    assert info.value.code == 10002
    assert len(api.calls) == 0


def _history(total: int) -> list[dict[str, object]]:
    return [
        {"file_name": f"Local/{i}.gcode", "job_id": f"id{i}", "job_index": i, "user_tag": ""}
        for i in range(total)
    ]


async def test_iter_jobs_walks_every_page(api, printer):
    """iter_jobs() reads the total from statistics and pages through all of it."""
    history = _history(30)
    stats = load_fixture("statistics")["data"] | {"printed_file_num": 30}
    api.get("/dashboard/statistics").mock(return_value=ok(stats))

    def page(request):
        start = int(request.url.params["start_pos"])
        count = int(request.url.params["max_num"])
        return ok({"job_list": history[start : start + count]})

    route = api.get("/dashboard/joblist").mock(side_effect=page)
    jobs = [job async for job in printer.iter_jobs()]
    assert [j.job_id for j in jobs] == [f"id{i}" for i in range(30)]
    assert all(isinstance(j, JobListEntry) for j in jobs)
    asked = [
        (c.request.url.params["start_pos"], c.request.url.params["max_num"]) for c in route.calls
    ]
    assert asked == [("0", "12"), ("12", "12"), ("24", "6")]


async def test_iter_jobs_retries_a_busy_page_with_back_off(api, printer, monkeypatch):
    """A page that answers 10003 busy is asked again after a growing delay."""
    delays: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr("printer_async._client.anyio.sleep", fake_sleep)
    api.get("/dashboard/statistics").mock(
        return_value=ok(load_fixture("statistics")["data"] | {"printed_file_num": 2})
    )
    busy = httpx.Response(200, json={"error": {"code": 10003, "msg": "busy"}, "status": 0})
    api.get("/dashboard/joblist").mock(side_effect=[busy, busy, ok({"job_list": _history(2)})])
    jobs = [job async for job in printer.iter_jobs(backoff=0.5)]
    assert len(jobs) == 2
    assert delays == [0.5, 1.0]


async def test_iter_jobs_gives_up_after_the_retries(api, printer, monkeypatch):
    """A page that stays busy raises PrinterBusyError after busy_retries attempts."""

    async def fake_sleep(seconds: float) -> None:
        return None

    monkeypatch.setattr("printer_async._client.anyio.sleep", fake_sleep)
    api.get("/dashboard/statistics").mock(
        return_value=ok(load_fixture("statistics")["data"] | {"printed_file_num": 2})
    )
    route = api.get("/dashboard/joblist").mock(
        return_value=httpx.Response(
            200, json={"error": {"code": 10003, "msg": "busy"}, "status": 0}
        )
    )
    with pytest.raises(PrinterBusyError):
        [job async for job in printer.iter_jobs(busy_retries=3)]
    assert route.call_count == 4


async def test_iter_jobs_on_an_empty_history_asks_for_no_page(api, printer):
    """With zero printed files, iter_jobs() yields nothing and sends no joblist request."""
    api.get("/dashboard/statistics").mock(
        return_value=ok(load_fixture("statistics")["data"] | {"printed_file_num": 0})
    )
    route = api.get("/dashboard/joblist")
    assert [job async for job in printer.iter_jobs()] == []
    assert route.call_count == 0


async def test_closes_the_client_it_created(api):
    """aclose() closes an httpx client the printer created; calls after it raise clearly."""
    printer = AsyncPrinter(HOST, password=PASSWORD)
    async with printer:
        await printer.login()  # the client is made for the first request
    assert printer.closed
    assert printer._transport._own_client.is_closed
    with pytest.raises(RuntimeError, match="is closed"):
        await printer.current_job()
    await printer.aclose()  # a second close does nothing


async def test_leaves_an_injected_client_open(api):
    """An httpx.AsyncClient passed in stays open after the printer is closed."""
    async with httpx.AsyncClient() as client:
        api.get("/job/currentjob").mock(
            return_value=httpx.Response(200, json=load_fixture("current_job"))
        )
        async with AsyncPrinter(HOST, password=PASSWORD, client=client) as printer:
            await printer.current_job()
        assert not client.is_closed


def test_name_defaults_to_host_and_port():
    """A printer without a name is named host:port; repr shows no secret."""
    printer = AsyncPrinter("10.0.0.5", password="s3cret-pw", token="t0ken" * 6)
    assert printer.name == "10.0.0.5:10800"
    assert AsyncPrinter(HOST, port=1, name="left").name == "left"
    assert "s3cret-pw" not in repr(printer)
    assert "t0ken" not in repr(printer)


async def test_base_url_uses_host_port_and_v1(api):
    """Requests go to http://host:port/v1/..."""
    with_port = "http://127.0.0.1:10801/v1"
    with respx.mock(base_url=with_port) as other:
        other.get("/login").mock(return_value=ok({"token": TOKEN}))
        route = other.get("/job/currentjob").mock(
            return_value=httpx.Response(200, json=load_fixture("current_job"))
        )
        async with AsyncPrinter(HOST, port=10801, password=PASSWORD) as printer:
            await printer.current_job()
        assert str(route.calls.last.request.url).startswith(with_port + "/job/currentjob?")
    assert BASE.endswith(":10800/v1")


async def test_the_root_directory_may_be_named_local_alone(api, printer):
    """list_files("Local") lists the root: a bare "Local" is the root directory, not an error."""
    route = api.get("/fileops/list").mock(return_value=ok({"dir_list": [], "file_list": []}))
    await printer.list_files("Local")
    assert route.calls.last.request.url.params["dir"] == "Local"


async def test_an_ipv6_address_goes_in_brackets():
    """AsyncPrinter("::1") talks to http://[::1]:10800/v1 and is named "[::1]:10800"."""
    with respx.mock(base_url="http://[::1]:10800/v1") as api:
        api.get("/login").mock(return_value=ok({"token": TOKEN}))
        route = api.get("/job/currentjob").mock(
            return_value=httpx.Response(200, json=load_fixture("current_job"))
        )
        async with AsyncPrinter("::1", password=PASSWORD) as printer:
            await printer.current_job()
        assert printer.name == "[::1]:10800"
        assert route.call_count == 1


@pytest.mark.parametrize(
    ("host", "fragment"),
    [
        ("printer.local:80", "give the port with port="),
        ("192.168.0.57/v1", "name or IP address"),
        ("", "name or address"),
        ("two words", "name or IP address"),
        ("http://printer", "name or IP address"),
        ("256.1.1.1", "name or IP address"),
        ("192.168.000.057", "name or IP address"),
    ],
)
def test_a_host_that_is_not_a_name_or_address_is_refused_at_once(host, fragment):
    """A host with a port, a path or spaces raises ValueError when the printer is made."""
    with pytest.raises(ValueError, match=re.escape(fragment)):
        AsyncPrinter(host, password=PASSWORD)


@pytest.mark.parametrize("port", [0, 70000, True, "10800"])
def test_a_port_out_of_range_is_refused_at_once(port):
    """A port that is not 1-65535 raises ValueError when the printer is made."""
    with pytest.raises(ValueError, match="TCP port number"):
        AsyncPrinter(HOST, port=port, password=PASSWORD)


async def test_iter_jobs_ends_where_a_shorter_history_ends_on_a_page_boundary(api, printer):
    """A history shorter than the statistics' count ends the walk at 10002 start_pos error."""
    api.get("/dashboard/statistics").mock(
        return_value=ok(load_fixture("statistics")["data"] | {"printed_file_num": 30})
    )

    def page(request):
        start = int(request.url.params["start_pos"])
        if start >= 12:
            return httpx.Response(
                200, json={"status": 0, "error": {"code": 10002, "msg": "start_pos error"}}
            )
        return ok({"job_list": _history(12)})

    api.get("/dashboard/joblist").mock(side_effect=page)
    jobs = [job async for job in printer.iter_jobs()]
    assert len(jobs) == 12
