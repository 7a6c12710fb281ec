"""The management-API client and its typed, immutable results."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import timedelta
from types import TracebackType
from typing import Any, TypeVar, Union

from . import _native
from ._errors import InvalidArgumentError, InvalidArgumentTypeError

__all__ = ["Client", "Domain", "NewSigningKey", "SigningKey", "TlsSubscription"]

DEFAULT_API_URL: str = _native.DEFAULT_API_URL
DEFAULT_AUTH_URL: str = _native.DEFAULT_AUTH_URL

_T = TypeVar("_T", bound="_Result")


@dataclasses.dataclass(frozen=True)
class _Result:
    """Common behaviour: built from the API's document, unknown fields kept in ``extra``."""

    @classmethod
    def _from_api(cls: type[_T], doc: dict[str, Any]) -> _T:
        names = {f.name for f in dataclasses.fields(cls) if f.name != "extra"}
        known = {k: v for k, v in doc.items() if k in names}
        extra = {k: v for k, v in doc.items() if k not in names}
        return cls(**known, extra=extra)  # type: ignore[call-arg]  # every subclass has `extra`

    def to_dict(self) -> dict[str, Any]:
        """The API's document: every field, unknown ones (``extra``) included."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "extra"}
        out.update(getattr(self, "extra", {}))
        return out


@dataclasses.dataclass(frozen=True)
class Domain(_Result):
    """A custom playback domain."""

    id: str
    domain_name: str
    type: str
    created: str | None = None
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class TlsSubscription(_Result):
    """A managed TLS certificate subscription for a domain."""

    id: str
    domain_id: str
    status: str
    created: str | None = None
    message: str | None = None
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class SigningKey(_Result):
    """A signing key as listed (without its private key). ``id`` is the tokens' ``kid``."""

    id: str
    name: str | None = None
    created: str | None = None
    stream_id: str | None = None
    domain_id: str | None = None
    bucket_name: str | None = None
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class NewSigningKey(_Result):
    """A signing key just created: the only time the API returns its private key.

    ``repr()`` shows the private key as ``'<redacted>'``; ``to_dict()`` includes
    it (it is the API's document). Store it somewhere safe.
    """

    id: str
    private_key: str = dataclasses.field(repr=False)
    name: str | None = None
    created: str | None = None
    stream_id: str | None = None
    domain_id: str | None = None
    bucket_name: str | None = None
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self) if f.name != "private_key"
        )
        return f"NewSigningKey({fields}, private_key='<redacted>')"

    def signer(self) -> _native.Signer:
        """A :class:`Signer` for this key (``kid`` = the key's id)."""
        return _native.Signer(self.id, self.private_key)

    def signing_key(self) -> SigningKey:
        """The key's public fields."""
        return SigningKey._from_api({k: v for k, v in self.to_dict().items() if k != "private_key"})


_Seconds = Union[float, timedelta]


