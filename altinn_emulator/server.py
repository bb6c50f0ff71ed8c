"""HTTP server: control endpoints, plug-in routes, then the Altinn 2 SOAP paths."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
import time
import traceback
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import control, routes, soap
from .clock import Clock
from .routes import Request, Response
from .schema import SchemaSet
from .state import State

CHECK_CONTRACT_ENV = "ALTINN_EMULATOR_CHECK_CONTRACT"

MAX_BODY = 50 * 1024 * 1024
DEFAULT_PLUGINS = ("altinn_emulator.altinn3",)
CONTROL_PREFIX = "/_emulator/"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "600",
}


def load_plugins(names=()) -> list[str]:
    """Import plug-in modules (they register routes at import). Missing default plug-ins are skipped."""
    loaded = []
    for name in (*DEFAULT_PLUGINS, *names):
        if name in DEFAULT_PLUGINS and name not in names:
            try:
                if importlib.util.find_spec(name) is None:
                    continue
            except ModuleNotFoundError:
                continue
        importlib.import_module(name)
        loaded.append(name)
    return loaded


class EmulatorApp:
    def __init__(self, state: State, schemas: SchemaSet):
        self.state = state
        self.schemas = schemas

    def dispatch(self, request: Request) -> Response:
        control_path = request.path == CONTROL_PREFIX.rstrip("/") or request.path.startswith(CONTROL_PREFIX)
        if control_path and request.method == "OPTIONS":
            # CORS preflight: a browser test (the addon's Odoo tour) reads the SMS outbox from Odoo's origin.
            return Response(204, b"", "text/plain; charset=utf-8", dict(CORS_HEADERS))
        try:
            response = self._dispatch(request)
        except Exception:  # an emulator bug must not kill the connection silently
            traceback.print_exc()
            response = Response.text("internal emulator error (see its stderr)", 500)
        if control_path:
            # Test helpers only: the Altinn paths stay exactly as Altinn answers them.
            response.headers = {**CORS_HEADERS, **response.headers}
        return response

    def _dispatch(self, request: Request) -> Response:
        path_known = False
        for method, pattern, handler in control.COMPILED:
            match = pattern.match(request.path)
            if match:
                if method == request.method:
                    request.match = match
                    return handler(self.state, request)
                path_known = True
        handler, match = routes.find(request.method, request.path)
        if handler is not None:
            request.match = match
            return handler(self.state, request)
        path_known = path_known or bool(match)
        service = self.schemas.service_for_path(request.path)
        if service is not None:
            if request.method == "POST":
                return soap.handle(self.state, self.schemas, service, request)
            if request.method == "GET":
                return self._service_page(service, request)
            return Response.text("Method not allowed", 405)
        if path_known:
            return Response.text("Method not allowed", 405)
        return Response.text("Not found", 404)

    def _service_page(self, service, request: Request) -> Response:
        if any(key.lower() in ("wsdl", "singlewsdl") for key in request.query):
            path = self.schemas.wsdl_path(service)
            if not path.is_file():
                return Response.text("WSDL not available", 404)
            host = request.headers.get("host", "localhost")
            text = path.read_text(encoding="utf-8")
            text = re.sub(r'location="https?://[^/"]+', f'location="http://{host}', text)
            return Response.xml(text)
        return Response.text(
            f"<html><body><h1>{service.key} Service</h1><p>You have created a service.</p>"
            f"<p>WSDL: <a href='{service.path}?wsdl'>{service.path}?wsdl</a></p></body></html>",
            content_type="text/html; charset=utf-8",
        )


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = (
        True  # headers and body go out in separate writes: avoid 40 ms delayed-ACK stalls
    )
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""

    def do_GET(self):
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return None
        return self.rfile.read(length) if length else b""

    def _handle(self):
        body = self._read_body()
        if body is None:
            response = Response.text("Request entity too large", 413)
            self.close_connection = True
        else:
            request = Request.build(self.command, self.path, self.headers, body, self.client_address)
            response = self.server.app.dispatch(request)
        if response.delay:
            time.sleep(response.delay)
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            self.close_connection = True

    def log_message(self, format, *args):
        if getattr(self.server, "verbose", False):
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, app: EmulatorApp, verbose: bool = False):
        super().__init__(address, Handler)
        self.app = app
        self.verbose = verbose

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    seed: int = 1,
    base_date: date | None = None,
    data_dirs=(),
    schema_dir=None,
    plugins=(),
    clock: Clock | None = None,
    verbose: bool = False,
    state: State | None = None,
    check_contract: bool | None = None,
) -> EmulatorServer:
    """:param check_contract: check every Altinn 3 answer against Altinn's contracts (altinn3/contract.py);
    None: on when the environment has ``ALTINN_EMULATOR_CHECK_CONTRACT=1``"""
    load_plugins(plugins)
    state = state or State(seed=seed, base_date=base_date, clock=clock, data_dirs=tuple(data_dirs))
    if check_contract is None:
        check_contract = os.environ.get(CHECK_CONTRACT_ENV, "").strip().lower() in ("1", "true", "yes", "on")
    state.contract_check = bool(check_contract)
    app = EmulatorApp(state, SchemaSet(schema_dir))
    return EmulatorServer((host, port), app, verbose)
