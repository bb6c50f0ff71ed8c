/** @odoo-module */
// Copyright 2026 Prisolve
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// "Oppdater fra Altinn" end to end, as an accountant clicks it, against the repository's
// Altinn emulator (tests/test_tour.py starts it and sets the cookie below): a wrong password, two
// SMS codes and the old one typed, the summary and its counts, a letter to read, the documents and
// a draft entry. Selectors use field/button names and classes, never label texts: the user runs in
// Norwegian. What the person reads is checked by the Python test (no English string of the addon).
import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";

// Synthetic test person of the emulator (altinn_emulator/defaults.py), not a real fødselsnummer.
const PERSON = "30014500525";
const PASSWORD = "Brukerpassord-1";
const SYSTEM_ID = "955044";
const EMULATOR_COOKIE = "prisolve_altinn_emulator";
// A cut-off betalingsinformasjon XML (base64, URI-encoded), prepared by tests/test_tour.py.
const DAMAGED_FILE_COOKIE = "prisolve_altinn_damaged_file";
const DAMAGED_FILE_NAME = "betalingsinformasjon.xml";
const SCREENSHOT_SIGNAL = "prisolve_altinn:screenshot:";
const TEXTS_SIGNAL = "prisolve_altinn:texts:";

function readCookie(name) {
    const cookie = document.cookie
        .split(";")
        .map((part) => part.trim())
        .find((part) => part.startsWith(`${name}=`));
    if (!cookie) {
        throw new Error(`no ${name} cookie: start this tour from tests/test_tour.py`);
    }
    return decodeURIComponent(cookie.slice(name.length + 1));
}

function emulatorUrl() {
    return readCookie(EMULATOR_COOKIE);
}

