"""Type stubs of the native module ``qencode_cdn._native`` (import ``qencode_cdn`` instead)."""

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, final

from ._errors import QencodeError

__all__ = [
    "COOKIE_NAME",
    "DEFAULT_API_URL",
    "DEFAULT_AUTH_URL",
    "DEFAULT_EXPIRES_IN",
    "DEFAULT_SIGNER_TIMEOUT",
    "AuditWarning",
    "Check",
    "Explanation",
    "NativeClient",
    "NativeEmulator",
    "PreparedToken",
    "Resource",
    "SignResult",
    "SignedCookie",
    "Signer",
    "Verifier",
    "__version__",
    "_bench_core_sign",
    "_error_table",
    "_raise_error_for_tests",
    "_raise_panic_for_tests",
    "audit",
    "check_stream",
    "decode_unverified",
    "live_custom_domain_url",
    "live_playback_url",
    "storage_custom_domain_url",
    "storage_url",
    "stream_coverage",
    "with_token",
]

__version__: str
DEFAULT_EXPIRES_IN: int
COOKIE_NAME: str
DEFAULT_API_URL: str
DEFAULT_AUTH_URL: str
DEFAULT_SIGNER_TIMEOUT: int

_Json = Any
_Key = str | bytes | bytearray
_Seconds = float | timedelta
# One item of ``Signer.sign_many``: a uri, ``(uri,)`` or ``(uri, options)``.
_BatchItem = str | Sequence[Any]

@final
class Signer:
    """A signing key loaded once, used for many RS256 tokens."""

    def __new__(cls, key_id: str, private_key: str | bytes | bytearray) -> Signer: ...
    @staticmethod
    def from_file(key_id: str, path: str | os.PathLike[str]) -> Signer: ...
    @staticmethod
    def from_env(key_id: str | None = None) -> Signer: ...
    @staticmethod
    def external(
        key_id: str,
        public_key: _Key,
        sign: Callable[[bytes], bytes | bytearray | memoryview],
        *,
        timeout: _Seconds = ...,
        name: str | None = None,
    ) -> Signer: ...
    @staticmethod
    def from_pkcs11(
        module: str | os.PathLike[str], token_label: str, key_label: str, pin: str, key_id: str
    ) -> Signer: ...
    def cached(self, window: _Seconds, *, capacity: int | None = None, cache_pinned_clock: bool = False) -> Signer: ...
    @property
    def cached_tokens(self) -> int: ...
    @property
    def cache_window(self) -> int | None: ...
    @property
    def is_external(self) -> bool: ...
    def sign_many(self, items: Iterable[_BatchItem], *, threads: int | None = None) -> list[SignResult]: ...
    def prepare(
        self,
        uri: str,
        *,
        expires_in: int | timedelta = ...,
        expires_at: int | datetime = ...,
        not_before: int | datetime | None = ...,
        claims: Mapping[str, _Json] | None = ...,
        never_expires: bool = ...,
        now: int | datetime | None = ...,
    ) -> PreparedToken: ...
    @property
    def key_id(self) -> str: ...
    @property
    def key_bits(self) -> int: ...
    def public_key_pem(self) -> str: ...
    def public_key_jwk(self) -> str: ...
    def audit(self, token: str) -> list[AuditWarning]: ...
    def sign(
        self,
        uri: str,
        *,
        expires_in: int | timedelta = ...,
        expires_at: int | datetime = ...,
        not_before: int | datetime | None = ...,
        claims: Mapping[str, _Json] | None = ...,
        never_expires: bool = ...,
        now: int | datetime | None = ...,
    ) -> str: ...
    def signed_live_url(
        self,
        playback_id: str,
        *,
        expires_in: int | timedelta = ...,
        expires_at: int | datetime = ...,
        not_before: int | datetime | None = ...,
        claims: Mapping[str, _Json] | None = ...,
        never_expires: bool = ...,
        now: int | datetime | None = ...,
    ) -> str: ...
    def signed_live_custom_domain_url(
        self,
        domain: str,
        playback_id: str,
        *,
        expires_in: int | timedelta = ...,
        expires_at: int | datetime = ...,
        not_before: int | datetime | None = ...,
        claims: Mapping[str, _Json] | None = ...,
        never_expires: bool = ...,
        now: int | datetime | None = ...,
    ) -> str: ...
    def signed_storage_url(
        self,
        bucket: str,
        region: str,
        key: str,
        *,
        expires_in: int | timedelta = ...,
        expires_at: int | datetime = ...,
        not_before: int | datetime | None = ...,
        claims: Mapping[str, _Json] | None = ...,
        never_expires: bool = ...,
        now: int | datetime | None = ...,
    ) -> str: ...
    def signed_storage_custom_domain_url(
        self,
        domain: str,
        key: str,
        *,
        expires_in: int | timedelta = ...,
        expires_at: int | datetime = ...,
        not_before: int | datetime | None = ...,
        claims: Mapping[str, _Json] | None = ...,
        never_expires: bool = ...,
        now: int | datetime | None = ...,
    ) -> str: ...
    def sign_url(
        self,
        url: str,
        uri: str,
        *,
        expires_in: int | timedelta = ...,
        expires_at: int | datetime = ...,
        not_before: int | datetime | None = ...,
        claims: Mapping[str, _Json] | None = ...,
        never_expires: bool = ...,
        now: int | datetime | None = ...,
    ) -> str: ...
    def signed_cookie(
        self,
        uri: str,
        *,
        domain: str | None = ...,
        path: str | None = ...,
        same_site: str | None = ...,
        secure: bool = ...,
        http_only: bool = ...,
        expires_in: int | timedelta = ...,
        expires_at: int | datetime = ...,
        not_before: int | datetime | None = ...,
        claims: Mapping[str, _Json] | None = ...,
        never_expires: bool = ...,
        now: int | datetime | None = ...,
    ) -> SignedCookie: ...

