"""File upload: Skatteetaten's files brought by hand, no Altinn credentials at all."""

from ..altinn.upload import UploadTransport
from ..exceptions import NOT_NOW, AltinnUserError, title_of
from .base import Provider


class UploadProvider(Provider):
    code = "upload"
    moves_sync_point = False

    def problems(self, company):
        return [
            company.env._(
                '%(company)s receives Altinn documents by file upload only (Altinn tab): use "Upload files".',
                company=company.name,
            )
        ]

    def ready(self, company):
        return False

    def transport(self, company, files=None):
        """The uploaded ``files`` as a transport; without files there is nothing to fetch."""
        if files is None:
            raise AltinnUserError(self.problems(company)[0], title=title_of(company.env, NOT_NOW))
        return UploadTransport(files, reportee=company.altinn_org_number or "")
