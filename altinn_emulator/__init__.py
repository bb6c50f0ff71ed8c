"""Local Altinn emulator for prisolve_altinn's tests, benchmarks and demos: one HTTP server with Altinn 2's
SOAP services and, through the ``altinn3`` plug-in, Altinn 3's REST APIs (Maskinporten, token exchange,
Dialogporten, Correspondence, Storage, system register and system users), both serving the same items.
Plain Python, no Odoo.

Start: ``python -m altinn_emulator --port 0``; in tests: ``altinn_emulator.testing.running_emulator()``.
See README.md (what it follows of Altinn, and where each rule comes from).
"""

from .clock import Clock
from .state import State

__all__ = ["Clock", "State"]
