"""Altinn 2 SOAP (Basic, SOAP 1.1) client for an end-user system: PIN challenge, element list, downloads.

zeep builds and posts every request from our own WSDL/XSD (``wsdl/``, loaded by local path only, parsed once
per process and configuration); responses are read by ``parsing`` into plain dataclasses. Build one client
per batch: it keeps one ``requests.Session`` (keep-alive) and one zeep client per service.
"""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import urlparse

import requests
import zeep
from zeep.exceptions import Error as ZeepError
from zeep.wsdl import Document

from .. import errors
from ..transport import PinChallenge
from ..types import UserCredentials
from . import parsing
from .config import (
    ARCHIVE,
    AUTHENTICATION,
    CORRESPONDENCE,
    DEFAULT_INTERFACES,
    DEFAULT_TIMEOUT,
    ELEMENT_LIST,
    LANGUAGE_BOKMAL,
    WSDL_DIR,
    WSDL_FILES,
    ServiceConfig,
    resolve_base_url,
)
from .models import ArchivedFormTask, Attachment, Correspondence, FormSetData, ReporteeElement
from .session import PinSession

_logger = logging.getLogger(__name__)

USER_AGENT = "prisolve_altinn (Altinn 2 SOAP client)"
AUTH_METHODS = ("SMSPin", "AltinnPin")


def zeep_settings(raw_response: bool = True) -> zeep.Settings:
    return zeep.Settings(
        strict=True,
        raw_response=raw_response,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
        xml_huge_tree=False,
    )


class _LocalFilesTransport(zeep.Transport):
    """Loads the WSDL and its XSDs from ``wsdl/`` only (with the configuration applied), never over HTTP."""

    def __init__(self, config: ServiceConfig):
        # Deliberately no super().__init__: this transport never opens a network session.
        self.config = config
        self.cache = None
        self.load_timeout = None
        self.operation_timeout = None
        self.logger = _logger
        self.session = None
        self._close_session = False

    def load(self, url):
        parsed = urlparse(str(url))
        if parsed.scheme not in ("", "file"):
            raise errors.ConfigurationError(f"refusing to load WSDL/XSD over the network: {url}")
        path = Path(parsed.path if parsed.scheme == "file" else str(url)).resolve()
        if path.parent != WSDL_DIR or path.suffix not in (".wsdl", ".xsd"):
            raise errors.ConfigurationError(f"WSDL/XSD outside the addon's wsdl folder: {path.name}")
        return self.config.rewrite(path.name, path.read_text(encoding="utf-8")).encode("utf-8")

    def post(self, address, message, headers):  # pragma: no cover - never used for sending
        raise errors.ConfigurationError("the WSDL loader transport does not send requests")


class _HttpTransport(zeep.Transport):
    """Posts envelopes through one ``requests.Session`` with a (connect, read) timeout on every call."""

    def __init__(self, session: requests.Session, timeout: tuple[float, float]):
        # No super().__init__: it would mount a file:// adapter on the caller's session.
        self.session = session
        self.cache = None
        self.load_timeout = timeout
        self.operation_timeout = timeout
        self.logger = _logger
        self._close_session = False  # the client closes the session it owns

    def load(self, url):
        raise errors.ConfigurationError(f"refusing to load a WSDL/XSD over the network: {url}")

    def post(self, address, message, headers):
        # zeep's own post() logs the whole envelope at DEBUG, i.e. passwords and PIN: never do that.
        return self.session.post(address, data=message, headers=headers, timeout=self.operation_timeout)


_WSDL_CACHE: dict[tuple, Document] = {}
_WSDL_LOCK = threading.Lock()


def load_wsdl(service: str, config: ServiceConfig | None = None) -> Document:
    """The parsed WSDL of ``service`` for ``config``; parsed once per process and configuration."""
    config = config or ServiceConfig()
    key = (service, config.key())
    with _WSDL_LOCK:
        document = _WSDL_CACHE.get(key)
        if document is None:
            document = Document(
                str(WSDL_DIR / WSDL_FILES[service]), _LocalFilesTransport(config), settings=zeep_settings()
            )
            _WSDL_CACHE[key] = document
        return document


def _as_datetime(value: date | datetime, end_of_day: bool = False) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time.max.replace(microsecond=0) if end_of_day else time.min)


