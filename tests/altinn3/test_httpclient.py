"""The Altinn 3 HTTP layer on urllib3: what it sends is what ``requests`` sent, the environment's proxy
and the server's encodings are honoured, network failures become typed errors after bounded retries."""

import gzip
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from prisolve_altinn.altinn import errors
from prisolve_altinn.altinn.altinn3.httpclient import Http, query_string


class Recorder(BaseHTTPRequestHandler):
    """Answers every request with JSON naming what it received (request line, headers, body)."""

    protocol_version = "HTTP/1.1"
    gzip_answers = False

    def do_GET(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = json.dumps(
            {
                "line": self.requestline,
                "headers": dict(self.headers.items()),
                "body": body.decode("latin-1"),
                "text": "Skatteetaten – særavgift",
            },
            ensure_ascii=False,
        ).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        if self.gzip_answers and "gzip" in self.headers.get("Accept-Encoding", ""):
            answer = gzip.compress(answer)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_POST = do_GET

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


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
