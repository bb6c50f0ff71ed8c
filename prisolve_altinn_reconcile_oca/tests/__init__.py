# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_kid_matching
from . import test_year_bank
