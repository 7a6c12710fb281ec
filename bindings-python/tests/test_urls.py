"""URL builders of the four forms, with and without a token."""

from __future__ import annotations

import pytest

from qencode_cdn import (
    InvalidArgumentError,
    live_custom_domain_url,
    live_playback_url,
    storage_custom_domain_url,
    storage_url,
    with_token,
)


def test_four_forms() -> None:
    assert live_playback_url("abc") == "https://play-abc.qencode.com/qhls/qlive/playlist.m3u8"
    assert live_playback_url("abc", token="t.t.t") == "https://play-abc.qencode.com/qhls/qlive/playlist.m3u8?auth=t.t.t"
    assert live_custom_domain_url("cdn.example.com", "abc") == "https://cdn.example.com/abc.m3u8"
    assert (
        storage_url("b-1", "eu-central", "a/b c.mp4") == "https://b-1.media-storage.eu-central.qencode.com/a/b%20c.mp4"
    )
    assert (
        storage_custom_domain_url("m.example.com", "x.mp4", token="t.t.t") == "https://m.example.com/x.mp4?auth=t.t.t"
    )
    assert with_token("https://x.example.com/a?b=1#f", "t.t.t") == "https://x.example.com/a?b=1&auth=t.t.t#f"


@pytest.mark.parametrize(
    "call",
    [
        lambda: live_playback_url("a b"),
        lambda: live_custom_domain_url("bad domain", "abc"),
        lambda: storage_url("Bucket!", "us-west", "a"),
        lambda: storage_url("bucket", "moon", "a"),
        lambda: storage_custom_domain_url("-x.com", "a"),
    ],
)
def test_bad_host_parts_are_invalid_argument(call: object) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        call()  # type: ignore[operator]
    assert info.value.code == "INVALID_ARGUMENT"
    assert isinstance(info.value, ValueError)
