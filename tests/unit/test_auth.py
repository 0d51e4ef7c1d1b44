import hashlib

import anyio
import httpx
import pytest
import respx
from printer_async import AsyncPrinter, AuthenticationError, sign
from printer_async._auth import REFRESH_MARGIN, TOKEN_LIFETIME, Auth
from printer_async._transports.httpx import Transport

from _support import BASE, HOST, PASSWORD, TOKEN, api_error, load_fixture, ok


def test_sign_matches_the_vendor_vector():
    """The login signature for password 123456 at 1503477369615 is the vendor's example."""
    assert sign("123456", 1503477369615) == "ed416d3d02cf58efe4f65d3bbc8a4dc6"


def test_sign_uses_lower_case_hex_of_sha1():
    """The md5 is taken over the lower-case hex sha1 (upper case gives another value)."""
    inner = hashlib.sha1(b"password=123456&timestamp=1503477369615").hexdigest().upper()
    assert hashlib.md5(inner.encode()).hexdigest() != sign("123456", 1503477369615)


async def test_login_sends_sign_and_the_same_timestamp(api, printer):
    """Login is GET /login with sign computed over the timestamp sent in the query."""
    api.get("/job/currentjob").mock(
        return_value=httpx.Response(200, json=load_fixture("current_job"))
    )
    await printer.current_job()
    request = api["login"].calls.last.request
    params = dict(request.url.params)
    assert set(params) == {"sign", "timestamp"}
    assert params["sign"] == sign(PASSWORD, int(params["timestamp"]))
    assert abs(int(params["timestamp"]) / 1000 - __import__("time").time()) < 60


async def test_login_is_lazy_and_happens_once(api, printer):
    """No request is made before the first call; then one login serves every call."""
    route = api.get("/job/currentjob").mock(
        return_value=httpx.Response(200, json=load_fixture("current_job"))
    )
    assert api["login"].call_count == 0
    for _ in range(3):
        await printer.current_job()
    assert api["login"].call_count == 1
    assert route.call_count == 3
    assert route.calls.last.request.url.params["token"] == TOKEN


async def test_token_error_relogs_in_once_and_retries_once(api, printer):
    """A 401 token error leads to one new login and one retry of the same call."""
    api["login"].side_effect = [ok({"token": "a" * 32}), ok({"token": "b" * 32})]
    route = api.get("/dashboard/statistics").mock(
        side_effect=[
            api_error(401, "token error"),
            httpx.Response(200, json=load_fixture("statistics")),
        ]
    )
    stats = await printer.statistics()
    assert stats.printed_file_num == 41
    assert api["login"].call_count == 2
    assert [c.request.url.params["token"] for c in route.calls] == ["a" * 32, "b" * 32]


async def test_token_error_twice_raises_authentication_error(api, printer):
    """When the fresh token is refused too, the call raises instead of looping."""
    api.get("/job/currentjob").mock(return_value=api_error(401, "token error"))
    with pytest.raises(AuthenticationError) as info:
        await printer.current_job()
    assert info.value.code == 401
    assert api["login"].call_count == 2


async def test_http_401_without_body_also_relogs_in(api, printer):
    """An HTTP 401 with an empty body is treated like the token error envelope."""
    api.get("/job/currentjob").mock(
        side_effect=[httpx.Response(401), httpx.Response(200, json=load_fixture("current_job"))]
    )
    await printer.current_job()
    assert api["login"].call_count == 2


async def test_fifty_concurrent_calls_with_an_expired_token_log_in_once(api):
    """Single flight: 50 calls that meet an expired token cause exactly one login."""
    tokens = iter(["old" + "0" * 29, "new" + "0" * 29])
    api["login"].mock(side_effect=lambda _request: ok({"token": next(tokens)}))
    good = load_fixture("current_job")
    refused = []
    all_refused = anyio.Event()

    async def answer(request):
        if request.url.params["token"].startswith("old"):
            # Held until all 50 have met the old token, as they would over a network.
            refused.append(request)
            if len(refused) == 50:
                all_refused.set()
            await all_refused.wait()
            return api_error(401, "token error")
        return httpx.Response(200, json=good)

    route = api.get("/job/currentjob").mock(side_effect=answer)
    async with AsyncPrinter(HOST, password=PASSWORD) as printer:
        await printer.login()
        async with anyio.create_task_group() as tg:
            for _ in range(50):
                tg.start_soon(printer.current_job)
    assert api["login"].call_count == 2  # the explicit first login and exactly one re-login
    assert route.call_count == 100


async def test_token_is_refreshed_before_the_documented_lifetime():
    """A token older than 24 h minus the margin is replaced before the call is sent."""
    now = [0.0]
    with respx.mock(base_url=BASE) as api:
        login = api.get("/login").mock(
            side_effect=[ok({"token": "1" * 32}), ok({"token": "2" * 32})]
        )
        transport = Transport(BASE, timeout=5.0, client=None)
        auth = Auth(transport, password=PASSWORD, token=None, clock=lambda: now[0])
        assert await auth.token() == "1" * 32
        now[0] = TOKEN_LIFETIME - REFRESH_MARGIN - 1
        assert await auth.token() == "1" * 32
        now[0] = TOKEN_LIFETIME - REFRESH_MARGIN + 1
        assert await auth.token() == "2" * 32
        assert login.call_count == 2
        await transport.aclose()


async def test_wrong_password_says_where_the_access_password_is_set(api, printer):
    """10000 at login raises AuthenticationError naming the access password setting."""
    api["login"].mock(return_value=api_error(10000, "sign error or password error"))
    route = api.get("/job/currentjob")
    with pytest.raises(AuthenticationError) as info:
        await printer.current_job()
    error = info.value
    assert (error.code, error.msg, error.endpoint) == (
        10000,
        "sign error or password error",
        "/login",
    )
    assert "access password is wrong" in str(error)
    assert "Machine > Developer > Access password" in str(error)
    assert route.call_count == 0


async def test_given_token_is_used_without_login(api):
    """A token passed in is used as is; no login happens."""
    route = api.get("/job/currentjob").mock(
        return_value=httpx.Response(200, json=load_fixture("current_job"))
    )
    async with AsyncPrinter(HOST, token="f" * 32) as printer:
        await printer.current_job()
    assert route.calls.last.request.url.params["token"] == "f" * 32
    assert api["login"].call_count == 0


async def test_refused_token_without_password_explains_what_to_pass(api):
    """Without a password, a refused token raises AuthenticationError asking for password=."""
    api.get("/job/currentjob").mock(return_value=api_error(401, "token error"))
    async with AsyncPrinter(HOST, token="f" * 32) as printer:
        with pytest.raises(AuthenticationError, match="password="):
            await printer.current_job()
    assert api["login"].call_count == 0


async def test_no_password_and_no_token_raises_before_any_request(api):
    """Calling without credentials raises AuthenticationError and sends nothing."""
    async with AsyncPrinter(HOST) as printer:
        with pytest.raises(AuthenticationError, match="password="):
            await printer.current_job()
    assert len(api.calls) == 0
