import re

import httpx
import pytest
from _sim_support import PASSWORD, Api, assert_same_shape
from printer_async.simulator import SimulatedPrinter, serve, sign

# The vendor's documented examples (REMOTE_API.md and seeds/), the shapes the simulator must match.
DOCUMENTED = {
    "/printer/system": {
        "Serial_number": "12345678942",
        "api_version": "0.1.0.307",
        "battery": 3.957441568374634,
        "brightness": 1,
        "date_time": "2017-08-16 07:08:59",
        "firmware_version": "1.1.6-rev1",
        "language": "English",
        "machine_id": "16363785338095344960",
        "machine_ip": "192.168.0.57",
        "machine_name": "raise3d",
        "model": "Raise3D N2Plus",
        "nozzies_num": 2,
        "storage_available": 4914340,
        "update": "",
        "version": "0.9.3.1165",
    },
    "/printer/camera": {
        "camerserver_URI": ":30216/api/v1/camera/auth_stream",
        "is_camera_connected": True,
        "password": "368d8d",
        "user_name": "raise3d_camera",
    },
    "/printer/runningstatus": {"running_status": "idle"},
    "/printer/basic": {
        "fan_cur_speed": 0,
        "fan_tar_speed": 0,
        "feed_cur_rate": 100,
        "feed_tar_rate": 100,
        "heatbed_cur_temp": 25,
        "heatbed_tar_temp": 0,
    },
    "/printer/nozzle1": {
        "flow_cur_rate": 100,
        "flow_tar_rate": 100,
        "nozzle_cur_temp": 26,
        "nozzle_tar_temp": 10,
    },
    "/printer/nozzle2": {
        "flow_cur_rate": 100,
        "flow_tar_rate": 100,
        "nozzle_cur_temp": 26,
        "nozzle_tar_temp": 10,
    },
    "/job/currentjob": {
        "file_name": "Local/a.gcode",
        "print_progress": 0.04945080354809761,
        "printed_layer": 1,
        "printed_time": 197,
        "job_id": "4C530E1EB1D4_D0E782BF5B17_7e10712090a1b3600f",
        "total_layer": 470,
        "total_time": 11333,
        "job_status": "running",
    },
    "/dashboard/statistics": {
        "printed_file_num": 41,
        "printed_total_time": 492527,
        "printed_used_filament_0": 1473.8792724609375,
        "printed_used_filament_1": 0.0,
        "printed_used_filament": 1473.8792724609375,
    },
}
JOB_LIST_ENTRY = {
    "file_name": "Loacl/a.gcode",
    "job_id": "4C530E1EB1D4_D0E782BF5B17_7e10712060a0703715",
    "user_tag": "hello",
    "job_index": 9,
}
JOB_DETAIL = {
    "file_name": "Local/a.gcode",
    "real_print_time": 9203,
    "estimated_time": 9200,
    "filament_used_0": 18.8792724609375,
    "filament_used_1": 10.8792724609375,
    "user_tag": "hello",
}
FILE_LIST = {
    "dir_list": ["d1"],
    "file_list": [{"data_path": "Local/webapi_store/b.data", "file_name": "b.gcode"}],
}


async def test_login_returns_a_32_hex_token(http):
    """A correct signature gives {"data": {"token": <32 lower hex>}, "status": 1}."""
    api = Api(http, PASSWORD)
    body = (await api.login()).json()
    assert body["status"] == 1
    assert re.fullmatch(r"[0-9a-f]{32}", body["data"]["token"])


async def test_login_with_the_documented_vector(http):
    """The documented sign and timestamp log in to a printer whose password is 123456."""
    response = await http.get(
        "/v1/login",
        params={"sign": "ed416d3d02cf58efe4f65d3bbc8a4dc6", "timestamp": "1503477369615"},
    )
    assert response.json()["status"] == 1


async def test_a_wrong_password_gives_10000(http):
    """A signature made with the wrong password gives 10000 in an HTTP 200 envelope."""
    response = await Api(http, "nope").login()
    assert response.status_code == 200
    assert response.json() == {
        "error": {"code": 10000, "msg": "sign error or password error"},
        "status": 0,
    }


