from . import altinn_update_wizard
from . import altinn_upload_wizard
