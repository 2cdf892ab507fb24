"""A small OPA REST server for tests: the real OPA engine (opa_bindings) behind OPA's HTTP API.

Speaks the parts guard uses: GET /health, PUT /v1/policies/{id}, PUT /v1/data/{path},
POST /v1/data/{path} ({"input": ...} -> {"result": ...}, no "result" when undefined),
POST /v1/query ({"query", "input"} -> {"result": [bindings]}) and optional bearer-token auth. Errors use OPA's JSON shape ({"code", "message", "errors": [...]}).
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import opa_bindings

_LOCATION = re.compile(r"^(?P<file>[^:\s]+):(?P<row>\d+): (?P<code>rego_\w+): (?P<msg>.*)$")


class OpaStandin:
    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.engine = opa_bindings.OpaEngine()
        self.policies: dict[str, str] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "OpaStandin":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.engine.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorized(self) -> bool:
                if standin.token and self.headers.get("Authorization") != f"Bearer {standin.token}":
                    self._send(401, {"code": "unauthorized", "message": "missing or invalid bearer token"})
                    return False
                return True

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self) -> None:
                if self.path.startswith("/health"):
                    self._send(200, {})
                elif self._authorized() and self.path.rstrip("/") == "/v1/policies":
                    self._send(200, {"result": [{"id": k, "raw": v} for k, v in standin.policies.items()]})
                else:
                    self._send(404, {"code": "resource_not_found", "message": self.path})

            def do_PUT(self) -> None:
                if not self._authorized():
                    return
                body = self._body()
                with standin.lock:
                    if self.path.startswith("/v1/policies/"):
                        policy_id = self.path[len("/v1/policies/"):]
                        try:
                            standin.engine.add_policy(policy_id, body.decode())
                            standin.engine.eval_query("x := 1")  # compile now, as OPA does on PUT
                        except opa_bindings.OpaError as exc:
                            self._send(400, _error(exc))
                            return
                        standin.policies[policy_id] = body.decode()
                        self._send(200, {})
                    elif self.path.startswith("/v1/data/"):
                        path = self.path[len("/v1/data/"):].strip("/").replace("/", ".")
                        standin.engine.add_data(json.loads(body), path)
                        self._send(204)
                    else:
                        self._send(404, {"code": "resource_not_found", "message": self.path})

            def do_POST(self) -> None:
                if not self._authorized():
                    return
                doc = json.loads(self._body() or b"{}")
                if self.path.split("?")[0] == "/v1/query":
                    with standin.lock:
                        try:
                            rows = standin.engine.eval_query(doc["query"], doc.get("input"))
                        except opa_bindings.OpaError as exc:
                            self._send(500, _error(exc, "internal_error"))
                            return
                    self._send(200, {"result": rows} if rows else {})
                    return
                if not self.path.startswith("/v1/data/"):
                    self._send(404, {"code": "resource_not_found", "message": self.path})
                    return
                path = self.path[len("/v1/data/"):].split("?")[0].strip("/").replace("/", ".")
                with standin.lock:
                    try:
                        value = standin.engine.eval_document(path, doc.get("input"))
                    except opa_bindings.OpaUndefinedError:
                        self._send(200, {})
                        return
                    except opa_bindings.OpaError as exc:
                        self._send(500, _error(exc, "internal_error"))
                        return
                self._send(200, {"result": value})

        return Handler


def _error(exc: Any, code: str = "invalid_parameter") -> dict[str, Any]:
    text = " ".join(exc.message.split())
    errors = []
    for part in re.split(r"(?:\d+ errors? occurred: )", text):
        m = _LOCATION.match(part.strip())
        if m:
            errors.append({"code": m["code"], "message": m["msg"], "location": {"file": m["file"], "row": int(m["row"]), "col": 1}})
    return {"code": code, "message": text, "errors": errors}
