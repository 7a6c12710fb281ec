"""qencode-cdn: Qencode Content Delivery for Python.

RS256 signed playback tokens, playback and storage URLs, signed cookies,
token verification with explanations, and a client of the management API,
all from one Rust core shared with the Rust, C and Node libraries.

>>> from qencode_cdn import live_playback_url
>>> live_playback_url("abc123")
'https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8'
"""

from __future__ import annotations

from ._client import Client, Domain, NewSigningKey, SigningKey, TlsSubscription
from ._errors import (
    ApiError,
    DecodeError,
    InternalError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidKeyError,
    InvalidSignatureError,
    MalformedTokenError,
    NotFoundError,
    QencodeError,
    QencodeTimeoutError,
    RateLimitedError,
    TokenError,
    TokenExpiredError,
    TokenNotYetValidError,
    TransportError,
    UnauthorizedError,
    UnknownKeyIdError,
    UriMismatchError,
)
from ._native import (
    COOKIE_NAME,
    DEFAULT_EXPIRES_IN,
    AuditWarning,
    Check,
    Explanation,
    Resource,
    SignedCookie,
    Signer,
    Verifier,
    __version__,
    audit,
    decode_unverified,
    live_custom_domain_url,
    live_playback_url,
    storage_custom_domain_url,
    storage_url,
    with_token,
)

# Show the public home of the exceptions and result types in tracebacks and reprs.
for _cls in (
    ApiError,
    DecodeError,
    InternalError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidKeyError,
    InvalidSignatureError,
    MalformedTokenError,
    NotFoundError,
    QencodeError,
    QencodeTimeoutError,
    RateLimitedError,
    TokenError,
    TokenExpiredError,
    TokenNotYetValidError,
    TransportError,
    UnauthorizedError,
    UnknownKeyIdError,
    UriMismatchError,
    Client,
    Domain,
    NewSigningKey,
    SigningKey,
    TlsSubscription,
):
    _cls.__module__ = __name__
del _cls

__all__ = [
    "COOKIE_NAME",
    "DEFAULT_EXPIRES_IN",
    "ApiError",
    "AuditWarning",
    "Check",
    "Client",
    "DecodeError",
    "Domain",
    "Explanation",
    "InternalError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "InvalidKeyError",
    "InvalidSignatureError",
    "MalformedTokenError",
    "NewSigningKey",
    "NotFoundError",
    "QencodeError",
    "QencodeTimeoutError",
    "RateLimitedError",
    "Resource",
    "SignedCookie",
    "Signer",
    "SigningKey",
    "TlsSubscription",
    "TokenError",
    "TokenExpiredError",
    "TokenNotYetValidError",
    "TransportError",
    "UnauthorizedError",
    "UnknownKeyIdError",
    "UriMismatchError",
    "Verifier",
    "__version__",
    "audit",
    "decode_unverified",
    "live_custom_domain_url",
    "live_playback_url",
    "storage_custom_domain_url",
    "storage_url",
    "with_token",
]
