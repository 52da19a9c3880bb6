//! The parallel bzip2 decoder on arbitrary bytes: cutting at stream starts must never panic, every
//! cut must be a stream start's ten bytes, and the text (or the failure) must be the same for every
//! piece size and number of threads: the same as one thread reading the file whole.

#![no_main]

use factgraph::linking::bz2::{stream_starts, ParallelBzDecoder};
use libfuzzer_sys::fuzz_target;
use std::io::Read;

fn decode(data: &[u8], threads: usize, piece_bytes: usize) -> Result<Vec<u8>, std::io::ErrorKind> {
    let mut text = Vec::new();
    let mut decoder = ParallelBzDecoder::with_piece_bytes(std::io::Cursor::new(data.to_vec()), threads, piece_bytes);
    decoder.read_to_end(&mut text).map(|_| text).map_err(|e| e.kind())
}

fuzz_target!(|input: &[u8]| {
    let Some((&shape, data)) = input.split_first() else { return };
    for start in stream_starts(data, usize::from(shape)) {
        assert!(start >= usize::from(shape));
        assert!(data[start..].starts_with(b"BZh") && (b'1'..=b'9').contains(&data[start + 3]));
        assert_eq!(data[start + 4..start + 10], [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]);
    }
    let whole = decode(data, 1, usize::MAX / 8);
    let threads = 1 + usize::from(shape % 4);
    let piece_bytes = 1 + usize::from(shape / 4) * 16;
    assert_eq!(decode(data, threads, piece_bytes), whole, "{threads} threads, pieces of {piece_bytes} bytes");
});
