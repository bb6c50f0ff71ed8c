"""The Altinn 3 HTTP layer (keep-alive ``http.client`` pools; urllib3 through a proxy): what it sends is
what ``requests`` sent, the environment's proxy and the server's encodings are honoured, connections are
reused and replaced safely, HTTPS is verified, network failures become typed errors after bounded
retries."""

import gzip
import json
import socket
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.altinn3.httpclient import Http, query_string


class Recorder(BaseHTTPRequestHandler):
    """Answers every request with JSON naming what it received (request line, headers, body)."""

    protocol_version = "HTTP/1.1"
    gzip_answers = False
    cut_gzip = False  # send only the first half of the gzip body (with a Content-Length that says so)

    def do_GET(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = json.dumps(
            {
                "line": self.requestline,
                "headers": dict(self.headers.items()),
                "body": body.decode("latin-1"),
                "text": "Skatteetaten – særavgift",
                "peer": self.client_address[1],  # the client's port: one per connection
            },
            ensure_ascii=False,
        ).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        if self.gzip_answers and "gzip" in self.headers.get("Accept-Encoding", ""):
            answer = gzip.compress(answer)
            if self.cut_gzip:
                answer = answer[: len(answer) // 2]
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_POST = do_GET

    def log_message(self, format, *args):
        pass


@contextmanager
def serving(handler, tls_context=None):
    """A threaded server of ``handler`` on a free loopback port (TLS with ``tls_context``); yields its
    port."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls_context is not None:
        httpd.socket = tls_context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server():
    with serving(Recorder) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def no_proxy_env(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.mark.parametrize(
    "params",
    [
        {"party": "urn:altinn:organization:identifier-no:310478717", "limit": 100},
        {"serviceResource": ["urn:altinn:resource:a", "urn:altinn:resource:b"], "after": None, "x": "æ ø&å"},
        [("status", "New"), ("status", "InProgress"), ("updatedAfter", "2026-12-03T05:00:00+01:00")],
        {"client": "urn%3Aaltinn%3Aorganization", "flag": True, "n": 0},
    ],
)
def test_query_is_encoded_as_requests_encodes_it(params):
    expected = requests.Request("GET", "https://platform.altinn.no/x", params=params).prepare().url
    assert f"https://platform.altinn.no/x?{query_string(params)}" == expected


def test_request_headers_and_bodies(server, no_proxy_env):
    http = Http()
    try:
        answer = http.send("GET", f"{server}/a/b", what="t", token="secret", params={"q": ["1", "2"]}).json()
        assert answer["line"] == "GET /a/b?q=1&q=2 HTTP/1.1"
        assert answer["headers"]["Authorization"] == "Bearer secret"
        assert answer["headers"]["User-Agent"].startswith("prisolve-altinn/")
        form = http.send("POST", f"{server}/token", what="t", data={"grant_type": "x:y", "assertion": "a b"})
        assert form.json()["body"] == "grant_type=x%3Ay&assertion=a+b"
        assert form.json()["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
        sent = http.send("POST", f"{server}/j", what="t", json={"name": "Ærlig AS"}).json()
        assert json.loads(sent["body"].encode("latin-1")) == {"name": "Ærlig AS"}
        assert sent["headers"]["Content-Type"] == "application/json"
    finally:
        http.close()


def test_gzip_answers_and_their_charset_are_decoded(server, no_proxy_env, monkeypatch):
    monkeypatch.setattr(Recorder, "gzip_answers", True)
    http = Http()
    try:
        answer = http.send("GET", f"{server}/z", what="t")
        assert answer.json()["text"] == "Skatteetaten – særavgift"
        assert "særavgift" in answer.text
        assert answer.headers.get("content-type") == "application/json; charset=utf-8"  # any case
    finally:
        http.close()


def test_a_gzip_answer_that_does_not_decode_is_a_broken_answer(server, no_proxy_env, monkeypatch):
    monkeypatch.setattr(Recorder, "gzip_answers", True)
    monkeypatch.setattr(Recorder, "cut_gzip", True)
    sleeps = []
    http = Http(max_retries=1, sleep=sleeps.append)
    try:
        with pytest.raises(errors.ServiceUnavailable) as info:
            http.send("GET", f"{server}/z", what="Dialogporten")
    finally:
        http.close()
    assert "broke off" in str(info.value) and sleeps == [1.0]  # typed, and tried again once


def test_the_environments_proxy_is_used(server, no_proxy_env, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", server)
    http = Http()
    try:
        line = http.send("GET", "http://platform.altinn.invalid/dialogs?x=1", what="t").json()["line"]
    finally:
        http.close()
    assert line == "GET http://platform.altinn.invalid/dialogs?x=1 HTTP/1.1"  # sent to the proxy
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    http = Http()
    try:
        assert http.send("GET", f"{server}/direct", what="t").json()["line"] == "GET /direct HTTP/1.1"
    finally:
        http.close()


def test_a_refused_connection_is_retried_then_service_unavailable(no_proxy_env):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = []
    http = Http(timeout=(1.0, 1.0), max_retries=2, sleep=sleeps.append)
    with pytest.raises(errors.ServiceUnavailable) as info:
        http.send("GET", f"http://127.0.0.1:{port}/x", what="Dialogporten search")
    assert "could not connect" in str(info.value) and len(sleeps) == 2


def test_a_silent_server_is_a_timeout(no_proxy_env):
    with socket.socket() as silent:  # accepts (the backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        http = Http(timeout=(1.0, 0.3), max_retries=1, sleep=lambda _s: None)
        with pytest.raises(errors.AltinnTimeout):
            http.send("GET", f"http://127.0.0.1:{silent.getsockname()[1]}/x", what="Correspondence")


class OneAnswerPerConnection(BaseHTTPRequestHandler):
    """Answers the first request of each connection and drops the connection at the second, without an answer
    and without saying so before: what a server does to a kept-alive connection it timed out meanwhile."""

    protocol_version = "HTTP/1.1"
    connections = []  # the client port of each connection, in order

    def handle(self):
        type(self).connections.append(self.client_address[1])
        self.handle_one_request()  # the first request: answered, connection kept alive
        if not self.close_connection:
            self.rfile.readline()  # the second request arrives: dropped

    def do_GET(self):
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format, *args):
        pass


@pytest.fixture
def dropping_server(monkeypatch):
    monkeypatch.setattr(OneAnswerPerConnection, "connections", [])
    with serving(OneAnswerPerConnection) as port:
        yield f"http://127.0.0.1:{port}"


def test_connections_are_kept_alive_and_reused(server, no_proxy_env):
    http = Http()
    try:
        answers = [http.send("GET", f"{server}/k{n}", what="t").json() for n in range(3)]
        answers.append(http.send("POST", f"{server}/p", what="t", json={"n": 1}).json())
    finally:
        http.close()
    assert [a["line"] for a in answers][-2:] == ["GET /k2 HTTP/1.1", "POST /p HTTP/1.1"]
    assert len({a["peer"] for a in answers}) == 1  # one connection for all four requests
    assert not http._origins  # closed


def test_a_connection_the_server_dropped_is_replaced_for_a_get_only(dropping_server, no_proxy_env):
    http = Http(max_retries=0)
    try:
        assert http.send("GET", f"{dropping_server}/a", what="t").json() == {"ok": True}
        # The kept connection is dropped at the next request: a GET goes once more on a new one.
        assert http.send("GET", f"{dropping_server}/b", what="t").json() == {"ok": True}
        assert len(OneAnswerPerConnection.connections) == 2
        # A POST may have been acted on: it is not sent again by the connection pool (the caller's retry
        # policy decides), and the failure says the connection broke off.
        with pytest.raises(errors.ServiceUnavailable) as info:
            http.send("POST", f"{dropping_server}/c", what="Maskinporten", data={"a": "1"})
        assert "broke off" in str(info.value)
        assert len(OneAnswerPerConnection.connections) == 2
        # The broken connection was thrown away: the next request opens a new one and is answered.
        assert http.send("POST", f"{dropping_server}/d", what="t", data={"a": "1"}).json() == {"ok": True}
        assert len(OneAnswerPerConnection.connections) == 3
    finally:
        http.close()


def test_a_connection_closed_while_idle_is_not_used(server, no_proxy_env):
    http = Http(max_retries=0)
    try:
        http.send("GET", f"{server}/a", what="t")
        (pool,) = http._origins.values()
        (idle,) = pool._idle
        idle.sock.shutdown(socket.SHUT_RDWR)  # as if the server had closed it: readable at once (EOF)
        assert (
            http.send("POST", f"{server}/b", what="t", data={"x": "1"}).json()["line"] == "POST /b HTTP/1.1"
        )
        assert idle.sock is None  # closed, not given back
    finally:
        http.close()


def _self_signed(tmp_path):
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls_server(tmp_path):
    import ssl

    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    with serving(Recorder, context) as port:
        yield f"https://127.0.0.1:{port}", cert_file


def test_https_verifies_the_server_against_the_ca_bundle(tls_server, no_proxy_env, monkeypatch):
    url, cert_file = tls_server
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_file))
    http = Http(max_retries=0)
    try:
        for _ in range(2):
            assert http.send("GET", f"{url}/tls", what="t", token="t").json()["line"] == "GET /tls HTTP/1.1"
    finally:
        http.close()
    # Without that CA (certifi's bundle), the server is not trusted: no connection, nothing sent.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    http = Http(max_retries=0)
    try:
        with pytest.raises(errors.ServiceUnavailable) as info:
            http.send("GET", f"{url}/tls", what="Dialogporten", token="secret-token")
    finally:
        http.close()
    assert "could not connect" in str(info.value) and "secret-token" not in str(info.value)


class Busy(BaseHTTPRequestHandler):
    """Altinn under load: 503 with Retry-After (seconds) on every request."""

    protocol_version = "HTTP/1.1"
    retry_after = "3"
    requests = 0

    def do_GET(self):
        type(self).requests += 1
        self.send_response(503)
        self.send_header("Retry-After", type(self).retry_after)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_retry_that_would_end_after_the_runs_deadline_is_not_made(no_proxy_env):
    """A scheduled run's budget: the 503's Retry-After (3 s) ends after the deadline (1 s away), so the
    answer goes back at once instead of a pause the worker's watchdog would cut; a deadline already past
    sends nothing; with time enough the pause Altinn asked for is made."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Busy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/x"
    sleeps = []
    http = Http(max_retries=2, sleep=sleeps.append)
    try:
        http.deadline = time.monotonic() + 1.0
        assert http.send("GET", url, what="Dialogporten search").status_code == 503
        assert sleeps == [] and Busy.requests == 1
        http.deadline = time.monotonic() - 0.1
        with pytest.raises(errors.AltinnTimeout):
            http.send("GET", url, what="Dialogporten search")
        assert Busy.requests == 1
        http.deadline = time.monotonic() + 60
        assert http.send("GET", url, what="Dialogporten search").status_code == 503
        assert sleeps == [3.0, 3.0] and Busy.requests == 4
    finally:
        http.close()
        server.shutdown()
        server.server_close()
