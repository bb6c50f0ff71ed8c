"""Altinn 2 (SOAP, SMS code) as a ``Transport``: list a reportee's elements and download each one.

Item references (stable when an item moves from the inbox to the archive):

* form set: ``RE<id>``, message: ``C<id>``, where ``<id>`` is the ServiceEngine id: ``ReporteeElementId``
  while the element is active and ``SEReporteeElementID`` (its former active id, CONTRACT §4.1) once
  archived;
* an archived element without a ServiceEngine id (``SEReporteeElementID`` 0) falls back to its
  ``ArchiveReference`` (``AR<ArchiveId>``).

Altinn's ``ArchiveReference`` is also kept on the item (``AltinnItem.archive_reference``) for support.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import requests

from .. import errors
from ..i18n import _lt
from ..transport import PinChallenge, Transport
from ..types import (
    KIND_FORM,
    KIND_MESSAGE,
    ROLE_ATTACHMENT,
    ROLE_BODY,
    ROLE_FORM_DATA,
    AltinnFile,
    AltinnItem,
    FetchFailure,
    UserCredentials,
    service_owner_name,
)
from .client import AltinnSoapClient
from .config import DEFAULT_TIMEOUT, LANGUAGE_BOKMAL, ServiceConfig
from .models import Correspondence, ReporteeElement
from .session import PinSession

_logger = logging.getLogger(__name__)

FORM_TASK = "FormTask"
CORRESPONDENCE = "Correspondence"

# Errors that concern the person, the system or the whole session, never one item: stop the batch.
REPORTEE_WIDE_ERRORS = (
    errors.InvalidSystemCredentials,
    errors.InvalidUserCredentials,
    errors.PinSessionExpired,
    errors.UserLockedOut,
    errors.ConfigurationError,
)
# For the person who asks for a code again: a challenge starts a new session, only its code works.
EARLIER_CODE_VOID = _lt("Altinn has sent a new SMS code: the code in the earlier SMS no longer works.")
_HTML = re.compile(r"<\s*(html|body|p|div|br|span|a|b|i|ul|ol|li|table|h[1-6])\b", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


def item_reference(element: ReporteeElement) -> str:
    """The ledger key of a listed element (see the module docstring)."""
    prefix = "C" if element.element_type == CORRESPONDENCE else "RE"
    if element.stable_id:
        return f"{prefix}{element.stable_id}"
    if element.archive_reference:
        return element.archive_reference
    if element.archive_id:
        return f"AR{element.archive_id}"
    raise errors.MalformedResponse("element without any id in the element list")


def _safe_name(name: str | None, default: str) -> str:
    name = _UNSAFE_NAME.sub("_", (name or "").strip()).strip(" ._") or default
    return name[:150]


class _Files:
    """Collects an item's files with unique names."""

    def __init__(self):
        self.files: list[AltinnFile] = []
        self._names: set[str] = set()

    def add(self, name: str, mimetype: str, data: bytes, role: str) -> None:
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        candidate, n = name, 1
        while candidate.lower() in self._names:
            n += 1
            candidate = f"{stem}_{n}.{ext}" if ext else f"{stem}_{n}"
        self._names.add(candidate.lower())
        self.files.append(AltinnFile(name=candidate, mimetype=mimetype, data=data, role=role))