@final
class SignResult:
    """One item of ``Signer.sign_many``: a token, or the error that item got."""

    @property
    def ok(self) -> bool: ...
    @property
    def token(self) -> str: ...
    @property
    def error(self) -> QencodeError | None: ...

@final
class PreparedToken:
    """A token waiting for its signature (``Signer.prepare``)."""

    @property
    def signing_input(self) -> bytes: ...
    def finish(self, signature: bytes | bytearray | memoryview) -> str: ...

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
    def to_dict(self) -> dict[str, str]: ...
    def __hash__(self) -> int: ...

@final
class AuditWarning:
    """One thing a token grants that may be more than meant."""

    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    def to_dict(self) -> dict[str, str]: ...

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
    def warnings(self) -> list[AuditWarning]: ...
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
    def from_jwk(jwk: str | bytes | dict[str, Any]) -> Verifier: ...
    @staticmethod
    def from_jwks(jwks: str | bytes | dict[str, Any]) -> Verifier: ...
    @staticmethod
    def from_keys(keys: Mapping[str, _Key] | Iterable[tuple[str, _Key]]) -> Verifier: ...
    @property
    def key_id(self) -> str | None: ...
    @property
    def key_ids(self) -> list[str]: ...
    def jwks(self) -> dict[str, Any]: ...
    def public_key_pem(self) -> str: ...
    def audit(self, token: str) -> list[AuditWarning]: ...
    def verify(
        self,
        token: str,
        *,
        key_id: str | None = ...,
        leeway: int | timedelta | None = ...,
        resource: Resource | Mapping[str, str] | None = ...,
        now: int | datetime | None = ...,
    ) -> dict[str, Any]: ...
    def explain(
        self,
        url: str,
        *,
        key_id: str | None = ...,
        leeway: int | timedelta | None = ...,
        now: int | datetime | None = ...,
    ) -> Explanation: ...
    def explain_token(
        self,
        token: str,
        *,
        key_id: str | None = ...,
        leeway: int | timedelta | None = ...,
        resource: Resource | Mapping[str, str] | None = ...,
        now: int | datetime | None = ...,
    ) -> Explanation: ...

@final
class NativeClient:
    """The native client (use ``qencode_cdn.Client``)."""

    def __new__(cls, api_key: str, options: dict[str, Any]) -> NativeClient: ...
    @staticmethod
    def from_env(options: dict[str, Any]) -> NativeClient: ...
    @property
    def api_url(self) -> str: ...
    @property
    def auth_url(self) -> str: ...
    @property
    def deadline(self) -> float: ...
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
        self, *, stream: str | None = None, domain: str | None = None, bucket: str | None = None
    ) -> dict[str, Any]: ...
    def get_signing_key(self, key_id: str) -> dict[str, Any]: ...
    def list_signing_keys(self) -> list[dict[str, Any]]: ...
    def rename_signing_key(self, key_id: str, name: str) -> dict[str, Any]: ...
    def delete_signing_key(self, key_id: str) -> None: ...
    def set_bucket_policy(self, bucket: str, policy: str) -> None: ...
    def set_bucket_cors(self, bucket: str, cors: dict[str, str]) -> None: ...
    def get_bucket_cors(self, bucket: str) -> dict[str, str]: ...
    def delete_bucket_cors(self, bucket: str) -> None: ...
    def delete_bucket_cors_header(self, bucket: str, header: str) -> None: ...
    def purge_bucket_cache(self, bucket: str) -> None: ...
    def purge_object_cache(self, bucket: str, path: str) -> None: ...

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
    def load_fixtures(self) -> dict[str, Any]: ...
    def inject_fault(self, fault: dict[str, Any]) -> None: ...
    def counters(self) -> dict[str, Any]: ...
    def reset(self) -> None: ...
    def clear_faults(self) -> None: ...
    def fetch(self, url: str, cookie: str | None = None) -> tuple[int, str | None, bytes]: ...
    def stop(self) -> None: ...

def audit(token: str, *, now: int | datetime | None = None) -> list[AuditWarning]: ...
def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]: ...
def live_playback_url(playback_id: str, *, token: str | None = None) -> str: ...
def live_custom_domain_url(domain: str, playback_id: str, *, token: str | None = None) -> str: ...
def storage_url(bucket: str, region: str, key: str, *, token: str | None = None) -> str: ...
def storage_custom_domain_url(domain: str, key: str, *, token: str | None = None) -> str: ...
def with_token(url: str, token: str) -> str: ...
def stream_coverage(
    manifest_url: str,
    manifest_text: str,
    *,
    cookie: str | None = ...,
    segments: int | None = ...,
    stream: str | None = ...,
    now: int | datetime | None = ...,
) -> dict[str, Any]: ...
def check_stream(
    url: str,
    *,
    cookie: str | None = ...,
    segments: int | None = ...,
    stream: str | None = ...,
    now: int | datetime | None = ...,
    connect_to: str | None = ...,
    origin: str | None = ...,
    ca_pem: str | None = ...,
    timeout: int | timedelta | None = ...,
    propagate_token: bool | None = ...,
) -> dict[str, Any]: ...
def _bench_core_sign(signer: Signer, uri: str, iterations: int) -> float: ...
def _error_table() -> list[tuple[str, str]]: ...
def _raise_error_for_tests(
    code: str, message: str, status: int | None = None, retry_after: int | None = None, type_error: bool = False
) -> None: ...
def _raise_panic_for_tests() -> None: ...
