"""Altinn 3: Maskinporten and a system user, no person; the scheduled fetch runs unattended."""

from ..altinn.altinn3 import Altinn3Transport
from .base import LEVEL_FIRM, Provider


class Altinn3Provider(Provider):
    code = "altinn3"
    unattended = True

    def problems(self, company):
        _ = company.env._
        access = company._altinn_resolve()
        problems = []
        if not company.altinn_org_number:
            problems.append(_("Enter the company's organisation number on its Altinn tab."))
        if access.level == LEVEL_FIRM and not access.firm.sudo().altinn_org_number:
            problems.append(
                _(
                    "Enter the organisation number of the accounting firm %(firm)s (contact form, Altinn "
                    "tab).",
                    firm=access.firm.display_name,
                )
            )
        if access.state != "approved":
            if access.level == LEVEL_FIRM:
                problems.append(
                    _(
                        "The accounting firm %(firm)s has no approved client system user: request it on the "
                        "firm's contact (Altinn tab), have the firm approve the link, then click \"Check "
                        'status".',
                        firm=access.firm.display_name,
                    )
                )
            else:
                problems.append(
                    _(
                        'The company has no approved system user: click "Request system user" on the '
                        'company\'s Altinn tab, have the company approve the link, then click "Check status".'
                    )
                )
        return problems

    def session_key(self, company):
        access = company._altinn_resolve()
        # A firm's client system user serves all its client companies: one transport for them all.
        return (self.code, access.system_user.id if access.system_user else company.id)

    def transport(self, company):
        self.check(company)
        system_user = company._altinn_resolve().system_user.sudo()
        # mark_seen stays off: the customer's inbox stays as the customer left it.
        return Altinn3Transport(system_user._altinn_settings(company), mark_seen=False)