class Altinn2Transport(Transport):
    """Altinn 2 through the Basic SOAP services; a person must provide an SMS code (or PIN-letter code)."""

    needs_person = True
    name = "altinn2"

    def __init__(
        self,
        base_url: str,
        system_id: str,
        system_password: str,
        *,
        config: ServiceConfig | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        language_id: int = LANGUAGE_BOKMAL,
        pin_session: PinSession | None = None,
        session: requests.Session | None = None,
        pin_margin: timedelta = timedelta(seconds=30),
        max_unavailable_in_row: int = 3,
        client: AltinnSoapClient | None = None,
    ):
        self.client = client or AltinnSoapClient(
            base_url,
            system_id,
            system_password,
            config=config,
            timeout=timeout,
            language_id=language_id,
            session=session,
            pin_session=pin_session,
        )
        # Stop this long before the PIN session ends rather than fail halfway through an item.
        self.pin_margin = pin_margin
        # Altinn down: after this many unavailable items in a row, stop instead of timing out on each.
        self.max_unavailable_in_row = max_unavailable_in_row

    @property
    def pin_session(self) -> PinSession | None:
        return self.client.pin_session

    @pin_session.setter
    def pin_session(self, value: PinSession | None) -> None:
        self.client.pin_session = value

    def request_pin(self, credentials: UserCredentials) -> PinChallenge:
        """Have Altinn send the SMS code (or name the PIN-letter code); starts ``pin_session``.

        Raises ``NoPhoneNumber`` when Altinn has no mobile number for the person.
        """
        challenge = self.client.get_authentication_challenge(credentials)
        if challenge.status == "NoPhoneNumber":
            raise errors.NoPhoneNumber(
                "GetAuthenticationChallenge: NoPhoneNumber", altinn_message=challenge.message
            )
        if challenge.status != "Ok":
            raise errors.AltinnError(
                f"GetAuthenticationChallenge: status {challenge.status}",
                altinn_message=challenge.message or None,
            )
        return challenge

    def list_elements(
        self, reportee: str, since: datetime, until: datetime, credentials: UserCredentials
    ) -> list[ReporteeElement]:
        return self.client.get_reportee_element_list(credentials, reportee, since, until, keep_raw=True)

    def fetch(
        self,
        reportee: str,
        since: datetime,
        until: datetime,
        credentials: UserCredentials | None = None,
        known: Callable[[str], bool] | None = None,
    ) -> Iterator[AltinnItem | FetchFailure]:
        if credentials is None:
            raise errors.ConfigurationError("Altinn 2 needs the person's credentials and SMS code")
        elements = self.list_elements(reportee, since, until, credentials)
        unavailable_in_row = 0
        for element in elements:
            if element.element_type not in (FORM_TASK, CORRESPONDENCE):
                _logger.debug("skipping Altinn element of type %s", element.element_type)
                continue
            reference = item_reference(element)
            if known is not None and known(reference):
                # Already in the ledger: the SMS session is not spent downloading it again.
                kind = KIND_FORM if element.element_type == FORM_TASK else KIND_MESSAGE
                yield self._item(reportee, element, kind)
                continue
            if self.pin_session is not None:
                self.pin_session.check(self.pin_margin)
            try:
                item = self.download(reportee, element, credentials)
            except REPORTEE_WIDE_ERRORS:
                raise
            except errors.ServiceUnavailable as exc:
                unavailable_in_row += 1
                if unavailable_in_row >= self.max_unavailable_in_row:
                    raise
                yield FetchFailure(reference=reference, title=element.title or reference, error=exc)
            except errors.AltinnError as exc:
                unavailable_in_row = 0
                yield FetchFailure(reference=reference, title=element.title or reference, error=exc)
            else:
                unavailable_in_row = 0
                yield item

    # -- one element --------
    def download(self, reportee: str, element: ReporteeElement, credentials: UserCredentials) -> AltinnItem:
        if element.element_type == CORRESPONDENCE:
            return self._download_message(reportee, element, credentials)
        if element.element_type == FORM_TASK:
            return self._download_form(reportee, element, credentials)
        raise errors.AltinnError(f"unsupported Altinn element type {element.element_type}")

    def _item(self, reportee: str, element: ReporteeElement, kind: str, **values) -> AltinnItem:
        due = element.due_date
        base = {
            "reference": item_reference(element),
            "kind": kind,
            "reportee": reportee,
            "title": element.title or "",
            "transport": self.name,
            "service_code": element.service_code,
            # "SKD" is Skatteetaten: the same sender whichever transport brought the item.
            "sender": service_owner_name(element.service_owner_code),
            "created": element.last_changed,
            "due_date": due.date() if due else None,
            "raw": element.raw,
            "archive_reference": element.archive_reference,
        }
        base.update({k: v for k, v in values.items() if v is not None})
        return AltinnItem(**base)

    def _download_form(
        self, reportee: str, element: ReporteeElement, credentials: UserCredentials
    ) -> AltinnItem:
        files = _Files()
        if element.is_archived:
            task = self.client.get_archived_form_task(credentials, element.archive_id)
            # Main form first: parsers look at the first form_data file.
            for form in sorted(task.forms, key=lambda f: (not f.is_main_form, f.form_id)):
                if form.form_data_xml is None:
                    continue
                name = _safe_name(form.form_name or form.data_format_id, f"form-{form.form_id}")
                files.add(
                    f"{name}.xml", "application/xml", form.form_data_xml.encode("utf-8"), ROLE_FORM_DATA
                )
            for meta in task.attachments:
                attachment = self.client.get_attachment_data(credentials, meta.attachment_id)
                name = _safe_name(
                    attachment.file_name or attachment.name or meta.name, f"attachment-{meta.attachment_id}"
                )
                mimetype = attachment.mimetype if attachment.attachment_type else meta.mimetype
                files.add(name, mimetype, attachment.data or b"", ROLE_ATTACHMENT)
            return self._item(
                reportee,
                element,
                KIND_FORM,
                files=files.files,
                archived=task.archived,
                service_edition=task.service_edition,
                sender=service_owner_name(task.service_owner),
            )
        for form in self.client.get_form_set_data(credentials, element.reportee_element_id):
            if form.form_data is None:
                continue
            name = _safe_name(
                form.data_format_id and f"{form.data_format_id}-{form.data_format_version}", "form"
            )
            files.add(
                f"{name}-{form.form_id}.xml",
                "application/xml",
                form.form_data.encode("utf-8"),
                ROLE_FORM_DATA,
            )
        # Not archived: the form set is still being filled in (or signed), not sent.
        return self._item(reportee, element, KIND_FORM, files=files.files, unsent=True)

    def _download_message(
        self, reportee: str, element: ReporteeElement, credentials: UserCredentials
    ) -> AltinnItem:
        if element.is_archived:
            message = self.client.get_archived_correspondence(credentials, element.archive_id)
        else:
            message = self.client.get_correspondence(credentials, element.reportee_element_id)
        files = _message_files(message)
        return self._item(
            reportee,
            element,
            KIND_MESSAGE,
            files=files.files,
            title=message.title or element.title or message.subject or "",
            sender=service_owner_name(message.sender),
            created=message.date_sent,
            archived=message.date_sent if message.archived else None,
            due_date=message.due_date.date() if message.due_date else None,
            archive_reference=message.archive_reference or element.archive_reference,
        )

    def close(self) -> None:
        self.client.close()


def _message_files(message: Correspondence) -> _Files:
    files = _Files()
    if message.body:
        is_html = bool(_HTML.search(message.body))
        files.add(
            "message.html" if is_html else "message.txt",
            "text/html" if is_html else "text/plain",
            message.body.encode("utf-8"),
            ROLE_BODY,
        )
    if message.custom_message_data:
        # Structured data some agencies (Skatteetaten) put beside the text.
        files.add(
            "CustomMessageData.xml",
            "application/xml",
            message.custom_message_data.encode("utf-8"),
            ROLE_ATTACHMENT,
        )
    for attachment in message.attachments:
        name = _safe_name(attachment.display_name, f"attachment-{attachment.attachment_id}")
        files.add(name, attachment.mimetype, attachment.data or b"", ROLE_ATTACHMENT)
    return files
