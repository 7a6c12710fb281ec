"""Type stubs of the native module ``qencode_cdn._native`` (import ``qencode_cdn`` instead)."""

from datetime import datetime, timedelta
from typing import Any, final

__all__ = [
    "COOKIE_NAME",
    "DEFAULT_EXPIRES_IN",
    "Check",
    "Explanation",
    "Resource",
    "SignedCookie",
    "Signer",
    "Verifier",
    "__version__",
    "_error_table",
    "_raise_error_for_tests",
    "_raise_panic_for_tests",
    "decode_unverified",
    "live_custom_domain_url",
    "live_playback_url",
    "storage_custom_domain_url",
    "storage_url",
    "with_token",
]

__version__: str
DEFAULT_EXPIRES_IN: int
COOKIE_NAME: str

_Json = Any

@final
class Signer:
    """A signing key loaded once, used for many RS256 tokens."""

    def __new__(cls, key_id: str, private_key: str | bytes | bytearray) -> Signer: ...
    @staticmethod
    def from_file(key_id: str, path: str | Any) -> Signer: ...
    @staticmethod
    def from_env(key_id: str, var: str = "QENCODE_SIGNING_KEY") -> Signer: ...
    @property
    def key_id(self) -> str: ...
    @property
    def key_bits(self) -> int: ...
    def public_key_pem(self) -> str: ...
    def public_key_jwk(self) -> str: ...
    def sign(
        self,
        uri: str,
        *,
        expires_in: int | timedelta = 3600,
        expires_at: int | datetime | None = None,
        not_before: int | datetime | None = None,
        claims: dict[str, _Json] | None = None,
        never_expires: bool = False,
        now: int | datetime | None = None,
    ) -> str: ...
    def signed_live_url(
        self,
        playback_id: str,
        *,
        expires_in: int | timedelta = 3600,
        expires_at: int | datetime | None = None,
        not_before: int | datetime | None = None,
        claims: dict[str, _Json] | None = None,
        never_expires: bool = False,
        now: int | datetime | None = None,
    ) -> str: ...
    def signed_live_custom_domain_url(
        self,
        domain: str,
        playback_id: str,
        *,
        expires_in: int | timedelta = 3600,
        expires_at: int | datetime | None = None,
        not_before: int | datetime | None = None,
        claims: dict[str, _Json] | None = None,
        never_expires: bool = False,
        now: int | datetime | None = None,
    ) -> str: ...
    def signed_storage_url(
        self,
        bucket: str,
        region: str,
        key: str,
        *,
        expires_in: int | timedelta = 3600,
        expires_at: int | datetime | None = None,
        not_before: int | datetime | None = None,
        claims: dict[str, _Json] | None = None,
        never_expires: bool = False,
        now: int | datetime | None = None,
    ) -> str: ...
    def signed_storage_custom_domain_url(
        self,
        domain: str,
        key: str,
        *,
        expires_in: int | timedelta = 3600,
        expires_at: int | datetime | None = None,
        not_before: int | datetime | None = None,
        claims: dict[str, _Json] | None = None,
        never_expires: bool = False,
        now: int | datetime | None = None,
    ) -> str: ...
    def sign_url(
        self,
        url: str,
        uri: str,
        *,
        expires_in: int | timedelta = 3600,
        expires_at: int | datetime | None = None,
        not_before: int | datetime | None = None,
        claims: dict[str, _Json] | None = None,
        never_expires: bool = False,
        now: int | datetime | None = None,
    ) -> str: ...
    def signed_cookie(
        self,
        uri: str,
        *,
        domain: str | None = None,
        path: str | None = None,
        same_site: str = "Lax",
        secure: bool = True,
        http_only: bool = True,
        expires_in: int | timedelta = 3600,
        expires_at: int | datetime | None = None,
        not_before: int | datetime | None = None,
        claims: dict[str, _Json] | None = None,
        never_expires: bool = False,
        now: int | datetime | None = None,
    ) -> SignedCookie: ...

@final
class SignedCookie:
    """A signed ``Qencode-Auth-Token`` cookie; ``str(cookie)`` is a ``Set-Cookie`` value."""

    @property
    def name(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def domain(self) -> str | None: ...
    @property
    def path(self) -> str: ...
    @property
    def max_age(self) -> int | None: ...
    @property
    def secure(self) -> bool: ...
    @property
    def http_only(self) -> bool: ...
    @property
    def same_site(self) -> str: ...
    def header_value(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Resource:
    """A live stream or a storage object, compared with a token's ``uri``."""

    @staticmethod
    def live(playback_id: str) -> Resource: ...
    @staticmethod
    def storage(key: str) -> Resource: ...
    @property
    def kind(self) -> str: ...
    @property
    def playback_id(self) -> str | None: ...
    @property
    def key(self) -> str | None: ...
    def is_covered_by(self, uri: str) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Check:
    """One check of a verification, passed or failed, in words."""

    @property
    def name(self) -> str: ...
    @property
    def passed(self) -> bool: ...
    @property
    def detail(self) -> str: ...

@final
class Explanation:
    """The verdict on a signed URL: every check, passed or failed."""

    @property
    def ok(self) -> bool: ...
    @property
    def url(self) -> str: ...
    @property
    def form(self) -> str | None: ...
    @property
    def resource(self) -> Resource | None: ...
    @property
    def key_id(self) -> str | None: ...
    @property
    def claims(self) -> dict[str, Any] | None: ...
    @property
    def checks(self) -> list[Check]: ...
    @property
    def first_failure(self) -> Check | None: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Verifier:
    """Checks RS256 tokens against one public key."""

    def __new__(cls, public_key: str | bytes | bytearray, *, key_id: str | None = None) -> Verifier: ...
    @staticmethod
    def from_signer(signer: Signer) -> Verifier: ...
    @staticmethod
    def from_jwk(jwk: str) -> Verifier: ...
    @property
    def key_id(self) -> str | None: ...
    def public_key_pem(self) -> str: ...
    def verify(
        self,
        token: str,
        *,
        kid: str | None = None,
        leeway: int | timedelta | None = None,
        resource: Resource | None = None,
        now: int | datetime | None = None,
    ) -> dict[str, Any]: ...
    def explain(
        self,
        url: str,
        *,
        kid: str | None = None,
        leeway: int | timedelta | None = None,
        now: int | datetime | None = None,
    ) -> Explanation: ...

def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]: ...
def live_playback_url(playback_id: str, *, token: str | None = None) -> str: ...
def live_custom_domain_url(domain: str, playback_id: str, *, token: str | None = None) -> str: ...
def storage_url(bucket: str, region: str, key: str, *, token: str | None = None) -> str: ...
def storage_custom_domain_url(domain: str, key: str, *, token: str | None = None) -> str: ...
def with_token(url: str, token: str) -> str: ...
def _error_table() -> list[tuple[str, str]]: ...
def _raise_error_for_tests(
    code: str, message: str, status: int | None = None, retry_after: int | None = None
) -> None: ...
def _raise_panic_for_tests() -> None: ...