class Client:
    """A blocking client of the Qencode Content Delivery management API.

    One client per API key; safe to share between threads. The access token is
    fetched, cached and renewed by the core; retries with backoff on
    connection errors, 429 and 502/503/504 for requests safe to repeat. The
    GIL is released during every request. Also a context manager.

    Options (keyword-only, read by the core as in every language):
    ``api_url`` and ``auth_url`` (the service's by default), ``timeout`` for
    a whole request (default 30 s) and ``connect_timeout`` for the
    connection (default 10 s), in seconds or as a ``timedelta``, and
    ``max_retries`` (default 3, at most 10). ``None`` keeps the default.
    The API key never appears in ``repr()`` or in an exception.
    """

    def __init__(
        self,
        api_key: str,
        *,
        api_url: str | None = DEFAULT_API_URL,
        auth_url: str | None = DEFAULT_AUTH_URL,
        timeout: _Seconds | None = None,
        connect_timeout: _Seconds | None = None,
        max_retries: int | None = None,
    ) -> None:
        if not isinstance(api_key, str):
            raise InvalidArgumentTypeError(f"INVALID_ARGUMENT: api_key must be a str, got `{type(api_key).__name__}`")
        options = {
            "api_url": api_url,
            "auth_url": auth_url,
            "timeout": timeout,
            "connect_timeout": connect_timeout,
            "max_retries": max_retries,
        }
        self._native: _native.NativeClient | None = _native.NativeClient(api_key, options)

    @classmethod
    def from_env(
        cls,
        *,
        api_url: str | None = DEFAULT_API_URL,
        auth_url: str | None = DEFAULT_AUTH_URL,
        timeout: _Seconds | None = None,
        connect_timeout: _Seconds | None = None,
        max_retries: int | None = None,
    ) -> Client:
        """A client for the API key in the ``QENCODE_API_KEY`` environment variable
        (trimmed; unset or blank is an :class:`InvalidArgumentError` naming the
        variable), with the options of the constructor on top."""
        options = {
            "api_url": api_url,
            "auth_url": auth_url,
            "timeout": timeout,
            "connect_timeout": connect_timeout,
            "max_retries": max_retries,
        }
        client = cls.__new__(cls)
        client._native = _native.NativeClient.from_env(options)
        return client

    @property
    def _c(self) -> _native.NativeClient:
        if self._native is None:
            raise InvalidArgumentError("INVALID_ARGUMENT: the client is closed")
        return self._native

    @property
    def api_url(self) -> str:
        """The management API's base URL."""
        return self._c.api_url

    @property
    def auth_url(self) -> str:
        """The access-token endpoint's base URL."""
        return self._c.auth_url

    def close(self) -> None:
        """Releases the client; later calls raise :class:`InvalidArgumentError`."""
        self._native = None

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._native is None:
            return "Client(closed)"
        return f"Client(api_url={self._native.api_url!r}, auth_url={self._native.auth_url!r})"

    # Domains
    def create_domain(self, domain_name: str, type: str) -> Domain:
        """Adds a custom playback domain; ``type`` is ``"live"`` or ``"storage"``."""
        return Domain._from_api(self._c.create_domain(domain_name, type))

    def get_domain(self, domain_id: str) -> Domain:
        """One domain by id."""
        return Domain._from_api(self._c.get_domain(domain_id))

    def list_domains(self, type: str | None = None) -> list[Domain]:
        """Every domain, or those of one ``type`` (``"live"`` / ``"storage"``)."""
        return [Domain._from_api(d) for d in self._c.list_domains(type)]

    def delete_domain(self, domain_id: str) -> None:
        """Deletes a domain."""
        self._c.delete_domain(domain_id)

    # TLS subscriptions
    def create_tls_subscription(self, domain_id: str) -> TlsSubscription:
        """Orders a managed TLS certificate for a domain."""
        return TlsSubscription._from_api(self._c.create_tls_subscription(domain_id))

    def get_tls_subscription(self, subscription_id: str) -> TlsSubscription:
        """One TLS subscription by id."""
        return TlsSubscription._from_api(self._c.get_tls_subscription(subscription_id))

    def list_tls_subscriptions(self) -> list[TlsSubscription]:
        """Every TLS subscription."""
        return [TlsSubscription._from_api(t) for t in self._c.list_tls_subscriptions()]

    def delete_tls_subscription(self, subscription_id: str) -> None:
        """Deletes a TLS subscription."""
        self._c.delete_tls_subscription(subscription_id)

    # Signing keys
    def create_signing_key(
        self, *, stream: str | None = None, domain: str | None = None, bucket: str | None = None
    ) -> NewSigningKey:
        """Creates a signing key for exactly one of a live stream (``stream=`` its id),
        a playback domain (``domain=`` its id) or a bucket (``bucket=`` its name).

        The result holds the private key; the API never returns it again.
        """
        return NewSigningKey._from_api(self._c.create_signing_key(stream=stream, domain=domain, bucket=bucket))

    def get_signing_key(self, key_id: str) -> SigningKey:
        """One signing key by id (without its private key)."""
        return SigningKey._from_api(self._c.get_signing_key(key_id))

    def list_signing_keys(self) -> list[SigningKey]:
        """Every signing key (without private keys)."""
        return [SigningKey._from_api(k) for k in self._c.list_signing_keys()]

    def rename_signing_key(self, key_id: str, name: str) -> SigningKey:
        """Gives a signing key a name for people."""
        return SigningKey._from_api(self._c.rename_signing_key(key_id, name))

    def delete_signing_key(self, key_id: str) -> None:
        """Deletes a signing key: tokens signed with it stop working."""
        self._c.delete_signing_key(key_id)

    # Buckets
    def set_bucket_policy(self, bucket: str, policy: str) -> None:
        """Sets a bucket's access policy: ``"public"`` or ``"authenticated"`` (signed tokens required)."""
        self._c.set_bucket_policy(bucket, policy)

    def set_bucket_cors(self, bucket: str, cors: Mapping[str, str]) -> None:
        """Sets a bucket's CORS response headers (header name → value)."""
        self._c.set_bucket_cors(bucket, dict(cors))

    def get_bucket_cors(self, bucket: str) -> dict[str, str]:
        """A bucket's CORS response headers."""
        return self._c.get_bucket_cors(bucket)

    def delete_bucket_cors(self, bucket: str) -> None:
        """Removes every CORS header of a bucket."""
        self._c.delete_bucket_cors(bucket)

    def delete_bucket_cors_header(self, bucket: str, header: str) -> None:
        """Removes one CORS header of a bucket."""
        self._c.delete_bucket_cors_header(bucket, header)

    def purge_bucket_cache(self, bucket: str) -> None:
        """Purges the CDN cache of a whole bucket."""
        self._c.purge_bucket_cache(bucket)

    def purge_object_cache(self, bucket: str, path: str) -> None:
        """Purges the CDN cache of one object path."""
        self._c.purge_object_cache(bucket, path)
