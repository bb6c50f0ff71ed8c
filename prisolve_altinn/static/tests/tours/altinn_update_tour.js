/** @odoo-module */
// Copyright 2026 Prisolve
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// "Oppdater fra Altinn" end to end, as an accountant clicks it, against the repository's
// Altinn emulator (tests/test_tour.py starts it and sets the cookie below). Selectors use
// field/button names and classes, never label texts: the user runs in Norwegian.
import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";

// Synthetic test person of the emulator (altinn_emulator/defaults.py), not a real fødselsnummer.
const PERSON = "30014500525";
const PASSWORD = "Brukerpassord-1";
const SYSTEM_ID = "955044";
const EMULATOR_COOKIE = "prisolve_altinn_emulator";
const SCREENSHOT_SIGNAL = "prisolve_altinn:screenshot:";

function emulatorUrl() {
    const cookie = document.cookie
        .split(";")
        .map((part) => part.trim())
        .find((part) => part.startsWith(`${EMULATOR_COOKIE}=`));
    if (!cookie) {
        throw new Error(`no ${EMULATOR_COOKIE} cookie: start this tour from tests/test_tour.py`);
    }
    return decodeURIComponent(cookie.slice(EMULATOR_COOKIE.length + 1));
}

function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Ask the Python test for a screenshot of the page as it is now, and wait until it is taken. */
async function screenshot(name) {
    await sleep(400); // let dialogs and notifications finish their animation
    window.__prisolveAltinnShots = window.__prisolveAltinnShots || [];
    console.log(`${SCREENSHOT_SIGNAL}${name}`);
    const deadline = Date.now() + 8000;
    while (!window.__prisolveAltinnShots.includes(name)) {
        if (Date.now() > deadline) {
            return; // nobody listens (the tour was started by hand): go on without the picture
        }
        await sleep(50);
    }
}

/** The first row of the document list whose journal entry cell is filled. */
function bookedRow() {
    const rows = [...document.querySelectorAll(".o_list_view .o_data_row")];
    const row = rows.find((r) => r.querySelector("td[name=move_id]")?.textContent.trim());
    if (!row) {
        throw new Error(`no document has a journal entry: ${rows[0]?.outerHTML}`);
    }
    return row;
}

function assertText(element, expected, what) {
    if (!element.textContent.includes(expected)) {
        throw new Error(`${what}: expected ${expected} in "${element.textContent.trim()}"`);
    }
}

