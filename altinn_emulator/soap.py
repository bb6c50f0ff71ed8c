"""SOAP 1.1 endpoint of the four Basic services: parse safely, route, validate, authenticate, answer."""

from __future__ import annotations

from lxml import etree

from . import faults as F
from .faults import SoapFault
from .operations import HANDLERS, Params
from .routes import Request, Response
from .schema import SchemaSet, Service, normalise_parameter_names, validate

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
)


def _fault_response(fault: SoapFault) -> Response:
    return Response(500, fault.render(), "text/xml; charset=utf-8")


def _envelope(operation: str, service: Service, result) -> bytes:
    if result.empty:
        inner = f'<{operation}Response xmlns="{service.namespace}"/>'
    else:
        open_result = (
            f'<{operation}Result xmlns:a="{result.ns}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"'
        )
        if result.body:
            inner = (
                f'<{operation}Response xmlns="{service.namespace}">{open_result}>{result.body}'
                f"</{operation}Result></{operation}Response>"
            )
        else:
            inner = f'<{operation}Response xmlns="{service.namespace}">{open_result}/></{operation}Response>'
    return (f'<s:Envelope xmlns:s="{SOAP11}"><s:Body>{inner}</s:Body></s:Envelope>').encode()


def parse_envelope(body: bytes) -> etree._Element:
    """The first element child of soap:Body. Raises SoapFault (ErrorID 0) for anything WCF would reject."""
    head = body[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in body.lower():
        raise F.deserialization_fault("DTD is prohibited in this XML document.")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise F.deserialization_fault(f"The message is not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise F.deserialization_fault("DTD is prohibited in this XML document.")
    if root.tag != f"{{{SOAP11}}}Envelope":
        raise F.deserialization_fault(
            f"Expecting a SOAP 1.1 Envelope in namespace '{SOAP11}', found '{root.tag}'."
        )
    bodies = [c for c in root if c.tag == f"{{{SOAP11}}}Body"]
    if len(bodies) != 1:
        raise F.deserialization_fault("The SOAP envelope has no Body.")
    children = [c for c in bodies[0] if isinstance(c.tag, str)]
    if len(children) != 1:
        raise F.deserialization_fault("The SOAP Body must contain exactly one element.")
    return children[0]


def handle(state, schemas: SchemaSet, service: Service, request: Request) -> Response:
    operation = "?"
    try:
        content_type = request.headers.get("content-type", "")
        if not content_type.lower().startswith("text/xml"):
            return Response(
                415,
                (
                    f"Cannot process the message because the content type '{content_type}' was not "
                    "the expected type 'text/xml; charset=utf-8'."
                ).encode(),
                "text/plain",
            )
        action = (request.headers.get("soapaction") or "").strip().strip('"').strip()
        operation, unknown = _operation_from_action(service, action)
        if unknown:
            state.log_call(action or "?", 500, None, request.path)
            return Response(500, F.action_not_supported(action), "text/xml; charset=utf-8")
        injected = state.take_injected_fault(operation) if operation else None
        wrapper = parse_envelope(request.body)
        qname = etree.QName(wrapper)
        if not operation:  # no SOAPAction: dispatch on the body element, like WCF's fallback
            if qname.namespace == service.namespace and qname.localname in service.operations:
                operation = qname.localname
                injected = state.take_injected_fault(operation)
            else:
                state.log_call(action or "?", 500, None, request.path)
                return Response(500, F.action_not_supported(action), "text/xml; charset=utf-8")
        delay = 0.0
        if injected is not None:
            response = _injected(injected)
            if response is not None:
                state.log_call(operation, response.status, injected.get("error_id"), request.path)
                return response
            delay = float(injected.get("delay_seconds") or 0)
        if qname.localname != operation or qname.namespace != service.namespace:
            raise F.deserialization_fault(
                f"Expecting element '{operation}' from namespace '{service.namespace}'.. "
                "Encountered 'Element'  with name '{qname.localname}', namespace '{qname.namespace}'. "
            )
        normalise_parameter_names(service, operation, wrapper)
        validate(service, operation, wrapper)
        params = Params()
        for child in wrapper:
            if isinstance(child.tag, str):
                params[etree.QName(child).localname] = child
        result = HANDLERS[operation](state, params, None)
        state.log_call(operation, 200, None, request.path)
        response = Response(200, _envelope(operation, service, result), "text/xml; charset=utf-8")
        response.delay = delay
        return response
    except SoapFault as fault:
        state.log_call(operation, 500, fault.error_id, request.path)
        return _fault_response(fault)


def _operation_from_action(service: Service, action: str) -> tuple[str | None, bool]:
    """(operation, unknown). Empty action → (None, False): dispatch on the body element."""
    if not action:
        return None, False
    for operation in service.operations:
        if service.action(operation) == action and operation in HANDLERS:
            return operation, False
    return None, True


def _injected(fault: dict) -> Response | None:
    if fault.get("http_500_html"):
        status = int(fault.get("status") or 500)
        return Response(
            status,
            F.server_error_html(status),
            "text/html; charset=utf-8",
            delay=float(fault.get("delay_seconds") or 0),
        )
    if fault.get("error_id") is not None:
        response = _fault_response(
            SoapFault(
                int(fault["error_id"]),
                fault.get("message") or F.FAULTSTRING,
                faultstring=fault.get("faultstring"),
            )
        )
        response.delay = float(fault.get("delay_seconds") or 0)
        return response
    return None
