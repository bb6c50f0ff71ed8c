"""The four Altinn 2 Basic services and request validation against the client's XSD files.

The XSD/WSDL files live in ``prisolve_altinn/altinn/soap/wsdl/`` (written by the SOAP client author: one
source of the contract). Each service has an entry XSD whose target namespace is the service namespace;
its global elements ``Op`` + ``OpResponse`` define the operations and their parameter order.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .faults import deserialization_fault

XS = "{http://www.w3.org/2001/XMLSchema}"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCHEMA_DIR = REPO_ROOT / "prisolve_altinn" / "altinn" / "soap" / "wsdl"

_DATE_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
_INT_ERROR = re.compile(r"'(?P<value>[^']*)' is not a valid value of the atomic type 'xs:(?P<type>int|long)'")
_DATETIME_ERROR = re.compile(
    r"^Element '(?P<name>[^']+)': '(?P<value>[^']*)' is not a valid value of the atomic "
    r"type 'xs:dateTime'"
)


@dataclass
class Service:
    key: str
    path: str
    namespace: str
    interface: str
    xsd: str
    wsdl: str
    operations: dict[str, list[str]] = field(default_factory=dict)  # op -> parameter names in order
    schema: etree.XMLSchema | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def action(self, operation: str) -> str:
        return f"{self.namespace}/{self.interface}/{operation}"


# Used only when the XSD files are missing (then requests are not validated).
FALLBACK_OPERATIONS = {
    "SystemAuthentication": ["GetAuthenticationChallenge"],
    "ReporteeElementListExternalBasic": ["GetReporteeElementListBasicV2", "GetFormSetDataBasic"],
    "ReporteeArchiveExternalBasic": [
        "GetArchivedFormTaskBasicV2",
        "GetAttachmentDataBasicV2",
        "GetArchivedCorrespondenceBasic",
    ],
    "CorrespondenceExternalBasic": ["GetCorrespondenceForEndUserSystemsBasicV2"],
}


def _services() -> list[Service]:
    return [
        Service(
            "SystemAuthentication",
            "/AuthenticationExternal/SystemAuthentication.svc",
            "http://www.altinn.no/services/Authentication/SystemAuthentication/2009/10",
            "ISystemAuthenticationExternal",
            "SystemAuthentication.xsd",
            "SystemAuthentication.wsdl",
        ),
        Service(
            "ReporteeElementListExternalBasic",
            "/ServiceEngineExternal/ReporteeElementListExternalBasic.svc",
            "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2009/10",
            "IReporteeElementListExternalBasic",
            "ReporteeElementListExternalBasic.xsd",
            "ReporteeElementListExternalBasic.wsdl",
        ),
        Service(
            "ReporteeArchiveExternalBasic",
            "/ArchiveExternal/ReporteeArchiveExternalBasic.svc",
            "http://www.altinn.no/services/Archive/ReporteeArchive/2009/10",
            "IReporteeArchiveExternalBasic",
            "ReporteeArchiveExternalBasic.xsd",
            "ReporteeArchiveExternalBasic.wsdl",
        ),
        Service(
            "CorrespondenceExternalBasic",
            "/ServiceEngineExternal/CorrespondenceExternalBasic.svc",
            "http://www.altinn.no/services/ServiceEngine/Correspondence/2009/10",
            "ICorrespondenceExternalBasic",
            "CorrespondenceExternalBasic.xsd",
            "CorrespondenceExternalBasic.wsdl",
        ),
    ]


class SchemaSet:
    """Compiled entry schemas of the four services (or none, when the files are missing)."""

    def __init__(self, schema_dir: str | os.PathLike | None = None):
        env = os.environ.get("ALTINN_EMULATOR_SCHEMA_DIR")
        self.dir = Path(schema_dir or env or DEFAULT_SCHEMA_DIR)
        self.services = _services()
        self.by_path = {s.path.lower(): s for s in self.services}
        self.by_key = {s.key: s for s in self.services}
        self.available = False
        self.load()

    def load(self) -> None:
        missing = [s.xsd for s in self.services if not (self.dir / s.xsd).is_file()]
        if missing:
            for service in self.services:
                service.operations = {op: [] for op in FALLBACK_OPERATIONS[service.key]}
            print(
                f"altinn_emulator: schema files missing in {self.dir} ({', '.join(missing)}); "
                "requests are NOT validated",
                file=sys.stderr,
            )
            return
        for service in self.services:
            path = self.dir / service.xsd
            parser = etree.XMLParser(resolve_entities=False, no_network=True)
            doc = etree.parse(str(path), parser)
            service.schema = etree.XMLSchema(doc)
            service.operations = _operations(doc.getroot())
            # namespace and interface follow the files (the client may render non-default names)
            service.namespace = doc.getroot().get("targetNamespace") or service.namespace
            wsdl = self.dir / service.wsdl
            if wsdl.is_file():
                port_type = etree.parse(str(wsdl), parser).find("{http://schemas.xmlsoap.org/wsdl/}portType")
                if port_type is not None and port_type.get("name"):
                    service.interface = port_type.get("name")
        self.available = True

    def service_for_path(self, path: str) -> Service | None:
        return self.by_path.get(path.rstrip("/").lower())

    def wsdl_path(self, service: Service) -> Path:
        return self.dir / service.wsdl


def _operations(root: etree._Element) -> dict[str, list[str]]:
    elements = {e.get("name"): e for e in root.findall(f"{XS}element")}
    operations = {}
    for name, element in elements.items():
        if name.endswith("Response") or f"{name}Response" not in elements:
            continue
        operations[name] = [
            child.get("name") for child in element.iter(f"{XS}element") if child is not element
        ]
    return operations


def normalise_parameter_names(service: Service, operation: str, wrapper: etree._Element) -> None:
    """Accept both casings of inferred parameter names (``reporteeElementId``/``reporteeElementID``)."""
    declared = {name.lower(): name for name in service.operations.get(operation, [])}
    for child in wrapper:
        if not isinstance(child.tag, str):
            continue
        qname = etree.QName(child)
        if qname.namespace != service.namespace:
            continue
        wanted = declared.get(qname.localname.lower())
        if wanted and wanted != qname.localname:
            child.tag = f"{{{service.namespace}}}{wanted}"


def validate(service: Service, operation: str, wrapper: etree._Element, user_id=None) -> None:
    """Raise the ErrorID 0 fault WCF/Altinn sends for a request that does not fit the contract."""
    if service.schema is None:
        return
    with service.lock:
        if service.schema.validate(wrapper):
            return
        errors = list(service.schema.error_log)
    # WCF's DateTime reader accepts a date-only value (the real captured request sends one).
    fixable = {}
    for error in errors:
        match = _DATETIME_ERROR.match(error.message)
        if match and _DATE_ONLY.match(match.group("value")):
            fixable[(match.group("name"), match.group("value"))] = True
    if fixable:
        for element in wrapper.iter():
            if isinstance(element.tag, str) and (element.tag, element.text) in fixable:
                element.text = element.text.strip() + "T00:00:00"
        with service.lock:
            if service.schema.validate(wrapper):
                return
            errors = list(service.schema.error_log)
    raise deserialization_fault(_wcf_message(service, operation, errors[0] if errors else None), user_id)


def _wcf_message(service: Service, operation: str, error) -> str:
    if error is None:
        return f"Error in deserializing body of request message for operation '{operation}'."
    message = error.message
    segments = [s for s in (error.path or "").split("/") if s]
    parameter = segments[1].split(":")[-1] if len(segments) >= 2 else None
    parameter = re.sub(r"\[\d+\]$", "", parameter) if parameter else None
    int_match = _INT_ERROR.search(message)
    if int_match:
        clr = "Int32" if int_match.group("type") == "int" else "Int64"
        inner = (
            f"There was an error deserializing the object of type System.{clr}. The value "
            f"'{int_match.group('value')}' cannot be parsed as the type '{clr}'."
        )
    else:
        inner = message
    if parameter and (
        len(segments) >= 3 or ("not expected" not in message and "Missing child" not in message)
    ):
        return (
            f"There was an error while trying to deserialize parameter {service.namespace}:{parameter}. "
            f"The InnerException message was '{inner}'.  Please see InnerException for more details."
        )
    return f"Error in deserializing body of request message for operation '{operation}'. {inner}"
