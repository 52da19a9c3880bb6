//! Decompressing bzip2 on several threads. Parallel compressors (pbzip2, or `lbzip2` over pieces)
//! write a file as many bzip2 streams; [`ParallelBzDecoder`] cuts the compressed bytes at stream
//! starts, decodes the pieces on worker threads and hands their text on in the file's order, so it
//! reads exactly what one thread would. A file of one stream is read by one thread, in bounded
//! memory.
//!
//! A stream starts with `BZh1`..`BZh9` and a block's magic number (0x314159265359), byte-aligned;
//! the same ten bytes can occur inside compressed data. A piece that ends before its last stream
//! does (the next cut was such a false start) goes on into the next piece on the joining thread,
//! and what a worker decoded from the false start is dropped.

use bzip2::{Decompress, Status};
use std::io::{self, Read};
use std::sync::mpsc::{Receiver, sync_channel};

/// Compressed bytes in a piece before it is cut at the next stream start.
pub const PIECE_BYTES: usize = 1 << 20;

/// A piece without a stream start past its size is cut at this many times it, and decoded on one
/// thread (a file of one stream).
const MAX_PIECE_FACTOR: usize = 4;

/// The ten bytes a stream starts with after `BZh` and the level: the first block's magic.
const BLOCK_MAGIC: [u8; 6] = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];

/// Where streams may start in `bytes` (byte-aligned `BZh1`..`BZh9` and the block magic), at or
/// after `from`: the candidates the decoder cuts at, false starts inside compressed data included.
pub fn stream_starts(bytes: &[u8], from: usize) -> impl Iterator<Item = usize> + '_ {
    let from = from.min(bytes.len());
    memchr::memmem::find_iter(&bytes[from..], &BLOCK_MAGIC).filter_map(move |at| {
        let start = (from + at).checked_sub(4).filter(|start| *start >= from)?;
        let head = &bytes[start..start + 4];
        (&head[..3] == b"BZh" && (b'1'..=b'9').contains(&head[3])).then_some(start)
    })
}

