# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import account_chart_template
from . import account_reconcile_model
from . import account_bank_statement_line
from . import account_move
