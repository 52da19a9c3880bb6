//! Sorting more byte records than fit in memory: sorted runs of at most a budget's bytes spilled to
//! temporary files, then merged. Records sort by their bytes.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

/// What each buffered record costs beside its bytes (its `Vec`), counted against the budget.
const RECORD_OVERHEAD: usize = 24;

/// Collects records, spilling sorted runs to temporary files when they outgrow the budget.
pub struct ExternalSorter {
    budget: usize,
    buffer: Vec<Vec<u8>>,
    used: usize,
    runs: Vec<File>,
}

impl ExternalSorter {
    /// A sorter that holds at most about `budget` bytes of records in memory.
    pub fn new(budget: usize) -> ExternalSorter {
        ExternalSorter { budget: budget.max(1), buffer: Vec::new(), used: 0, runs: Vec::new() }
    }

    /// Adds a record.
    pub fn push(&mut self, record: Vec<u8>) -> io::Result<()> {
        self.used += record.len() + RECORD_OVERHEAD;
        self.buffer.push(record);
        if self.used >= self.budget {
            self.spill()?;
        }
        Ok(())
    }

    /// Sorted runs written to temporary files so far.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    fn spill(&mut self) -> io::Result<()> {
        self.buffer.sort_unstable();
        let mut file = BufWriter::new(tempfile::tempfile()?);
        for record in self.buffer.drain(..) {
            file.write_all(&(record.len() as u32).to_le_bytes())?;
            file.write_all(&record)?;
        }
        let mut file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.rewind()?;
        self.runs.push(file);
        self.used = 0;
        Ok(())
    }

    /// Every record, in order.
    pub fn finish(mut self) -> io::Result<Sorted> {
        self.buffer.sort_unstable();
        let mut runs: Vec<Run> = Vec::with_capacity(self.runs.len() + 1);
        for file in self.runs {
            runs.push(Run::File(BufReader::with_capacity(1 << 16, file)));
        }
        runs.push(Run::Memory(std::mem::take(&mut self.buffer).into_iter()));
        let mut heap = BinaryHeap::new();
        for (i, run) in runs.iter_mut().enumerate() {
            if let Some(record) = run.next()? {
                heap.push(Reverse((record, i)));
            }
        }
        Ok(Sorted { runs, heap })
    }
}

enum Run {
    File(BufReader<File>),
    Memory(std::vec::IntoIter<Vec<u8>>),
}

impl Run {
    fn next(&mut self) -> io::Result<Option<Vec<u8>>> {
        match self {
            Run::Memory(records) => Ok(records.next()),
            Run::File(file) => {
                let mut len = [0u8; 4];
                match file.read_exact(&mut len) {
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
                    other => other?,
                }
                let mut record = vec![0; u32::from_le_bytes(len) as usize];
                file.read_exact(&mut record)?;
                Ok(Some(record))
            }
        }
    }
}

/// The records of an [`ExternalSorter`], merged in order.
pub struct Sorted {
    runs: Vec<Run>,
    heap: BinaryHeap<Reverse<(Vec<u8>, usize)>>,
}

impl Iterator for Sorted {
    type Item = io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<io::Result<Vec<u8>>> {
        let Reverse((record, i)) = self.heap.pop()?;
        match self.runs[i].next() {
            Ok(Some(next)) => self.heap.push(Reverse((next, i))),
            Ok(None) => {}
            Err(error) => return Some(Err(error)),
        }
        Some(Ok(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spilled_runs_merge_into_one_order() {
        let mut state = 7u64;
        let mut records = Vec::new();
        for _ in 0..2000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let len = (state >> 60) as usize;
            records.push((0..len).map(|i| (state >> (i * 4)) as u8).collect::<Vec<u8>>());
        }
        let mut sorter = ExternalSorter::new(1000);
        for record in &records {
            sorter.push(record.clone()).unwrap();
        }
        assert!(sorter.runs() > 20, "{} runs", sorter.runs());
        let sorted: Vec<Vec<u8>> = sorter.finish().unwrap().collect::<io::Result<_>>().unwrap();
        records.sort();
        assert_eq!(sorted, records);
    }
}
