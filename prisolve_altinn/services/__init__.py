"""Odoo-side services of the addon: plain Python modules that work on records passed in.

They hold the flow between the models: the fetch service and the scheduled fetch, recording into the
ledger, the one loop of both scheduled actions, the hand-over to booking, failures and texts; the models
keep the fields, computes and buttons. Nothing here defines a model.
"""

from . import texts
