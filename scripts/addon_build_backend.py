"""PEP 517 build backend of the repository root (pyproject.toml): whool, run in the addon's folder.

whool, OCA's build backend, packages the addon whose ``__manifest__.py`` is in the current directory
(prisolve_altinn/pyproject.toml is its per-addon file). This module runs it there, so that
``pip install <repository>`` builds the same odoo-addon-prisolve_altinn distribution as
``pip install <repository>/prisolve_altinn``.
"""

import os
from contextlib import contextmanager
from pathlib import Path

from whool import buildapi

ADDON_DIR = Path(__file__).resolve().parent.parent / "prisolve_altinn"


@contextmanager
def _in_addon_dir():
    cwd = os.getcwd()
    os.chdir(ADDON_DIR)
    try:
        yield
    finally:
        os.chdir(cwd)


def _absolute(path):
    return os.path.abspath(path) if path else path


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel_directory, metadata_directory = _absolute(wheel_directory), _absolute(metadata_directory)
    with _in_addon_dir():
        return buildapi.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    wheel_directory, metadata_directory = _absolute(wheel_directory), _absolute(metadata_directory)
    with _in_addon_dir():
        return buildapi.build_editable(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    sdist_directory = _absolute(sdist_directory)
    with _in_addon_dir():
        return buildapi.build_sdist(sdist_directory, config_settings)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    metadata_directory = _absolute(metadata_directory)
    with _in_addon_dir():
        return buildapi.prepare_metadata_for_build_wheel(metadata_directory, config_settings)


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel
