"""What a command and the resident process say over the socket.

The command sends a 4-byte length with its stdin, stdout and stderr attached (SCM_RIGHTS), then that
many bytes of JSON: argv, working folder, environment, umask and the streams' encodings. The resident
process answers with lines: `stale` (it is exiting: run in-process), or `pid N` when the command has
started in process N and later `exit CODE`.
"""

from __future__ import annotations

import json
import os
import socket
import struct
from typing import Any

_LENGTH = struct.Struct("!I")
REQUEST_MAX = 4 * 1024 * 1024
STALE = b"stale"


def send_request(sock: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
    body = json.dumps(request).encode()
    socket.send_fds(sock, [_LENGTH.pack(len(body))], fds)
    sock.sendall(body)


def receive_request(sock: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """The request and the three descriptors sent with it (ValueError when it is malformed)."""
    head, fds, _flags, _addr = socket.recv_fds(sock, _LENGTH.size, 3)
    if len(head) != _LENGTH.size or len(fds) != 3:
        for fd in fds:
            _close(fd)
        raise ValueError("malformed request header")
    (length,) = _LENGTH.unpack(head)
    if length > REQUEST_MAX:
        raise ValueError(f"request of {length} bytes")
    body = _exactly(sock, length)
    request = json.loads(body)
    if not isinstance(request, dict):
        raise ValueError("request is not an object")
    return request, fds


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _exactly(sock: socket.socket, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = sock.recv(min(left, 65536))
        if not chunk:
            raise ValueError("request cut short")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def send_line(sock: socket.socket, text: bytes) -> None:
    sock.sendall(text + b"\n")


def told_stale(sock: socket.socket, changed: bool) -> bool:
    """`changed`, having told the command that sent on `sock` to run elsewhere (`stale`) when the serving
    process is out of date."""
    if changed:
        send_line(sock, STALE)
    return changed


class Lines:
    """The lines the resident process sends, one at a time (None once the socket closes)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.buffer = sock, b""

    def next(self) -> bytes | None:
        while b"\n" not in self.buffer:
            try:
                chunk = self.sock.recv(4096)
            except InterruptedError:  # pragma: no cover (retried by Python since PEP 475)
                continue
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line
