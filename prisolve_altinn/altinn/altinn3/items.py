"""A Dialogporten dialog (plus its Correspondence message, if any) → ``AltinnItem``.

Three kinds of dialogs (ALTINN3.md §4.1): Altinn Correspondence messages (body and attachments from
the Correspondence API), Altinn 3 app instances (forms; data elements in Storage) and dialogs of
service owners with their own APIs (e.g. Skatteetaten; attachments behind the dialog token).
"""

from __future__ import annotations

import json
import mimetypes
import re
from datetime import datetime, timezone

from .. import errors
from ..types import (
    KIND_FORM,
    KIND_MESSAGE,
    MISSING_REFUSED,
    MISSING_UNAUTHORIZED,
    MISSING_UNAVAILABLE,
    ROLE_ATTACHMENT,
    ROLE_BODY,
    ROLE_FORM_DATA,
    AltinnFile,
    AltinnItem,
    MissingFile,
    service_owner_name,
)
from . import answers
from .correspondence import CorrespondenceClient, correspondence_id_in
from .dialogporten import DialogportenClient, parse_time, party_id_of
from .platform import UNAUTHORIZED_URL

LANGS = ("nb", "nn", "no", "en")
RESOURCE_PREFIX = "urn:altinn:resource:"
_SKIP_ATTACHMENT_STATUS = {"Purged", "Expired", "Failed"}
# Dialogporten's DialogStatus of a form not sent yet (digdir/dialogporten DialogStatus.cs: InProgress "a form
# filling is ongoing", Draft "not yet sent"); a sent form's dialog is Completed (or Sent).
UNSENT_STATUSES = frozenset({"InProgress", "Draft"})
_STORAGE_URL = re.compile(r"/instances/\d+/[0-9a-fA-F-]{36}")
_INSTANCE_URL = re.compile(r"/storage/api/v1/instances/\d+/[0-9a-fA-F-]{36}/?")


def localized(value) -> str | None:
    """Text of a ContentValue / Localization list, Norwegian first."""
    if isinstance(value, dict):
        value = value.get("value")
    if not isinstance(value, list):
        return value if isinstance(value, str) else None
    texts = {str(v.get("languageCode") or "").lower(): v.get("value") for v in value if isinstance(v, dict)}
    for lang in LANGS:
        if texts.get(lang):
            return texts[lang]
    return next((t for t in texts.values() if t), None)


def reference_for(dialog_id: str, correspondence_id: str | None) -> str:
    """Stable ledger reference: the correspondence id for Altinn messages, else the dialog id."""
    return f"correspondence:{correspondence_id}" if correspondence_id else f"dialog:{dialog_id}"


