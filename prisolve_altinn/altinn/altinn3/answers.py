"""What the protocol layer relies on in Altinn's answers, checked before an item is built from them.

The members, types and enum values come from Dialogporten's end-user OpenAPI (``Dialog``,
``DialogAttachment``, ``DialogTransmission``, ``DialogStatus``, ``AttachmentUrlConsumerType``) and
Correspondence's ``CorrespondenceOverviewExt`` (``CorrespondenceStatusExt``). An answer that breaks them is
an ``errors.UnexpectedAnswer`` for that item, with the raw answer kept: never a crash of the run, never
a document built from a guess.
"""

from __future__ import annotations

import json

from .. import errors
from ..i18n import Text

DIALOG_STATUS = ("NotApplicable", "InProgress", "Draft", "Awaiting", "RequiresAttention", "Completed")
CONSUMER_TYPES = ("Gui", "Api")
CORRESPONDENCE_STATUS = (
    "Initialized",
    "ReadyForPublish",
    "Published",
    "Fetched",
    "Read",
    "Replied",
    "Confirmed",
    "PurgedByRecipient",
    "PurgedByAltinn",
    "Archived",
    "Reserved",
    "Failed",
    "AttachmentsDownloaded",
    "Forwarded",
)

# (path, type, required, enum): ``[]`` in a path walks every element of a list.
DIALOG_RULES = (
    ("id", str, True, None),
    ("party", str, True, None),
    ("status", str, True, DIALOG_STATUS),
    ("content", dict, True, None),
    ("attachments", list, False, None),
    ("attachments[].id", str, True, None),
    ("attachments[].urls", list, True, None),
    ("attachments[].urls[].url", str, True, None),
    ("attachments[].urls[].consumerType", str, True, CONSUMER_TYPES),
    ("transmissions", list, False, None),
    ("transmissions[].id", str, True, None),
    ("transmissions[].attachments", list, False, None),
    ("transmissions[].attachments[].urls", list, True, None),
    ("transmissions[].attachments[].urls[].url", str, True, None),
    ("apiActions", list, False, None),
)
OVERVIEW_RULES = (
    ("correspondenceId", str, True, None),
    ("status", str, True, CORRESPONDENCE_STATUS),
    ("content", dict, True, None),
    ("content.messageBody", str, False, None),
    ("content.attachments", list, False, None),
    ("content.attachments[].id", str, True, None),
)

_TYPE_NAMES = {str: "string", dict: "object", list: "array"}


def _values(node, parts: list[str], where: str):
    """(path, value, present) for every place ``parts`` reaches from ``node``."""
    if not parts:
        yield where, node, True
        return
    head, rest = parts[0], parts[1:]
    many = head.endswith("[]")
    name = head[:-2] if many else head
    if not isinstance(node, dict):
        return
    if name not in node or node[name] is None:
        yield f"{where}{name}", None, False
        return
    value = node[name]
    if not many:
        yield from _values(value, rest, f"{where}{name}.")
        return
    if not isinstance(value, list):
        yield f"{where}{name}", value, True  # reported as a wrong type by its own rule
        return
    for index, element in enumerate(value):
        yield from _values(element, rest, f"{where}{name}[{index}].")


def problems(answer, rules) -> list[Text]:
    """What in ``answer`` breaks ``rules`` (one sentence part per problem)."""
    if not isinstance(answer, dict):
        return [Text(errors.ANSWER_WRONG_TYPE, {"member": "(answer)"})]
    found = []
    for path, kind, required, allowed in rules:
        for where, value, present in _values(answer, path.split("."), ""):
            where = where.rstrip(".")
            if not present:
                if required:
                    found.append(Text(errors.ANSWER_MISSING, {"member": where}))
            elif not isinstance(value, kind):
                found.append(Text(errors.ANSWER_WRONG_TYPE, {"member": where}))
            elif allowed is not None and value not in allowed:
                found.append(Text(errors.ANSWER_UNKNOWN_VALUE, {"member": where, "value": str(value)[:40]}))
    return found


def check(answer, rules, what: str) -> None:
    """Raise ``errors.UnexpectedAnswer`` (raw answer kept) when ``answer`` breaks ``rules``."""
    found = problems(answer, rules)
    if found:
        raw = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        detail = f"{what}: " + "; ".join(text.render() for text in found[:5])
        raise errors.UnexpectedAnswer(detail, problem=found[0], raw=raw)
