//! Where "now" comes from: the system clock in production, tokio's clock in
//! tests (so `tokio::time::pause` and `advance` drive the runner without real
//! sleeps).

/// A source of the current time as Unix milliseconds.
pub trait Clock: Send + Sync + 'static {
    /// Now, as Unix milliseconds.
    fn now_ms(&self) -> i64;

    /// Now, as Unix microseconds (for waking on time; ms precision by default).
    fn now_micros(&self) -> i64 {
        self.now_ms() * 1000
    }
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }

    fn now_micros(&self) -> i64 {
        chrono::Utc::now().timestamp_micros()
    }
}

/// A clock that starts at `base_ms` and advances with tokio's clock, which
/// tests can pause and advance.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    base_ms: i64,
    start: tokio::time::Instant,
}

impl TokioClock {
    /// A clock reading `base_ms` now.
    pub fn starting_at(base_ms: i64) -> Self {
        Self { base_ms, start: tokio::time::Instant::now() }
    }
}

impl Clock for TokioClock {
    fn now_ms(&self) -> i64 {
        let elapsed = tokio::time::Instant::now().duration_since(self.start);
        self.base_ms + i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX / 2)
    }
}

/// How long to sleep from `now_ms` until `deadline_ms` (zero if passed).
pub fn until(now_ms: i64, deadline_ms: i64) -> std::time::Duration {
    std::time::Duration::from_millis(u64::try_from(deadline_ms - now_ms).unwrap_or(0))
}

/// A clock that moves only when told to (for tests).
#[derive(Debug, Default)]
pub struct ManualClock {
    now: std::sync::atomic::AtomicI64,
}

impl ManualClock {
    /// A clock reading `now_ms`.
    pub fn at(now_ms: i64) -> Self {
        Self { now: std::sync::atomic::AtomicI64::new(now_ms) }
    }

    /// Sets the time.
    pub fn set(&self, now_ms: i64) {
        self.now.store(now_ms, std::sync::atomic::Ordering::SeqCst);
    }

    /// Moves the time forward.
    pub fn advance(&self, ms: i64) {
        self.now.fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.now.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Clock for std::sync::Arc<ManualClock> {
    fn now_ms(&self) -> i64 {
        self.as_ref().now_ms()
    }
}
