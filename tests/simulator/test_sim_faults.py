import asyncio
import json
import random
import time

import httpx
import pytest
from printer_async.simulator import FaultInjector, FaultKind


async def basic(http, api):
    """GET /printer/basic with the token, returning the raw response."""
    return await http.get("/v1/printer/basic", params={"token": api.token})


async def read_until_error(response):
    """Read a streamed body; return what arrived and the error that ended it, if any."""
    received = b""
    try:
        async for chunk in response.aiter_raw():
            received += chunk
    except httpx.TransportError as exc:
        return received, exc
    return received, None


@pytest.mark.parametrize(
    ("style", "status", "body"),
    [
        ("10003", 200, {"error": {"code": 10003, "msg": "busy"}, "status": 0}),
        ("500", 200, {"error": {"code": 500, "msg": "printer is busy"}, "status": 0}),
        ("429", 429, None),
    ],
)
async def test_busy_styles_on_the_wire(http, api, sim, style, status, body):
    """Each busy style answers its envelope (or an empty 429), once by default."""
    sim.faults.busy(style)
    response = await basic(http, api)
    assert response.status_code == status
    if body is None:
        assert response.content == b""
    else:
        assert response.json() == body
    assert (await basic(http, api)).json()["status"] == 1


async def test_a_busy_fault_applies_to_login_too(http, sim):
    """Faults match every request by default, login included."""
    sim.faults.busy("10003")
    response = await http.get("/v1/login", params={"sign": "x", "timestamp": "1"})
    assert response.json()["error"]["code"] == 10003


async def test_a_busy_answer_has_no_effect(api, sim):
    """A request answered busy never reached the printer: the job did not start."""
    sim.faults.busy("500")
    body = await api.post("/job/newjob/set", {"file_path": "Local/benchy.gcode"})
    assert body["error"]["msg"] == "printer is busy"
    assert sim.job_status is None


async def test_count_selects_the_next_n_requests(http, api, sim):
    """count=3 affects exactly the next three requests."""
    sim.faults.service_unavailable(count=3)
    codes = [(await basic(http, api)).json().get("error", {}).get("code") for _ in range(4)]
    assert codes == [503, 503, 503, None]
    assert (await basic(http, api)).json()["status"] == 1


async def test_duration_is_in_real_seconds(http, api, sim):
    """A duration fault applies to every request until that many real seconds have passed."""
    sim.faults.busy("10003", duration=0.2)
    assert (await basic(http, api)).json()["status"] == 0
    assert (await basic(http, api)).json()["status"] == 0
    await asyncio.sleep(0.25)  # the fault's own time span is wall-clock by design
    assert (await basic(http, api)).json()["status"] == 1
    assert sim.faults.armed == 0


async def test_probability_uses_the_seeded_generator(http, api, sim):
    """probability=0.5 affects some requests and not others, reproducibly per seed."""
    sim.faults.busy("429", probability=0.5)
    statuses = [(await basic(http, api)).status_code for _ in range(40)]
    assert 5 < statuses.count(429) < 35
    assert set(statuses) == {200, 429}


async def test_path_restricts_a_fault_to_one_endpoint(http, api, sim):
    """A fault with path= leaves other endpoints alone and waits for its own."""
    sim.faults.busy("429", path="/v1/job/currentjob")
    assert (await basic(http, api)).status_code == 200
    response = await http.get("/v1/job/currentjob", params={"token": api.token})
    assert response.status_code == 429


async def test_latency_delays_then_answers(http, api, sim):
    """A latency fault delays the answer by the given real seconds and then answers normally."""
    sim.faults.latency(0.15)
    start = time.monotonic()
    response = await basic(http, api)
    assert time.monotonic() - start >= 0.15
    assert response.json()["status"] == 1


async def test_latency_combines_with_another_fault(http, api, sim):
    """A latency fault and a busy fault armed together both apply to one request."""
    sim.faults.latency(0.1)
    sim.faults.busy("429")
    start = time.monotonic()
    assert (await basic(http, api)).status_code == 429
    assert time.monotonic() - start >= 0.1


async def test_drop_closes_without_an_answer(http, api, sim):
    """A dropped request sees the server disconnect before any response."""
    sim.faults.drop()
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await basic(http, api)
    assert (await basic(http, api)).json()["status"] == 1


async def test_reset_mid_body_cuts_a_started_answer(http, api, sim):
    """A reset fault sends the headers and part of the body, then resets the connection."""
    sim.faults.reset_mid_body()
    async with http.stream("GET", "/v1/printer/basic", params={"token": api.token}) as response:
        assert response.status_code == 200
        expected = int(response.headers["content-length"])
        received, error = await read_until_error(response)
    assert isinstance(error, httpx.ReadError | httpx.RemoteProtocolError)
    assert 0 < len(received) < expected
    assert received.startswith(b'{"data":')
    assert (await basic(http, api)).json()["status"] == 1


