"""No-Odoo test suite: protocol layer, parsers and the emulator.

The addon's ``__init__`` imports odoo, so a bare ``prisolve_altinn`` package
pointing at the addon folder is registered instead: ``prisolve_altinn.altinn``
(which never imports odoo) then imports normally.
"""

import os
import sys
import types
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
if "prisolve_altinn" not in sys.modules:
    _pkg = types.ModuleType("prisolve_altinn")
    _pkg.__path__ = [str(ROOT / "prisolve_altinn")]
    sys.modules["prisolve_altinn"] = _pkg
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def shared_reference_dir():
    """``../shared/reference`` beside the clone (or $PRISOLVE_SHARED), or None."""
    env = os.environ.get("PRISOLVE_SHARED")
    candidates = [Path(env)] if env else []
    candidates += [parent / "shared" for parent in ROOT.parents]
    for base in candidates:
        ref = base / "reference" if (base / "reference").is_dir() else base
        if (ref / "altinn2-soap").is_dir():
            return ref
    return None


@pytest.fixture(scope="session")
def shared_reference():
    """The real samples. CI has them beside the clone: their absence is a failure, never a silent skip."""
    ref = shared_reference_dir()
    if ref is None:
        pytest.fail(
            "../shared/reference is not present (or set PRISOLVE_SHARED): the tests of real Altinn and "
            "Skatteetaten samples cannot run without it"
        )
    return ref


@pytest.fixture(scope="session")
def nb():
    """Translate an English source of the addon into Norwegian through i18n/nb.po, as the ORM does."""
    po = polib.pofile(str(ROOT / "prisolve_altinn" / "i18n" / "nb.po"))
    table = {entry.msgid: entry.msgstr for entry in po if entry.msgstr and not entry.obsolete}
    return lambda source: table.get(source, source)


# pytest-odoo (installed in the Odoo venv) adds autouse fixtures that need an Odoo database. This suite
# never touches Odoo: same-named fixtures switch them off, so a plain `pytest tests/...` works with or
# without `-p no:odoo`.
@pytest.fixture(scope="session", autouse=True)
def load_registry():
    yield


@pytest.fixture(scope="session", autouse=True)
def load_http():
    yield


@pytest.fixture(scope="module", autouse=True)
def enable_odoo_test_flag():
    yield
