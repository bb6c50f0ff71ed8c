/** @odoo-module */
// Copyright 2026 Prisolve
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// The Altinn 3 setup assistant as the firm's administrator goes through it, in Norwegian, against the
// repository's Altinn emulator (tests/test_setup_tour.py starts it, sets the cookie below and checks the
// result): step 5 already checked as it opens, the Maskinporten step with its copy button, a client id typed
// and tested without "Lagre", step 3 without dashes, a company still on Altinn 2 requested, its approval in
// the emulator, "Kontroller status" on its row, and the assistant still titled as itself. Selectors use
// field/button names; the texts are checked in Norwegian.
import { registry } from "@web/core/registry";

const EMULATOR_COOKIE = "prisolve_altinn_emulator";
const CLIENT_COOKIE = "prisolve_altinn_client_id";
const TEXTS_SIGNAL = "prisolve_altinn:texts:";
const TITLE = "Oppsettsveiviser for Altinn 3";

function cookie(name) {
    const part = document.cookie
        .split(";")
        .map((p) => p.trim())
        .find((p) => p.startsWith(`${name}=`));
    if (!part) {
        throw new Error(`no ${name} cookie: start this tour from tests/test_setup_tour.py`);
    }
    return decodeURIComponent(part.slice(name.length + 1));
}

function assertText(element, expected, what) {
    if (!element.textContent.includes(expected)) {
        throw new Error(`${what}: expected "${expected}" in "${element.textContent.trim()}"`);
    }
}

function assertTitle() {
    const crumbs = document.querySelector(".o_breadcrumb");
    if (!crumbs || !crumbs.textContent.includes(TITLE)) {
        throw new Error(`the assistant lost its title: "${crumbs?.textContent.trim()}"`);
    }
}

/** Hand the visible texts of the assistant to the Python test, which fails on English ones. */
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
    console.log(`${TEXTS_SIGNAL}${name}:${JSON.stringify(texts)}`);
}

const FORM = ".o_form_view";

registry.category("web_tour.tours").add("prisolve_altinn_setup_assistant", {
    steps: () => [
        {
            content: "The assistant opens where it was used last, with step 5 already checked in Altinn",
            trigger: `${FORM} div[name=check_result]:contains(Godkjent)`,
            run() {
                assertTitle();
                assertText(this.anchor, "✔", "step 5 token test");
                const environment = document.querySelector(`${FORM} div[name=environment]`);
                assertText(environment, "Egen adresse", "environment of the last use");
                if (document.querySelector(`${FORM} div[name=key_info]`).textContent.includes("Ingen")) {
                    throw new Error("the key of the environment is not shown");
                }
            },
        },
        {
            content: "The Maskinporten step says where and what, with a copy button for the JWK",
            trigger: `${FORM} div[name=maskinporten]:contains(Registrer nøkkelen i Maskinporten)`,
            run() {
                assertText(this.anchor, "/_emulator/altinn3/clients", "where the key goes");
                if (!this.anchor.querySelector("div[name=public_jwk] button")) {
                    throw new Error("no copy button for the JWK");
                }
                if (!this.anchor.querySelector("div[name=scopes_needed] button")) {
                    throw new Error("no copy button for the scopes");
                }
            },
        },
        {
            content: "Type the client id Maskinporten gave (no Lagre)",
            trigger: `${FORM} div[name=client_id] input`,
            run: `edit ${cookie(CLIENT_COOKIE)}`,
        },
        {
            content: "Test tilgangen",
            trigger: `${FORM} button[name=action_test_grant]`,
            run: "click",
        },
        {
            content: "The grant test used the client id on the screen: it works",
            trigger: `${FORM} .alert-info:contains(Tilgangen virker)`,
            run() {
                assertText(this.anchor, "Lagret først", "the typed client id was saved first");
                const result = document.querySelector(`${FORM} div[name=grant_result]`);
                if (result.textContent.includes("✘")) {
                    throw new Error(`the grant test failed: ${result.textContent}`);
                }
            },
        },
        {
            content: "Step 3 names no missing value with a dash",
            trigger: `${FORM} div[name=vendor_role]`,
            run() {
                const sheet = document.querySelector(`${FORM} .o_form_sheet`).innerText;
                if (/\(organisasjon -\)|klient-ID-en -/.test(sheet)) {
                    throw new Error("a dash stands for a missing value");
                }
            },
        },
        {
            content: "Step 4 offers the company still on Altinn 2: choose it",
            trigger: `${FORM} div[name=company_line_ids] .o_data_row:contains(Altinn 2):contains(Fjordkanten Eiendom AS (SOAP)) div[name=selected] input`,
            run: "click",
        },
        {
            content: "Be om systembrukere",
            trigger: `${FORM} button[name=action_request_system_users]`,
            run: "click",
        },
        {
            content: "The request is sent and the company is now on Altinn 3",
            trigger: `${FORM} .alert-info:contains(forespørselen er sendt):contains(Altinn 3)`,
        },
        {
            content: "The company's daglig leder approves the link (in the emulator)",
            trigger: `${FORM} div[name=system_user_ids] .o_data_row:contains(Forespurt) a[href*="request"]`,
            async run() {
                const id = new URL(this.anchor.href).searchParams.get("id");
                const url = `${cookie(EMULATOR_COOKIE)}/_emulator/altinn3/requests/${id}/approve`;
                const response = await fetch(url, { method: "POST" });
                if (!response.ok) {
                    throw new Error(`the emulator answered ${response.status} to the approval`);
                }
            },
        },
        {
            content: "Kontroller status on its row",
            trigger: `${FORM} div[name=system_user_ids] .o_data_row:contains(Forespurt) button[name=action_check]`,
            run: "click",
        },
        {
            content: "Approved: the old 'request sent' is gone, the assistant keeps its title",
            trigger: `${FORM} div[name=system_user_ids]:not(:contains(Forespurt))`,
            run() {
                assertTitle();
                const sheet = document.querySelector(`${FORM} .o_form_sheet`);
                if (sheet.innerText.includes("forespørselen er sendt")) {
                    throw new Error("'forespørselen er sendt' is still shown after the approval");
                }
                reportTexts("setup_assistant", sheet);
            },
        },
    ],
});
