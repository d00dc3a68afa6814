//! Request rate limits: a token bucket per client address and one per role whose token a
//! request carries, answering 429 with `Retry-After` (DESIGN.md §9).
//!
//! A bucket holds up to `burst` requests and refills at `per_sec`; a request takes one or is
//! refused with the time until one is back. A bucket that has refilled is the same as no bucket,
//! so the address table forgets those first when it is full; if every tracked client is still
//! active, the one seen the longest ago goes (it starts over with a full bucket, a small gift
//! that keeps memory bounded whatever the number of addresses an attacker has).
//!
//! Addresses are limited by IPv4 address and by IPv6 /64 — one host's usual allocation, so a
//! single machine cannot dodge its limit by cycling through its own addresses. Loopback peers
//! are not limited by address unless configured: behind a reverse proxy on the same machine
//! every user arrives from 127.0.0.1 and would share one bucket (the proxy limits by the real
//! address). The per-token limit is applied after the token is checked and is keyed by the
//! [`Role`] it grants — a fixed set of two — so a client sending random tokens cannot grow a
//! table or push the real tokens' buckets out; a request without a valid token is limited by
//! its address only.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::auth::Role;
use crate::config::{RateLimit, RateLimitSettings};

/// Which limit refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The client address's.
    Address,
    /// The bearer token's (by the role it grants).
    Token,
}

impl Scope {
    /// The metric label.
    pub fn label(self) -> &'static str {
        match self {
            Scope::Address => "address",
            Scope::Token => "token",
        }
    }
}

/// A refusal: which limit, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    /// The limit.
    pub scope: Scope,
    /// Whole seconds until a request would be taken again (at least 1, as `Retry-After`).
    pub retry_after_secs: u64,
}

/// Both limits.
#[derive(Debug)]
pub struct RateLimiter {
    per_address: Option<Buckets<IpAddr>>,
    per_role: Option<Buckets<Role>>,
    /// Whether loopback peers are limited by address.
    limit_loopback: bool,
}

impl RateLimiter {
    /// The limits `settings` turns on.
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self {
            per_address: Buckets::when_on(settings.per_address, settings.max_clients),
            per_role: Buckets::when_on(settings.per_token, Role::ALL.len()),
            limit_loopback: settings.limit_loopback,
        }
    }

    /// Takes one request from the bucket of `remote`, if addresses are limited and this one
    /// is (loopback peers only when configured).
    ///
    /// # Errors
    /// [`Limited`] when the bucket is empty.
    pub fn check_address(&self, remote: Option<IpAddr>) -> Result<(), Limited> {
        let (Some(buckets), Some(ip)) = (&self.per_address, remote) else {
            return Ok(());
        };
        if ip.to_canonical().is_loopback() && !self.limit_loopback {
            return Ok(());
        }
        buckets
            .take(address_key(ip), Instant::now())
            .map_err(|wait| Limited::new(Scope::Address, wait))
    }

    /// Takes one request from the bucket of the role an authenticated request's token grants.
    ///
    /// # Errors
    /// [`Limited`] when the bucket is empty.
    pub fn check_role(&self, role: Role) -> Result<(), Limited> {
        let Some(buckets) = &self.per_role else {
            return Ok(());
        };
        buckets
            .take(role, Instant::now())
            .map_err(|wait| Limited::new(Scope::Token, wait))
    }
}

impl Limited {
    fn new(scope: Scope, wait: Duration) -> Self {
        Self {
            scope,
            retry_after_secs: whole_secs(wait),
        }
    }
}

/// `Retry-After` is whole seconds: round up, and never 0 (a client would retry at once).
fn whole_secs(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

/// IPv4 addresses as they are (IPv4-mapped IPv6 ones too); IPv6 by its /64.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(
                u128::from(v6) & 0xffff_ffff_ffff_ffff_0000_0000_0000_0000,
            )),
        },
    }
}

/// One client's bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Requests it can take now (fractional while refilling).
    tokens: f64,
    /// When `tokens` was last brought up to date.
    last: Instant,
}

