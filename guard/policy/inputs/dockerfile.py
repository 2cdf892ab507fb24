"""Dockerfile instructions with their lines and build stage.

Each instruction: {"cmd": "from", "value": raw text, "args": tokens, "flags": ["--platform=x"],
"json": true if exec form, "line", "end_line", "stage", "stage_name"}. Continuations (the escape
character, `\\` or a `# escape=` directive) join lines; heredoc bodies are kept in `value`.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from guard.policy.base import InputError

_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(\S)\s*$", re.I)
_INSTRUCTION = re.compile(r"^([A-Za-z]+)(?:\s+(.*))?$", re.S)
_HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?")


def load_dockerfile(path: str, text: str) -> dict[str, Any]:
    lines = text.splitlines()
    escape = "\\"
    for line in lines:
        m = _DIRECTIVE.match(line.strip())
        if m:
            escape = m.group(1)
        elif line.strip() and not line.strip().startswith("#"):
            break
    out: list[dict[str, Any]] = []
    stage, stage_name = -1, None
    i = 0
    while i < len(lines):
        raw = lines[i].strip()
        if not raw or raw.startswith("#"):
            i += 1
            continue
        start = i
        parts = []
        while True:
            current = lines[i].rstrip()
            if current.endswith(escape) and i + 1 < len(lines):
                parts.append(current[:-1])
                i += 1
                while i < len(lines) and lines[i].strip().startswith("#"):
                    i += 1  # comments inside a continuation are dropped
                continue
            parts.append(current)
            break
        text_joined = " ".join(p.strip() for p in parts)
        heredoc = _HEREDOC.search(text_joined)
        if heredoc:
            end_marker = heredoc.group(1)
            body = []
            while i + 1 < len(lines) and lines[i + 1].strip() != end_marker:
                i += 1
                body.append(lines[i])
            i += 1
            text_joined += "\n" + "\n".join(body)
        m = _INSTRUCTION.match(text_joined)
        if not m:
            raise InputError(path, start + 1, f"not a Dockerfile instruction: {raw[:60]!r}")
        cmd, value = m.group(1).lower(), (m.group(2) or "").strip()
        args, flags, is_json = _arguments(value)
        if cmd == "from":
            stage += 1
            stage_name = args[2] if len(args) >= 3 and args[1].lower() == "as" else None
        out.append({"cmd": cmd, "value": value, "args": args, "flags": flags, "json": is_json,
                    "line": start + 1, "end_line": i + 1, "stage": stage, "stage_name": stage_name})
        i += 1
    if not any(ins["cmd"] == "from" for ins in out):
        raise InputError(path, 1, "Dockerfile has no FROM instruction")
    return {"instructions": out, "stages": stage + 1}


def _arguments(value: str) -> tuple[list[str], list[str], bool]:
    if value.startswith("["):
        try:
            parsed = json.loads(value)
            if isinstance(parsed, list) and all(isinstance(p, str) for p in parsed):
                return parsed, [], True
        except json.JSONDecodeError:
            pass
    try:
        tokens = shlex.split(value.split("\n", 1)[0], posix=True)
    except ValueError:
        tokens = value.split()
    flags = [t for t in tokens if t.startswith("--")]
    return [t for t in tokens if not t.startswith("--")], flags, False
