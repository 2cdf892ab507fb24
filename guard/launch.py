"""The `guard` program: a command run by the resident process when `$GUARD_RESIDENT` asks for one (see
`guard.resident`), else in this process. Imports nothing else first, so that a resident command starts
quickly."""

from __future__ import annotations

import sys


def main() -> None:
    from guard import resident

    lifetime = resident.wanted(sys.argv[1:])
    if lifetime is not None:
        from guard.resident import client

        code = client.run(sys.argv[1:], lifetime)
        if code is not None:
            sys.exit(code)
    from guard.cli import main as run_here

    run_here()
