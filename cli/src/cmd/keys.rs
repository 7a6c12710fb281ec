//! `qcdn keys public`.

use serde_json::Value;

use crate::error::{CliError, CliResult, EXIT_OK};
use crate::inputs::load_signer;

/// A key id used only to load a key when the caller gave none; removed from the output.
const PLACEHOLDER_KID: &str = "qcdn-keys-public";

/// `qcdn keys public`: the public key as SPKI PEM or JWK.
pub fn public(key: Option<&str>, jwk: bool, key_id: Option<&str>) -> CliResult {
    let signer = load_signer(Some(key_id.unwrap_or(PLACEHOLDER_KID)), key)?;
    if jwk {
        let mut v: Value = serde_json::from_str(&signer.public_key_jwk())
            .map_err(|e| CliError::internal(format!("the JWK is not JSON: {e}")))?;
        if key_id.is_none() {
            if let Value::Object(m) = &mut v {
                m.remove("kid");
            }
        }
        println!("{v}");
    } else {
        print!("{}", signer.public_key_pem()?);
    }
    Ok(EXIT_OK)
}
