//! Every input under `fuzz/regressions/emulator_http/` (crashes the fuzzer
//! found, kept after the fix) through the HTTP parser, whole and in the
//! pieces the input names, with the fuzz target's properties — so a
//! regression fails plain `cargo test`, without nightly.

use qencode_cdn_emulator::http::{MAX_BODY, Pieces, ReadError, parse_request, read_request};

#[test]
fn the_http_parser_survives_every_committed_fuzz_regression() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/regressions/emulator_http");
    let mut inputs: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no inputs in {dir}");
    for path in inputs {
        let data = std::fs::read(&path).unwrap();
        // The fuzz input format: n (mod 9) cut offsets of 2 bytes, then the bytes.
        let (&n, rest) = data.split_first().unwrap();
        let n = usize::from(n % 9).min(rest.len() / 2);
        let (cut_bytes, raw) = rest.split_at(n * 2);
        let cuts: Vec<usize> = cut_bytes
            .chunks(2)
            .map(|c| usize::from(u16::from_le_bytes([c[0], c[1]])))
            .collect();
        let whole = parse_request(raw);
        let mut source = Pieces::new(raw, &cuts);
        let pieces = read_request(&mut source, &mut Vec::new());
        match (&whole, &pieces) {
            (Ok(Some((a, _))), Ok(b)) => assert!(a == b && a.body.len() <= MAX_BODY, "{path:?}"),
            (Ok(None), Err(ReadError::Closed)) => {}
            (Err(a), Err(ReadError::Bad(b))) => assert_eq!(a, b, "{path:?}"),
            _ => panic!("{path:?}: whole {whole:?}, pieces {pieces:?}"),
        }
    }
}

#[test]
fn the_chunk_size_overflow_regression_is_refused_with_413() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fuzz/regressions/emulator_http/chunk-size-sum-overflow"
    );
    let data = std::fs::read(path).unwrap();
    assert_eq!(parse_request(&data[1..]).unwrap_err().status, 413);
}
