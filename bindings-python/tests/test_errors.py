"""Every error code maps to its class (DESIGN.md §5); a panic becomes INTERNAL."""

from __future__ import annotations

import pickle

import pytest

import qencode_cdn as q
from qencode_cdn import _native

EXPECTED = {
    "INVALID_ARGUMENT": (q.InvalidArgumentError, ValueError),
    "INVALID_KEY": (q.InvalidKeyError, ValueError),
    "MALFORMED_TOKEN": (q.MalformedTokenError, q.TokenError),
    "INVALID_SIGNATURE": (q.InvalidSignatureError, q.TokenError),
    "TOKEN_EXPIRED": (q.TokenExpiredError, q.TokenError),
    "TOKEN_NOT_YET_VALID": (q.TokenNotYetValidError, q.TokenError),
    "URI_MISMATCH": (q.UriMismatchError, q.TokenError),
    "UNKNOWN_KEY_ID": (q.UnknownKeyIdError, q.TokenError),
    "UNAUTHORIZED": (q.UnauthorizedError, q.ApiError),
    "NOT_FOUND": (q.NotFoundError, q.ApiError),
    "RATE_LIMITED": (q.RateLimitedError, q.ApiError),
    "API_ERROR": (q.ApiError, q.QencodeError),
    "TRANSPORT": (q.TransportError, ConnectionError),
    "TIMEOUT": (q.QencodeTimeoutError, TimeoutError),
    "DECODE": (q.DecodeError, q.QencodeError),
    "INTERNAL": (q.InternalError, q.QencodeError),
}


def test_the_table_covers_every_core_code() -> None:
    table = dict(_native._error_table())
    assert set(table) == set(EXPECTED)
    for code, cls_name in table.items():
        assert getattr(q, cls_name) is EXPECTED[code][0]


@pytest.mark.parametrize("code", list(EXPECTED))
def test_each_code_raises_its_class_with_code(code: str) -> None:
    cls, builtin = EXPECTED[code]
    with pytest.raises(q.QencodeError) as info:
        _native._raise_error_for_tests(code, "what happened", 418, 7)
    err = info.value
    assert type(err) is cls
    assert isinstance(err, builtin)
    assert err.code == code
    assert str(err).startswith(code)
    if isinstance(err, q.ApiError):
        assert err.status == 418
        assert err.body == '{"error":"test"}'
    else:
        assert err.status is None  # only an HTTP answer has a status
    if isinstance(err, q.RateLimitedError):
        assert err.retry_after == 7.0
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is cls and again.code == code


def test_exceptions_share_one_base() -> None:
    for cls, _ in EXPECTED.values():
        assert issubclass(cls, q.QencodeError)
        assert issubclass(cls, Exception)


def test_a_panic_becomes_internal_error_not_base_exception() -> None:
    with pytest.raises(q.InternalError) as info:
        _native._raise_panic_for_tests()
    assert info.value.code == "INTERNAL"
    assert "deliberate panic" in str(info.value)


@pytest.mark.parametrize("code", ["API_ERROR", "UNAUTHORIZED", "NOT_FOUND", "RATE_LIMITED"])
def test_an_http_error_rebuilt_without_a_status_has_none_not_zero(code: str) -> None:
    with pytest.raises(q.ApiError) as info:
        _native._raise_error_for_tests(code, "no answer")
    assert info.value.status is None
    if isinstance(info.value, q.RateLimitedError):
        assert info.value.retry_after is None


def test_a_type_error_of_the_core_is_invalid_argument_type_error() -> None:
    with pytest.raises(q.InvalidArgumentTypeError) as info:
        _native._raise_error_for_tests("INVALID_ARGUMENT", "expires_in is null", type_error=True)
    assert issubclass(type(info.value), TypeError)
    assert issubclass(type(info.value), ValueError)
    assert issubclass(type(info.value), q.InvalidArgumentError)
    assert info.value.code == "INVALID_ARGUMENT" and info.value.status is None
    with pytest.raises(q.InvalidArgumentError) as plain:
        _native._raise_error_for_tests("INVALID_ARGUMENT", "bad")
    assert type(plain.value) is q.InvalidArgumentError
