# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Client discovery (the accounting firm's contact → "Find clients in Altinn"): the clients the firm's
klientadministrator added to its client system user in Altinn, which of them already have an Odoo company,
and a company created (Norwegian chart, Altinn 3, the firm as accounting firm) or linked for the chosen ones.

The list comes from Altinn itself: the organisations the firm's approved client system user may act for
(Dialogporten ``/parties``, ``Altinn3Transport.clients``). Only Altinn administrators run it; each run is
written to the firm's chatter (who, which companies).
"""

from odoo import api, fields, models

from ..altinn.names import norwegian_name
from ..exceptions import MISSING, NOT_NOW, AltinnUserError, title_of
from ..models.res_company import check_org_number, org_number_problem
from ..services.chatter import post_note

# Skatteetaten's chart for Norwegian companies (l10n_no).
CHART_TEMPLATE = "no"
ACTIONS = [
    ("create", "Create a company"),
    ("link", "Link the company"),
    ("linked", "Already linked"),
    ("elsewhere", "In a company you do not work in"),
]


class AltinnClientWizard(models.TransientModel):
    _name = "altinn.client.wizard"
    _description = "Find an accounting firm's clients in Altinn"

    firm_id = fields.Many2one("res.partner", string="Accounting firm", required=True, readonly=True)
    line_ids = fields.One2many("altinn.client.wizard.line", "wizard_id", string="Clients in Altinn")
    message = fields.Text(string="Result", readonly=True)

    @api.model
    def _altinn_open(self, firm):
        """The wizard filled with the firm's clients as Altinn lists them now."""
        self.env["res.company"]._altinn_check_manager()
        firm = firm.sudo()
        system_user = firm.altinn_agent_system_user_id
        if not system_user or system_user.state != "approved":
            raise AltinnUserError(
                self.env._(
                    "%(firm)s has no approved client system user yet: request it on the firm's contact "
                    '(Altinn tab), have the firm approve the link, and click "Check status" first.',
                    firm=firm.display_name,
                ),
                title=title_of(self.env, NOT_NOW),
            )
        clients = system_user._altinn_clients()
        # A number Altinn itself would refuse (MOD11) cannot become a company: say which, keep the rest.
        refused = [org_number_problem(self, client.org_number) for client in clients]
        wizard = self.create(
            {
                "firm_id": firm.id,
                "line_ids": [
                    fields.Command.create(
                        {
                            "org_number": client.org_number,
                            "name": norwegian_name(client.name),
                            "register_name": client.name,
                        }
                    )
                    for client, problem in zip(clients, refused, strict=True)
                    if not problem
                ],
            }
        )
        if any(refused):
            wizard.message = "\n".join(problem for problem in refused if problem)
        elif not clients:
            wizard.message = self.env._(
                "Altinn lists no clients for the client system user of %(firm)s: the firm's "
                "klientadministrator adds them in Altinn (Tilgangsstyring → Systemtilganger → Klienter).",
                firm=firm.display_name,
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Clients in Altinn"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_apply(self):
        """Create or link a company for each chosen client."""
        self.ensure_one()
        self.firm_id._altinn_check_firm_access()
        chosen = self.line_ids.filtered(
            lambda line: line.selected and line.action not in ("linked", "elsewhere")
        )
        if not chosen:
            raise AltinnUserError(
                self.env._("Choose the clients to create or link companies for."),
                title=title_of(self.env, MISSING),
            )
        firm = self.firm_id.sudo()
        reference = firm._altinn_reference_company().sudo()
        created, linked = self.env["res.company"], self.env["res.company"]
        # A company is linked only when the user works in it (the line's compute hides the others).
        chosen.existing_company_id.with_env(self.env)._altinn_check_company_access()
        for line in chosen:
            if line.existing_company_id:
                company = line.existing_company_id.sudo()
                company.write({"altinn_firm_id": firm.id, "altinn_transport": "altinn3"})
                linked |= company
            else:
                created |= line._altinn_create_company(firm, reference)
        if created:
            # The person who asked sees the new companies at once (company switcher).
            self.env.user.sudo().company_ids = [fields.Command.link(company.id) for company in created]
        # Only what happened: no "linked: -" for nothing linked (one whole sentence for each case).
        names = {
            "user": self.env.user.name,
            "created": ", ".join(created.mapped("name")),
            "linked": ", ".join(linked.mapped("name")),
        }
        if created and linked:
            message = self.env._(
                "%(user)s: clients from Altinn; companies created: %(created)s; companies linked: "
                "%(linked)s.",
                **names,
            )
        elif created:
            message = self.env._("%(user)s: clients from Altinn; companies created: %(created)s.", **names)
        else:
            message = self.env._("%(user)s: clients from Altinn; companies linked: %(linked)s.", **names)
        post_note(firm, message)
        self.message = message
        self.line_ids._compute_company()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Clients in Altinn"),  # without it the dialog is titled "Odoo"
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }


