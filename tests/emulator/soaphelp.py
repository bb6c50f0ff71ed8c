"""Raw SOAP 1.1 helpers for the emulator tests: envelopes built by hand, responses read with lxml."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

import requests
from lxml import etree

from altinn_emulator import defaults as D

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
FAULT_NS = "http://www.altinn.no/services/common/fault/2009/10"
NS_AUTH_SVC = "http://www.altinn.no/services/Authentication/SystemAuthentication/2009/10"
NS_AUTH = "http://schemas.altinn.no/services/Authentication/2009/10"
NS_REL = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2009/10"
NS_REL10 = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2010/10"
NS_RA = "http://www.altinn.no/services/Archive/ReporteeArchive/2009/10"
NS_RA09 = "http://schemas.altinn.no/services/Archive/ReporteeArchive/2009/10"
NS_RA10 = "http://schemas.altinn.no/services/Archive/ReporteeArchive/2010/10"
NS_RA19 = "http://schemas.altinn.no/services/Archive/ReporteeArchive/2019/07"
NS_COR = "http://www.altinn.no/services/ServiceEngine/Correspondence/2009/10"
NS_COR10 = "http://schemas.altinn.no/services/ServiceEngine/Correspondence/2010/10"
NS_REL18 = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2018/02"

PATHS = {
    NS_AUTH_SVC: ("/AuthenticationExternal/SystemAuthentication.svc", "ISystemAuthenticationExternal"),
    NS_REL: (
        "/ServiceEngineExternal/ReporteeElementListExternalBasic.svc",
        "IReporteeElementListExternalBasic",
    ),
    NS_RA: ("/ArchiveExternal/ReporteeArchiveExternalBasic.svc", "IReporteeArchiveExternalBasic"),
    NS_COR: ("/ServiceEngineExternal/CorrespondenceExternalBasic.svc", "ICorrespondenceExternalBasic"),
}

_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass
class Creds:
    system: str = D.SYSTEM_ID
    system_password: str = D.SYSTEM_PASSWORD
    user: str = D.PERSON_FNR
    password: str = D.PERSON_PASSWORD
    pin: str = ""
    method: str = "SMSPin"

    def with_(self, **changes) -> Creds:
        return Creds(**{**self.__dict__, **changes})


def auth_block(c: Creds) -> str:
    return (
        f"<ns:systemUserName>{escape(c.system)}</ns:systemUserName>"
        f"<ns:systemPassword>{escape(c.system_password)}</ns:systemPassword>"
        f"<ns:userSSN>{escape(c.user)}</ns:userSSN><ns:userPassword>{escape(c.password)}</ns:userPassword>"
        f"<ns:userPinCode>{escape(c.pin)}</ns:userPinCode><ns:authMethod>{escape(c.method)}</ns:authMethod>"
    )


def envelope(ns: str, operation: str, inner: str, extra_ns: str = "", header: str = "") -> bytes:
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP}" xmlns:ns="{ns}" {extra_ns}>'
        f"<soapenv:Header>{header}</soapenv:Header><soapenv:Body><ns:{operation}>{inner}</ns:{operation}>"
        "</soapenv:Body></soapenv:Envelope>"
    ).encode()


@dataclass
class Answer:
    status: int
    content_type: str
    root: etree._Element | None
    text: str

    @property
    def result(self) -> etree._Element:
        """The ``<Op>Result`` element."""
        body = self.root.find(f"{{{SOAP}}}Body")
        return body[0][0]

    @property
    def error_id(self) -> int | None:
        node = self.root.find(f".//{{{FAULT_NS}}}ErrorID") if self.root is not None else None
        return int(node.text) if node is not None else None

    def fault(self, name: str) -> str | None:
        node = self.root.find(f".//{{{FAULT_NS}}}{name}")
        return node.text if node is not None else None

    @property
    def faultstring(self) -> str:
        return self.root.find(f".//{{{SOAP}}}Fault/faultstring").text


def post(
    base_url: str,
    ns: str,
    operation: str,
    body: bytes,
    action: str | None = None,
    timeout: float = 30,
    session: requests.Session | None = None,
) -> Answer:
    path, interface = PATHS[ns]
    headers = {
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": f'"{action if action is not None else f"{ns}/{interface}/{operation}"}"',
    }
    response = (session or requests).post(base_url + path, data=body, headers=headers, timeout=timeout)
    root = None
    if response.headers.get("Content-Type", "").startswith("text/xml"):
        root = etree.fromstring(response.content, _SAFE)
    return Answer(response.status_code, response.headers.get("Content-Type", ""), root, response.text)


def call(base_url: str, ns: str, operation: str, inner: str, extra_ns: str = "", **kw) -> Answer:
    return post(base_url, ns, operation, envelope(ns, operation, inner, extra_ns), **kw)


# ---------------------------------------------------------------- operations
def challenge(
    base_url: str,
    method: str = "SMSPin",
    system: str | None = D.SYSTEM_ID,
    user: str = D.PERSON_FNR,
    password: str = D.PERSON_PASSWORD,
) -> Answer:
    fields = f"<b:AuthMethod>{method}</b:AuthMethod>"
    if system is not None:
        fields += f"<b:SystemUserName>{system}</b:SystemUserName>"
    fields += f"<b:UserPassword>{escape(password)}</b:UserPassword><b:UserSSN>{escape(user)}</b:UserSSN>"
    return call(
        base_url,
        NS_AUTH_SVC,
        "GetAuthenticationChallenge",
        f"<ns:challengeRequest>{fields}</ns:challengeRequest>",
        f'xmlns:b="{NS_AUTH}"',
    )


def challenge_fields(answer: Answer) -> dict:
    return {etree.QName(c).localname: c.text for c in answer.result}


def element_list(
    base_url: str,
    c: Creds,
    reportee: str = D.COMPANY,
    from_date: str = "2000-01-01T00:00:00",
    to_date: str = "2100-01-01T00:00:00",
    language: str = "1044",
    extra: str = "",
    **kw,
) -> Answer:
    search = (
        f"<ns:searchBE><b:FromDate>{from_date}</b:FromDate><b:Reportee>{reportee}</b:Reportee>"
        f"{extra}<b:ToDate>{to_date}</b:ToDate></ns:searchBE>"
    )
    return call(
        base_url,
        NS_REL,
        "GetReporteeElementListBasicV2",
        auth_block(c) + search + f"<ns:languageID>{language}</ns:languageID>",
        f'xmlns:b="{NS_RA09}"',
        **kw,
    )


def elements(answer: Answer) -> list[dict]:
    """ReporteeElementBEV2 list as dicts (nil → None)."""
    out = []
    for element in answer.result:
        row = {}
        for child in element:
            row[etree.QName(child).localname] = None if child.get(f"{{{XSI}}}nil") == "true" else child.text
        out.append(row)
    return out


def form_set_data(base_url, c: Creds, element_id: int, **kw) -> Answer:
    return call(
        base_url,
        NS_REL,
        "GetFormSetDataBasic",
        auth_block(c) + f"<ns:reporteeElementID>{element_id}</ns:reporteeElementID>"
        "<ns:languageID>1044</ns:languageID>",
        **kw,
    )


def archived_form_task(base_url, c: Creds, archive_id: int, **kw) -> Answer:
    return call(
        base_url,
        NS_RA,
        "GetArchivedFormTaskBasicV2",
        auth_block(c) + f"<ns:reporteeElementId>{archive_id}</ns:reporteeElementId>"
        "<ns:languageID>1044</ns:languageID>",
        **kw,
    )


def attachment_data(base_url, c: Creds, attachment_id: int, **kw) -> Answer:
    return call(
        base_url,
        NS_RA,
        "GetAttachmentDataBasicV2",
        auth_block(c) + f"<ns:attachmentId>{attachment_id}</ns:attachmentId>",
        **kw,
    )


def archived_correspondence(base_url, c: Creds, archive_id: int, **kw) -> Answer:
    return call(
        base_url,
        NS_RA,
        "GetArchivedCorrespondenceBasic",
        auth_block(c) + f"<ns:archiveId>{archive_id}</ns:archiveId>",
        **kw,
    )


def correspondence(base_url, c: Creds, element_id: int, **kw) -> Answer:
    return call(
        base_url,
        NS_COR,
        "GetCorrespondenceForEndUserSystemsBasicV2",
        auth_block(c) + f"<ns:reporteeElementID>{element_id}</ns:reporteeElementID>"
        "<ns:languageID>1044</ns:languageID>",
        **kw,
    )


def login(
    emu,
    user: str = D.PERSON_FNR,
    system: str = D.SYSTEM_ID,
    password: str = D.PERSON_PASSWORD,
    system_password: str = D.SYSTEM_PASSWORD,
) -> Creds:
    """Challenge by SMS and read the code from the emulator's outbox."""
    answer = challenge(emu.url, "SMSPin", system, user, password)
    assert answer.status == 200, answer.text
    return Creds(system, system_password, user, password, emu.last_sms_code(user), "SMSPin")
