"""Canned answers of a printer, for the raw server: a login, a poll, a refused token, stalls."""

from __future__ import annotations

import json

from _raw_server import Reply

TOKEN = "0123456789abcdef0123456789abcdef"
LOGIN = Reply(body=b'{"status":1,"data":{"token":"%s"}}' % TOKEN.encode())
OTHER_LOGIN = Reply(body=b'{"status":1,"data":{"token":"%s"}}' % TOKEN[::-1].encode())
JOB = Reply(
    body=json.dumps(
        {
            "status": 1,
            "data": {
                "file_name": "Local/a.gcode",
                "print_progress": 1.0,
                "printed_layer": 1,
                "total_layer": 2,
                "printed_time": 1,
                "total_time": 2,
                "job_id": "j",
                "job_status": "running",
            },
        }
    ).encode()
)
TOKEN_ERROR = Reply(body=b'{"status":0,"error":{"code":401,"msg":"token error"}}')
TRICKLE = Reply(body=b'{"status":1,', content_length=10_000, behaviour="trickle", delay=0.05)
STALL = Reply(behaviour="stall")