def aware_utc(value: datetime | None) -> datetime | None:
    """Items carry timezone-aware times (see ``types.AltinnItem``); Altinn 3 answers in UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def find_correspondence_id(dialog: dict) -> str | None:
    """Correspondence behind a dialog: its apiActions, main content or attachment URLs point at it."""
    urls = []
    for action in dialog.get("apiActions") or []:
        urls += [e.get("url") for e in action.get("endpoints") or [] if isinstance(e, dict)]
    main = (dialog.get("content") or {}).get("mainContentReference") or {}
    urls += [v.get("value") for v in main.get("value") or [] if isinstance(v, dict)]
    for att in dialog.get("attachments") or []:
        urls += [u.get("url") for u in att.get("urls") or [] if isinstance(u, dict)]
    for url in urls:
        cid = correspondence_id_in(url)
        if cid:
            return cid
    return None


def pick_url(attachment: dict) -> dict | None:
    """One representation per attachment: the API one when there is one (structured data)."""
    urls = [u for u in attachment.get("urls") or [] if isinstance(u, dict) and u.get("url")]
    urls = [u for u in urls if not str(u["url"]).rstrip("/").endswith("/attachments/downloadall")]
    if not urls:
        return None
    authorized = [u for u in urls if u["url"] != UNAUTHORIZED_URL]
    if not authorized:
        return urls[0]
    api = [u for u in authorized if u.get("consumerType") == "Api"]
    return (api or authorized)[0]


class _Names:
    def __init__(self):
        self.used: set[str] = set()

    def unique(self, name: str) -> str:
        base, dot, ext = name.rpartition(".")
        if not dot:
            base, ext = name, ""
        candidate, n = name, 2
        while candidate.lower() in self.used:
            candidate = f"{base} ({n}).{ext}" if ext else f"{base} ({n})"
            n += 1
        self.used.add(candidate.lower())
        return candidate


def _filename(*candidates, mimetype: str | None) -> str:
    name = next((c for c in candidates if c), "vedlegg")
    name = re.sub(r"[\\/\x00-\x1f]", "_", str(name)).strip() or "vedlegg"
    if "." not in name and mimetype:
        ext = mimetypes.guess_extension(mimetype) or ""
        name += ext
    return name


#: Errors that concern one file of a dialog: the rest of the dialog is still imported.
PER_FILE_ERRORS = (
    errors.NoRights,
    errors.ElementNotFound,
    errors.ServiceOwnerRefused,
    errors.ServiceOwnerUnavailable,
)


def missing_file(name: str, exc: errors.AltinnError) -> MissingFile:
    """The typed ``MissingFile`` for a file that raised ``exc``."""
    if isinstance(exc, errors.ServiceOwnerUnavailable):
        return MissingFile(name, MISSING_UNAVAILABLE, exc)
    if isinstance(exc, errors.NoRights):
        if not isinstance(exc, errors.AttachmentUnauthorized):
            exc = errors.AttachmentUnauthorized(
                exc.detail, altinn_message=exc.altinn_message, error_guid=exc.error_guid
            )
        return MissingFile(name, MISSING_UNAUTHORIZED, exc)
    return MissingFile(name, MISSING_REFUSED, exc)


def is_app_dialog(dialog: dict) -> bool:
    """An Altinn 3 app instance (a form). Dialogporten gives the resource type in lower case
    (``IResourceRegistry``): compare without case."""
    return str(dialog.get("serviceResourceType") or "").lower() == "altinnapp"


class DialogReader:
    """Builds items for one reportee, downloading what each dialog points to."""

    def __init__(self, dialogporten: DialogportenClient, correspondence: CorrespondenceClient):
        self.dp = dialogporten
        self.corr = correspondence

    def read(self, listed: dict, reportee: str) -> tuple[AltinnItem, str | None]:  # pylint: disable=W8106
        """(item, correspondence id or None) for a dialog from the search list (or ``{"id": …}``).

        A file that cannot be read (not authorized, refused or unavailable at its host) goes to
        ``item.missing_files``; the item is still returned when its main content or another document
        was read. Otherwise the first file's error is raised.
        """
        dialog = self.dp.dialog(listed["id"])
        answers.check(dialog, answers.DIALOG_RULES, f"Dialogporten dialog {listed['id']}")
        party = str(dialog.get("party") or "")
        if party and party_id_of(party) != reportee:
            raise errors.ElementNotFound(f"Dialog {dialog['id']} belongs to another party than {reportee}")
        cid = find_correspondence_id(dialog)
        overview = self.corr.overview(cid) if cid else None
        if overview is not None:
            answers.check(overview, answers.OVERVIEW_RULES, f"Correspondence {cid}")
        names = _Names()
        files: list[AltinnFile] = []
        missing: list[MissingFile] = []
        is_form = is_app_dialog(dialog) or self._points_to_storage(dialog)
        token = dialog.get("dialogToken")
        content = dialog.get("content") or {}
        has_main_content = bool(localized(content.get("additionalInfo")))
        via_correspondence: set[str] = set()  # attachment ids read (or missed) through Correspondence

        if overview is not None:
            body = (overview.get("content") or {}).get("messageBody")
            if body:
                has_main_content = True
                files.append(
                    AltinnFile(names.unique("melding.md"), "text/markdown", body.encode("utf-8"), ROLE_BODY)
                )
            for att in (overview.get("content") or {}).get("attachments") or []:
                if att.get("status") in _SKIP_ATTACHMENT_STATUS:
                    continue
                via_correspondence.add(str(att.get("id")))
                label = _filename(att.get("fileName"), att.get("displayName"), mimetype=None)
                try:
                    got = self.corr.download_attachment(cid, str(att["id"]))
                except PER_FILE_ERRORS as exc:
                    missing.append(missing_file(label, exc))
                    continue
                mimetype = got.content_type or mimetypes.guess_type(att.get("fileName") or "")[0]
                name = _filename(att.get("fileName"), got.filename, att.get("displayName"), mimetype=mimetype)
                files.append(
                    AltinnFile(
                        names.unique(name), mimetype or "application/octet-stream", got.data, ROLE_ATTACHMENT
                    )
                )
        else:
            text = self._body_text(dialog)
            if text:
                files.append(
                    AltinnFile(names.unique("melding.txt"), "text/plain", text.encode("utf-8"), ROLE_BODY)
                )

        groups = [("", dialog.get("attachments") or [])]
        transmissions = dialog.get("transmissions")
        if not isinstance(transmissions, list):
            transmissions = self.dp.transmissions(dialog["id"])
        for tr in sorted(transmissions, key=lambda t: str(t.get("createdAt") or "")):
            if tr.get("attachments"):
                groups.append((localized((tr.get("content") or {}).get("title")) or "", tr["attachments"]))
        seen_urls = set()
        for _label, attachments in groups:
            for att in attachments:
                chosen = pick_url(att)
                if chosen is None:
                    continue
                url = chosen["url"]
                if str(att.get("id")) in via_correspondence or (cid and correspondence_id_in(url) == cid):
                    continue  # already fetched through the Correspondence API
                label = _filename(
                    localized(att.get("displayName")), att.get("name"), att.get("id"), mimetype=None
                )
                if url != UNAUTHORIZED_URL:
                    if url in seen_urls:
                        continue
                    seen_urls.add(url)
                try:
                    got = self.dp.download(url, what="Dialog attachment", dialog_token=token)
                except PER_FILE_ERRORS as exc:
                    missing.append(missing_file(label, exc))
                    continue
                mimetype = got.content_type or chosen.get("mediaType") or "application/octet-stream"
                name = _filename(
                    got.filename,
                    localized(att.get("displayName")),
                    att.get("name"),
                    att.get("id"),
                    mimetype=mimetype,
                )
                role = ROLE_ATTACHMENT
                if (
                    is_form
                    and chosen.get("consumerType") == "Api"
                    and ("xml" in mimetype or "json" in mimetype)
                ):
                    role = ROLE_FORM_DATA
                files.append(AltinnFile(names.unique(name), mimetype, got.data, role))

        if missing and not has_main_content and not any(f.role != ROLE_BODY for f in files):
            raise missing[0].error  # nothing worth importing was readable

        title = (
            localized(content.get("title"))
            or (overview or {}).get("content", {}).get("messageTitle")
            or localized((listed.get("content") or {}).get("title"))
            or "(uten tittel)"
        )
        labels = (dialog.get("endUserContext") or {}).get("systemLabels") or []
        resource = str(dialog.get("serviceResource") or "")
        due = parse_time(dialog.get("dueAt"))
        item = AltinnItem(
            reference=reference_for(dialog["id"], cid),
            kind=KIND_FORM if is_form else KIND_MESSAGE,
            reportee=reportee,
            title=title,
            transport="altinn3",
            service_code=resource[len(RESOURCE_PREFIX) :]
            if resource.startswith(RESOURCE_PREFIX)
            else resource or None,
            sender=localized(content.get("senderName")) or service_owner_name(dialog.get("org")),
            created=aware_utc(parse_time(dialog.get("createdAt"))),
            archived=aware_utc(parse_time(dialog.get("updatedAt"))) if "Archive" in labels else None,
            due_date=due.date() if due else None,
            files=files,
            raw=json.dumps(
                {"dialog": _without_token(dialog), "correspondence": overview},
                ensure_ascii=False,
                sort_keys=True,
            ).encode("utf-8"),
            missing_files=missing,
            aliases=self._aliases(dialog, overview, is_form),
            unsent=is_form and dialog.get("status") in UNSENT_STATUSES,
        )
        return item, cid

    def _aliases(self, dialog: dict, overview: dict | None, is_form: bool) -> tuple[str, ...]:
        """Altinn 2 references of a migrated item, as the Altinn 2 transport records them: ``C<id>`` for a
        message (Correspondence ``altinn2CorrespondenceId``), ``AR<id>`` for an archived form (Storage
        ``dataValues.A2ArchRef``, Altinn 2's ArchiveReference)."""
        if overview is not None:
            a2_id = overview.get("altinn2CorrespondenceId")
            return (f"C{int(a2_id)}",) if isinstance(a2_id, int) and a2_id > 0 else ()
        if not is_form:
            return ()
        url = self._instance_url(dialog)
        if not url:
            return ()
        try:
            instance = self.dp.instance(url)
        except PER_FILE_ERRORS:
            return ()  # no reference is no reason to miss the item
        ref = str(
            ((instance.get("dataValues") or {}) if isinstance(instance, dict) else {}).get("A2ArchRef") or ""
        )
        return (f"AR{ref}",) if ref.isdigit() else ()

    @staticmethod
    def _instance_url(dialog: dict) -> str | None:
        for action in dialog.get("apiActions") or []:
            for endpoint in action.get("endpoints") or []:
                url = str(endpoint.get("url") or "")
                match = _INSTANCE_URL.search(url)
                if match and url.endswith(match.group(0)):
                    return url
        return None

    @staticmethod
    def _points_to_storage(dialog: dict) -> bool:
        for att in dialog.get("attachments") or []:
            for url in att.get("urls") or []:
                if "/storage/api/v1/instances/" in str(
                    url.get("url") or ""
                ) or "storage%2Fapi%2Fv1%2Finstances" in str(url.get("url") or ""):
                    return True
        for action in dialog.get("apiActions") or []:
            for endpoint in action.get("endpoints") or []:
                if ".apps." in str(endpoint.get("url") or "") and _STORAGE_URL.search(
                    str(endpoint.get("url"))
                ):
                    return True
        return False

    @staticmethod
    def _body_text(dialog: dict) -> str:
        content = dialog.get("content") or {}
        lines = [localized(content.get(key)) for key in ("summary", "additionalInfo")]
        for tr in dialog.get("transmissions") or []:
            tc = tr.get("content") or {}
            lines += [localized(tc.get("title")), localized(tc.get("summary"))]
        return "\n\n".join(line for line in lines if line)


def _without_token(dialog: dict) -> dict:
    """The dialog for support, minus the dialog token (a bearer credential)."""
    return {k: v for k, v in dialog.items() if k != "dialogToken"}
