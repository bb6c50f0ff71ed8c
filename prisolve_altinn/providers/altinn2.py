"""Altinn 2: the SOAP services with a person's SMS code, through a datasystem (closed 19 June 2026)."""

from .base import LEVEL_FIRM, Provider


class Altinn2Provider(Provider):
    code = "altinn2"
    needs_person = True

    def problems(self, company):
        _ = company.env._
        access = company._altinn_resolve()
        problems = []
        if not access.level:
            problems.append(
                _("Enter a system ID on the company's Altinn tab, or choose an accounting firm that has one.")
            )
        elif not access.system_password:
            if access.level == LEVEL_FIRM:
                problems.append(
                    _(
                        "Enter the system password on the accounting firm %(firm)s (contact form, Altinn "
                        "tab).",
                        firm=access.firm.display_name,
                    )
                )
            else:
                problems.append(_("Enter the system password on the company's Altinn tab."))
        if not company._altinn_base_url():
            problems.append(_("Enter the Altinn base URL for the custom environment."))
        if not company.altinn_org_number:
            problems.append(_("Enter the company's organisation number on its Altinn tab."))
        return problems

    def session_key(self, company):
        access = company._altinn_resolve()
        return (self.code, access.system_id, company._altinn_base_url())

    def transport(self, company):
        self.check(company)
        access = company._altinn_resolve()
        # Imported here: zeep and the WSDL files are only needed for a real call.
        from ..altinn.soap.transport import Altinn2Transport

        return Altinn2Transport(
            base_url=company._altinn_base_url(),
            system_id=access.system_id,
            system_password=access.system_password,
            timeout=company._altinn_timeout(),
        )