async def test_login_without_parameters_is_a_bad_request(http):
    """Login without sign or timestamp gives HTTP 400 with an empty body."""
    response = await http.get("/v1/login", params={"timestamp": "1"})
    assert (response.status_code, response.content) == (400, b"")


async def test_answers_are_json_as_the_printer_writes_it(api, sim, clock):
    """Sorted keys, no spaces, whole-number floats without a decimal point; errors alike."""
    sim.start_job("Local/benchy.gcode")
    clock.advance(sim.job_duration)
    statistics = await api.client.get("/v1/dashboard/statistics", params={"token": api.token})
    assert statistics.content == (
        b'{"data":{"printed_file_num":1,"printed_total_time":3600,"printed_used_filament":14.2,'
        b'"printed_used_filament_0":14.2,"printed_used_filament_1":0},"status":1}'
    )
    job = await api.client.get("/v1/job/currentjob", params={"token": api.token})
    assert b'"print_progress":100,' in job.content
    refused = await api.client.get("/v1/printer/basic")
    assert refused.content == b'{"error":{"code":401,"msg":"token error"},"status":0}'


@pytest.mark.parametrize("token", [None, "", "0" * 32])
async def test_a_missing_or_unknown_token_gives_401(http, token):
    """Without a valid token every endpoint answers 401 "token error"."""
    params = {} if token is None else {"token": token}
    response = await http.get("/v1/printer/basic", params=params)
    assert response.status_code == 200
    assert response.json() == {"error": {"code": 401, "msg": "token error"}, "status": 0}


async def test_a_token_expires_after_its_lifetime(api, sim, clock):
    """A token stops working once token_lifetime simulated seconds have passed."""
    assert (await api.get("/printer/basic"))["status"] == 1
    clock.advance(sim.token_lifetime)
    assert (await api.get("/printer/basic"))["error"]["code"] == 401
    await api.login()
    assert (await api.get("/printer/basic"))["status"] == 1


@pytest.mark.parametrize("path", sorted(DOCUMENTED))
async def test_answers_have_the_documented_shape(api, sim, path):
    """Each GET endpoint answers the documented keys with the documented JSON types."""
    if path == "/job/currentjob":
        sim.start_job("Local/benchy.gcode")
        sim.clock.advance(197)
    body = await api.get(path)
    assert body["status"] == 1
    assert_same_shape(body["data"], DOCUMENTED[path])


async def test_job_list_job_detail_and_file_list_have_the_documented_shape(api, sim):
    """The joblist entries, dashboard/job and fileops/list match the documented examples."""
    job_id = sim.start_job("Local/webapi_store/two_colour_vase.gcode")
    sim.clock.advance(sim.job_duration)
    entries = (await api.get("/dashboard/joblist", max_num=12, start_pos=0))["data"]["job_list"]
    assert_same_shape(entries[0], JOB_LIST_ENTRY)
    detail = await api.get("/dashboard/job", pos=0, job_id=job_id)
    assert_same_shape(detail["data"], JOB_DETAIL)
    listing = await api.get("/fileops/list", dir="Local", start_pos=0, max_num=24)
    assert_same_shape(listing["data"], FILE_LIST)
    assert_same_shape(listing["data"]["file_list"][0], FILE_LIST["file_list"][0])


async def test_the_idle_current_job_is_what_an_idle_pro2_answers(api):
    """Before any job: empty file_name and job_id, job_status running, no estimate (3600000)."""
    data = (await api.get("/job/currentjob"))["data"]
    assert data == {
        "file_name": "",
        "job_id": "",
        "job_status": "running",
        "print_progress": 0,
        "printed_layer": 0,
        "printed_time": 0,
        "total_layer": 0,
        "total_time": 3600000,
    }
    assert_same_shape(data, DOCUMENTED["/job/currentjob"])


