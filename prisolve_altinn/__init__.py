from . import models, services, wizards
