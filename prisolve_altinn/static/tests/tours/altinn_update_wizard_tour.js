/** @odoo-module */
// The person's secrets must survive "Get SMS code" in the browser (nothing stored
// server-side) and reach "Update in Odoo" through the button context.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("prisolve_altinn_update_wizard", {
    url: "/odoo/action-prisolve_altinn.action_altinn_document",
    steps: () => [
        {
            content: "Open the Altinn menu",
            trigger: ".o_menu_sections button:contains(Altinn)",
            run: "click",
        },
        {
            content: "Update from Altinn",
            trigger: ".o-dropdown--menu .dropdown-item:contains(Update from Altinn)",
            run: "click",
        },
        {
            content: "The dialog names the datasystem",
            trigger: ".modal .o_form_view:contains(955044)",
        },
        {
            content: "Type the fødselsnummer",
            trigger: ".modal div[name=username] input",
            run: "edit 30014500525",
        },
        {
            content: "Type the personal password",
            trigger: ".modal div[name=password] input[type=password]",
            run: "edit Brukerpassord-1",
        },
        {
            content: "Get SMS code",
            trigger: ".modal button[name=action_request_pin]",
            run: "click",
        },
        {
            content: "Altinn's answer and the validity are shown",
            trigger: ".o_notification:contains(valid until)",
        },
        {
            content: "The dialog is still open with the password typed",
            trigger: ".modal div[name=password] input[type=password]",
            run: function () {
                const input = document.querySelector(".modal div[name=password] input");
                if (input.value !== "Brukerpassord-1") {
                    throw new Error("the password was lost after Get SMS code");
                }
            },
        },
        {
            content: "Type the SMS code",
            trigger: ".modal div[name=pin_code] input",
            run: "edit 73519",
        },
        {
            content: "Update in Odoo",
            trigger: ".modal button[name=action_update]",
            run: "click",
        },
        {
            content: "The summary is shown",
            trigger: ".modal h4:contains(From Altinn: new 2)",
        },
        {
            content: "No secret is left in the dialog",
            trigger: ".modal div[name=line_ids]",
            run: function () {
                const html = document.querySelector(".modal").outerHTML;
                for (const secret of ["30014500525", "Brukerpassord-1", "73519"]) {
                    if (html.includes(secret)) {
                        throw new Error("a secret is still in the dialog");
                    }
                }
            },
        },
        {
            content: "Open the new documents",
            trigger: ".modal .modal-footer button[name=action_open_documents]",
            run: "click",
        },
        {
            content: "The ledger lists them",
            trigger: ".o_list_view .o_data_row:contains(AR-UI-2)",
        },
    ],
});
