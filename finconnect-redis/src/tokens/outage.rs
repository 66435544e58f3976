//! One warning per Redis outage, not one per call.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Whether the token store is running on per-instance tokens because Redis did
/// not answer.
#[derive(Debug, Default)]
pub(super) struct Outage {
    down: AtomicBool,
    count: AtomicU64,
}

impl Outage {
    /// Redis failed: warns if it was answering until now.
    pub(super) fn begin(&self, error: &dyn std::fmt::Display) {
        if !self.down.swap(true, Ordering::AcqRel) {
            self.count.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                error = %error,
                "Redis token store unreachable: each instance uses a token of its own \
                 until Redis answers again (payments go on; expect one authentication \
                 per instance)"
            );
        }
    }

    /// Redis answered: says so once if it had failed.
    pub(super) fn end(&self) {
        if self.down.swap(false, Ordering::AcqRel) {
            tracing::info!("Redis token store answers again: the fleet shares one token again");
        }
    }

    pub(super) fn is_down(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }

    pub(super) fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}
