"""Test your own code against a local Qencode emulator, without mocks.

>>> from qencode_cdn import Client
>>> from qencode_cdn.testing import Emulator
>>> with Emulator() as emu:
...     client = emu.client()
...     client.create_domain("live.example.com", "live").type
'live'

The emulator is a real HTTP server on loopback, in this process: the
access-token endpoint, every management endpoint with in-memory state, the
playback edge (selected by the ``Host`` header) that serves a stream or an
object only when the token is valid, plus helpers to add fixtures and inject
faults.
"""

from __future__ import annotations

from datetime import timedelta
from types import TracebackType
from typing import Any, NamedTuple

from . import _native
from ._client import Client
from ._errors import InvalidArgumentError, InvalidArgumentTypeError

__all__ = ["EdgeResponse", "Emulator"]


class EdgeResponse(NamedTuple):
    """The emulated edge's answer to :meth:`Emulator.fetch`."""

    status: int
    """HTTP status (200 served, 403 refused, 404 unknown)."""
    reason: str | None
    """Why the edge refused (the ``X-Qencode-Emulator-Reason`` header)."""
    body: bytes
    """The body."""


class Emulator:
    """A running emulator of the API and the playback edge (a context manager).

    ``url`` is both the client's ``api_url`` and ``auth_url``; ``api_key`` is
    an accepted API key. Signing keys it creates are real RSA keys of
    ``signing_key_bits`` bits (2048 by default, to keep tests fast).
    """

    def __init__(
        self,
        *,
        api_keys: list[str] | None = None,
        signing_key_bits: int = 2048,
        token_lifetime: float | timedelta | None = None,
        max_domains: int = 20,
    ) -> None:
        self._native = _native.NativeEmulator(
            api_keys=api_keys,
            signing_key_bits=signing_key_bits,
            token_lifetime=token_lifetime,
            max_domains=max_domains,
        )

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self._native.url

    @property
    def api_key(self) -> str:
        """The first accepted API key."""
        return self._native.api_key

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self._native.port

    @property
    def running(self) -> bool:
        """False once stopped."""
        return self._native.running

    def client(self, **kwargs: Any) -> Client:
        """A :class:`~qencode_cdn.Client` pointed at this emulator with its API key."""
        kwargs.setdefault("api_url", self.url)
        kwargs.setdefault("auth_url", self.url)
        return Client(kwargs.pop("api_key", self.api_key), **kwargs)

    def add_stream(self, stream_id: str, playback_id: str) -> None:
        """Adds a live stream: signing keys name ``stream_id``, playback URLs ``playback_id``."""
        self._native.add_stream(stream_id, playback_id)

    def add_object(self, bucket: str, key: str, body: bytes | str) -> None:
        """Stores an object in a bucket."""
        self._native.add_object(bucket, key, body)

    def map_storage_domain(self, domain: str, bucket: str) -> None:
        """Says which bucket a storage custom domain serves."""
        self._native.map_storage_domain(domain, bucket)

    def load_fixtures(self) -> dict[str, Any]:
        """Loads the demo fixtures of ``qcdn emulator --with-fixtures``: the live
        stream ``demo-playback-id`` (real HLS), bucket ``demo-bucket`` (us-west,
        authenticated) holding the HLS and DASH folder ``videos/intro/``, custom
        domain ``media.example.com``. Returns ``stream_key_id``,
        ``stream_private_key``, ``bucket_key_id``, ``bucket_private_key``,
        ``domain_id``, ``keys`` and ``urls`` (name to unsigned URL)."""
        return self._native.load_fixtures()

    def inject_fault(
        self,
        route: str,
        kind: str,
        *,
        times: int | None = None,
        status: int | None = None,
        retry_after: int | None = None,
        delay_ms: int | None = None,
        delay: float | timedelta | None = None,
    ) -> None:
        """Makes the next ``times`` (default 1) requests matching ``route`` fail.

        ``route`` is ``"*"`` or ``"METHOD /path"`` (``*`` matches one segment,
        e.g. ``"GET /v1/domains/*"``). ``kind``: ``"status"`` (with
        ``status=`` and optional ``retry_after=`` seconds), ``"delay"`` (with
        ``delay_ms=``, or ``delay=`` in seconds or as a ``timedelta``),
        ``"drop"``, ``"truncate"`` or ``"not_json"``. The fault is read by the
        emulator's own parser, as its admin API reads one; a bad fault is an
        :class:`~qencode_cdn.InvalidArgumentError`.
        """
        if delay is not None:
            if delay_ms is not None:
                raise InvalidArgumentError("INVALID_ARGUMENT: give delay= or delay_ms=, not both")
            delay_ms = _milliseconds(delay)
        fault = {
            "route": route,
            "kind": kind,
            "times": times,
            "status": status,
            "retry_after": retry_after,
            "delay_ms": delay_ms,
        }
        self._native.inject_fault(fault)

    def clear_faults(self) -> None:
        """Removes every injected fault that has not fired yet (state and counters stay)."""
        self._native.clear_faults()

    def counters(self) -> dict[str, Any]:
        """Requests per route pattern, access-token requests, connections."""
        return self._native.counters()

    def reset(self) -> None:
        """Forgets every domain, key, bucket, stream, fault and counter."""
        self._native.reset()

    def fetch(self, url: str, cookie: str | None = None) -> EdgeResponse:
        """GETs a playback or storage URL (any of the four forms) from the emulated edge.

        ``cookie`` is a token or a ``Qencode-Auth-Token=…`` cookie.
        """
        status, reason, body = self._native.fetch(url, cookie)
        return EdgeResponse(status, reason, body)

    def stop(self) -> None:
        """Stops the server and frees the port."""
        self._native.stop()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Emulator(url={self.url!r}, running={self.running})"


def _milliseconds(delay: float | timedelta) -> int:
    """``delay=`` (seconds or a ``timedelta``) as whole milliseconds (rounded down)."""
    if isinstance(delay, bool) or not isinstance(delay, (int, float, timedelta)):
        raise InvalidArgumentTypeError(
            f"INVALID_ARGUMENT: delay must be seconds or a timedelta, got `{type(delay).__name__}`"
        )
    try:
        span = delay if isinstance(delay, timedelta) else timedelta(seconds=delay)
    except (OverflowError, ValueError) as e:
        raise InvalidArgumentError(f"INVALID_ARGUMENT: delay is out of range: {e}") from None
    return span // timedelta(milliseconds=1)