/// A reader of bzip2 data (one stream or many) that decodes streams on several threads.
pub struct ParallelBzDecoder {
    texts: Receiver<io::Result<Vec<u8>>>,
    text: Vec<u8>,
    at: usize,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ParallelBzDecoder {
    /// Decodes `reader` on `threads` workers, cutting pieces of about [`PIECE_BYTES`].
    pub fn new(reader: impl Read + Send + 'static, threads: usize) -> ParallelBzDecoder {
        ParallelBzDecoder::with_piece_bytes(reader, threads, PIECE_BYTES)
    }

    /// Decodes `reader` on `threads` workers, cutting at the first stream start past
    /// `piece_bytes` (at least 1) compressed bytes, or at [`MAX_PIECE_FACTOR`] times that.
    pub fn with_piece_bytes(reader: impl Read + Send + 'static, threads: usize, piece_bytes: usize) -> ParallelBzDecoder {
        let piece_bytes = piece_bytes.max(1);
        let (send, texts) = sync_channel::<io::Result<Vec<u8>>>(threads.max(1));
        let thread = std::thread::spawn(move || {
            let mut joiner = Joiner::default();
            let outcome = crate::parallel::ordered(
                threads,
                |feed| cut(reader, piece_bytes, piece_bytes.saturating_mul(MAX_PIECE_FACTOR), feed),
                decode_piece,
                |piece: &mut Piece| {
                    let text = joiner.join(piece);
                    let failed = text.is_err();
                    if send.send(text).is_err() || failed { Err(()) } else { Ok(()) }
                },
            );
            if let Ok(read) = outcome {
                let _ = send.send(read.and_then(|end| joiner.finish(end)).map(|()| Vec::new()));
            }
        });
        ParallelBzDecoder { texts, text: Vec::new(), at: 0, thread: Some(thread) }
    }
}

impl Read for ParallelBzDecoder {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.text.len() {
            match self.texts.recv() {
                Ok(text) => {
                    self.text = text?;
                    self.at = 0;
                }
                Err(_) => {
                    if let Some(thread) = self.thread.take() {
                        thread.join().map_err(|_| io::Error::other("the bzip2 decoder's thread panicked"))?;
                    }
                    return Ok(0);
                }
            }
        }
        let n = buf.len().min(self.text.len() - self.at);
        buf[..n].copy_from_slice(&self.text[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A piece of the compressed file and what a worker made of it.
#[derive(Default)]
struct Piece {
    /// Its first byte's offset in the file.
    offset: u64,
    /// Whether it was cut at a stream start (so a worker decodes it), not at the size limit.
    at_start: bool,
    input: Vec<u8>,
    /// The text decoded.
    output: Vec<u8>,
    /// How decoding the piece ended (`None`: not decoded yet).
    end: Option<End>,
}

/// How decoding a piece ended.
enum End {
    /// Its last stream ended with the piece.
    Whole,
    /// Its input ran out inside a stream (starting at this offset), which goes on in the next piece.
    Open(Box<Decompress>, u64),
    /// Bad data in the stream starting at the first offset, found by the second.
    Bad(u64, u64, String),
}

/// Reads `reader` into pieces cut at the first stream start past `piece_bytes`, or at `max_bytes`;
/// returns the file's length.
fn cut(mut reader: impl Read, piece_bytes: usize, max_bytes: usize, feed: &mut crate::parallel::Feed<'_, Piece>) -> io::Result<u64> {
    let mut pending: Vec<u8> = Vec::new();
    let (mut offset, mut at_start, mut end) = (0u64, true, false);
    loop {
        let mut searched = piece_bytes;
        let (cut, next_at_start) = loop {
            if let Some(start) = stream_starts(&pending, searched).next() {
                break (start, true);
            }
            if end && pending.is_empty() {
                return Ok(offset);
            }
            if end || pending.len() >= max_bytes {
                break (pending.len(), false);
            }
            searched = piece_bytes.max(pending.len().saturating_sub(BLOCK_MAGIC.len() + 3));
            let want = (piece_bytes + BLOCK_MAGIC.len() + 4).max(pending.len() / 2) as u64;
            end = (&mut reader).take(want).read_to_end(&mut pending)? < want as usize;
        };
        let mut piece = feed.job();
        piece.offset = offset;
        piece.at_start = at_start;
        piece.input.clear();
        piece.input.extend_from_slice(&pending[..cut]);
        piece.output.clear();
        piece.end = None;
        pending.drain(..cut);
        offset += cut as u64;
        at_start = next_at_start;
        if feed.send(piece).is_err() {
            return Ok(offset);
        }
    }
}

/// A worker's part: decodes a piece cut at a stream start from there.
fn decode_piece(piece: &mut Piece) {
    if piece.at_start {
        piece.output.reserve(piece.input.len() * 8);
        piece.end = Some(decode(None, piece.offset, piece.offset, &piece.input, &mut piece.output));
    }
}

/// Decodes `input` (at `offset` in the file) into `output`, going on with `open`, the decoder of
/// a stream started at `stream` in an earlier piece, if any; streams that end are followed by new
/// ones.
fn decode(mut open: Option<Box<Decompress>>, mut stream: u64, offset: u64, input: &[u8], output: &mut Vec<u8>) -> End {
    let mut at = 0;
    loop {
        let decoder = open.get_or_insert_with(|| Box::new(Decompress::new(false)));
        if output.capacity() - output.len() < 1 << 16 {
            output.reserve(output.len().max(1 << 20));
        }
        let before = decoder.total_in();
        let status = decoder.decompress_vec(&input[at..], output);
        at += (decoder.total_in() - before) as usize;
        match status {
            Err(error) => return End::Bad(stream, offset + at as u64, error.to_string()),
            Ok(Status::StreamEnd) => {
                open = None;
                if at == input.len() {
                    return End::Whole;
                }
                stream = offset + at as u64;
            }
            Ok(_) if at == input.len() && output.len() < output.capacity() => {
                let decoder = open.take().expect("a decoder is open");
                // A piece that ends between streams is whole, not open.
                return if decoder.total_in() == 0 { End::Whole } else { End::Open(decoder, stream) };
            }
            Ok(_) => {}
        }
    }
}

/// Puts the workers' pieces together in order, decoding on one thread where a piece goes on into
/// the next.
#[derive(Default)]
struct Joiner {
    open: Option<(Box<Decompress>, u64)>,
}

impl Joiner {
    /// The text of the next piece.
    fn join(&mut self, piece: &mut Piece) -> io::Result<Vec<u8>> {
        let end = match (self.open.take(), piece.end.take()) {
            (None, Some(end)) => end,
            (open, _) => {
                // After an open piece a worker's start was false; a piece cut at the size limit
                // was not decoded. Either way the text comes from here.
                piece.output.clear();
                let (decoder, stream) = open.map_or((None, piece.offset), |(d, s)| (Some(d), s));
                decode(decoder, stream, piece.offset, &piece.input, &mut piece.output)
            }
        };
        match end {
            End::Whole => {}
            End::Open(decoder, stream) => self.open = Some((decoder, stream)),
            End::Bad(stream, at, message) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad bzip2 data in the stream starting at byte {stream} (found by byte {at}): {message}"),
                ));
            }
        }
        Ok(std::mem::take(&mut piece.output))
    }