async def test_reset_mid_body_still_performs_the_request(http, api, sim):
    """The request whose answer is reset took effect on the printer."""
    sim.faults.reset_mid_body()
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        await http.post(
            "/v1/job/newjob/set",
            params={"token": api.token},
            json={"file_path": "Local/benchy.gcode"},
        )
    assert sim.job_status == "running"


async def test_html_error_page(http, api, sim):
    """An HTML error fault answers a text/html page with the chosen HTTP status."""
    sim.faults.html_error(503)
    response = await basic(http, api)
    assert response.status_code == 503
    assert response.headers["content-type"] == "text/html"
    assert b"<title>503 Service Unavailable</title>" in response.content


async def test_truncated_json(http, api, sim):
    """A truncated answer is a complete HTTP message whose body is the first half of the JSON."""
    full = (await basic(http, api)).content
    sim.faults.truncated_json()
    response = await basic(http, api)
    assert response.status_code == 200
    assert full.startswith(response.content)
    assert len(response.content) == len(full) // 2
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_invalid_json(http, api, sim):
    """An invalid-JSON answer has a JSON content type and a body that does not parse."""
    sim.faults.invalid_json()
    response = await basic(http, api)
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_wrong_type_changes_one_field_of_the_next_answer_that_has_it(http, api, sim):
    """wrong_type waits for an answer carrying the field and gives it another JSON type."""
    sim.faults.wrong_type("job_status")
    assert (await basic(http, api)).json()["status"] == 1  # no job_status here: not consumed
    data = (await http.get("/v1/job/currentjob", params={"token": api.token})).json()["data"]
    assert data["job_status"] == 12345
    data = (await http.get("/v1/job/currentjob", params={"token": api.token})).json()["data"]
    assert data["job_status"] == "running"  # what an idle printer says


async def test_wrong_type_turns_numbers_into_strings(http, api, sim):
    """A numeric field becomes a string."""
    sim.faults.wrong_type("fan_cur_speed")
    assert (await basic(http, api)).json()["data"]["fan_cur_speed"] == "0"


async def test_missing_field_reaches_into_lists(api, sim):
    """missing_field removes the field from the first job-list entry carrying it."""
    sim.start_job("Local/benchy.gcode")
    sim.clock.advance(sim.job_duration)
    sim.faults.missing_field("job_id")
    entries = (await api.get("/dashboard/joblist", max_num=1, start_pos=0))["data"]["job_list"]
    assert "job_id" not in entries[0]
    assert "file_name" in entries[0]


async def test_random_faults_mix_kinds(http, api, sim):
    """random(1.0, kinds=...) applies one of the kinds to every request until cleared."""
    sim.faults.random(1.0, kinds=[FaultKind.BUSY_10003, FaultKind.TOO_MANY_REQUESTS])
    outcomes = set()
    for _ in range(20):
        response = await basic(http, api)
        outcomes.add(response.status_code if response.content == b"" else response.json()["status"])
    assert outcomes == {0, 429}
    sim.faults.clear()
    assert (await basic(http, api)).json()["status"] == 1


async def test_random_faults_at_low_probability_leave_most_requests_alone(http, api, sim):
    """At probability 0.1 most requests succeed, and the ones that do not are recorded."""
    sim.faults.random(0.1, rng=random.Random(3))
    ok = 0
    for _ in range(60):
        try:
            response = await basic(http, api)
            ok += response.status_code == 200 and response.json().get("status") == 1
        except (httpx.TransportError, json.JSONDecodeError):
            pass
    assert ok + len(sim.faults.fired) == 60
    assert 40 <= ok < 60


def test_bad_selectors_are_refused():
    """Invalid counts, probabilities, durations, styles and kinds raise ValueError."""
    faults = FaultInjector()
    with pytest.raises(ValueError, match="count"):
        faults.drop(count=0)
    with pytest.raises(ValueError, match="probability"):
        faults.drop(probability=1.5)
    with pytest.raises(ValueError, match="duration"):
        faults.drop(duration=0)
    with pytest.raises(ValueError, match="style"):
        faults.busy("404")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kinds"):
        faults.random(0.5, kinds=[FaultKind.WRONG_TYPE])
    with pytest.raises(ValueError, match="latency"):
        faults.latency(-1)


@pytest.mark.parametrize(
    ("selectors", "error"),
    [
        ({"count": 0}, ValueError),
        ({"count": 1.5}, ValueError),
        ({"count": True}, ValueError),
        ({"duration": float("nan")}, ValueError),
        ({"duration": float("inf")}, ValueError),
        ({"probability": float("nan")}, ValueError),
        ({"cuont": 2}, TypeError),
        ({"rng": None}, TypeError),
    ],
)
def test_selectors_of_the_wrong_kind_or_misspelt_are_refused(selectors, error):
    """A selector out of range, of the wrong kind, or misspelt raises instead of arming a rule."""
    injector = FaultInjector()
    with pytest.raises(error):
        injector.drop(**selectors)
    assert injector.armed == 0
