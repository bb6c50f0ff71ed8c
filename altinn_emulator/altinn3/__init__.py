"""Altinn 3 endpoints of the emulator, under the production paths (clients swap base URLs only).

Maskinporten (``/token``, ``/.well-known/oauth-authorization-server``, ``/jwk``), Altinn
Authentication (``/authentication/api/v1/…``: token exchange, system register, system-user
requests), Dialogporten (``/dialogporten/api/v1/…``), Correspondence (``/correspondence/api/v1/…``),
Storage data elements and Skatteetaten's document API, plus test controls under
``/_emulator/altinn3/``. Routes register at import (the server imports this plug-in by default);
the Altinn 3 state is (re)built by a reset hook from the shared items.
"""

from __future__ import annotations

from .. import routes
from . import (  # noqa: F401 - registers routes
    authentication,
    control,
    correspondence,
    dialogporten,
    maskinporten,
)
from .store import A3State


def _reset(state) -> None:
    state.extensions["altinn3"] = A3State(state)


routes.on_reset(_reset)