    /// After the last piece, at byte `length`: an error if a stream is left open.
    fn finish(&self, length: u64) -> io::Result<()> {
        match &self.open {
            None => Ok(()),
            Some((_, stream)) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("truncated bzip2 data: the stream starting at byte {stream} is cut off at byte {length}, the end of the input"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bzip2::Compression;
    use bzip2::write::BzEncoder;
    use std::io::Write;

    fn compress(text: &[u8]) -> Vec<u8> {
        let mut encoder = BzEncoder::new(Vec::new(), Compression::new(1));
        encoder.write_all(text).unwrap();
        encoder.finish().unwrap()
    }

    /// Synthetic JSON-like lines, varied enough that a stream holds several blocks' worth.
    fn lines(from: usize, count: usize) -> Vec<u8> {
        (from..from + count).flat_map(|i| format!("{{\"id\":\"Q{i}\",\"n\":{}}}\n", i.wrapping_mul(2654435761) % 1000003).into_bytes()).collect()
    }

    fn decode_all(data: Vec<u8>, threads: usize, piece_bytes: usize) -> io::Result<Vec<u8>> {
        let mut text = Vec::new();
        ParallelBzDecoder::with_piece_bytes(io::Cursor::new(data), threads, piece_bytes).read_to_end(&mut text)?;
        Ok(text)
    }

    #[test]
    fn finds_stream_starts_and_their_look_alikes() {
        let mut bytes = b"BZh91AY&SYxxBZh01AY&SYBZh1".to_vec();
        bytes.extend_from_slice(&BLOCK_MAGIC);
        assert_eq!(stream_starts(&bytes, 0).collect::<Vec<_>>(), [0, 22], "level 0 is not a start");
        assert_eq!(stream_starts(&bytes, 1).collect::<Vec<_>>(), [22]);
        assert_eq!(stream_starts(&bytes, 40).count(), 0);
    }

    #[test]
    fn many_streams_read_as_one_thread_reads_them() {
        let parts: Vec<Vec<u8>> = (0..6).map(|i| lines(i * 3000, 3000 + i * 700)).collect();
        let text: Vec<u8> = parts.concat();
        let data: Vec<u8> = parts.iter().flat_map(|p| compress(p)).collect();
        for (threads, piece_bytes) in [(1, 1), (2, 1), (3, 5000), (2, 1 << 20), (4, 64)] {
            assert_eq!(decode_all(data.clone(), threads, piece_bytes).unwrap(), text, "{threads} threads, pieces of {piece_bytes}");
        }
    }

    #[test]
    fn one_stream_cut_at_the_size_limit_reads_on_one_thread() {
        let text = lines(0, 200_000);
        let data = compress(&text);
        assert!(data.len() > 4 * 1000, "several pieces");
        assert_eq!(decode_all(data, 2, 1000).unwrap(), text);
        assert_eq!(decode_all(Vec::new(), 2, 1000).unwrap(), b"");
    }

    #[test]
    fn a_false_start_is_decoded_on_from_the_stream_before() {
        // Pieces as the cutter would make them had the middle of stream `a` held a stream start.
        let (a, b) = (lines(0, 50_000), lines(50_000, 100));
        let (ca, cb) = (compress(&a), compress(&b));
        let half = ca.len() / 2;
        let inputs = [&ca[..half], &ca[half..], &cb[..]];
        let mut joiner = Joiner::default();
        let mut text = Vec::new();
        let mut offset = 0;
        for input in inputs {
            let mut piece = Piece { offset, at_start: true, input: input.to_vec(), ..Piece::default() };
            decode_piece(&mut piece);
            text.extend(joiner.join(&mut piece).unwrap());
            offset += input.len() as u64;
        }
        joiner.finish(offset).unwrap();
        assert_eq!(text, [a, b].concat());
    }

    #[test]
    fn truncated_and_corrupt_data_are_located_errors() {
        let parts = [lines(0, 20_000), lines(20_000, 20_000)];
        let (first, second) = (compress(&parts[0]), compress(&parts[1]));
        let data = [first.clone(), second.clone()].concat();
        for threads in [1, 2] {
            let cut = decode_all(data[..data.len() - 10].to_vec(), threads, 100).unwrap_err();
            assert_eq!(cut.kind(), io::ErrorKind::UnexpectedEof);
            let expected = format!("the stream starting at byte {} is cut off at byte {}", first.len(), data.len() - 10);
            assert!(cut.to_string().contains(&expected), "{cut}");
            let mut corrupt = data.clone();
            corrupt[first.len() + 200] ^= 0x55;
            let bad = decode_all(corrupt, threads, 100).unwrap_err();
            assert_eq!(bad.kind(), io::ErrorKind::InvalidData);
            assert!(bad.to_string().starts_with(&format!("bad bzip2 data in the stream starting at byte {}", first.len())), "{bad}");
            let not_bzip2 = decode_all(b"{\"id\":\"Q1\"}\n".to_vec(), threads, 100).unwrap_err();
            assert!(not_bzip2.to_string().starts_with("bad bzip2 data in the stream starting at byte 0"), "{not_bzip2}");
        }
    }
}
