from . import altinn_update_wizard
from . import altinn_upload_wizard
from . import altinn_setup_wizard
from . import altinn_client_wizard
