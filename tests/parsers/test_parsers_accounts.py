"""Default accounts: codes exist in Odoo 18 l10n_no with the expected names; wrong meanings are refused."""

import csv
import os
from pathlib import Path

import pytest

from prisolve_altinn.altinn.parsers import CLAIM_CATEGORIES
from prisolve_altinn.altinn.parsers import accounts as A


def _odoo_chart():
    for base in (os.environ.get("ODOO_SRC"), "/opt/odoo18"):
        if base:
            path = Path(base) / "addons/l10n_no/data/template/account.account-no.csv"
            if path.is_file() and path.read_bytes()[:20] != b"version https://git-":  # not a Git-LFS pointer
                return path
    return None


def test_claim_categories_map_to_the_agreed_accounts():
    assert A.CLAIM_CATEGORY_ACCOUNTS == {
        "forskuddsskatt": "2540",
        "restskatt": "2510",
        "mva": "2740",
        "mva_kompensasjon": "1654",
        "arbeidsgiveravgift": "2770",
        "forskuddstrekk": "2600",
        "interest_cost": "8159",
        "interest_non_deductible": "8140",
        "interest_income": "8059",
        "other": None,
    }
    assert set(A.CLAIM_CATEGORY_ACCOUNTS) == set(CLAIM_CATEGORIES)
    assert A.account_for_claim_category("restskatt").code == "2510"
    assert A.account_for_claim_category("other") is None


def test_settlement_roles():
    assert (
        A.ACCOUNTS[A.ROLE_TAX_ACCRUED].code,
        A.ACCOUNTS[A.ROLE_TAX_PRIOR_YEAR].code,
        A.ACCOUNTS[A.ROLE_TAX_EXPENSE].code,
        A.ACCOUNTS[A.ROLE_PAYABLE].code,
        A.ACCOUNTS[A.ROLE_BANK].code,
    ) == ("2500", "8309", "8300", "2400", "1920")
    for template in A.TEMPLATES.values():
        for role, _side in template:
            assert role in A.ACCOUNTS or role in ("<debt account>", A.ROLE_TAX_PAYMENTS)
    # refunds and payments are matched later: the accounts must be reconcilable
    assert A.ACCOUNTS[A.ROLE_TAX_RECEIVABLE].reconcile and A.ACCOUNTS[A.ROLE_PAYABLE].reconcile


def test_defaults_match_their_own_names():
    for role, default in A.ACCOUNTS.items():
        assert A.account_matches(role, default.code, default.name_en), role
        assert A.account_matches(role, default.code, default.name_nb), role


@pytest.mark.parametrize(
    ("role", "code", "name"),
    [
        (A.ROLE_ADVANCE_TAX, "2540", "Forhåndsskatt"),  # Odoo 17.0 meaning
        (A.ROLE_TAX_ASSESSED, "2510", "Betalbar skatt, ikke fastsatt"),
        (A.ROLE_TAX_ACCRUED, "2500", "Betalbar skatt, fastsatt"),
        (A.ROLE_VAT_SETTLEMENT, "2740", "Inngående merverdiavgift"),
        (A.ROLE_VAT_SETTLEMENT, "2741", "Oppgjørskonto merverdiavgift"),  # right name, other code
        (A.ROLE_TAX_EXPENSE, "8300", "Betalbar skatt, for mye/lite avsatt tidligere år"),
        (A.ROLE_BANK, "1920", ""),
    ],
)
def test_wrong_meaning_is_refused(role, code, name):
    assert not A.account_matches(role, code, name)


def test_mva_code_accounts_are_vat_accounts():
    for code, accounts in A.MVA_CODE_ACCOUNTS.items():
        for side, account in accounts.items():
            assert account.startswith("27"), (code, side)
            assert (side == "input") == account.startswith("271"), (code, side, account)


def test_against_odoo_18_chart():
    path = _odoo_chart()
    if path is None:
        pytest.skip("Odoo 18 l10n_no chart (account.account-no.csv) not available")
    rows = {row["code"]: row for row in csv.DictReader(path.open(encoding="utf-8"))}
    for role, default in A.ACCOUNTS.items():
        row = rows.get(default.code)
        assert row is not None, (role, default.code)
        assert row["name"] == default.name_en, role
        assert row["name@nb_NO"] == default.name_nb, role
        assert row["account_type"] == default.account_type, role
        assert A.account_matches(role, row["code"], row["name"], row["name@nb_NO"]), role
    for accounts in A.MVA_CODE_ACCOUNTS.values():
        for account in accounts.values():
            assert account in rows


def test_mva_codes_against_odoo_18_taxes():
    path = _odoo_chart()
    if path is None:
        pytest.skip("Odoo 18 l10n_no taxes not available")
    taxes = path.with_name("account.tax-no.csv")
    posted: dict[str, set[str]] = {}
    for row in csv.DictReader(taxes.open(encoding="utf-8")):
        tag, account = row["repartition_line_ids/tag_ids"], row["repartition_line_ids/account_id"]
        if tag.startswith("+") and tag.endswith(" Tax") and account:
            posted.setdefault(tag[1:-4], set()).add(account.removeprefix("chart"))
    for code, accounts in A.MVA_CODE_ACCOUNTS.items():
        assert set(accounts.values()) == posted.get(code, set()), code
