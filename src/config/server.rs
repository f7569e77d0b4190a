//! The HTTP server's limits: read timeouts, connection caps, webhooks handled at once.

use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

use super::{seconds, ConfigError, Source};

fn trusted_proxies(src: &Source) -> Result<TrustedProxies, ConfigError> {
    let Some(list) = src.get("TRUSTED_PROXIES") else {
        return Ok(TrustedProxies {
            any_peer: src.get("K_SERVICE").is_some(),
            nets: Vec::new(),
        });
    };
    let mut trusted = TrustedProxies::default();
    for entry in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if entry == "*" {
            trusted.any_peer = true;
            continue;
        }
        trusted
            .nets
            .push(entry.parse().map_err(|reason| ConfigError::Invalid {
                var: "TRUSTED_PROXIES",
                reason,
            })?);
    }
    Ok(trusted)
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `HTTP_HEADER_TIMEOUT_SECONDS`: a connection must deliver a request's headers within this
    /// (also how long an idle keep-alive connection stays open); else it is closed (default 10).
    pub header_timeout: Duration,
    /// `HTTP_BODY_TIMEOUT_SECONDS`: an authenticated webhook's body must arrive in full within
    /// this, else 408 `body_timeout` (default 30).
    pub body_timeout: Duration,
    /// `HTTP_MAX_CONNECTIONS`: open connections at once, all clients together; beyond it a new
    /// connection is answered 503 and closed (default 8192).
    pub max_connections: usize,
    /// `HTTP_MAX_CONNECTIONS_PER_IP`: open connections at once from one client address (the
    /// socket's peer address) (default 1024, above Cloud Run's maximum of 1000 concurrent
    /// requests per instance, whose proxy may be one peer address for every client).
    pub max_connections_per_ip: usize,
    /// `WEBHOOK_MAX_IN_FLIGHT`: authenticated webhooks handled at once; beyond it 503
    /// `overloaded` at once (default 4096). Unauthenticated requests never take one.
    pub max_in_flight: usize,
    /// `WEBHOOK_RATE_LIMIT_PER_MINUTE`: webhooks accepted per client address per minute (a
    /// bucket that refills continuously and holds a minute's worth); beyond it 429 with
    /// `Retry-After` (default 6000, i.e. 100 per second from one address: LearnWorlds posts
    /// from a handful of addresses, and a school's busiest hour is a few thousand
    /// submissions in all). 0 switches the limit off (benchmarks).
    pub rate_limit_per_minute: u32,
    /// `WEBHOOK_AUTH_FAILURES_PER_MINUTE`: refused signatures (or URL tokens) tolerated per
    /// client address per minute; beyond it every request from that address is answered 429
    /// without being checked, until the bucket refills (default 5).
    pub auth_failures_per_minute: u32,
    /// `TRUSTED_PROXIES`: the proxies in front of the service, whose `X-Forwarded-For` names
    /// the client (see [`TrustedProxies`]).
    pub trusted_proxies: TrustedProxies,
}

/// `TRUSTED_PROXIES`: comma-separated addresses or CIDR ranges of the proxies in front of the
/// service, or `*`. Only a request whose peer is a trusted proxy has its client taken from
/// `X-Forwarded-For`: the nearest address that is not a listed proxy. `*` trusts whatever peer
/// for one hop (the rightmost address, the one the proxy itself saw): for a platform whose
/// front end is the only way in and whose addresses are not published. Default: none; on
/// Cloud Run (`K_SERVICE` set) `*`, since every request arrives through Google's front end —
/// without it every client would share the front end's address, and one client's refused
/// signatures would hold back the others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    /// `*`: any peer is a proxy, for one hop.
    pub any_peer: bool,
    pub nets: Vec<IpNet>,
}

impl TrustedProxies {
    pub fn lists(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|n| n.contains(ip))
    }
}

