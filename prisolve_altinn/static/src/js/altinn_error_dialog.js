/** @odoo-module */
// Copyright 2026 Prisolve
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// The addon's messages (prisolve_altinn/exceptions.py, AltinnUserError) are titled by what kind of
// problem they are ("Innlogging i Altinn", "Altinn svarer ikke", …), not with Odoo's "Invalid Operation"
// for every UserError. The title comes from the server, already in the user's language, in the error's
// context; everything else is Odoo's own warning dialog.
import { registry } from "@web/core/registry";
import { WarningDialog } from "@web/core/errors/error_dialogs";

export const ALTINN_USER_ERROR = "odoo.addons.prisolve_altinn.exceptions.AltinnUserError";

export class AltinnWarningDialog extends WarningDialog {
    inferTitle() {
        return this.props.data?.context?.altinn_title || super.inferTitle();
    }
}

registry.category("error_dialogs").add(ALTINN_USER_ERROR, AltinnWarningDialog);
