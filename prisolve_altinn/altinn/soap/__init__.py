"""Altinn 2 SOAP (Basic endpoints, SOAP 1.1) client for an end-user system. Plain Python, no Odoo."""

from .client import AltinnSoapClient, load_wsdl
from .config import PRODUCTION_URL, TEST_URL, ServiceConfig, render_schema_files
from .models import (
    ArchivedAttachment,
    ArchivedForm,
    ArchivedFormTask,
    Attachment,
    Correspondence,
    CorrespondenceLink,
    FormSetData,
    ReporteeElement,
)
from .session import PinSession
from .transport import Altinn2Transport, item_reference

__all__ = [
    "PRODUCTION_URL",
    "TEST_URL",
    "Altinn2Transport",
    "AltinnSoapClient",
    "ArchivedAttachment",
    "ArchivedForm",
    "ArchivedFormTask",
    "Attachment",
    "Correspondence",
    "CorrespondenceLink",
    "FormSetData",
    "PinSession",
    "ReporteeElement",
    "ServiceConfig",
    "item_reference",
    "load_wsdl",
    "render_schema_files",
]