/// The buckets of one limit. A std `Mutex`: held for one map operation (or, when full, one
/// scan), never across an `.await`.
#[derive(Debug)]
struct Buckets<K> {
    limit: RateLimit,
    max_clients: usize,
    table: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq + Copy> Buckets<K> {
    fn new(limit: RateLimit, max_clients: usize) -> Self {
        Self {
            limit,
            max_clients: max_clients.max(1),
            table: Mutex::new(HashMap::new()),
        }
    }

    fn when_on(limit: RateLimit, max_clients: usize) -> Option<Self> {
        limit.is_on().then(|| Self::new(limit, max_clients))
    }

    fn burst(&self) -> f64 {
        f64::from(self.limit.burst.max(1))
    }

    /// The bucket as it stands at `now`.
    fn refilled(&self, bucket: Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        (bucket.tokens + elapsed * f64::from(self.limit.per_sec)).min(self.burst())
    }

    /// Takes one request from `key`'s bucket, or says how long until it could.
    fn take(&self, key: K, now: Instant) -> Result<(), Duration> {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        let tokens = match table.get(&key) {
            Some(bucket) => self.refilled(*bucket, now),
            None => {
                if table.len() >= self.max_clients {
                    self.make_room(&mut table, now);
                }
                self.burst()
            }
        };
        let (tokens, answer) = if tokens >= 1.0 {
            (tokens - 1.0, Ok(()))
        } else {
            let wait = (1.0 - tokens) / f64::from(self.limit.per_sec.max(1));
            (tokens, Err(Duration::from_secs_f64(wait)))
        };
        table.insert(key, Bucket { tokens, last: now });
        answer
    }

    /// Forgets every full bucket; if none is, the one seen the longest ago.
    fn make_room(&self, table: &mut HashMap<K, Bucket>, now: Instant) {
        let burst = self.burst();
        table.retain(|_, bucket| self.refilled(*bucket, now) < burst);
        if table.len() >= self.max_clients {
            if let Some(oldest) = table.iter().min_by_key(|(_, b)| b.last).map(|(k, _)| *k) {
                table.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The bucket arithmetic, the key shapes and the table's bound, on an injected clock.
    use super::*;

    fn buckets(per_sec: u32, burst: u32, max_clients: usize) -> Buckets<u32> {
        Buckets::new(RateLimit { per_sec, burst }, max_clients)
    }

    #[test]
    fn a_burst_then_the_rate_then_a_wait() {
        let b = buckets(2, 3, 10);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(b.take(1, t0), Ok(()));
        }
        let wait = b.take(1, t0).unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert_eq!(whole_secs(wait), 1, "Retry-After is at least one second");
        // Half a second later one request is back, and only one.
        let t1 = t0 + Duration::from_millis(500);
        assert_eq!(b.take(1, t1), Ok(()));
        assert!(b.take(1, t1).is_err());
        // Another client has its own bucket.
        assert_eq!(b.take(2, t1), Ok(()));
    }

    #[test]
    fn the_table_stays_bounded_and_forgets_full_buckets_first() {
        let b = buckets(1, 2, 3);
        let t0 = Instant::now();
        for key in 0..3 {
            b.take(key, t0).unwrap();
        }
        // Client 0 keeps going; 1 and 2 go quiet and refill.
        let t1 = t0 + Duration::from_secs(5);
        b.take(0, t1).unwrap();
        b.take(0, t1).unwrap();
        b.take(3, t1).unwrap();
        let table = b.table.lock().unwrap();
        assert!(table.len() <= 3);
        assert!(table.contains_key(&0), "the active client is kept");
        assert!(table.contains_key(&3));
        drop(table);
        // All active: the one seen the longest ago goes, the bound holds.
        for key in 10..100 {
            b.take(key, t1 + Duration::from_millis(u64::from(key)))
                .unwrap();
            assert!(b.table.lock().unwrap().len() <= 3);
        }
    }

    #[test]
    fn ipv6_clients_share_their_64_and_mapped_ipv4_is_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(address_key(mapped), "10.0.0.1".parse::<IpAddr>().unwrap());
    }

    fn settings(address: u32, token: u32, limit_loopback: bool) -> RateLimitSettings {
        RateLimitSettings {
            per_address: RateLimit {
                per_sec: address,
                burst: 1,
            },
            per_token: RateLimit {
                per_sec: token,
                burst: 1,
            },
            max_clients: 16,
            limit_loopback,
        }
    }

    #[test]
    fn limits_at_zero_are_off_and_roles_have_their_own_buckets() {
        let limiter = RateLimiter::new(&settings(0, 1, false));
        let ip = Some("10.0.0.1".parse().unwrap());
        for _ in 0..10 {
            limiter.check_address(ip).unwrap();
        }
        limiter.check_role(Role::Viewer).unwrap();
        let limited = limiter.check_role(Role::Viewer).unwrap_err();
        assert_eq!(limited.scope, Scope::Token);
        assert_eq!(limited.retry_after_secs, 1);
        limiter.check_role(Role::Operator).unwrap();
    }

    #[test]
    fn loopback_peers_are_limited_only_when_configured() {
        let loopback = ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"];
        let off = RateLimiter::new(&settings(1, 0, false));
        for ip in loopback {
            for _ in 0..5 {
                off.check_address(Some(ip.parse().unwrap())).unwrap();
            }
        }
        let remote = Some("10.0.0.1".parse().unwrap());
        off.check_address(remote).unwrap();
        assert!(off.check_address(remote).is_err(), "others are limited");
        let on = RateLimiter::new(&settings(1, 0, true));
        let ip = Some("127.0.0.1".parse().unwrap());
        on.check_address(ip).unwrap();
        assert_eq!(on.check_address(ip).unwrap_err().scope, Scope::Address);
    }
}
