"""Local Altinn 2 (SOAP) emulator for prisolve_altinn's tests and demos. Plain Python, no Odoo.

Start: ``python -m altinn_emulator --port 0``; in tests: ``altinn_emulator.testing.running_emulator()``.
See README.md.
"""

from .clock import Clock
from .state import State

__all__ = ["Clock", "State"]
