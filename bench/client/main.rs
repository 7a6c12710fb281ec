//! Driver of `bench/client/run.sh`: serves the emulator, or times N
//! sequential `GET /v1/domains` calls with the qencode-cdn `Client` or with
//! bare ureq (the HTTP library underneath, no token cache, retries or typing).

use std::process::ExitCode;
use std::time::Instant;

use qencode_cdn::Client;
use qencode_cdn_emulator::{EmulatorConfig, run_foreground};

const WARMUP: usize = 50;

fn usage() -> ExitCode {
    eprintln!("usage: qcdn-client-bench serve | client URL API_KEY N | ureq URL ACCESS_TOKEN N");
    ExitCode::from(2)
}

fn report(calls: usize, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!("{:.1}", calls as f64 / secs);
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["serve"] => {
            let config = EmulatorConfig {
                signing_key_bits: 2048,
                ..Default::default()
            };
            match run_foreground(config) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("emulator: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        ["client", url, key, n] => {
            let Ok(n) = n.parse::<usize>() else { return usage() };
            let client = match Client::builder(*key).api_url(*url).auth_url(*url).build() {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            };
            for _ in 0..WARMUP {
                if let Err(e) = client.list_domains(None) {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            }
            let started = Instant::now();
            for _ in 0..n {
                if let Err(e) = client.list_domains(None) {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            }
            report(n, started);
            ExitCode::SUCCESS
        }
        ["ureq", url, token, n] => {
            let Ok(n) = n.parse::<usize>() else { return usage() };
            let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(true).build().into();
            let target = format!("{url}/v1/domains");
            let bearer = format!("Bearer {token}");
            let call = || -> Result<(), ureq::Error> {
                let body = agent
                    .get(&target)
                    .header("Authorization", &bearer)
                    .call()?
                    .into_body()
                    .read_to_vec()?;
                std::hint::black_box(body);
                Ok(())
            };
            for _ in 0..WARMUP {
                if let Err(e) = call() {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            }
            let started = Instant::now();
            for _ in 0..n {
                if let Err(e) = call() {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            }
            report(n, started);
            ExitCode::SUCCESS
        }
        _ => usage(),
    }
}
