"""pytest plugin for the addon's Odoo tests under pytest-odoo (scripts/test loads it with ``-p``).

pytest-odoo runs every test on an installed database, whatever its at_install/post_install tags,
and finds tests by file name, whereas Odoo's runner (and OCA's CI) finds them through
``tests/__init__.py`` and the tags. This plugin makes the one pytest-odoo run stand for Odoo's run:

- it fails the run when pytest did not collect a test that Odoo's runner would run for the addon,
  at install or post install, or when a test module is not imported by ``tests/__init__.py``
  (Odoo would never run it);
- it deselects what Odoo's runner would not run (tests tagged ``-standard``, inherited test
  methods, classes imported into another test module), so nothing runs twice;
- a skipped test is a failure: Odoo and pytest-odoo skip browser tests without Chromium or
  websocket-client (or without ``--odoo-http``) and would still report success.
"""

import pytest

ADDON = "prisolve_altinn"


def _odoo_selection(addon):
    """The (module, class, method) of every test Odoo's runner runs for ``--test-tags /<addon>``,
    and the names of the test modules it finds."""
    from odoo.tests import loader
    from odoo.tests.tag_selector import TagsSelector

    config_tags = TagsSelector(f"/{addon}")
    positions = {position: TagsSelector(position) for position in ("at_install", "post_install")}
    modules = loader.get_test_modules(addon)
    selected = {}
    for module in modules:
        for test in loader.get_module_test_cases(module):
            position = next((name for name, tag in positions.items() if tag.check(test)), None)
            if position and config_tags.check(test):
                cls = type(test)
                selected[(cls.__module__, cls.__qualname__, test._testMethodName)] = position
    return selected, {module.__name__ for module in modules}


def _item_key(item):
    cls = getattr(item, "cls", None)
    return (cls.__module__, cls.__qualname__, item.name) if cls else None


def pytest_collection_modifyitems(session, config, items):
    selected, odoo_modules = _odoo_selection(ADDON)
    unimported = sorted({item.module.__name__ for item in items} - odoo_modules)
    if unimported:
        raise pytest.UsageError(
            f"Test modules that {ADDON}/tests/__init__.py does not import, so Odoo's runner never runs them: "
            + ", ".join(unimported)
        )
    keep, drop, seen = [], [], set()
    for item in items:
        key = _item_key(item)
        if key in selected and key not in seen and item.module.__name__ == key[0]:
            keep.append(item)
            seen.add(key)
        else:
            drop.append(item)
    missing = sorted(set(selected) - seen)
    if missing:
        raise pytest.UsageError(
            "pytest did not collect tests that Odoo's runner would run: "
            + ", ".join(".".join(key) for key in missing)
        )
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    at_install = list(selected.values()).count("at_install")
    config.stash[_summary_key] = (
        f"Odoo's runner selects {len(selected)} tests for /{ADDON} ({at_install} at install, "
        f"{len(selected) - at_install} post install): all collected here, all run on the installed database"
        + (f"; {len(drop)} other items deselected (Odoo's runner does not run them)" if drop else "")
    )


_summary_key = pytest.StashKey[str]()


def pytest_report_collectionfinish(config, start_path, items):
    return config.stash.get(_summary_key, None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"Skipped, which fails the Odoo tests here (a skip hides a test): {reason}"
    return report
