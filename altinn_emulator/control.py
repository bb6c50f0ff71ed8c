"""JSON control endpoints under ``/_emulator/`` (test helpers; never part of Altinn)."""

from __future__ import annotations

import re
from datetime import date, datetime

from .clock import to_oslo
from .routes import Request, Response

FAULT_KEYS = ("error_id", "http_500_html", "delay_seconds")


def _error(message: str, status: int = 400) -> Response:
    return Response.json({"error": message}, status)


def health(state, request: Request) -> Response:
    return Response.json(
        {
            "ok": True,
            "seed": state.seed,
            "base_date": state.base_date.isoformat(),
            "now": state.now().isoformat(),
        }
    )


def sms(state, request: Request) -> Response:
    user = request.arg("user")
    try:
        return Response.json(state.sms_for(user))
    except KeyError:
        return _error(f"unknown user {user!r}", 404)


def pin_letter(state, request: Request) -> Response:
    person = state.find_person(request.arg("user"))
    if person is None:
        return _error("unknown user", 404)
    return Response.json(
        {
            "user": person.fnr,
            "letter_date": person.pin_letter_date.isoformat(),
            "next_index": person.next_pin_index,
            "codes": {str(k): v for k, v in person.pin_letter.items()},
        }
    )


def sessions(state, request: Request) -> Response:
    person = state.find_person(request.arg("user"))
    if person is None:
        return _error("unknown user", 404)
    session = state.sessions.get(person.fnr)
    return Response.json(
        {
            "user": person.fnr,
            "failed_attempts": person.failed_attempts,
            "locked_until": person.locked_until.isoformat() if person.locked_until else None,
            "session": None
            if session is None
            else {
                "auth_method": session.auth_method,
                "valid_from": session.valid_from.isoformat(),
                "valid_to": session.valid_to.isoformat(),
                "cap": session.cap.isoformat(),
                "uses": session.uses,
                "pin_index": session.pin_index,
            },
        }
    )


def reset(state, request: Request) -> Response:
    try:
        body = request.json()
        base = date.fromisoformat(body["base_date"]) if body.get("base_date") else None
        state.reset(seed=body.get("seed"), base_date=base, reset_clock=not body.get("keep_clock", False))
    except (ValueError, TypeError) as exc:
        return _error(str(exc))
    return Response.json(
        {"ok": True, "seed": state.seed, "base_date": state.base_date.isoformat(), "items": len(state.items)}
    )


def items_get(state, request: Request) -> Response:
    reportee = request.arg("reportee")
    with state.lock:
        items = state.reportee_items(reportee) if reportee else state.items
        limit = int(request.arg("limit", "1000"))
        return Response.json({"count": len(items), "items": [i.summary_dict() for i in items[:limit]]})


def items_post(state, request: Request) -> Response:
    try:
        body = request.json()
        created = state.add_items_from_request(body)
    except (ValueError, TypeError, KeyError) as exc:
        return _error(str(exc))
    listed = created if len(created) <= 100 else created[:100]
    return Response.json(
        {
            "created": len(created),
            "items": [i.summary_dict() for i in listed],
            "first_element_id": created[0].reportee_element_id if created else None,
            "last_element_id": created[-1].reportee_element_id if created else None,
        },
        201,
    )


def faults_get(state, request: Request) -> Response:
    with state.lock:
        return Response.json(list(state.faults))


def faults_post(state, request: Request) -> Response:
    try:
        body = request.json()
    except ValueError as exc:
        return _error(str(exc))
    specs = body if isinstance(body, list) else [body]
    queued = []
    for spec in specs:
        if not spec.get("operation"):
            return _error("'operation' is required (SOAP operation name, or '*')")
        # ErrorID 0 (Altinn's generic fault) is a real fault: only None means "no error_id".
        given = [key for key in FAULT_KEYS if spec.get(key) not in (None, False, 0, "")]
        if not given and spec.get("error_id") is None:
            return _error(f"give one of {', '.join(FAULT_KEYS)}")
        fault = {
            "operation": spec["operation"],
            "remaining": int(spec.get("count", 1)),
            "error_id": int(spec["error_id"]) if spec.get("error_id") is not None else None,
            "message": spec.get("message"),
            "faultstring": spec.get("faultstring"),
            "http_500_html": bool(spec.get("http_500_html")),
            "status": int(spec.get("status", 500)),
            "delay_seconds": float(spec.get("delay_seconds") or 0),
        }
        queued.append(fault)
    with state.lock:
        state.faults.extend(queued)
        return Response.json({"queued": len(queued), "pending": list(state.faults)}, 201)


def faults_delete(state, request: Request) -> Response:
    with state.lock:
        state.faults.clear()
    return Response.json({"pending": []})


def clock(state, request: Request) -> Response:
    if request.method == "POST":
        try:
            body = request.json()
            if "set" in body:
                state.clock.set(to_oslo(datetime.fromisoformat(str(body["set"]).replace("Z", "+00:00"))))
            if "freeze" in body:
                state.clock.freeze(bool(body["freeze"]))
            seconds = (
                float(body.get("advance_seconds", 0))
                + 60 * float(body.get("advance_minutes", 0))
                + 3600 * float(body.get("advance_hours", 0))
            )
            if seconds:
                state.clock.advance(seconds)
        except (ValueError, TypeError) as exc:
            return _error(str(exc))
    return Response.json({"now": state.now().isoformat(), "frozen": state.clock.frozen})


def calls(state, request: Request) -> Response:
    if request.method == "DELETE":
        state.calls.clear()
        return Response.json([])
    operation = request.arg("operation")
    entries = [c for c in list(state.calls) if not operation or c["operation"] == operation]
    return Response.json(entries)


def summary(state, request: Request) -> Response:
    with state.lock:
        return Response.json(
            {
                "seed": state.seed,
                "base_date": state.base_date.isoformat(),
                "now": state.now().isoformat(),
                "organisations": {o.orgnr: o.name for o in state.organisations.values()},
                "datasystems": [
                    {"system_id": d.system_id, "owner": d.owner, "clients": sorted(d.clients)}
                    for d in state.datasystems.values()
                ],
                "persons": [
                    {"fnr": p.fnr, "username": p.username, "mobile": p.mobile, "rights": sorted(p.rights)}
                    for p in state.persons.values()
                ],
                "items": {reportee: len(items) for reportee, items in state.items_by_reportee.items()},
            }
        )


ROUTES = [
    ("GET", r"^/_emulator/?$", summary),
    ("GET", r"^/_emulator/state$", summary),
    ("GET", r"^/_emulator/health$", health),
    ("GET", r"^/_emulator/sms$", sms),
    ("GET", r"^/_emulator/pinletter$", pin_letter),
    ("GET", r"^/_emulator/sessions$", sessions),
    ("POST", r"^/_emulator/reset$", reset),
    ("GET", r"^/_emulator/items$", items_get),
    ("POST", r"^/_emulator/items$", items_post),
    ("GET", r"^/_emulator/faults$", faults_get),
    ("POST", r"^/_emulator/faults$", faults_post),
    ("DELETE", r"^/_emulator/faults$", faults_delete),
    ("GET", r"^/_emulator/clock$", clock),
    ("POST", r"^/_emulator/clock$", clock),
    ("GET", r"^/_emulator/calls$", calls),
    ("DELETE", r"^/_emulator/calls$", calls),
]
COMPILED = [(method, re.compile(pattern), handler) for method, pattern, handler in ROUTES]
