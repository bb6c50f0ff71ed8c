"""Company names from the register (capitals) as Norwegians write them."""

import pytest

from prisolve_altinn.altinn.names import norwegian_name


@pytest.mark.parametrize(
    ("register", "written"),
    [
        ("FJORDKANTEN EIENDOM AS", "Fjordkanten Eiendom AS"),
        ("BAKERI OG KONDITORI I ØST-AGDER ANS", "Bakeri og Konditori i Øst-Agder ANS"),
        ("NRK AS", "NRK AS"),
        ("AS BYGG SA", "As Bygg SA"),
        ("3D PRINT NORGE ASA", "3D Print Norge ASA"),
        ("ÆRFUGL & SØNN DA", "Ærfugl & Sønn DA"),
    ],
)
def test_capitals_become_the_norwegian_way(register, written):
    assert norwegian_name(register) == written


def test_a_name_with_lower_case_is_kept():
    assert norwegian_name("Eksempel Holding AS") == "Eksempel Holding AS"
    assert norwegian_name("iFix AS") == "iFix AS"
    assert norwegian_name(None) is None and norwegian_name("") == ""