async def test_a_job_lifecycle_over_http(api, sim, clock):
    """newjob, pause, resume, completion and the statistics, all through the API."""
    assert await api.post("/job/newjob/set", {"file_path": "Local/benchy.gcode"}) == {"status": 1}
    clock.advance(100)
    assert await api.post("/job/currentjob/set", {"operate": "pause"}) == {"status": 1}
    assert (await api.get("/printer/runningstatus"))["data"] == {"running_status": "paused"}
    assert await api.post("/job/currentjob/set", {"operate": "resume"}) == {"status": 1}
    clock.advance(sim.job_duration)
    job = (await api.get("/job/currentjob"))["data"]
    assert (job["job_status"], job["print_progress"]) == ("completed", 100.0)
    assert (await api.get("/printer/runningstatus"))["data"] == {"running_status": "completed"}
    assert (await api.get("/dashboard/statistics"))["data"]["printed_file_num"] == 1


async def test_power_loss_and_recover_over_http(api, sim, clock):
    """After a power loss the token is dead; recover resumes the job with the same id."""
    await api.post("/job/newjob/set", {"file_path": "Local/benchy.gcode"})
    job_id = sim.job_id
    clock.advance(60)
    sim.power_loss()
    assert (await api.get("/job/currentjob"))["error"]["code"] == 401
    await api.login()
    assert await api.post("/job/recover/set") == {"status": 1}
    job = (await api.get("/job/currentjob"))["data"]
    assert (job["job_id"], job["job_status"], job["printed_time"]) == (job_id, "running", 60)
    assert (await api.post("/job/recover/set"))["error"] == {
        "code": 500,
        "msg": "printer is printing",
    }


@pytest.mark.parametrize(
    ("path", "body", "code", "msg"),
    [
        (
            "/printer/nozzle1/temp/set",
            {"temperature": 311},
            10002,
            "temperature error value(0~310)",
        ),
        ("/printer/nozzle2/temp/set", {"temperature": -1}, 10002, "temperature error value(0~310)"),
        ("/printer/nozzle1/flowrate/set", {"flowrate": 0}, 10002, "flowrate error value(1~300)"),
        ("/printer/heatbedtemp/set", {"temperature": 111}, 10002, "temperature error value(0~110)"),
        ("/printer/feedrate/set", {"feedrate": 351}, 10002, "feedrate error value(1~350)"),
        ("/printer/fanspeed/set", {"fanspeed": 101}, 10002, "fanspeed error value(0~100)"),
        (
            "/printer/axiscontrol/set",
            {"is_relative_pos": 1, "feed": 600, "x": 11},
            10002,
            "x error relative model value(-10~10)",
        ),
        (
            "/printer/axiscontrol/set",
            {"is_relative_pos": 0, "feed": 9000, "z": 3},
            10002,
            "feed error xyz value(0~8000)",
        ),
        (
            "/printer/axiscontrol/set",
            {"is_relative_pos": 0, "feed": 600, "e": 20000, "nozzle": 0},
            10002,
            "e error aboslute model value(-10000~10000)",
        ),
        (
            "/printer/axiscontrol/set",
            {"is_relative_pos": 0, "feed": 600, "e": 1, "nozzle": 2},
            10002,
            "nozzle error value(0 or 1)",
        ),
        ("/job/currentjob/set", {"operate": "dance"}, 10002, "operate parament error"),
        ("/job/currentjob/set", {"operate": "pause"}, 500, "printer is stoped"),
        ("/job/newjob/set", {"file_path": "/etc/passwd"}, 10005, "root path error"),
        ("/job/newjob/set", {"file_path": "Local/missing.gcode"}, 500, "print file is not exist"),
        ("/job/recover/set", None, 10002, "no last job found"),
    ],
)
async def test_documented_errors(api, path, body, code, msg):
    """Out-of-range values and forbidden operations give the documented code and message."""
    assert await api.post(path, body) == {"error": {"code": code, "msg": msg}, "status": 0}


