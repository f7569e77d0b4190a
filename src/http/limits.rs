//! Who the client is (the socket's peer, or behind a trusted proxy the address it forwarded)
//! and how many requests it may make: a token bucket per client address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

use crate::config::TrustedProxies;

/// Buckets remembered before full ones (clients quiet for a minute) are forgotten.
const MAX_TRACKED: usize = 10_000;

/// Beyond this many buckets that are not full (a flood from countless addresses), all are
/// forgotten: memory stays bounded, and the flood starts over with full buckets.
const HARD_CAP: usize = 100_000;

/// The key a client is limited by: its address, or for IPv6 its /64 (one subscriber's
/// network, which hands out addresses by the billion).
fn key(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
        v4 => v4,
    }
}

/// The client of a request. The peer, unless the peer is a trusted proxy: then the nearest
/// `X-Forwarded-For` address that is not a listed proxy itself (read right to left, since
/// each proxy appends the address it saw and anything to the left may be forged). With `*`
/// any peer is trusted, for the one hop it wrote.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.lists(ip);
    if !(trusted.any_peer || is_trusted(peer)) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            // A forged or garbled entry: the last address a trusted hop vouched for.
            return client;
        };
        client = ip;
        if !is_trusted(ip) {
            return ip;
        }
    }
    client
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    let host = match hop.strip_prefix('[') {
        Some(rest) => rest.split(']').next()?,
        None => hop.rsplit_once(':')?.0,
    };
    host.parse().ok()
}

/// `per_minute` requests per client per minute, in bursts of at most a minute's worth.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// `per_minute` 0: no limit.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::default(),
        }
    }

    /// Takes one request's token; Err(how long until the next one) when there is none.
    pub fn take(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        self.with_bucket(client, now, |b| {
            if b.tokens >= 1.0 {
                b.tokens -= 1.0;
                true
            } else {
                false
            }
        })
    }

    /// Whether a token is left, without taking it.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        self.with_bucket(client, now, |b| b.tokens >= 1.0)
    }

    fn with_bucket(
        &self,
        client: IpAddr,
        now: Instant,
        f: impl FnOnce(&mut Bucket) -> bool,
    ) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let client = key(client);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED && !buckets.contains_key(&client) {
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.at).as_secs_f64() * per_second < capacity
            });
            if buckets.len() >= HARD_CAP {
                tracing::warn!(
                    clients = buckets.len(),
                    "rate limiter: too many clients at once, their buckets are reset"
                );
                buckets.clear();
            }
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(capacity);
        bucket.at = now;
        if f(bucket) {
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn listed(nets: &[&str]) -> TrustedProxies {
        TrustedProxies {
            any_peer: false,
            nets: nets.iter().map(|n| n.parse().unwrap()).collect(),
        }
    }

    #[test]
    fn forwarded_addresses_count_only_from_a_trusted_peer() {
        let trusted = listed(&["10.0.0.0/8"]);
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let stranger: IpAddr = "198.51.100.9".parse().unwrap();
        let h = headers(&["6.6.6.6, 203.0.113.5"]);
        assert_eq!(
            client_ip(stranger, &h, &trusted),
            stranger,
            "forged by the client"
        );
        assert_eq!(
            client_ip(proxy, &h, &trusted),
            "203.0.113.5".parse::<IpAddr>().unwrap(),
            "the address the trusted proxy saw, not what the client wrote before it"
        );
        let chain = headers(&["203.0.113.5", "10.9.9.9"]);
        assert_eq!(
            client_ip(proxy, &chain, &trusted),
            "203.0.113.5".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(proxy, &headers(&[]), &trusted), proxy);
        assert_eq!(client_ip(proxy, &headers(&["junk"]), &trusted), proxy);
        assert_eq!(
            client_ip(proxy, &headers(&["[2001:db8::1]:443"]), &trusted),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(proxy, &h, &listed(&[])),
            proxy,
            "nothing trusted by default"
        );
    }

    #[test]
    fn any_peer_is_trusted_for_the_one_hop_it_wrote() {
        let front_end = TrustedProxies {
            any_peer: true,
            nets: Vec::new(),
        };
        let peer: IpAddr = "169.254.1.1".parse().unwrap();
        let h = headers(&["6.6.6.6, 203.0.113.5"]);
        assert_eq!(
            client_ip(peer, &h, &front_end),
            "203.0.113.5".parse::<IpAddr>().unwrap(),
            "what the client wrote itself is never taken"
        );
        assert_eq!(client_ip(peer, &headers(&[]), &front_end), peer);
    }

    #[test]
    fn a_bucket_holds_a_minutes_worth_and_refills_continuously() {
        let limiter = RateLimiter::new(6);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let t0 = Instant::now();
        for _ in 0..6 {
            assert_eq!(limiter.take(a, t0), Ok(()));
        }
        let wait = limiter.take(a, t0).unwrap_err();
        assert!(
            wait > Duration::from_secs(9) && wait <= Duration::from_secs(10),
            "{wait:?}"
        );
        assert_eq!(
            limiter.take(b, t0),
            Ok(()),
            "another client has its own bucket"
        );
        assert!(limiter.check(a, t0 + Duration::from_secs(5)).is_err());
        assert_eq!(limiter.take(a, t0 + Duration::from_secs(10)), Ok(()));
        assert!(RateLimiter::new(0).take(a, t0).is_ok(), "0: no limit");
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_64_network() {
        let limiter = RateLimiter::new(1);
        let t0 = Instant::now();
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_net: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other_net: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(limiter.take(one, t0), Ok(()));
        assert!(limiter.take(same_net, t0).is_err(), "same /64");
        assert_eq!(limiter.take(other_net, t0), Ok(()));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(limiter.take(mapped, t0), Ok(()));
        assert!(
            limiter.take([10, 0, 0, 1].into(), t0).is_err(),
            "the same IPv4 client"
        );
    }
}
