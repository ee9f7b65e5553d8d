//! How many requests are in flight at once: at most `--jobs`, fewer while the API server says
//! it is overloaded.
//!
//! Additive increase, multiplicative decrease: a `429 Too Many Requests` or a `5xx` answer
//! halves the limit (not below 1) and a `Retry-After` of N seconds (at most
//! [`MAX_PAUSE`]) holds every new request for that long; each run of successes as long as the
//! limit raises it by one, back up to `--jobs`. A limit that falls while requests are in
//! flight takes effect as they finish (their permits are dropped, not returned).

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{AcquireError, Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// The longest pause a `Retry-After` obtains (the collection has its own deadline too).
pub(crate) const MAX_PAUSE: Duration = Duration::from_secs(10);

pub(crate) struct Pace {
    permits: Semaphore,
    max: usize,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Requests allowed in flight now.
    limit: usize,
    /// Permits to drop as requests finish (the limit fell while they were in flight).
    debt: usize,
    /// Successes since the limit last changed.
    streak: usize,
    /// No request starts before this (`Retry-After`).
    pause_until: Option<Instant>,
}

/// A request's place in flight; given back (or dropped, if the limit fell) when it ends.
pub(crate) struct Slot<'a> {
    permit: Option<SemaphorePermit<'a>>,
    pace: &'a Pace,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut state = self.pace.lock();
        if state.debt > 0 {
            state.debt -= 1;
            if let Some(p) = self.permit.take() {
                p.forget();
            }
        }
    }
}

impl Pace {
    pub(crate) fn new(max: usize) -> Pace {
        let max = max.max(1);
        Pace {
            permits: Semaphore::new(max),
            max,
            state: Mutex::new(State {
                limit: max,
                debt: 0,
                streak: 0,
                pause_until: None,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Requests allowed in flight now.
    #[cfg(test)]
    fn limit(&self) -> usize {
        self.lock().limit
    }

    /// Waits out a `Retry-After` pause, then for a place in flight.
    pub(crate) async fn slot(&self) -> Result<Slot<'_>, AcquireError> {
        loop {
            let until = self.lock().pause_until;
            match until {
                Some(t) if t > Instant::now() => tokio::time::sleep_until(t).await,
                _ => break,
            }
        }
        let permit = self.permits.acquire().await?;
        Ok(Slot {
            permit: Some(permit),
            pace: self,
        })
    }

    /// A request succeeded: after as many successes as the limit, one more in flight.
    pub(crate) fn success(&self) {
        let mut state = self.lock();
        state.streak += 1;
        if state.streak >= state.limit && state.limit < self.max {
            state.streak = 0;
            state.limit += 1;
            if state.debt > 0 {
                state.debt -= 1;
            } else {
                self.permits.add_permits(1);
            }
        }
    }

    /// The server answered 429 or 5xx: half as many in flight, and a pause if it asked for one.
    pub(crate) fn overloaded(&self, retry_after: Option<Duration>) {
        let mut state = self.lock();
        let lower = (state.limit / 2).max(1);
        let cut = state.limit - lower;
        state.limit = lower;
        state.streak = 0;
        // Free permits go now; the rest as the requests holding them finish.
        let forgotten = self.permits.forget_permits(cut);
        state.debt += cut - forgotten;
        if let Some(wait) = retry_after {
            let until = Instant::now() + wait.min(MAX_PAUSE);
            state.pause_until = Some(state.pause_until.map_or(until, |t| t.max(until)));
        }
    }
}

/// A `Retry-After` header in its delay-seconds form (the HTTP-date form is not used by
/// Kubernetes API servers and is ignored: the retry backoff applies then).
pub(crate) fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let v = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn halves_on_overload_and_grows_back_one_window_at_a_time() {
        let pace = Pace::new(8);
        assert_eq!(pace.limit(), 8);
        pace.overloaded(None);
        assert_eq!(pace.limit(), 4);
        assert_eq!(pace.permits.available_permits(), 4);
        pace.overloaded(None);
        pace.overloaded(None);
        pace.overloaded(None);
        assert_eq!(pace.limit(), 1);
        assert_eq!(pace.permits.available_permits(), 1);
        // 1 success -> 2, 2 more -> 3, 3 more -> 4.
        for want in [2, 2, 3, 3, 3, 4] {
            pace.success();
            assert_eq!(pace.limit(), want);
        }
        assert_eq!(pace.permits.available_permits(), 4);
        for _ in 0..100 {
            pace.success();
        }
        assert_eq!(pace.limit(), 8, "never above --jobs");
        assert_eq!(pace.permits.available_permits(), 8);
    }

    #[tokio::test]
    async fn a_cut_while_in_flight_takes_effect_as_requests_finish() {
        let pace = Pace::new(4);
        let slots: Vec<Slot<'_>> = vec![
            pace.slot().await.unwrap(),
            pace.slot().await.unwrap(),
            pace.slot().await.unwrap(),
        ];
        pace.overloaded(None);
        // One free permit forgotten now, one owed by the requests in flight.
        assert_eq!(pace.limit(), 2);
        assert_eq!(pace.permits.available_permits(), 0);
        drop(slots);
        assert_eq!(pace.permits.available_permits(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_holds_new_requests_at_most_max_pause() {
        let pace = Pace::new(2);
        let start = Instant::now();
        pace.overloaded(Some(Duration::from_secs(3)));
        drop(pace.slot().await.unwrap());
        assert_eq!(start.elapsed().as_secs(), 3);
        pace.overloaded(Some(Duration::from_secs(3600)));
        drop(pace.slot().await.unwrap());
        assert_eq!(start.elapsed(), Duration::from_secs(3) + MAX_PAUSE);
    }

    #[test]
    fn retry_after_header() {
        let mut h = http::HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static(" 7 "),
        );
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
    }
}
