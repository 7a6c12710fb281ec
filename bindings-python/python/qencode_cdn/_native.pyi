"""Type stubs of the native module ``qencode_cdn._native`` (import ``qencode_cdn`` instead)."""

from datetime import datetime, timedelta
from typing import Any, final

__all__ = [
    "COOKIE_NAME",
    "DEFAULT_API_URL",
    "DEFAULT_AUTH_URL",
    "DEFAULT_EXPIRES_IN",
    "Check",
    "Explanation",
    "NativeClient",
    "NativeEmulator",
    "Resource",
    "SignedCookie",
    "Signer",
    "Verifier",
    "__version__",
    "_bench_core_sign",
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
DEFAULT_API_URL: str
DEFAULT_AUTH_URL: str

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
        leeway: int | timedelta = 0,
        resource: Resource | None = None,
        now: int | datetime | None = None,
    ) -> dict[str, Any]: ...
    def explain(
        self,
        url: str,
        *,
        kid: str | None = None,
        leeway: int | timedelta = 0,
        now: int | datetime | None = None,
    ) -> Explanation: ...

@final
class NativeClient:
    """The native client (use ``qencode_cdn.Client``)."""

    def __new__(
        cls,
        api_key: str,
        *,
        api_url: str | None = None,
        auth_url: str | None = None,
        timeout: float | timedelta | None = None,
        connect_timeout: float | timedelta | None = None,
        max_retries: int | None = None,
    ) -> NativeClient: ...
    @property
    def api_url(self) -> str: ...
    @property
    def auth_url(self) -> str: ...
    @property
    def user_agent(self) -> str: ...
    def create_domain(self, domain_name: str, type: str) -> dict[str, Any]: ...
    def get_domain(self, domain_id: str) -> dict[str, Any]: ...
    def list_domains(self, type: str | None = None) -> list[dict[str, Any]]: ...
    def delete_domain(self, domain_id: str) -> None: ...
    def create_tls_subscription(self, domain_id: str) -> dict[str, Any]: ...
    def get_tls_subscription(self, subscription_id: str) -> dict[str, Any]: ...
    def list_tls_subscriptions(self) -> list[dict[str, Any]]: ...
    def delete_tls_subscription(self, subscription_id: str) -> None: ...
    def create_signing_key(
        self, *, stream_id: str | None = None, domain_id: str | None = None, bucket_name: str | None = None
    ) -> dict[str, Any]: ...
    def get_signing_key(self, key_id: str) -> dict[str, Any]: ...
    def list_signing_keys(self) -> list[dict[str, Any]]: ...
    def rename_signing_key(self, key_id: str, name: str) -> dict[str, Any]: ...
    def delete_signing_key(self, key_id: str) -> None: ...
    def set_bucket_policy(self, bucket_name: str, policy: str) -> None: ...
    def set_bucket_cors(self, bucket_name: str, cors: dict[str, str]) -> None: ...
    def get_bucket_cors(self, bucket_name: str) -> dict[str, str]: ...
    def delete_bucket_cors(self, bucket_name: str) -> None: ...
    def delete_bucket_cors_header(self, bucket_name: str, header: str) -> None: ...
    def purge_bucket_cache(self, bucket_name: str) -> None: ...
    def purge_object_cache(self, bucket_name: str, path: str) -> None: ...

@final
class NativeEmulator:
    """The native emulator (use ``qencode_cdn.testing.Emulator``)."""

    def __new__(
        cls,
        *,
        api_keys: list[str] | None = None,
        signing_key_bits: int = 2048,
        token_lifetime: float | timedelta | None = None,
        max_domains: int = 20,
    ) -> NativeEmulator: ...
    @property
    def url(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def running(self) -> bool: ...
    def add_stream(self, stream_id: str, playback_id: str) -> None: ...
    def add_object(self, bucket: str, key: str, body: bytes | str) -> None: ...
    def map_storage_domain(self, domain: str, bucket: str) -> None: ...
    def inject_fault(
        self,
        route: str,
        kind: str,
        *,
        times: int = 1,
        status: int | None = None,
        retry_after: int | None = None,
        delay: float | timedelta | None = None,
    ) -> None: ...
    def counters(self) -> dict[str, Any]: ...
    def reset(self) -> None: ...
    def fetch(self, url: str, cookie: str | None = None) -> tuple[int, str | None, bytes]: ...
    def stop(self) -> None: ...

def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]: ...
def live_playback_url(playback_id: str, *, token: str | None = None) -> str: ...
def live_custom_domain_url(domain: str, playback_id: str, *, token: str | None = None) -> str: ...
def storage_url(bucket: str, region: str, key: str, *, token: str | None = None) -> str: ...
def storage_custom_domain_url(domain: str, key: str, *, token: str | None = None) -> str: ...
def with_token(url: str, token: str) -> str: ...
def _bench_core_sign(signer: Signer, uri: str, iterations: int) -> float: ...
def _error_table() -> list[tuple[str, str]]: ...
def _raise_error_for_tests(
    code: str, message: str, status: int | None = None, retry_after: int | None = None
) -> None: ...
def _raise_panic_for_tests() -> None: ...
