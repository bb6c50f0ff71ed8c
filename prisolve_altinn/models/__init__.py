# The access checks of the addon's forms (onchange, defaults).
from . import base

# Settings: the company, the accounting firm, their system users, the vendor's Maskinporten client.
from . import res_company
from . import res_partner
from . import altinn_system_user
from . import altinn_maskinporten_client

# The ledger, its lines and the fetch log.
from . import altinn_document
from . import altinn_document_alias
from . import altinn_document_line
from . import altinn_fetch_log

# Booking into the books.
from . import account_move
from . import altinn_account_map
from . import altinn_tax_account
