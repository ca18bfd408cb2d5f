//! Parsing the top-level chunks of a big file on two threads.
//!
//! Chunks parse independently (each as if it were alone, as the database parses them), so a
//! file's chunks can be divided between two threads, each with a tree builder of its own. The
//! trees and errors are the same whichever thread parsed what: green trees compare by content,
//! and which tokens a builder shares is invisible. Small inputs are parsed on the calling thread
//! (a thread costs more than it saves there), and so is everything when the machine has one core
//! or a thread cannot be started.

use std::sync::OnceLock;

use super::TreeBuilder;

/// Inputs smaller than this many bytes are parsed on the calling thread only. Starting a thread
/// and warming its builder's caches costs about as much as parsing a few kilobytes; at this size
/// the second thread saves several times that.
pub const PARALLEL_FROM: usize = 64 * 1024;

/// Runs `parse` over `items`: over all of them on this thread with `builder`, or, when they
/// add up to at least `parallel_from` bytes (`len` gives each item's size), over the first half
/// (by bytes) on this thread and the second half on another thread with a builder of its own.
/// Returns the results of the first and the second half (`None` when there was none) and
/// `builder`, for the next parse.
pub(crate) fn in_two<T: Sync, R: Send>(
    items: &[T],
    len: impl Fn(&T) -> usize,
    parallel_from: usize,
    builder: TreeBuilder,
    parse: impl Fn(&[T], TreeBuilder) -> (R, TreeBuilder) + Sync,
) -> (R, Option<R>, TreeBuilder) {
    let total: usize = items.iter().map(&len).sum();
    if total < parallel_from || items.len() < 2 || cores() < 2 {
        let (all, builder) = parse(items, builder);
        return (all, None, builder);
    }
    // The first item that ends past the middle byte starts the second half.
    let mut covered = 0;
    let middle = items
        .iter()
        .position(|item| {
            covered += len(item);
            covered * 2 > total
        })
        .unwrap_or(items.len() / 2)
        .clamp(1, items.len() - 1);
    let (first, second) = items.split_at(middle);
    let second_len: usize = second.iter().map(&len).sum();
    std::thread::scope(|scope| {
        let parse = &parse;
        let worker = std::thread::Builder::new()
            .name("gene-parse".into())
            .spawn_scoped(scope, move || {
                parse(second, TreeBuilder::for_text_len(second_len)).0
            });
        match worker {
            Ok(worker) => {
                let (first, builder) = parse(first, builder);
                match worker.join() {
                    Ok(second) => (first, Some(second), builder),
                    // The parser does not panic; should it ever, the panic goes on from here as
                    // it would have on one thread.
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            Err(_) => {
                let (all, builder) = parse(items, builder);
                (all, None, builder)
            }
        }
    })
}

/// How many threads can run at once here, asked once.
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn halves(lens: &[usize], parallel_from: usize) -> (Vec<usize>, Option<Vec<usize>>) {
        let builder = TreeBuilder::for_text_len(0);
        let (first, second, _) = in_two(
            lens,
            |n| *n,
            parallel_from,
            builder,
            |items, b| (items.to_vec(), b),
        );
        (first, second)
    }

    #[test]
    fn small_inputs_stay_on_one_thread() {
        assert_eq!(halves(&[1, 2, 3], 100), (vec![1, 2, 3], None));
        assert_eq!(halves(&[500], 0), (vec![500], None));
        assert_eq!(halves(&[], 0), (vec![], None));
    }

    #[test]
    fn big_inputs_are_divided_by_bytes_keeping_the_order() {
        if cores() < 2 {
            return;
        }
        assert_eq!(
            halves(&[10, 10, 10, 10], 0),
            (vec![10, 10], Some(vec![10, 10]))
        );
        assert_eq!(halves(&[1, 1, 1, 30], 0), (vec![1, 1, 1], Some(vec![30])));
        assert_eq!(halves(&[30, 1, 1, 1], 0), (vec![30], Some(vec![1, 1, 1])));
    }
}
