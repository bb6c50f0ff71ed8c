from . import test_settings
from . import test_update_wizard
from . import test_booking_vat
from . import test_ledger
from . import test_security
