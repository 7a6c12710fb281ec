//! The `qcdn` binary; everything lives in the library.

fn main() -> std::process::ExitCode {
    qencode_cdn_cli::main()
}
