//! Work spread over threads: how many to use.

/// The number of threads to work on when not told: `FACTGRAPH_THREADS` if it is set to a positive
/// number, else the cores this process may run on (so `taskset -c 0` means one).
pub fn default_threads() -> usize {
    std::env::var("FACTGRAPH_THREADS")
        .ok()
        .and_then(|n| n.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}

/// What the workers of [`stream_parallel`] build for a batch of documents, one document after the
/// other: [`BatchOutput::len`] after a document marks where its part ends (a `Vec<u8>` of N-Quads
/// lines, say, or a `Vec` with one entry per document).
pub trait BatchOutput: Default + Send {
    /// The end of what was added so far.
    fn len(&self) -> usize;
    /// Empties it, keeping its memory for the next batch.
    fn clear(&mut self);
}

impl<T: Send> BatchOutput for Vec<T> {
    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn clear(&mut self) {
        Vec::clear(self)
    }
}

