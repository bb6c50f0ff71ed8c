"""Odoo-side services of the addon: plain Python modules that work on records passed in.

They hold the flow between the models (fetch, hand-over to booking, failures, texts); the models keep the
fields and thin entry points. Nothing here defines a model.
"""

from . import texts
