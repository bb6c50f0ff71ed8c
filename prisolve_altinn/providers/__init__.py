"""Where a company's Altinn items come from: three providers of the protocol layer's ``Transport``.

``res.company.altinn_transport`` picks one (``provider_for``); the fetch service, the wizard and the
scheduled fetch only talk to the provider, never to a transport class. A new way in is one module here
and one registration below.
"""

from .altinn2 import Altinn2Provider
from .altinn3 import Altinn3Provider
from .base import AltinnAccess, Provider
from .upload import UploadProvider

PROVIDERS = {provider.code: provider for provider in (Altinn3Provider(), Altinn2Provider(), UploadProvider())}


def provider_for(company):
    """The provider of ``company``'s transport (Altinn 3 when none is chosen)."""
    return PROVIDERS[company.altinn_transport or Altinn3Provider.code]


__all__ = ["PROVIDERS", "AltinnAccess", "Provider", "provider_for"]
