"""Where Maskinporten and the Altinn 3 platform live, per environment.

TT02 pairs with Maskinporten "test", production with Maskinporten production. ``local(url)``
points everything at one base URL (the emulator serves the production paths).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Altinn3Environment:
    name: str
    #: Maskinporten issuer; also the ``aud`` of the grant (with the trailing slash).
    maskinporten_issuer: str
    maskinporten_token_url: str
    #: ``{platform}``: /authentication, /dialogporten, /correspondence, /storage live below it.
    platform_url: str

    def platform(self, path: str) -> str:
        return self.platform_url.rstrip("/") + "/" + path.lstrip("/")

    @property
    def metadata_url(self) -> str:
        return self.maskinporten_issuer.rstrip("/") + "/.well-known/oauth-authorization-server"


TEST = Altinn3Environment(
    name="test",
    maskinporten_issuer="https://test.maskinporten.no/",
    maskinporten_token_url="https://test.maskinporten.no/token",
    platform_url="https://platform.tt02.altinn.no",
)
PRODUCTION = Altinn3Environment(
    name="production",
    maskinporten_issuer="https://maskinporten.no/",
    maskinporten_token_url="https://maskinporten.no/token",
    platform_url="https://platform.altinn.no",
)
ENVIRONMENTS = {"test": TEST, "tt02": TEST, "production": PRODUCTION, "prod": PRODUCTION}


def local(base_url: str, platform_url: str | None = None) -> Altinn3Environment:
    """Everything under one base URL (the emulator), or Maskinporten and platform apart."""
    base = base_url.rstrip("/")
    return Altinn3Environment(
        name="local",
        maskinporten_issuer=base + "/",
        maskinporten_token_url=base + "/token",
        platform_url=(platform_url or base).rstrip("/"),
    )


def environment(
    name: str = "test", *, maskinporten_url: str | None = None, platform_url: str | None = None
) -> Altinn3Environment:
    """The named environment ("test"/"tt02", "production"/"prod"), with optional URL overrides.

    ``maskinporten_url`` is the issuer base (``https://host/``); its token endpoint is ``<base>/token``.
    With name "local" both URLs are taken from the overrides.
    """
    key = (name or "test").strip().lower()
    if key == "local":
        if not (maskinporten_url or platform_url):
            raise ValueError("The local environment needs a Maskinporten or platform URL")
        return local(maskinporten_url or platform_url, platform_url)
    if key not in ENVIRONMENTS:
        raise ValueError(f"Unknown Altinn 3 environment {name!r}; use test, production or local")
    env = ENVIRONMENTS[key]
    if maskinporten_url:
        base = maskinporten_url.rstrip("/")
        env = Altinn3Environment(env.name, base + "/", base + "/token", env.platform_url)
    if platform_url:
        env = Altinn3Environment(
            env.name, env.maskinporten_issuer, env.maskinporten_token_url, platform_url.rstrip("/")
        )
    return env
