//! The demo fixtures of `qcdn emulator --with-fixtures`: a live stream and a
//! storage folder with real media, each protected by a signing key whose
//! private key is handed to the caller once.

use std::io;

use crate::Emulator;
use crate::keys::generate_signing_key;
use crate::state::{Domain, KeyTarget, Policy, SigningKey, new_id, timestamp};

/// Stream id of the fixture live stream.
pub const FIXTURE_STREAM_ID: &str = "demo-stream";
/// Playback id of the fixture live stream.
pub const FIXTURE_PLAYBACK_ID: &str = "demo-playback-id";
/// The fixture bucket (policy `authenticated`).
pub const FIXTURE_BUCKET: &str = "demo-bucket";
/// The fixture bucket's region.
pub const FIXTURE_REGION: &str = "us-west";
/// The storage custom domain mapped to the fixture bucket.
pub const FIXTURE_DOMAIN: &str = "media.example.com";
/// The folder of the fixture bucket holding `master.m3u8` and `manifest.mpd`.
pub const FIXTURE_FOLDER: &str = "videos/intro/";

/// What [`Emulator::load_fixtures`] made. The private keys are secrets of the
/// demo (PEM, PKCS#1): `Debug` does not show them.
#[derive(Clone)]
pub struct Fixtures {
    /// The stream's signing key id.
    pub stream_key_id: String,
    /// The stream's signing key (PEM).
    pub stream_private_key: String,
    /// The bucket's signing key id.
    pub bucket_key_id: String,
    /// The bucket's signing key (PEM).
    pub bucket_private_key: String,
    /// The id of the storage custom domain [`FIXTURE_DOMAIN`].
    pub domain_id: String,
    /// The keys stored in the bucket.
    pub keys: Vec<String>,
}

impl std::fmt::Debug for Fixtures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fixtures")
            .field("stream_key_id", &self.stream_key_id)
            .field("bucket_key_id", &self.bucket_key_id)
            .field("domain_id", &self.domain_id)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl Fixtures {
    /// The unsigned playback URLs of the fixtures: the live stream on its
    /// default host, and the HLS and DASH manifests of the folder on the
    /// bucket's default host and on the custom domain.
    pub fn urls(&self) -> Vec<(&'static str, String)> {
        let live = qencode_cdn::live_playback_url(FIXTURE_PLAYBACK_ID, None).unwrap_or_default();
        let storage =
            |key: &str| qencode_cdn::storage_url(FIXTURE_BUCKET, FIXTURE_REGION, key, None).unwrap_or_default();
        let custom = |key: &str| qencode_cdn::storage_custom_domain_url(FIXTURE_DOMAIN, key, None).unwrap_or_default();
        let hls = format!("{FIXTURE_FOLDER}master.m3u8");
        let dash = format!("{FIXTURE_FOLDER}manifest.mpd");
        vec![
            ("live (HLS)", live),
            ("storage HLS", storage(&hls)),
            ("storage DASH", storage(&dash)),
            ("custom domain HLS", custom(&hls)),
            ("custom domain DASH", custom(&dash)),
        ]
    }
}

pub(crate) fn load(emu: &Emulator) -> io::Result<Fixtures> {
    let bits = emu.shared.config.signing_key_bits;
    let stream_key_id = new_id();
    let stream_key = generate_signing_key(bits, &stream_key_id).map_err(io::Error::other)?;
    let bucket_key_id = new_id();
    let bucket_key = generate_signing_key(bits, &bucket_key_id).map_err(io::Error::other)?;
    emu.add_media_stream(FIXTURE_STREAM_ID, FIXTURE_PLAYBACK_ID);
    let keys = emu.add_media_folder(FIXTURE_BUCKET, FIXTURE_FOLDER);
    let domain_id = new_id();
    {
        let mut state = emu.shared.state();
        state.keys.push(SigningKey {
            id: stream_key_id.clone(),
            name: Some("demo stream key".into()),
            created: timestamp(),
            target: KeyTarget::Stream(FIXTURE_STREAM_ID.into()),
            verifier: stream_key.verifier,
        });
        state.keys.push(SigningKey {
            id: bucket_key_id.clone(),
            name: Some("demo bucket key".into()),
            created: timestamp(),
            target: KeyTarget::Bucket(FIXTURE_BUCKET.into()),
            verifier: bucket_key.verifier,
        });
        state.bucket(FIXTURE_BUCKET).policy = Policy::Authenticated;
        if state.domain_by_name(FIXTURE_DOMAIN).is_none() {
            state.domains.push(Domain {
                id: domain_id.clone(),
                name: FIXTURE_DOMAIN.into(),
                kind: "storage".into(),
                created: timestamp(),
            });
        }
        state
            .domain_buckets
            .insert(FIXTURE_DOMAIN.into(), FIXTURE_BUCKET.into());
    }
    Ok(Fixtures {
        stream_key_id,
        stream_private_key: stream_key.private_pem,
        bucket_key_id,
        bucket_private_key: bucket_key.private_pem,
        domain_id,
        keys,
    })
}
