"""stream_coverage (manifest text in, no HTTP) and check_stream against the
in-process emulator's fixtures (real HLS and DASH on the edge): the core
decides every verdict, the binding converts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import qencode_cdn as q
from qencode_cdn import Signer
from qencode_cdn.testing import Emulator

MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=165000\nmedia_0.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=66000\nmedia_1.m3u8\n"
STORAGE = "http://demo-bucket.media-storage.us-west.qencode.com/videos/intro/"


@pytest.fixture(scope="module")
def fixtures() -> Iterator[tuple[Emulator, dict[str, Any]]]:
    with Emulator() as e:
        yield e, e.load_fixtures()


def bucket_signer(f: dict[str, Any]) -> Signer:
    return Signer(f["bucket_key_id"], f["bucket_private_key"])


def test_coverage_of_a_master_playlist_with_the_token_in_its_query(fixtures: tuple[Emulator, dict[str, Any]]) -> None:
    _, f = fixtures
    token = bucket_signer(f).sign("videos/intro/")
    report = q.stream_coverage(f"{STORAGE}master.m3u8?auth={token}", MASTER)
    assert report["ok"] is False and report["fetched"] is False
    assert report["findings"] == ["query_token_not_propagated"]
    assert [(r["kind"], r["covered"], r["status"]) for r in report["requests"]] == [
        ("master_playlist", True, None),
        ("media_playlist", False, None),
        ("media_playlist", False, None),
    ]
    assert report["requests"][1]["url"] == f"{STORAGE}media_0.m3u8"
    assert "query_token_not_propagated" in report["advice"]


def test_coverage_with_the_folder_cookie(fixtures: tuple[Emulator, dict[str, Any]]) -> None:
    _, f = fixtures
    cookie = bucket_signer(f).signed_cookie("videos/intro/", domain="example.com")
    report = q.stream_coverage("https://media.example.com/videos/intro/master.m3u8", MASTER, cookie=str(cookie))
    assert report["ok"] is True, report["findings"]
    assert all(r["carrier"] == "cookie" and r["covered"] for r in report["requests"])


def test_coverage_options_are_the_cores(fixtures: tuple[Emulator, dict[str, Any]]) -> None:
    url = f"{STORAGE}master.m3u8"
    assert q.stream_coverage(url, MASTER, segments=2, stream="storage", now=1_700_000_000)["stream"] == "storage"
    with pytest.raises(q.InvalidArgumentError, match="segments"):
        q.stream_coverage(url, MASTER, segments=0)
    with pytest.raises(q.InvalidArgumentError, match="stream"):
        q.stream_coverage(url, MASTER, stream="vod")
    with pytest.raises(q.InvalidArgumentTypeError):
        q.stream_coverage(url, MASTER, segments="2")  # type: ignore[arg-type]
    with pytest.raises(q.InvalidArgumentError):
        q.stream_coverage(url, "<html></html>")
    with pytest.raises(TypeError):
        q.stream_coverage(url, MASTER, segment=2)  # type: ignore[call-arg]


def test_check_storage_hls_and_dash_query_token(fixtures: tuple[Emulator, dict[str, Any]]) -> None:
    emu, f = fixtures
    token = bucket_signer(f).sign("videos/intro/")
    connect = f"127.0.0.1:{emu.port}"
    for manifest in ("master.m3u8", "manifest.mpd"):
        url = f"{STORAGE}{manifest}?auth={token}"
        plain = q.check_stream(url, connect_to=connect, segments=1)
        assert plain["ok"] is False and plain["fetched"] is True
        assert plain["findings"] == ["query_token_not_propagated"]
        assert plain["requests"][0]["status"] == 200
        assert {r["status"] for r in plain["requests"][1:]} == {403}
        fixed = q.check_stream(url, connect_to=connect, segments=1, propagate_token=True, timeout=10)
        assert fixed["ok"] is True, fixed["findings"]
        kinds = {r["kind"] for r in fixed["requests"]}
        assert {"init_segment", "media_segment"} <= kinds
        assert all(r["status"] == 200 for r in fixed["requests"])


def test_check_live_and_a_file_token(fixtures: tuple[Emulator, dict[str, Any]]) -> None:
    emu, f = fixtures
    connect = f"127.0.0.1:{emu.port}"
    live = Signer(f["stream_key_id"], f["stream_private_key"]).signed_live_url("demo-playback-id")
    live = live.replace("https://", "http://", 1)
    assert q.check_stream(live, connect_to=connect, segments=1, propagate_token=True)["ok"] is True
    # A token for the one file (what signed_storage_url makes), propagated: the segments are another key.
    file_url = bucket_signer(f).signed_storage_url("demo-bucket", "us-west", "videos/intro/manifest.mpd")
    report = q.check_stream(file_url.replace("https://", "http://", 1), connect_to=connect, propagate_token=True)
    assert report["findings"] == ["token_wrong_folder"]


def test_check_errors(fixtures: tuple[Emulator, dict[str, Any]]) -> None:
    url = f"{STORAGE}master.m3u8"
    with pytest.raises(q.TransportError):
        q.check_stream(url, connect_to="127.0.0.1:1", timeout=5)
    with pytest.raises(q.InvalidArgumentError, match="timeout"):
        q.check_stream(url, timeout=0)
    with pytest.raises(q.InvalidArgumentError, match="connect_to"):
        q.check_stream(url, connect_to="nowhere")
    with pytest.raises(q.InvalidArgumentError):
        q.check_stream("not a url")