// No ``url``: the test starts the tour on the company's form (/odoo/action-base.action_res_company_form/<id>).
registry.category("web_tour.tours").add("prisolve_altinn_update_from_altinn", {
    steps: () => [
        {
            content: "Open the company's Altinn tab",
            trigger: ".o_form_view .o_notebook_headers a[name=altinn]",
            run: "click",
        },
        {
            content: "The tab says which datasystem applies (Selskap level, the company's own ID)",
            trigger: ".o_form_view .tab-pane.active .alert-info div[name=altinn_access_info]",
            async run() {
                assertText(this.anchor, SYSTEM_ID, "datasystem shown on the Altinn tab");
                if (document.querySelector(".o_form_view .alert-warning div[name=altinn_access_info]")) {
                    throw new Error("the Altinn tab warns that no datasystem applies");
                }
                await screenshot("altinn_tab");
            },
        },
        {
            content: "Start Oppdater fra Altinn",
            trigger: ".o_form_view button[name=action_altinn_update]",
            run: "click",
        },
        {
            content: "The dialog names the datasystem",
            trigger: ".modal .o_form_view .alert-info div[name=access_info]",
            run() {
                assertText(this.anchor, SYSTEM_ID, "datasystem shown in the dialog");
            },
        },
        {
            content: "Type the fødselsnummer",
            trigger: ".modal div[name=username] input",
            run: `edit ${PERSON}`,
        },
        {
            content: "Type the personal password",
            trigger: ".modal div[name=password] input[type=password]",
            run: `edit ${PASSWORD}`,
        },
        {
            content: "Hent SMS-kode",
            trigger: ".modal button[name=action_request_pin]",
            run: "click",
        },
        {
            content: "Altinn's answer is shown and the dialog stays open",
            trigger: ".o_notification_manager .o_notification",
        },
        {
            content: "Read the code from the emulator's SMS outbox and type it",
            trigger: ".modal div[name=pin_code] input",
            async run(helpers) {
                const url = `${emulatorUrl()}/_emulator/sms?user=${encodeURIComponent(PERSON)}`;
                const response = await fetch(url);
                if (!response.ok) {
                    throw new Error(`the emulator's SMS outbox answered ${response.status}`);
                }
                const messages = await response.json(); // newest first
                if (!messages.length) {
                    throw new Error("Altinn (the emulator) sent no SMS code");
                }
                await helpers.edit(messages[0].code);
            },
        },
        {
            content: "The password typed before Hent SMS-kode is still there",
            trigger: ".modal div[name=password] input[type=password]",
            async run() {
                if (this.anchor.value !== PASSWORD) {
                    throw new Error("the password was lost after Hent SMS-kode");
                }
                await screenshot("wizard_code");
            },
        },
        {
            content: "Close Altinn's answer",
            trigger: ".o_notification_manager .o_notification .o_notification_close",
            run: "click",
        },
        {
            content: "Oppdater i Odoo",
            trigger: ".modal button[name=action_update]",
            run: "click",
        },
        {
            content: "The summary: one line per company, the new documents waiting for the background booking",
            trigger: ".modal div[name=line_ids] .o_data_row",
            async run() {
                const modal = this.anchor.closest(".modal");
                for (const secret of [PERSON, PASSWORD]) {
                    if (modal.outerHTML.includes(secret)) {
                        throw new Error("a secret is still in the dialog after the update");
                    }
                }
                if (!modal.querySelector("div[name=document_ids] .o_data_row")) {
                    throw new Error("the summary does not list the new documents");
                }
                await screenshot("summary");
            },
        },
        {
            content: "The scheduler books them (no cron thread in tests: run it as 'Run manually' does)",
            trigger: ".modal button[name=action_altinn_refresh]",
            async run() {
                const [data] = await rpc("/web/dataset/call_kw/ir.model.data/search_read", {
                    model: "ir.model.data",
                    method: "search_read",
                    args: [
                        [
                            ["module", "=", "prisolve_altinn"],
                            ["name", "=", "ir_cron_altinn_process"],
                        ],
                        ["res_id"],
                    ],
                    kwargs: {},
                });
                await rpc("/web/dataset/call_kw/ir.cron/method_direct_trigger", {
                    model: "ir.cron",
                    method: "method_direct_trigger",
                    args: [[data.res_id]],
                    kwargs: {},
                });
            },
        },
        {
            content: "Refresh: see how far the booking has come",
            trigger: ".modal button[name=action_altinn_refresh]",
            run: "click",
        },
        {
            content: "Every document has been handled",
            trigger:
                ".modal div[name=document_ids]:not(:has(.badge.text-bg-info)) .o_data_row .badge.text-bg-success",
            async run() {
                await screenshot("summary_booked");
            },
        },
        {
            content: "Open the new documents",
            trigger: ".modal button[name=action_open_documents]",
            run: "click",
        },
        {
            content: "The ledger lists them, with their journal entries",
            trigger: ".o_action_manager .o_list_view .o_data_row td[name=move_id]",
            async run() {
                if (document.querySelector(".modal")) {
                    throw new Error("the dialog is still open");
                }
                bookedRow(); // throws when no document has an entry
                await screenshot("documents");
            },
        },
        {
            content: "Open a document that was booked",
            trigger: ".o_action_manager .o_list_view .o_data_row td[name=move_id]",
            async run(helpers) {
                await helpers.click(bookedRow().querySelector("td[name=title]"));
            },
        },
        {
            content: "The document: what it says, how it was booked, its files",
            trigger: ".o_form_view button[name=action_view_moves]",
        },
        {
            content: "Open its journal entry",
            trigger: ".o_form_view .o_field_widget[name=move_id] a.o_form_uri",
            run: "click",
        },
        {
            content: "A draft journal entry with its lines",
            trigger: ".o_form_view .o_statusbar_status:has(button.o_arrow_button_current[data-value=draft])",
            async run() {
                const lines = document.querySelectorAll(
                    ".o_form_view :is(div[name=line_ids], div[name=invoice_line_ids]) .o_data_row"
                );
                if (!lines.length) {
                    throw new Error("the journal entry shows no lines");
                }
                await screenshot("move");
            },
        },
    ],
});