/// An address range, `10.0.0.0/8` or a single address (`/32`, `/128` implied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 client may reach a dual-stack socket as ::ffff:a.b.c.d.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                mask(u32::from(net).into(), 32, self.prefix)
                    == mask(u32::from(ip).into(), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                mask(u128::from(net), 128, self.prefix) == mask(u128::from(ip), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn mask(bits: u128, width: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        bits >> (width - prefix)
    }
}

impl std::fmt::Display for IpNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for IpNet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("'{s}' is not an address or an address/prefix range"))?;
        let width = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(|| format!("'{s}': the prefix must be 0..={width}"))?,
        };
        Ok(Self { addr, prefix })
    }
}

impl ServerConfig {
    pub(super) fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let at_least_one = |var: &'static str, default: usize| -> Result<usize, ConfigError> {
            let n: usize = src.parse(var, default)?;
            if n == 0 {
                return Err(ConfigError::Invalid {
                    var,
                    reason: "must be at least 1".into(),
                });
            }
            Ok(n)
        };
        let positive = |var: &'static str, default: f64| -> Result<Duration, ConfigError> {
            let d = seconds(src, var, default)?;
            if d.is_zero() {
                return Err(ConfigError::Invalid {
                    var,
                    reason: "must be more than 0 seconds".into(),
                });
            }
            Ok(d)
        };
        Ok(Self {
            header_timeout: positive("HTTP_HEADER_TIMEOUT_SECONDS", 10.0)?,
            body_timeout: positive("HTTP_BODY_TIMEOUT_SECONDS", 30.0)?,
            max_connections: at_least_one("HTTP_MAX_CONNECTIONS", 8192)?,
            max_connections_per_ip: at_least_one("HTTP_MAX_CONNECTIONS_PER_IP", 1024)?,
            max_in_flight: at_least_one("WEBHOOK_MAX_IN_FLIGHT", 4096)?,
            rate_limit_per_minute: src.parse("WEBHOOK_RATE_LIMIT_PER_MINUTE", 6000u32)?,
            auth_failures_per_minute: at_least_one("WEBHOOK_AUTH_FAILURES_PER_MINUTE", 5)?
                .try_into()
                .map_err(|_| ConfigError::Invalid {
                    var: "WEBHOOK_AUTH_FAILURES_PER_MINUTE",
                    reason: "is too large".into(),
                })?,
            trusted_proxies: trusted_proxies(src)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::IpNet;
    use crate::config::{Config, Source};

    fn proxies(pairs: &[(&str, &str)]) -> super::TrustedProxies {
        let mut all = vec![("WEBHOOK_SECRET", "s3cret-signature")];
        all.extend_from_slice(pairs);
        Config::from_source(&Source::from_pairs(all.iter().copied()))
            .unwrap()
            .server
            .trusted_proxies
    }

    #[test]
    fn trusted_proxies_default_to_none_and_to_the_front_end_on_cloud_run() {
        assert_eq!(proxies(&[]), Default::default());
        assert!(proxies(&[("K_SERVICE", "webhook-service")]).any_peer);
        let listed = proxies(&[
            ("K_SERVICE", "x"),
            ("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"),
        ]);
        assert!(!listed.any_peer, "an explicit list replaces the default");
        assert!(listed.lists("10.9.8.7".parse().unwrap()));
        assert!(proxies(&[("TRUSTED_PROXIES", "*")]).any_peer);
        let err = Config::from_source(&Source::from_pairs([
            ("WEBHOOK_SECRET", "s3cret-signature"),
            ("TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("TRUSTED_PROXIES") && err.contains("proxy.internal"),
            "{err}"
        );
    }

    #[test]
    fn ranges_contain_their_addresses_only() {
        let net: IpNet = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.0.9".parse().unwrap()));
        let one: IpNet = "127.0.0.1".parse().unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let v6: IpNet = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains("2001:db8::1".parse().unwrap()));
        assert!(!v6.contains("2001:db9::1".parse().unwrap()));
        let all: IpNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<IpNet>().is_err());
        assert!("proxy".parse::<IpNet>().is_err());
    }
}
