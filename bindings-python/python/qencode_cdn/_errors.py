"""The exceptions of qencode-cdn: one table (DESIGN.md §5) for every language.

Every exception derives from :class:`QencodeError` and carries a stable
``.code``; some also derive from the matching builtin so that ``except
ValueError`` / ``except ConnectionError`` / ``except TimeoutError`` keep
working. Messages never contain keys, API keys or access tokens.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "ApiError",
    "DecodeError",
    "InternalError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "InvalidKeyError",
    "InvalidSignatureError",
    "MalformedTokenError",
    "NotFoundError",
    "QencodeError",
    "QencodeTimeoutError",
    "RateLimitedError",
    "TokenError",
    "TokenExpiredError",
    "TokenNotYetValidError",
    "TransportError",
    "UnauthorizedError",
    "UnknownKeyIdError",
    "UriMismatchError",
]


class QencodeError(Exception):
    """Base of every qencode-cdn error; ``.code`` is the stable error code.

    ``.status`` is the HTTP status of an error the API answered (the
    :class:`ApiError` family) and ``None`` for every other error.
    """

    default_code: ClassVar[str] = "INTERNAL"
    code: str
    message: str
    status: int | None = None

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else type(self).default_code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))


def _rebuild(cls: type[QencodeError], message: str, state: dict[str, object]) -> QencodeError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class InvalidArgumentError(QencodeError, ValueError):
    """INVALID_ARGUMENT: a bad input caught before any I/O (also a ``ValueError``)."""

    default_code = "INVALID_ARGUMENT"


class InvalidArgumentTypeError(InvalidArgumentError, TypeError):
    """``INVALID_ARGUMENT`` for an argument of the wrong type, such as
    ``expires_in=None`` (a missing configuration value must never mean "never
    expires"). Also a :class:`TypeError` (and, as every invalid argument, a
    :class:`ValueError`)."""


class InvalidKeyError(QencodeError, ValueError):
    """INVALID_KEY: a key that cannot be parsed, is not RSA or is too small (also a ``ValueError``)."""

    default_code = "INVALID_KEY"


class TokenError(QencodeError):
    """Base of the verification errors."""

    default_code = "MALFORMED_TOKEN"


class MalformedTokenError(TokenError):
    """MALFORMED_TOKEN: not three base64url parts of JSON with a ``uri``."""

    default_code = "MALFORMED_TOKEN"


class InvalidSignatureError(TokenError):
    """INVALID_SIGNATURE: the signature does not verify, or the algorithm is not RS256."""

    default_code = "INVALID_SIGNATURE"


class TokenExpiredError(TokenError):
    """TOKEN_EXPIRED: ``exp`` has passed (beyond the leeway)."""

    default_code = "TOKEN_EXPIRED"


class TokenNotYetValidError(TokenError):
    """TOKEN_NOT_YET_VALID: ``nbf`` is still in the future (beyond the leeway)."""

    default_code = "TOKEN_NOT_YET_VALID"


class UriMismatchError(TokenError):
    """URI_MISMATCH: the token's ``uri`` does not cover the requested resource."""

    default_code = "URI_MISMATCH"


class UnknownKeyIdError(TokenError):
    """UNKNOWN_KEY_ID: the token's ``kid`` is not the expected key id."""

    default_code = "UNKNOWN_KEY_ID"


class ApiError(QencodeError):
    """API_ERROR: a non-success answer of the API; ``.status`` and ``.body`` say which."""

    default_code = "API_ERROR"
    status: int | None
    body: str | None
    request_id: str | None

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        body: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.body = body
        self.request_id = request_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r}, status={self.status!r})"


class UnauthorizedError(ApiError):
    """UNAUTHORIZED: 401/403 after one access-token renewal."""

    default_code = "UNAUTHORIZED"


class NotFoundError(ApiError):
    """NOT_FOUND: 404."""

    default_code = "NOT_FOUND"


class RateLimitedError(ApiError):
    """RATE_LIMITED: 429 after the retries; ``.retry_after`` is the server's hint in seconds."""

    default_code = "RATE_LIMITED"
    retry_after: float | None

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        body: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code, status=status, body=body, request_id=request_id)
        self.retry_after = retry_after


class TransportError(QencodeError, ConnectionError):
    """TRANSPORT: DNS, connect, TLS or reset (also a ``ConnectionError``)."""

    default_code = "TRANSPORT"


class QencodeTimeoutError(QencodeError, TimeoutError):
    """TIMEOUT: a deadline passed (also a ``TimeoutError``)."""

    default_code = "TIMEOUT"


class DecodeError(QencodeError):
    """DECODE: the server's body is not what the API documents."""

    default_code = "DECODE"


class InternalError(QencodeError):
    """INTERNAL: a bug in qencode-cdn, or a caught panic. Please report it."""

    default_code = "INTERNAL"
