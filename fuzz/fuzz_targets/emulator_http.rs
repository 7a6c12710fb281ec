//! The emulator's HTTP request parser: arbitrary bytes through the pure
//! `parse_request`, and the same bytes cut into arbitrary pieces through
//! `read_request` (the code every connection runs, fed as a socket would).
//!
//! Properties: no panic; errors are 400/413/431/501; a parsed body is within
//! the limit; the pieces give exactly the result of the whole (the same
//! request and the same leftover bytes, or the same error); `100 Continue`
//! is sent at most once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qencode_cdn_emulator::http::{MAX_BODY, Pieces, ReadError, Source, parse_request, read_request};

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else { return };
    let n = usize::from(n % 9).min(rest.len() / 2);
    let (cut_bytes, raw) = rest.split_at(n * 2);
    let cuts: Vec<usize> = cut_bytes
        .chunks(2)
        .map(|c| usize::from(u16::from_le_bytes([c[0], c[1]])))
        .collect();

    let whole = parse_request(raw);
    match &whole {
        Ok(Some((req, used))) => {
            assert!(*used <= raw.len() && *used > 0);
            assert!(req.body.len() <= MAX_BODY);
        }
        Ok(None) => {}
        Err(e) => assert!(matches!(e.status, 400 | 413 | 431 | 501), "status {}", e.status),
    }

    let mut source = Pieces::new(raw, &cuts);
    let mut buf = Vec::new();
    let pieces = read_request(&mut source, &mut buf);
    assert!(source.continues <= 1);
    match (whole, pieces) {
        (Ok(Some((want, used))), Ok(got)) => {
            assert_eq!(want, got, "pieces and whole differ");
            // What is left over is exactly what followed the request.
            let mut left = buf;
            while source.fill(&mut left, true).unwrap_or(0) > 0 {}
            assert_eq!(left.as_slice(), &raw[used..]);
        }
        (Ok(None), Err(ReadError::Closed)) => {}
        (Err(want), Err(ReadError::Bad(got))) => assert_eq!(want, got, "pieces and whole fail differently"),
        (whole, pieces) => panic!("whole: {whole:?}, pieces: {pieces:?}"),
    }
});