class AltinnClientWizardLine(models.TransientModel):
    _name = "altinn.client.wizard.line"
    _description = "A client in Altinn"
    _order = "org_number"

    wizard_id = fields.Many2one("altinn.client.wizard", required=True, ondelete="cascade")
    org_number = fields.Char(string="Organisation number", required=True, readonly=True)
    name = fields.Char(
        readonly=True, help="The name as Norwegians write it (the register's capitals made readable)."
    )
    register_name = fields.Char(string="Name in the register", readonly=True)
    # The client's company in this database, if any (not the line's owner: no multi-company rule applies).
    existing_company_id = fields.Many2one(
        "res.company", string="Odoo company", compute="_compute_company", store=True, compute_sudo=True
    )
    company_firm_id = fields.Many2one(
        related="existing_company_id.altinn_firm_id", string="Its accounting firm"
    )
    action = fields.Selection(ACTIONS, compute="_compute_company", store=True)
    selected = fields.Boolean(string="Create or link", compute="_compute_company", store=True, readonly=False)

    @api.constrains("org_number")
    def _check_org_number(self):
        for line in self:
            check_org_number(line, line.org_number)

    @api.depends("org_number")
    def _compute_company(self):
        Company = self.env["res.company"].sudo().with_context(active_test=False)
        acting = Company._altinn_acting_companies()
        for line in self:
            company = Company.search([("altinn_org_number", "=", line.org_number)], limit=1)
            firm = line.wizard_id.firm_id
            if company and company not in acting:
                # Another company's: neither its name nor its firm is shown, and it is not created twice.
                line.existing_company_id = False
                line.action, line.selected = "elsewhere", False
                continue
            line.existing_company_id = company
            if not company:
                line.action, line.selected = "create", True
            elif company.altinn_firm_id == firm:
                line.action, line.selected = "linked", False
            else:
                line.action = "link"
                # A company served by another firm stays with it unless chosen.
                line.selected = not company.altinn_firm_id

    def _altinn_create_company(self, firm, reference):
        """A Norwegian company for this client: organisation number, name, chart, Altinn 3, the firm."""
        self.ensure_one()
        env = self.env
        norway = env.ref("base.no")
        company = (
            env["res.company"]
            .sudo()
            .create(
                {
                    "name": self.name or self.org_number,
                    # The register's own form (capitals), kept for reference beside the readable name.
                    "altinn_register_name": self.register_name or False,
                    "country_id": norway.id,
                    "currency_id": env.ref("base.NOK").id,
                    "company_registry": self.org_number,
                    "altinn_org_number": self.org_number,
                    "altinn_transport": "altinn3",
                    "altinn_firm_id": firm.id,
                    "altinn_environment": reference.altinn_environment,
                    "altinn_base_url": reference.altinn_base_url,
                }
            )
        )
        company.partner_id.is_company = True
        env["account.chart.template"].sudo().try_loading(CHART_TEMPLATE, company, install_demo=False)
        return company