/** Choose ``file`` in a file input, as the browser's file picker does, and let the field read it. */
function chooseFile(input, file) {
    // Odoo's tour helpers have no file upload: the picker's result is a FileList, made by a DataTransfer.
    const transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Ask the Python test for a screenshot of the page as it is now, and wait until it is taken. */
async function screenshot(name) {
    // The answers of earlier buttons would hide the right of the screen.
    for (const close of document.querySelectorAll(".o_notification_close")) {
        close.click();
    }
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

/** The person's SMS messages in the emulator's outbox, newest first. */
async function smsMessages() {
    const url = `${emulatorUrl()}/_emulator/sms?user=${encodeURIComponent(PERSON)}`;
    const response = await fetch(url);
    if (!response.ok) {
        throw new Error(`the emulator's SMS outbox answered ${response.status}`);
    }
    return await response.json();
}

/** The person's SMS codes in the emulator's outbox, newest first. */
async function smsCodes() {
    return (await smsMessages()).map((message) => message.code);
}

/** A time as the clock in ``timeZone`` shows it: "HH:MM". */
function clock(iso, timeZone) {
    return new Intl.DateTimeFormat("nb-NO", { timeZone, hour: "2-digit", minute: "2-digit" }).format(
        new Date(iso)
    );
}

/** The title of the error dialog that holds ``element``. */
function dialogTitle(element) {
    return element.closest(".modal-content").querySelector(".modal-title").textContent.trim();
}

/** Hand the visible texts under ``root`` to the Python test, which fails on English ones. */
function reportTexts(name, root) {
    const texts = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.replace(/\s+/g, " ").trim();
        const element = node.parentElement;
        if (text && element && element.offsetParent !== null && !element.closest("script, style")) {
            texts.push(text);
        }
    }
    if (texts.length < 5) {
        throw new Error(`${name}: almost nothing to read: ${JSON.stringify(texts)}`);
    }
    console.log(`${TEXTS_SIGNAL}${name}:${JSON.stringify(texts)}`);
}

/** The error dialog's message: the sentence, then the details line for support. */
function errorLines(dialog) {
    return dialog.querySelector("p.text-prewrap").textContent.trim().split("\n");
}

function assertNoAltinnWords(sentence, what) {
    for (const altinns of ["Incorrect", "989", "ErrorGuid"]) {
        if (sentence.includes(altinns)) {
            throw new Error(`${what}: Altinn's own words in the main message: "${sentence}"`);
        }
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
            content: "The tab says which datasystem applies, and says once that Altinn 2 needs a person",
            trigger: ".o_form_view .tab-pane.active .alert-info div[name=altinn_access_info]",
            async run() {
                assertText(this.anchor, SYSTEM_ID, "datasystem shown on the Altinn tab");
                if (document.querySelector(".o_form_view .alert-warning div[name=altinn_access_info]")) {
                    throw new Error("the Altinn tab warns that no datasystem applies");
                }
                const tab = this.anchor.closest(".tab-pane");
                const said = tab.innerText.split("planlagte hentingen kan ikke hente").length - 1;
                if (said !== 1) {
                    throw new Error(`the Altinn tab says ${said} times that the scheduled fetch cannot fetch`);
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
            content: "The dialog names the datasystem; the login fields show their box while empty",
            trigger: ".modal .o_form_view .alert-info div[name=access_info]",
            run() {
                assertText(this.anchor, SYSTEM_ID, "datasystem shown in the dialog");
                for (const name of ["username", "password", "pin_code"]) {
                    const input = document.querySelector(`.modal div[name=${name}] input`);
                    const style = getComputedStyle(input);
                    if (!parseFloat(style.borderBottomWidth) || style.borderBottomColor === "rgba(0, 0, 0, 0)") {
                        throw new Error(`the empty ${name} field has no visible box`);
                    }
                }
            },
        },
        {
            content: "Type the fødselsnummer",
            trigger: ".modal div[name=username] input",
            run: `edit ${PERSON}`,
        },
        {
            content: "Type a wrong personal password",
            trigger: ".modal div[name=password] input[type=password]",
            run: "edit Feil-passord-9",
        },
        {
            content: "Hent SMS-kode",
            trigger: ".modal button[name=action_request_pin]",
            run: "click",
        },
        {
            content: "One Norwegian sentence about the password; Altinn's words on the details line only",
            trigger: ".modal .o_error_dialog p.text-prewrap",
            async run() {
                const [sentence, details] = errorLines(this.anchor.closest(".o_error_dialog"));
                if (!sentence.includes("personlige passordet") || sentence.includes("SMS-kode")) {
                    throw new Error(`a wrong password is not named as such: "${sentence}"`);
                }
                assertNoAltinnWords(sentence, "wrong password");
                if (!details?.startsWith("Detaljer for brukerstøtte") || !details.includes("989")) {
                    throw new Error(`no details line for support: "${details}"`);
                }
                // Titled by what kind of problem it is, not Odoo's "Ugyldig operasjon".
                const title = dialogTitle(this.anchor);
                if (title !== "Innlogging i Altinn") {
                    throw new Error(`the error dialog's title is "${title}"`);
                }
                await screenshot("wrong_password");
            },
        },
        {
            content: "Close the message",
            trigger: ".o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Type the right personal password",
            trigger: ".modal:not(:has(.o_error_dialog)) div[name=password] input[type=password]",
            run: `edit ${PASSWORD}`,
        },
        {
            content: "Hent SMS-kode",
            trigger: ".modal button[name=action_request_pin]",
            run: "click",
        },
        {
            content: "Altinn's answer is shown, the session's end in Oslo time, and the dialog stays open",
            trigger: ".o_notification_manager .o_notification",
            async run() {
                const [latest] = await smsMessages();
                const text = this.anchor.textContent;
                const oslo = clock(latest.valid_to, "Europe/Oslo");
                const utc = clock(latest.valid_to, "UTC");
                if (!text.includes(oslo) || text.includes(utc)) {
                    throw new Error(`the SMS session's end is not in Oslo time (${oslo}): "${text}"`);
                }
            },
        },
        {
            content: "Close Altinn's answer",
            trigger: ".o_notification_manager .o_notification .o_notification_close",
            run: "click",
        },
        {
            content: "Hent SMS-kode once more",
            trigger: ".modal button[name=action_request_pin]",
            run: "click",
        },
        {
            content: "The answer says the first code no longer works",
            trigger: ".o_notification_manager .o_notification:contains(forrige SMS-en virker ikke lenger)",
        },
        {
            content: "Type the code of the first SMS",
            trigger: ".modal div[name=pin_code] input",
            async run(helpers) {
                const codes = await smsCodes();
                if (codes.length !== 2) {
                    throw new Error(`expected two SMS codes, the outbox has ${codes.length}`);
                }
                await helpers.edit(codes[1]);
            },
        },
        {
            content: "Oppdater i Odoo",
            trigger: ".modal button[name=action_update]",
            run: "click",
        },
        {
            content: "The old code: use the one in the latest SMS",
            trigger: ".modal .o_error_dialog p.text-prewrap",
            async run() {
                const [sentence] = errorLines(this.anchor.closest(".o_error_dialog"));
                if (!sentence.includes("bare koden i den siste SMS-en virker")) {
                    throw new Error(`an old code is not explained: "${sentence}"`);
                }
                assertNoAltinnWords(sentence, "old code");
                await screenshot("old_code");
            },
        },
        {
            content: "Close the message",
            trigger: ".o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Type the code of the latest SMS",
            trigger: ".modal:not(:has(.o_error_dialog)) div[name=pin_code] input",
            async run(helpers) {
                await helpers.edit((await smsCodes())[0]);
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
            content: "Oppdater i Odoo",
            trigger: ".modal button[name=action_update]",
            run: "click",
        },
        {
            content: "The summary: what came from Altinn, the new documents waiting for the background booking",
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
                assertText(modal.querySelector("h4[name=summary]"), "Fra Altinn: nye", "summary");
                reportTexts("summary", modal);
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
            content: "Oppdater status: see how far the booking has come",
            trigger: ".modal button[name=action_altinn_refresh]",
            run: "click",
        },
        {
            content: "Every document has been handled; each outcome is a count to click",
            trigger: ".modal:not(:has(button.o_altinn_open_waiting)) button.o_altinn_open_imported",
            async run() {
                const modal = this.anchor.closest(".modal");
                for (const outcome of ["imported", "letter"]) {
                    if (!modal.querySelector(`button.o_altinn_open_${outcome}`)) {
                        throw new Error(`the summary has no count of ${outcome} documents`);
                    }
                }
                assertText(modal.querySelector("h4[name=summary]"), "Bokføringen er ferdig", "summary");
                // A short table ends with its last line, and no column header is cut.
                for (const row of modal.querySelectorAll("div[name=line_ids] tbody tr:not(.o_data_row)")) {
                    if (row.offsetParent !== null) {
                        throw new Error("blank rows follow the result table");
                    }
                }
                for (const th of modal.querySelectorAll("div[name=line_ids] th .text-truncate")) {
                    if (th.scrollWidth > th.clientWidth + 1) {
                        throw new Error(`the column header "${th.textContent}" is cut`);
                    }
                }
                reportTexts("summary_booked", modal);
                await screenshot("summary_booked");
            },
        },
        {
            content: "Open the letters to read",
            trigger: ".modal button.o_altinn_open_letter",
            run: "click",
        },
        {
            content: "The letters, to read; the one that matters says so",
            trigger: ".o_action_manager .o_list_view .o_data_row td[name=notice_kind] .badge",
            async run() {
                if (document.querySelector(".modal")) {
                    throw new Error("the dialog is still open");
                }
                const list = this.anchor.closest(".o_list_view");
                for (const row of list.querySelectorAll(".o_data_row")) {
                    if (row.querySelector("td[name=state]").textContent.trim() !== "Til lesing") {
                        throw new Error(`not a letter to read: ${row.textContent}`);
                    }
                }
                assertText(this.anchor, "Tvangsmulkt", "the kind of letter");
                reportTexts("letters", list);
                await screenshot("letters");
            },
        },
        {
            content: "Open the letter that matters",
            trigger: ".o_action_manager .o_list_view .o_data_row td[name=notice_kind] .badge",
            async run(helpers) {
                await helpers.click(this.anchor.closest(".o_data_row").querySelector("td[name=title]"));
            },
        },
        {
            content: "It opens with its PDF, and someone has it to read",
            // The chatter loads after the form: the activity "read the letter" shows then.
            trigger: ".o_form_view:has(.o-mail-Activity) .o_altinn_letter iframe.o_pdfview_iframe",
            async run() {
                reportTexts("letter", document.querySelector(".o_form_view .o_form_sheet_bg"));
                await screenshot("letter");
            },
        },
        {
            content: "Merk som lest",
            trigger: ".o_form_view .o_form_statusbar button[name=action_mark_read]",
            run: "click",
        },
        {
            content: "The state says it is read, and the button answered",
            trigger: ".o_form_view .o_statusbar_status:has(button.o_arrow_button_current[data-value=read])",
            run() {
                const answers = [...document.querySelectorAll(".o_notification")].map((n) => n.textContent);
                if (!answers.some((text) => text.includes("merket som lest"))) {
                    throw new Error(`"Merk som lest" did not answer: ${JSON.stringify(answers)}`);
                }
            },
        },
        {
            content: "Back to the company",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Eksempel Holding AS)",
            run: "click",
        },
        {
            content: "All the company's Altinn documents",
            trigger: ".o_form_view button[name=action_altinn_documents]",
            run: "click",
        },
        {
            content: "The ledger lists them, with their journal entries",
            trigger: ".o_action_manager .o_list_view .o_data_row td[name=move_id]",
            async run() {
                bookedRow(); // throws when no document has an entry
                // Altinn's unsent draft of the next VAT term is a draft, not a return: no entry.
                const rows = [...this.anchor.closest(".o_list_view").querySelectorAll(".o_data_row")];
                const drafts = rows.filter(
                    (row) =>
                        row.querySelector("td[name=state]").textContent.trim() === "Utkast – ikke sendt inn"
                );
                if (drafts.length !== 1) {
                    throw new Error(`expected the one unsent draft return, found ${drafts.length}`);
                }
                const summary = drafts[0].querySelector("td[name=summary]").textContent.trim();
                const entry = drafts[0].querySelector("td[name=move_id]").textContent.trim();
                if (!summary.startsWith("Utkast – ikke sendt inn: ") || entry) {
                    throw new Error(`the draft return reads like a return: "${summary}"`);
                }
                reportTexts("documents", this.anchor.closest(".o_list_view"));
                await screenshot("documents");
            },
        },
        {
            content: "Open the unsent draft return",
            trigger:
                ".o_action_manager .o_list_view .o_data_row td[name=state]:contains(Utkast – ikke sendt inn)",
            async run(helpers) {
                await helpers.click(this.anchor.closest(".o_data_row").querySelector("td[name=title]"));
            },
        },
        {
            content: "It says it is a draft that was never sent: no VAT check",
            trigger: ".o_form_view div[name=unsent].alert",
            async run() {
                const check = document.querySelector(".o_form_view .o_field_widget[name=vat_difference]");
                if (check?.offsetParent) {
                    throw new Error("the draft return shows a VAT check");
                }
                reportTexts("draft", document.querySelector(".o_form_view .o_form_sheet_bg"));
                await screenshot("draft");
            },
        },
        {
            content: "Back to the documents",
            trigger: ".o_breadcrumb ol.breadcrumb li.breadcrumb-item:last-child a",
            run: "click",
        },
        {
            content: "Open a document that was booked",
            trigger: ".o_action_manager .o_list_view .o_data_row td[name=move_id]",
            async run(helpers) {
                await helpers.click(bookedRow().querySelector("td[name=title]"));
            },
        },
        {
            content: "The document: Bilag opens its journal entries",
            trigger: ".o_form_view button[name=action_view_moves]",
            run: "click",
        },
        {
            content: "A list of journal entries (not vendor bills): date, due date, KID, amount, Utkast/Postert",
            trigger: ".o_action_manager .o_list_view .o_data_row td[name=altinn_due_date]",
            async run() {
                const list = this.anchor.closest(".o_list_view");
                const columns = ["date", "altinn_due_date", "payment_reference", "amount_total_signed", "state"];
                for (const column of columns) {
                    if (!list.querySelector(`th[data-name=${column}]`)) {
                        throw new Error(`the entries' list has no column ${column}`);
                    }
                }
                if (list.querySelector("th[data-name=invoice_date_due], th[data-name=amount_untaxed_signed]")) {
                    throw new Error("Bilag opened the vendor bills' list");
                }
                for (const row of list.querySelectorAll(".o_data_row")) {
                    const due = row.querySelector("td[name=altinn_due_date]").textContent.trim();
                    const date = row.querySelector("td[name=date]").textContent.trim();
                    const state = row.querySelector("td[name=state]").textContent.trim();
                    if (!/^\d{2}\.\d{2}\.\d{4}$/.test(date) || (due && !/^\d{2}\.\d{2}\.\d{4}$/.test(due))) {
                        throw new Error(`an entry's dates are not dates: "${date}", "${due}"`);
                    }
                    if (!["Utkast", "Postert"].includes(state)) {
                        throw new Error(`an entry's state reads "${state}"`);
                    }
                }
                reportTexts("moves", list);
                await screenshot("moves");
            },
        },
        {
            content: "Open the journal entry",
            trigger: ".o_action_manager .o_list_view .o_data_row td[name=date]",
            run: "click",
        },
        {
            content: "A draft journal entry with its lines and its voucher",
            trigger: ".o_form_view .o_statusbar_status:has(button.o_arrow_button_current[data-value=draft])",
            async run() {
                const lines = document.querySelectorAll(
                    ".o_form_view :is(div[name=line_ids], div[name=invoice_line_ids]) .o_data_row"
                );
                if (!lines.length) {
                    throw new Error("the journal entry shows no lines");
                }
                // The router writes the record's id into the URL a moment after the form shows.
                const deadline = Date.now() + 5000;
                while (!/\/\d+$/.test(window.location.pathname) && Date.now() < deadline) {
                    await sleep(50);
                }
                const id = Number(window.location.pathname.split("/").pop());
                const files = await rpc("/web/dataset/call_kw/ir.attachment/search_read", {
                    model: "ir.attachment",
                    method: "search_read",
                    args: [[["res_model", "=", "account.move"], ["res_id", "=", id]], ["name"]],
                    kwargs: {},
                });
                if (!files.length) {
                    throw new Error(`the journal entry ${id} has no voucher`);
                }
                if (files.some((file) => file.name.includes(":"))) {
                    throw new Error(`a voucher's name holds a colon: ${JSON.stringify(files)}`);
                }
                await screenshot("move");
            },
        },
        // A damaged file uploaded by hand: a Norwegian sentence that says what to do, counted as failed.
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open Accounting",
            trigger: ".o-dropdown--menu .o_app[data-menu-xmlid='account.menu_finance']",
            run: "click",
        },
        {
            content: "Open the Altinn menu",
            trigger: ".o_menu_sections button[data-menu-xmlid='prisolve_altinn.menu_altinn_root']",
            run: "click",
        },
        {
            content: "Last opp filer",
            trigger: ".dropdown-item[data-menu-xmlid='prisolve_altinn.menu_altinn_upload']:contains(Last opp filer)",
            run: "click",
        },
        {
            content: "Choose a cut-off betalingsinformasjon XML",
            trigger: ".modal div[name=file] input[type=file]:not(:visible)", // the picker's input is hidden
            run() {
                const bytes = Uint8Array.from(atob(readCookie(DAMAGED_FILE_COOKIE)), (c) => c.charCodeAt(0));
                chooseFile(this.anchor, new File([bytes], DAMAGED_FILE_NAME, { type: "text/xml" }));
            },
        },
        {
            content: "The file is read into the dialog",
            trigger: ".modal div[name=file] .o_clear_file_button",
            run() {
                const name = this.anchor.closest("div[name=file]").querySelector("input.o_input").value;
                if (name !== DAMAGED_FILE_NAME) {
                    throw new Error(`the dialog holds "${name}", not the chosen file`);
                }
            },
        },
        {
            content: "Importer",
            trigger: ".modal button[name=action_import]",
            run: "click",
        },
        {
            content: "The document says in Norwegian that the file is damaged and what to do; the parser's words for support",
            trigger: ".o_form_view:not(:has(.modal)) .alert-danger div[name=error]",
            async run() {
                const [headline, details] = this.anchor.textContent.trim().split("\n");
                if (!headline.startsWith("Filen er skadet eller avkortet") || !headline.includes("last den ned på nytt")) {
                    throw new Error(`a damaged file is not explained: "${headline}"`);
                }
                if (headline.includes("line") || !details?.startsWith("Detaljer for brukerstøtte: ")) {
                    throw new Error(`the parser's words are not on the details line: "${this.anchor.textContent}"`);
                }
                const state = document.querySelector(".o_form_view .o_arrow_button_current")?.dataset.value;
                if (state !== "failed") {
                    throw new Error(`the damaged file's document is "${state}", not failed`);
                }
                reportTexts("upload_damaged", document.querySelector(".o_form_view .o_form_sheet_bg"));
                await screenshot("upload_damaged");
            },
        },
        {
            content: "Open the Altinn menu",
            trigger: ".o_menu_sections button[data-menu-xmlid='prisolve_altinn.menu_altinn_root']",
            run: "click",
        },
        {
            content: "Hentelogg",
            trigger: ".dropdown-item[data-menu-xmlid='prisolve_altinn.menu_altinn_fetch_log']",
            run: "click",
        },
        {
            content: "The upload is logged as failed, with one failed file",
            trigger: ".o_action_manager .o_list_view .o_data_row td[name=failed_count]",
            async run() {
                const list = this.anchor.closest(".o_list_view");
                const row = list.querySelector(".o_data_row"); // newest first
                const cell = (name) => row.querySelector(`td[name=${name}]`).textContent.trim();
                const seen = { trigger: cell("trigger"), new: cell("new_count"), failed: cell("failed_count") };
                seen.outcome = cell("outcome");
                const expected = { trigger: "Opplasting", new: "1", failed: "1", outcome: "Feilet" };
                if (JSON.stringify(seen) !== JSON.stringify(expected)) {
                    throw new Error(`the upload's log line reads ${JSON.stringify(seen)}`);
                }
                if (!cell("message").includes("Filen er skadet eller avkortet")) {
                    throw new Error(`the log does not say the file is damaged: "${cell("message")}"`);
                }
                reportTexts("fetch_log", list);
                await screenshot("fetch_log");
            },
        },
    ],
});
