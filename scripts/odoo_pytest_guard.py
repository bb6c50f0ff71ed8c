"""pytest plugin for the addon's Odoo tests under pytest-odoo (scripts/test loads it with ``-p``).

pytest-odoo runs every test on an installed database, whatever its at_install/post_install tags,
and finds tests by file name, whereas Odoo's runner (and OCA's CI) finds them through
``tests/__init__.py`` and the tags. This plugin makes the one pytest-odoo run stand for Odoo's run:

- it fails the run when a test would be hidden from Odoo's runner: its module is not imported by
  ``tests/__init__.py``, or its tags put it neither at install nor post install;
- it fails the run when pytest did not collect a test that Odoo's runner runs for the addon (in
  the test modules pytest was given);
- it deselects what Odoo's runner does not run on purpose (tests tagged ``-standard``, inherited
  test methods, classes imported into another test module), so nothing runs twice;
- a skipped test is a failure: Odoo and pytest-odoo skip browser tests without Chromium or
  websocket-client (or without ``--odoo-http``) and would still report success.
"""

import pytest

ADDON = "prisolve_altinn"
POSITIONS = ("at_install", "post_install")

_odoo_key = pytest.StashKey[tuple]()
_summary_key = pytest.StashKey[str]()


def _odoo_view(addon):
    """What Odoo's runner sees for ``--test-tags /<addon>``: {(module, class, method): position} of
    the tests it runs, the tests of the addon's standard tags that no position runs, and the names
    of the test modules it finds."""
    from odoo.tests import loader
    from odoo.tests.tag_selector import TagsSelector

    addon_tags = TagsSelector(f"/{addon}")
    positions = {position: TagsSelector(position) for position in POSITIONS}
    modules = loader.get_test_modules(addon)
    selected, hidden = {}, set()
    for module in modules:
        for test in loader.get_module_test_cases(module):
            if not addon_tags.check(test):
                continue  # e.g. tagged -standard: Odoo's runner leaves it out on purpose
            key = (type(test).__module__, type(test).__qualname__, test._testMethodName)
            position = next((name for name, tags in positions.items() if tags.check(test)), None)
            if position:
                selected[key] = position
            else:
                hidden.add(key)
    return selected, hidden, {module.__name__ for module in modules}


def _item_key(item):
    cls = getattr(item, "cls", None)
    return (cls.__module__, cls.__qualname__, item.name) if cls else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session):
    # Before pytest imports the test files: each import makes that module visible to Odoo's loader.
    session.config.stash[_odoo_key] = _odoo_view(ADDON)


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect: the checks see every collected test
def pytest_collection_modifyitems(session, config, items):
    selected, hidden, odoo_modules = config.stash[_odoo_key]
    collected_modules = {item.module.__name__ for item in items}
    problems = []
    unimported = sorted(collected_modules - odoo_modules)
    if unimported:
        problems.append(f"modules that {ADDON}/tests/__init__.py does not import: {', '.join(unimported)}")
    keys = {_item_key(item) for item in items}
    hidden_collected = sorted(hidden & keys)
    if hidden_collected:
        problems.append(
            "tests whose tags put them neither at_install nor post_install: "
            + ", ".join(".".join(key) for key in hidden_collected)
        )
    missing = sorted(key for key in set(selected) - keys if key[0] in collected_modules)
    if missing:
        problems.append("tests pytest did not collect: " + ", ".join(".".join(key) for key in missing))
    if problems:
        raise pytest.UsageError("Odoo's runner and this run disagree; " + "; ".join(problems))

    keep, drop, seen = [], [], set()
    for item in items:
        key = _item_key(item)
        if key in selected and key not in seen and item.module.__name__ == key[0]:
            keep.append(item)
            seen.add(key)
        else:
            drop.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    at_install = list(selected.values()).count("at_install")
    config.stash[_summary_key] = (
        f"Odoo's runner selects {len(selected)} tests for /{ADDON} ({at_install} at install, "
        f"{len(selected) - at_install} post install); {len(keep)} of them collected here"
        + (f"; {len(drop)} other items deselected (Odoo's runner does not run them)" if drop else "")
    )


def pytest_report_collectionfinish(config, start_path, items):
    return config.stash.get(_summary_key, None)


def _fail_if_skipped(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"Skipped, which fails the Odoo tests here (a skip hides a test): {reason}"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    return _fail_if_skipped((yield))


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    return _fail_if_skipped((yield))
