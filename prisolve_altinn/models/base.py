# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The addon's forms outside the record rules: ``onchange`` and ``default_get`` compute values on new records
(partly as superuser) without reading a stored record, so Odoo checks no access there. For the addon's own
models they first check the model's access rights (portal and public users have none) and that every
company the values name (directly, or through a record of it, a firm or a system user) is one the user
works in."""

from odoo import models


class Base(models.AbstractModel):
    _inherit = "base"

    def _altinn_guarded(self):
        return getattr(self, "_original_module", None) == "prisolve_altinn"

    def _altinn_check_form_values(self, values):
        if self.env.su:
            return
        self.browse().check_access("read")
        ids_by_model = {}
        for name, value in (values or {}).items():
            field = self._fields.get(name)
            if field is not None and field.type in ("many2one", "many2many"):
                ids_by_model.setdefault(field.comodel_name, set()).update(_record_ids(value))
        companies = self.env["res.company"].sudo()
        for model, ids in ids_by_model.items():
            records = self.env[model].sudo().browse(ids).exists()
            if model == "res.company":
                companies |= records
            elif model == "res.partner":
                # An accounting firm: its client companies' settings are computed from it.
                for firm in records.filtered("altinn_agent_system_user_id"):
                    firm.with_env(self.env)._altinn_check_firm_access(manager=False)
            elif model == "altinn.system.user":
                for system_user in records:
                    system_user.with_env(self.env)._altinn_check_access(manager=False)
            elif (
                records._fields.get("company_id")
                and records._fields["company_id"].comodel_name == "res.company"
            ):
                companies |= records.company_id
            elif getattr(records, "_original_module", None) == "prisolve_altinn":
                # The addon's records without a company (an assistant, its lines): the record rules decide.
                records.with_env(self.env).check_access("read")
        if companies:
            companies.with_env(self.env)._altinn_check_company_access()

    def onchange(self, values, field_names, fields_spec):
        if self._altinn_guarded():
            self._altinn_check_form_values(values)
        return super().onchange(values, field_names, fields_spec)

    def default_get(self, fields_list):
        if self._altinn_guarded():
            self._altinn_check_form_values(
                {
                    key[len("default_") :]: value
                    for key, value in self.env.context.items()
                    if key.startswith("default_")
                }
            )
        return super().default_get(fields_list)


def _record_ids(value):
    """The record ids in a many2one or many2many value as the web client sends it (an id, a {"id": …} dict,
    or a list of ids or commands)."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, dict):
        return _record_ids(value.get("id"))
    if isinstance(value, (list, tuple)):
        ids = []
        for item in value:
            if isinstance(item, (list, tuple)) and item:
                if item[0] == 6 and len(item) > 2:
                    ids.extend(_record_ids(item[2]))
                elif item[0] == 4 and len(item) > 1:
                    ids.extend(_record_ids(item[1]))
            else:
                ids.extend(_record_ids(item))
        return ids
    return []
