"""Every paging loop ends, whatever the printer says: on a repeated page, and at a hard bound.

A printer that ignores ``start_pos`` sends the first page for ever; one that cycles sends a few
pages in turn; one that lies in ``printed_file_num`` claims millions of jobs, and may make up a
new page for every position. ``iter_jobs()`` and ``iter_files()`` stop in each case.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
from printer_async import _client

from _support import load_fixture, ok

if TYPE_CHECKING:
    import httpx

MILLIONS = {**load_fixture("statistics")["data"], "printed_file_num": 2**53}


def _job_page(first: int, count: int = 12) -> httpx.Response:
    entries = [
        {"file_name": f"Local/{i}.gcode", "job_id": f"j{i}", "user_tag": "", "job_index": i}
        for i in range(first, first + count)
    ]
    return ok({"job_list": entries})


def _file_page(first: int, count: int = 24) -> httpx.Response:
    files = [{"file_name": f"{i}.gcode", "data_path": ""} for i in range(first, first + count)]
    return ok({"dir_list": [], "file_list": files})


def _position(request: httpx.Request) -> int:
    return int(request.url.params["start_pos"])


JOB_PAGES = {
    "ignores start_pos": lambda _request: _job_page(0),
    "cycles two pages": lambda request: _job_page(12 * ((_position(request) // 12) % 2)),
}
FILE_PAGES = {
    "ignores start_pos": lambda _request: _file_page(0),
    "cycles three pages": lambda request: _file_page(24 * ((_position(request) // 24) % 3)),
}


@pytest.mark.parametrize("printer_kind", sorted(JOB_PAGES))
async def test_iter_jobs_stops_at_a_repeated_page(api, printer, caplog, printer_kind):
    """A printer claiming millions of jobs that repeats its pages yields each page once."""
    api.get("/dashboard/statistics").mock(return_value=ok(MILLIONS))
    route = api.get("/dashboard/joblist").mock(side_effect=JOB_PAGES[printer_kind])
    entries = [entry async for entry in printer.iter_jobs()]
    indexes = [entry.job_index for entry in entries]
    assert len(indexes) == len(set(indexes))
    assert route.call_count <= 3
    assert "sent a page again" in caplog.text


async def test_iter_jobs_stops_at_the_page_bound(api, printer, monkeypatch, caplog):
    """A printer that makes up a new page for every position is read for MAX_PAGES pages."""
    monkeypatch.setattr(_client, "MAX_PAGES", 5)
    api.get("/dashboard/statistics").mock(return_value=ok(MILLIONS))
    route = api.get("/dashboard/joblist").mock(
        side_effect=lambda request: _job_page(_position(request))
    )
    with caplog.at_level(logging.WARNING, logger="printer_async"):
        entries = [entry async for entry in printer.iter_jobs()]
    assert len(entries) == 5 * 12
    assert route.call_count == 6  # the sixth page is asked for, then refused by the bound
    assert "after 5 pages" in caplog.text


@pytest.mark.parametrize("printer_kind", sorted(FILE_PAGES))
async def test_iter_files_stops_at_a_repeated_page(api, printer, printer_kind):
    """A directory whose printer repeats its pages is listed with each page once."""
    route = api.get("/fileops/list").mock(side_effect=FILE_PAGES[printer_kind])
    pages = [page async for page in printer.iter_files("Local/")]
    names = [entry.file_name for page in pages for entry in page.files]
    assert len(names) == len(set(names))
    assert route.call_count <= 4


async def test_iter_files_stops_at_the_page_bound(api, printer, monkeypatch):
    """A directory that never ends is read for MAX_PAGES pages."""
    monkeypatch.setattr(_client, "MAX_PAGES", 4)
    route = api.get("/fileops/list").mock(
        side_effect=lambda request: _file_page(_position(request))
    )
    pages = [page async for page in printer.iter_files("Local/")]
    assert len(pages) == 4
    assert route.call_count == 5