async def test_setters_change_what_the_getters_report(api, sim, clock):
    """Setting targets and rates shows up in basic and nozzle answers."""
    for path, body in [
        ("/printer/nozzle2/temp/set", {"temperature": 200}),
        ("/printer/nozzle2/flowrate/set", {"flowrate": 120}),
        ("/printer/heatbedtemp/set", {"temperature": 60}),
        ("/printer/feedrate/set", {"feedrate": 150}),
        ("/printer/fanspeed/set", {"fanspeed": 50}),
        ("/printer/axiscontrol/set", {"is_relative_pos": 0, "feed": 6000, "x": 300, "y": -5}),
    ]:
        assert await api.post(path, body) == {"status": 1}, path
    clock.advance(3600)
    nozzle = (await api.get("/printer/nozzle2"))["data"]
    assert (nozzle["nozzle_tar_temp"], nozzle["nozzle_cur_temp"], nozzle["flow_cur_rate"]) == (
        200,
        200,
        120,
    )
    basic = (await api.get("/printer/basic"))["data"]
    assert (basic["heatbed_cur_temp"], basic["feed_tar_rate"], basic["fan_cur_speed"]) == (
        60,
        150,
        50,
    )
    assert sim.position["x"] == 300
    assert sim.position["y"] == 0  # negative absolute coordinates are clamped to zero


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("/printer/feedrate/set", b"not json"),
        ("/printer/feedrate/set", b'{"feedrate": "100"}'),
        ("/printer/feedrate/set", b'{"feedrate": true}'),
        ("/printer/feedrate/set", b"[100]"),
        ("/job/newjob/set", b'{"file_path": 3}'),
        ("/printer/axiscontrol/set", b'{"is_relative_pos": 2, "feed": 1}'),
    ],
)
async def test_unparseable_bodies_give_an_empty_400(http, api, path, content):
    """A body that is not JSON or has wrongly typed fields gives HTTP 400 with no body."""
    response = await http.post(f"/v1{path}", params={"token": api.token}, content=content)
    assert (response.status_code, response.content) == (400, b"")


async def test_unknown_paths_and_wrong_methods(http, api):
    """An unknown path is an empty 404, a wrong method an empty 405 with Allow."""
    for path in ("/v1/printer/nothing", "/printer/basic", "/"):
        response = await http.get(path, params={"token": api.token})
        assert (response.status_code, response.content) == (404, b""), path
    response = await http.post("/v1/printer/basic", params={"token": api.token})
    assert (response.status_code, response.content) == (405, b"")
    assert response.headers["allow"] == "GET, OPTIONS"
    response = await http.get("/v1/job/newjob/set", params={"token": api.token})
    assert response.status_code == 405


async def test_an_oversized_body_gives_413(http, api):
    """A non-file body over 1 MB gives HTTP 413."""
    response = await http.post(
        "/v1/job/newjob/set", params={"token": api.token}, content=b"x" * (1024 * 1024 + 1)
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("params", "msg"),
    [
        ({"max_num": 13, "start_pos": 0}, "max_num error value(1~12)"),
        ({"max_num": 0, "start_pos": 0}, "max_num error value(1~12)"),
        ({"max_num": 1, "start_pos": -1}, "start_pos error"),
        ({"max_num": 1, "start_pos": 2}, "start_pos error"),
    ],
)
async def test_job_list_errors(api, sim, params, msg):
    """The joblist rejects max_num outside 1~12 and start_pos outside the history."""
    sim.start_job("Local/benchy.gcode")
    sim.clock.advance(sim.job_duration)
    assert (await api.get("/dashboard/joblist", **params))["error"] == {"code": 10002, "msg": msg}


async def test_job_list_pages_through_the_history(api, sim):
    """The joblist returns max_num entries from start_pos, with their job_index."""
    ids = []
    for _ in range(3):
        ids.append(sim.start_job("Local/calibration_cube.gcode"))
        sim.clock.advance(sim.job_duration)
    page = (await api.get("/dashboard/joblist", max_num=2, start_pos=1))["data"]["job_list"]
    assert [(e["job_index"], e["job_id"]) for e in page] == [(1, ids[1]), (2, ids[2])]
    detail = await api.get("/dashboard/job", pos=1, job_id=ids[2])
    assert detail["error"] == {"code": 10002, "msg": "job id not match pos"}
    detail = await api.get("/dashboard/job", pos=3, job_id=ids[2])
    assert detail["error"] == {"code": 10002, "msg": "pos error"}


