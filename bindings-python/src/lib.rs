//! The native module `qencode_cdn._native`: argument conversion, error
//! mapping and GIL release around the `qencode-cdn` core. No logic the core
//! could hold lives here. The public API is the `qencode_cdn` package.
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod batch;
mod client;
mod convert;
mod emulator;
mod errors;
mod external;
mod signer;
mod stream;
mod urls;
mod verifier;

use pyo3::prelude::*;

/// Native core of `qencode_cdn`; import the package, not this module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", qencode_cdn::VERSION)?;
    m.add("DEFAULT_EXPIRES_IN", qencode_cdn::DEFAULT_EXPIRES_IN)?;
    m.add("COOKIE_NAME", qencode_cdn::COOKIE_NAME)?;
    m.add_class::<audit::AuditWarning>()?;
    m.add_class::<signer::Signer>()?;
    m.add_class::<signer::SignedCookie>()?;
    m.add_class::<batch::SignResult>()?;
    m.add_class::<external::PreparedToken>()?;
    m.add("DEFAULT_SIGNER_TIMEOUT", external::DEFAULT_SIGNER_TIMEOUT.as_secs())?;
    m.add_class::<verifier::Verifier>()?;
    m.add_class::<verifier::Resource>()?;
    m.add_class::<verifier::Explanation>()?;
    m.add_class::<verifier::Check>()?;
    m.add_class::<client::NativeClient>()?;
    m.add_class::<emulator::NativeEmulator>()?;
    m.add("DEFAULT_API_URL", qencode_cdn::DEFAULT_API_URL)?;
    m.add("DEFAULT_AUTH_URL", qencode_cdn::DEFAULT_AUTH_URL)?;
    m.add_function(wrap_pyfunction!(audit::audit, m)?)?;
    m.add_function(wrap_pyfunction!(verifier::decode_unverified, m)?)?;
    m.add_function(wrap_pyfunction!(urls::live_playback_url, m)?)?;
    m.add_function(wrap_pyfunction!(urls::live_custom_domain_url, m)?)?;
    m.add_function(wrap_pyfunction!(urls::storage_url, m)?)?;
    m.add_function(wrap_pyfunction!(urls::storage_custom_domain_url, m)?)?;
    m.add_function(wrap_pyfunction!(urls::with_token, m)?)?;
    m.add_function(wrap_pyfunction!(stream::stream_coverage, m)?)?;
    m.add_function(wrap_pyfunction!(stream::check_stream, m)?)?;
    m.add_function(wrap_pyfunction!(signer::_bench_core_sign, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_error_table, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_raise_error_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_raise_panic_for_tests, m)?)?;
    Ok(())
}
