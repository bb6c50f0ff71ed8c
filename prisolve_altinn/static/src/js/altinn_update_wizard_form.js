/** @odoo-module */
// Copyright 2026 Prisolve
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// The "Update from Altinn" wizard keeps the person's fødselsnummer, password and
// SMS code in the browser only. A form button normally saves the record and reads
// it back; the server never keeps these fields, so the read-back would erase what
// the person typed (the password would be gone for step 2). This controller saves
// without reading back; the buttons pass the typed values in their context.
import { registry } from "@web/core/registry";
import { FormController } from "@web/views/form/form_controller";
import { formView } from "@web/views/form/form_view";

export class AltinnUpdateWizardFormController extends FormController {
    async beforeExecuteActionButton(clickParams) {
        if (clickParams.special === "cancel") {
            return super.beforeExecuteActionButton(clickParams);
        }
        const record = this.model.root;
        const saved = await record.save({ reload: false });
        if (saved !== false && this.props.onSave) {
            this.props.onSave(record, clickParams);
        }
        return saved;
    }
}

registry.category("views").add("prisolve_altinn_update_wizard_form", {
    ...formView,
    Controller: AltinnUpdateWizardFormController,
});