class AltinnSoapClient:
    """One end-user system (system ID + password) talking to one Altinn environment.

    ``base_url``: ``"production"`` (https://www.altinn.no), ``"test"`` (https://tt02.altinn.no) or any URL
    (the emulator). ``timeout`` is the (connect, read) timeout in seconds of every operation.
    """

    def __init__(
        self,
        base_url: str,
        system_id: str,
        system_password: str,
        *,
        config: ServiceConfig | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        language_id: int = LANGUAGE_BOKMAL,
        session: requests.Session | None = None,
        pin_session: PinSession | None = None,
    ):
        if not system_id or not system_password:
            raise errors.ConfigurationError("Altinn system ID and system password are required")
        if not (isinstance(timeout, tuple) and len(timeout) == 2 and all(t and t > 0 for t in timeout)):
            raise errors.ConfigurationError("timeout must be a (connect, read) tuple of positive seconds")
        self.base_url = resolve_base_url(base_url)
        self.system_id = str(system_id).strip()
        self.system_password = system_password
        self.config = config or ServiceConfig()
        self.language_id = language_id
        self.pin_session = pin_session
        # SMS codes this client had Altinn send: each new one voids the one before.
        self.codes_requested = 0
        self._own_session = session is None
        self._http = session or requests.Session()
        if self._own_session:
            # requests re-reads proxy/CA settings from os.environ on every call (~10% of a small call's
            # CPU): resolve them once per batch, still honouring HTTPS_PROXY/NO_PROXY/REQUESTS_CA_BUNDLE.
            env = self._http.merge_environment_settings(self.base_url, {}, None, None, None)
            self._http.proxies.update(env["proxies"])
            self._http.verify = env["verify"]
            self._http.trust_env = False
        self._http.headers.setdefault("User-Agent", USER_AGENT)
        self._transport = _HttpTransport(self._http, timeout)
        self._settings = zeep_settings()
        self._proxies: dict[str, zeep.proxy.ServiceProxy] = {}

    @property
    def timeout(self) -> tuple[float, float]:
        """(connect, read) seconds applied to every operation."""
        return self._transport.operation_timeout

    @timeout.setter
    def timeout(self, value: tuple[float, float]) -> None:
        if not (isinstance(value, tuple) and len(value) == 2 and all(t and t > 0 for t in value)):
            raise errors.ConfigurationError("timeout must be a (connect, read) tuple of positive seconds")
        self._transport.operation_timeout = self._transport.load_timeout = value

    # -- plumbing --------
    def endpoint(self, service: str) -> str:
        return self.base_url + self.config.paths[service]

    def _proxy(self, service: str):
        proxy = self._proxies.get(service)
        if proxy is None:
            client = zeep.Client(
                load_wsdl(service, self.config), transport=self._transport, settings=self._settings
            )
            # Binding names keep the default interface name; only its namespace follows the configuration.
            binding = f"{{{self.config.namespaces[service]}}}BasicHttpBinding_{DEFAULT_INTERFACES[service]}"
            proxy = client.create_service(binding, self.endpoint(service))
            self._proxies[service] = proxy
        return proxy

    def _auth_block(self, credentials: UserCredentials | None) -> dict:
        if credentials is None or not credentials.username or not credentials.password:
            raise errors.ConfigurationError("fødselsnummer/username and personal password are required")
        method = credentials.auth_method or "SMSPin"
        if method not in AUTH_METHODS:
            raise errors.ConfigurationError(f"unknown Altinn authentication method {method!r}")
        if not credentials.pin_code:
            raise errors.PinCodeMissing("no PIN/SMS code given")
        return {
            "systemUserName": self.system_id,
            "systemPassword": self.system_password,
            "userSSN": credentials.username,
            "userPassword": credentials.password,
            "userPinCode": credentials.pin_code,
            "authMethod": method,
        }

    def _call(self, service: str, operation: str, params: dict, *, uses_pin: bool = True):
        """Send one operation and return its ``<OperationResult>`` element (lxml) or None."""
        pin = self.pin_session if uses_pin else None
        if pin is not None:
            pin.check()
        sent_at = pin.now() if pin is not None else None
        try:
            response = self._proxy(service)[operation](**params)
        except requests.Timeout as exc:  # before ConnectionError: ConnectTimeout is both
            raise errors.AltinnTimeout(
                f"{operation}: no answer within {self.timeout} s ({type(exc).__name__})"
            ) from None
        except requests.RequestException as exc:
            raise errors.ServiceUnavailable(f"{operation}: {type(exc).__name__}") from None
        except (ZeepError, TypeError) as exc:
            # Building the request failed: our parameters do not fit the WSDL (a bug or a bad configuration).
            raise errors.ConfigurationError(f"{operation}: request does not match the WSDL ({exc})") from None
        try:
            result = parsing.read_envelope(response.content, operation, response.status_code)
        except errors.PinSessionExpired:
            if pin is not None:
                pin.expire()
            raise
        except errors.WrongPinCode as exc:
            exc.earlier_code_void = self.codes_requested > 1
            raise
        except requests.RequestException as exc:  # body read failed midway
            raise errors.ServiceUnavailable(f"{operation}: {type(exc).__name__}") from None
        if pin is not None:
            pin.touch(sent_at)
        return result

    def close(self) -> None:
        if self._own_session:
            self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- operations --------
    def get_authentication_challenge(
        self, credentials: UserCredentials, auth_method: str | None = None
    ) -> PinChallenge:
        """Ask Altinn to send an SMS code (``SMSPin``) or tell which PIN-letter code to use (``AltinnPin``).

        Returns Altinn's answer as it is (``status`` ``Ok`` or ``NoPhoneNumber``…); on ``Ok`` the client's
        ``pin_session`` starts. Wrong person/password and other faults raise typed errors.
        """
        if credentials is None or not credentials.username or not credentials.password:
            raise errors.ConfigurationError("fødselsnummer/username and personal password are required")
        method = auth_method or credentials.auth_method or "SMSPin"
        if method not in AUTH_METHODS:
            raise errors.ConfigurationError(f"unknown Altinn authentication method {method!r}")
        request = {
            "AuthMethod": method,
            "SystemUserName": self.system_id,
            "UserPassword": credentials.password,
            "UserSSN": credentials.username,
        }
        result = self._call(
            AUTHENTICATION, "GetAuthenticationChallenge", {"challengeRequest": request}, uses_pin=False
        )
        challenge = parsing.parse_challenge(result)
        if challenge.status == "Ok":
            self.codes_requested += 1
            if challenge.valid_from and challenge.valid_to:
                self.pin_session = PinSession.from_challenge(challenge)
        return challenge

    def get_reportee_element_list(
        self,
        credentials: UserCredentials,
        reportee: str,
        from_date: date | datetime,
        to_date: date | datetime,
        *,
        sent_and_archived: bool = True,
        language_id: int | None = None,
        keep_raw: bool = False,
    ) -> list[ReporteeElement]:
        """Active and archived elements of ``reportee`` last changed in [from_date, to_date]."""
        if not reportee or not str(reportee).strip():
            raise errors.ConfigurationError("reportee (organisation number) is required")
        search = {
            "FromDate": _as_datetime(from_date),
            "Reportee": str(reportee).strip(),
            "SentAndArchived": sent_and_archived,
            "ToDate": _as_datetime(to_date, end_of_day=True),
        }
        result = self._call(
            ELEMENT_LIST,
            "GetReporteeElementListBasicV2",
            {
                **self._auth_block(credentials),
                "searchBE": search,
                "languageID": language_id or self.language_id,
            },
        )
        return parsing.parse_element_list(result, keep_raw=keep_raw)

    def get_form_set_data(
        self, credentials: UserCredentials, reportee_element_id: int, language_id: int | None = None
    ) -> list[FormSetData]:
        """The XML of every form in an active form set."""
        result = self._call(
            ELEMENT_LIST,
            "GetFormSetDataBasic",
            {
                **self._auth_block(credentials),
                "reporteeElementID": int(reportee_element_id),
                "languageID": language_id or self.language_id,
            },
        )
        return parsing.parse_form_set_data(result)

    def get_archived_form_task(
        self, credentials: UserCredentials, archive_id: int, language_id: int | None = None
    ) -> ArchivedFormTask:
        """An archived form set: forms (XML) and attachment metadata; ``archive_id`` = list ArchiveId."""
        result = self._call(
            ARCHIVE,
            "GetArchivedFormTaskBasicV2",
            {
                **self._auth_block(credentials),
                self.config.archived_form_task_id_param: int(archive_id),
                "languageID": language_id or self.language_id,
            },
        )
        return parsing.parse_archived_form_task(result)

    def get_attachment_data(self, credentials: UserCredentials, attachment_id: int) -> Attachment:
        """Bytes and metadata of one archived attachment."""
        result = self._call(
            ARCHIVE,
            "GetAttachmentDataBasicV2",
            {**self._auth_block(credentials), "attachmentId": int(attachment_id)},
        )
        return parsing.parse_attachment(result)

    def get_correspondence(
        self, credentials: UserCredentials, correspondence_id: int, language_id: int | None = None
    ) -> Correspondence:
        """An active message with its attachments inline. Altinn marks it as Read."""
        result = self._call(
            CORRESPONDENCE,
            "GetCorrespondenceForEndUserSystemsBasicV2",
            {
                **self._auth_block(credentials),
                self.config.correspondence_id_param: int(correspondence_id),
                "languageID": language_id or self.language_id,
            },
        )
        return parsing.parse_correspondence(result)

    def get_archived_correspondence(self, credentials: UserCredentials, archive_id: int) -> Correspondence:
        """An archived message with its attachments inline. ``archive_id`` = the list's ArchiveId."""
        result = self._call(
            ARCHIVE,
            "GetArchivedCorrespondenceBasic",
            {**self._auth_block(credentials), "archiveId": int(archive_id)},
        )
        return parsing.parse_archived_correspondence(result)