@pytest.mark.parametrize(
    ("params", "code", "msg"),
    [
        (
            {"dir": "Local", "start_pos": -1, "max_num": 1},
            10002,
            "start_pos error, it must be non-negative",
        ),
        ({"dir": "Local", "start_pos": 0, "max_num": 25}, 10002, "max_num error, range(1~24)"),
        ({"dir": "Remote", "start_pos": 0, "max_num": 1}, 10005, "root path error"),
        ({"dir": "Local/../etc", "start_pos": 0, "max_num": 1}, 10005, "root path error"),
        ({"dir": "Local/nowhere", "start_pos": 0, "max_num": 1}, 404, "directory not exist"),
    ],
)
async def test_file_list_errors(api, params, code, msg):
    """fileops/list gives the documented error for each bad parameter."""
    assert (await api.get("/fileops/list", **params))["error"] == {"code": code, "msg": msg}


async def test_file_list_of_the_upload_directory(api):
    """Local/webapi_store lists the seeded files there, bracket with its .data thumbnail."""
    data = (await api.get("/fileops/list", dir="Local/webapi_store", start_pos=0, max_num=24))[
        "data"
    ]
    assert data == {
        "dir_list": [],
        "file_list": [
            {"data_path": "Local/webapi_store/bracket.data", "file_name": "bracket.gcode"},
            {"data_path": "", "file_name": "two_colour_vase.gcode"},
        ],
    }


@pytest.mark.parametrize("nozzles", [1])
async def test_a_one_nozzle_printer_over_http(api, nozzles):
    """On one nozzle, nozzle2 and its setters give 404 "no right nozzle"; _1 is omitted."""
    no_right = {"error": {"code": 404, "msg": "no right nozzle"}, "status": 0}
    assert await api.get("/printer/nozzle2") == no_right
    assert await api.post("/printer/nozzle2/temp/set", {"temperature": 20}) == no_right
    body = {"is_relative_pos": 1, "feed": 100, "e": 1, "nozzle": 1}
    assert await api.post("/printer/axiscontrol/set", body) == no_right
    assert "printed_used_filament_1" not in (await api.get("/dashboard/statistics"))["data"]


async def test_one_server_serves_many_printers_by_port():
    """Each port of a multi-printer server answers for its own printer."""
    printers = [SimulatedPrinter(name=f"p{i}", seed=i) for i in range(3)]
    async with serve(*printers) as server:
        assert len({e.port for e in server.endpoints}) == 3
        for printer in printers:
            endpoint = server.endpoint(printer)
            async with httpx.AsyncClient(base_url=endpoint.base_url) as client:
                api = Api(client, printer.password)
                await api.login()
                system = (await api.get("/printer/system"))["data"]
                assert system["machine_name"] == printer.name
        with pytest.raises(KeyError):
            server.endpoint(SimulatedPrinter())


async def test_serve_needs_printers_and_matching_ports():
    """serve() without printers or with the wrong number of ports raises ValueError."""
    with pytest.raises(ValueError, match="at least one"):
        async with serve():
            pass
    with pytest.raises(ValueError, match="ports"):
        async with serve(SimulatedPrinter(), ports=[0, 0]):
            pass


async def test_token_of_another_printer_is_refused():
    """A token from one simulated printer is unknown to another."""
    first, second = SimulatedPrinter(seed=1), SimulatedPrinter(seed=2)
    async with serve(first, second) as server:
        token = first.login(sign(first.password, "1"), "1")
        async with httpx.AsyncClient(base_url=server.endpoint(second).base_url) as client:
            response = await client.get("/v1/printer/basic", params={"token": token})
        assert response.json()["error"]["code"] == 401
