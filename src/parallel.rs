//! Work spread over threads: how many to use, and the ordered fan-out that `map` and `export` share.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// The number of threads to work on when not told: `FACTGRAPH_THREADS` if it is set to a positive
/// number, else the cores this process may run on (so `taskset -c 0` means one).
pub fn default_threads() -> usize {
    std::env::var("FACTGRAPH_THREADS")
        .ok()
        .and_then(|n| n.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}

/// What the workers of `map` (`facts::stream::stream_parallel`) build for a batch of documents, one
/// document after the other: [`BatchOutput::len`] after a document marks where its part ends (a
/// `Vec<u8>` of N-Quads lines, say, or a `Vec` with one entry per document).
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

/// Jobs that may wait in each worker's queue, in each direction.
const QUEUE_JOBS: usize = 2;

/// The producer's side of [`ordered`]: hands out jobs to fill and takes filled ones.
pub struct Feed<'a, T> {
    send: &'a mut dyn FnMut(T) -> bool,
    done: &'a dyn Fn() -> Option<T>,
}

/// [`Feed::send`] after the consumer has stopped (it failed): nothing more is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

impl<T: Default> Feed<'_, T> {
    /// A job to fill: one the consumer is done with (as the consumer left it, with its memory), or a
    /// new one.
    pub fn job(&mut self) -> T {
        (self.done)().unwrap_or_default()
    }

    /// Hands a filled job on; the jobs reach the consumer in the order they were sent.
    pub fn send(&mut self, job: T) -> Result<(), Stopped> {
        if (self.send)(job) { Ok(()) } else { Err(Stopped) }
    }
}

/// Runs `work` on every job `produce` sends, on `threads` worker threads, and hands each job to
/// `consume`, on the calling thread, in the order the jobs were sent: the result is the same for
/// any number of threads. `produce` runs on a thread of its own. Memory stays bounded: the producer
/// waits while the workers' queues (a few jobs each) are full, and jobs the consumer is done with
/// go back to the producer ([`Feed::job`]) with their buffers. With `threads` <= 1, everything runs
/// on the calling thread, each job worked and consumed as soon as it is sent.
///
/// When `consume` fails, the workers and the producer stop (its [`Feed::send`] returns
/// [`Stopped`]) and that error is returned; otherwise what `produce` returned.
///
/// ```
/// // Squares of 0..10 on 3 threads, a number a job, taken in order.
/// let mut squares = Vec::new();
/// let sent = factgraph::parallel::ordered::<u64, _, ()>(
///     3,
///     |feed| (0..10).take_while(|i| feed.send(*i).is_ok()).count(),
///     |i| *i *= *i,
///     |i| Ok(squares.push(*i)),
/// );
/// assert_eq!(sent, Ok(10));
/// assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
/// ```
pub fn ordered<T, R, E>(
    threads: usize,
    produce: impl FnOnce(&mut Feed<'_, T>) -> R + Send,
    work: impl Fn(&mut T) + Sync,
    mut consume: impl FnMut(&mut T) -> Result<(), E>,
) -> Result<R, E>
where
    T: Default + Send,
    R: Send,
{
    if threads <= 1 {
        let spare: std::cell::Cell<Option<T>> = std::cell::Cell::new(None);
        let mut failed = None;
        let mut send = |mut job: T| {
            work(&mut job);
            match consume(&mut job) {
                Ok(()) => {
                    spare.set(Some(job));
                    true
                }
                Err(error) => {
                    failed = Some(error);
                    false
                }
            }
        };
        let done = || spare.take();
        let produced = produce(&mut Feed { send: &mut send, done: &done });
        return match failed {
            Some(error) => Err(error),
            None => Ok(produced),
        };
    }
    let work = &work;
    std::thread::scope(|scope| {
        let mut inputs: Vec<SyncSender<T>> = Vec::with_capacity(threads);
        let mut outputs: Vec<Receiver<T>> = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (input, jobs) = sync_channel::<T>(QUEUE_JOBS);
            let (results, output) = sync_channel::<T>(QUEUE_JOBS);
            inputs.push(input);
            outputs.push(output);
            scope.spawn(move || {
                for mut job in jobs {
                    work(&mut job);
                    if results.send(job).is_err() {
                        return;
                    }
                }
            });
        }
        // Jobs the consumer is done with, back to the producer; beyond this many they are dropped.
        let (recycle, recycled) = sync_channel::<T>(threads * QUEUE_JOBS * 2 + 2);
        let producer = scope.spawn(move || {
            let mut next = 0;
            // Job n goes to worker n % threads, which is where the consumer looks for it.
            let mut send = |job: T| {
                let sent = inputs[next % inputs.len()].send(job).is_ok();
                next += 1;
                sent
            };
            let done = || recycled.try_recv().ok();
            produce(&mut Feed { send: &mut send, done: &done })
        });
        let mut consumed = Ok(());
        for next in 0.. {
            // A closed queue means its worker has no more jobs, and so none of the later ones exist.
            let Ok(mut job) = outputs[next % threads].recv() else { break };
            if let Err(error) = consume(&mut job) {
                consumed = Err(error);
                break;
            }
            let _ = recycle.try_send(job);
        }
        // Closing the queues stops the workers, and with them the producer.
        drop(outputs);
        drop(recycle);
        let produced = producer.join().expect("the producing thread does not panic");
        consumed.map(|()| produced)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Squares 0..n in jobs of up to 7 numbers; the consumer sees them in order.
    fn squares(threads: usize, n: u64) -> Vec<u64> {
        let mut seen = Vec::new();
        ordered::<(Vec<u64>, Vec<u64>), _, ()>(
            threads,
            |feed| {
                let mut job = feed.job();
                for i in 0..n {
                    job.0.push(i);
                    if job.0.len() == 7 {
                        feed.send(std::mem::take(&mut job)).unwrap();
                        job = feed.job();
                    }
                }
                if !job.0.is_empty() {
                    feed.send(job).unwrap();
                }
            },
            |(numbers, squares)| squares.extend(numbers.iter().map(|i| i * i)),
            |(numbers, squares)| {
                seen.append(squares);
                numbers.clear();
                Ok(())
            },
        )
        .unwrap();
        seen
    }

    #[test]
    fn results_come_in_order_for_any_number_of_threads() {
        let expected: Vec<u64> = (0..1000).map(|i| i * i).collect();
        for threads in [0, 1, 2, 3, 8] {
            assert_eq!(squares(threads, 1000), expected, "{threads} threads");
        }
        assert!(squares(4, 0).is_empty());
    }

    #[test]
    fn a_failing_consumer_stops_the_producer() {
        for threads in [1, 3] {
            let mut stopped = false;
            let result = ordered::<u32, _, String>(
                threads,
                |feed| {
                    for i in 1.. {
                        if feed.send(i).is_err() {
                            stopped = true;
                            return i;
                        }
                    }
                    unreachable!()
                },
                |i| *i *= 2,
                |i| if *i == 20 { Err(format!("stopped at {i}")) } else { Ok(()) },
            );
            assert_eq!(result, Err("stopped at 20".to_string()), "{threads} threads");
            assert!(stopped, "{threads} threads");
        }
    }

    #[test]
    fn jobs_are_reused() {
        let mut new = 0;
        ordered::<Vec<u8>, _, ()>(
            1,
            |feed| {
                for _ in 0..10 {
                    let mut job = feed.job();
                    new += usize::from(job.capacity() == 0);
                    job.push(1);
                    feed.send(job).unwrap();
                }
            },
            |_| {},
            |job| {
                job.clear();
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(new, 1);
    }
}
