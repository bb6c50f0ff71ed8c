"""Where and how to reach Altinn 2: base URLs, service paths, namespaces, timeouts.

Names the wire contract marks as inferred (ReporteeArchive/Correspondence service namespaces and interfaces,
parameter casing) are configuration: the WSDL/XSD files in ``wsdl/`` carry the defaults and are rewritten in
memory when a ``ServiceConfig`` differs, so a wrong guess is fixed without a code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

PRODUCTION_URL = "https://www.altinn.no"
TEST_URL = "https://tt02.altinn.no"
ENVIRONMENTS = {"production": PRODUCTION_URL, "prod": PRODUCTION_URL, "test": TEST_URL, "tt02": TEST_URL}

WSDL_DIR = Path(__file__).resolve().parent / "wsdl"

# Service keys used throughout the client.
AUTHENTICATION = "authentication"
ELEMENT_LIST = "reportee_element_list"
ARCHIVE = "reportee_archive"
CORRESPONDENCE = "correspondence"
SERVICES = (AUTHENTICATION, ELEMENT_LIST, ARCHIVE, CORRESPONDENCE)

# Defaults exactly as written in the files of wsdl/ (the rewrite replaces these strings).
DEFAULT_NAMESPACES = {
    AUTHENTICATION: "http://www.altinn.no/services/Authentication/SystemAuthentication/2009/10",
    ELEMENT_LIST: "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2009/10",
    ARCHIVE: "http://www.altinn.no/services/Archive/ReporteeArchive/2009/10",  # inferred
    CORRESPONDENCE: "http://www.altinn.no/services/ServiceEngine/Correspondence/2009/10",  # inferred
}
DEFAULT_INTERFACES = {
    AUTHENTICATION: "ISystemAuthenticationExternal",
    ELEMENT_LIST: "IReporteeElementListExternalBasic",
    ARCHIVE: "IReporteeArchiveExternalBasic",  # inferred
    CORRESPONDENCE: "ICorrespondenceExternalBasic",
}
DEFAULT_PATHS = {
    AUTHENTICATION: "/AuthenticationExternal/SystemAuthentication.svc",
    ELEMENT_LIST: "/ServiceEngineExternal/ReporteeElementListExternalBasic.svc",
    ARCHIVE: "/ArchiveExternal/ReporteeArchiveExternalBasic.svc",
    CORRESPONDENCE: "/ServiceEngineExternal/CorrespondenceExternalBasic.svc",
}
WSDL_FILES = {
    AUTHENTICATION: "SystemAuthentication.wsdl",
    ELEMENT_LIST: "ReporteeElementListExternalBasic.wsdl",
    ARCHIVE: "ReporteeArchiveExternalBasic.wsdl",
    CORRESPONDENCE: "CorrespondenceExternalBasic.wsdl",
}
# Entry XSD of each service (validates the wrapper elements of its operations).
ENTRY_XSD_FILES = {key: name.replace(".wsdl", ".xsd") for key, name in WSDL_FILES.items()}
# Inferred parameter names: (file the name lives in, default name).
DEFAULT_ARCHIVED_FORM_TASK_ID_PARAM = "reporteeElementId"
DEFAULT_CORRESPONDENCE_ID_PARAM = "reporteeElementID"

LANGUAGE_BOKMAL = 1044
LANGUAGE_ENGLISH = 1033
LANGUAGE_NYNORSK = 2068

DEFAULT_TIMEOUT = (10.0, 120.0)  # (connect, read) seconds


def resolve_base_url(base_url: str) -> str:
    """``"production"``/``"test"`` or any URL (the emulator) → URL without trailing slash."""
    url = ENVIRONMENTS.get((base_url or "").strip().lower(), (base_url or "").strip())
    if not url.startswith(("http://", "https://")):
        from ..errors import ConfigurationError

        raise ConfigurationError(f"Altinn base URL must start with http:// or https://, got {base_url!r}")
    return url.rstrip("/")


@dataclass(frozen=True)
class ServiceConfig:
    """Service namespaces, interface names, endpoint paths and inferred parameter names."""

    namespaces: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_NAMESPACES))
    interfaces: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_INTERFACES))
    paths: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PATHS))
    archived_form_task_id_param: str = DEFAULT_ARCHIVED_FORM_TASK_ID_PARAM
    correspondence_id_param: str = DEFAULT_CORRESPONDENCE_ID_PARAM

    def __post_init__(self):
        # Partial dicts are merged over the defaults so callers only name what differs.
        for attr, default in (
            ("namespaces", DEFAULT_NAMESPACES),
            ("interfaces", DEFAULT_INTERFACES),
            ("paths", DEFAULT_PATHS),
        ):
            given = getattr(self, attr)
            unknown = set(given) - set(SERVICES)
            if unknown:
                from ..errors import ConfigurationError

                raise ConfigurationError(f"Unknown Altinn service key(s) in {attr}: {sorted(unknown)}")
            object.__setattr__(self, attr, {**default, **given})
        for name in (self.archived_form_task_id_param, self.correspondence_id_param):
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                from ..errors import ConfigurationError

                raise ConfigurationError(f"Invalid SOAP parameter name {name!r}")

    def key(self) -> tuple:
        """Hashable identity of everything that changes the parsed WSDL (cache key)."""
        return (
            tuple(sorted(self.namespaces.items())),
            tuple(sorted(self.interfaces.items())),
            self.archived_form_task_id_param,
            self.correspondence_id_param,
        )

    @property
    def is_default(self) -> bool:
        return self.key() == ServiceConfig().key()

    def soap_action(self, service: str, operation: str) -> str:
        return f"{self.namespaces[service]}/{self.interfaces[service]}/{operation}"

    def rewrite(self, filename: str, text: str) -> str:
        """Apply this configuration to the text of one file of ``wsdl/`` (defaults → configured)."""
        if self.is_default:
            return text
        mapping = {}
        for key in SERVICES:
            if self.namespaces[key] != DEFAULT_NAMESPACES[key]:
                mapping[DEFAULT_NAMESPACES[key]] = self.namespaces[key]
        if mapping:
            # One pass over all URIs so a configured value is never rewritten again.
            pattern = re.compile("|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))
            text = pattern.sub(lambda m: mapping[m.group(0)], text)
        if filename.endswith(".wsdl"):
            for key in SERVICES:
                if self.interfaces[key] != DEFAULT_INTERFACES[key]:
                    text = re.sub(rf"\b{re.escape(DEFAULT_INTERFACES[key])}\b", self.interfaces[key], text)
        if filename == ENTRY_XSD_FILES[ARCHIVE]:
            text = text.replace(
                f'name="{DEFAULT_ARCHIVED_FORM_TASK_ID_PARAM}"', f'name="{self.archived_form_task_id_param}"'
            )
        if filename == ENTRY_XSD_FILES[CORRESPONDENCE]:
            text = text.replace(
                f'name="{DEFAULT_CORRESPONDENCE_ID_PARAM}"', f'name="{self.correspondence_id_param}"'
            )
        return text


def render_schema_files(config: ServiceConfig | None = None) -> dict[str, str]:
    """All files of ``wsdl/`` as text with ``config`` applied: ``{filename: text}``.

    For anyone (the emulator, tests) that must validate against a non-default namespace: write them to a
    temporary folder and load the entry XSD from there.
    """
    config = config or ServiceConfig()
    out = {}
    for path in sorted(WSDL_DIR.iterdir()):
        if path.suffix in (".wsdl", ".xsd"):
            out[path.name] = config.rewrite(path.name, path.read_text(encoding="utf-8"))
    return out
