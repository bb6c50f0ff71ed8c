from . import altinn_update_wizard
from . import altinn_upload_wizard
from . import altinn_update_wizard_altinn3
from . import altinn_update_wizard_cron
