//! The HTTP/1.1 server loop (hyper directly, because `axum::serve` sets no header read
//! timeout): caps open connections overall and per client address, closes a connection that
//! does not deliver its headers within `HTTP_HEADER_TIMEOUT_SECONDS`, hands every request its
//! client's address (`ConnectInfo<SocketAddr>`), and on stop finishes the requests in flight.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tracing::{debug, warn};

use super::memory::{give_back_freed_memory, Flood};
use crate::config::ServerConfig;

/// Written to a connection refused for exceeding a cap, before it is closed.
const REFUSED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
retry-after: 5\r\nconnection: close\r\ncontent-length: 72\r\n\r\n\
{\"error\":\"too_many_connections\",\"message\":\"too many connections, retry\"}";

/// Serves `router` on `listener` until `stop`, then waits for open connections to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    cfg: &ServerConfig,
    stop: CancellationToken,
) {
    let caps = Caps::new(cfg);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(cfg.header_timeout);
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        // The socket's peer. Behind a proxy (Cloud Run) that is the proxy, not the client;
        // trusting X-Forwarded-For is another issue's work.
        let Some(admitted) = caps.admit(peer.ip()) else {
            debug!(client = %peer.ip(), "connection refused: connection cap reached");
            refuse(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = router.clone().map_request(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            },
        );
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                debug!(error = %e, "connection ended with an error");
            }
            drop(admitted);
        });
    }
    drop(listener);
    // Requests in flight get a moment to finish; a client trickling its body must not hold the
    // process past the platform's kill (Cloud Run: 10 s after SIGTERM).
    if tokio::time::timeout(SHUTDOWN_WAIT, graceful.shutdown())
        .await
        .is_err()
    {
        warn!("shutdown: connections still open after {SHUTDOWN_WAIT:?} are dropped");
    }
}

/// How long open connections may take to finish once the service stops.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

/// Best effort: the 503 fits a socket buffer, so it is written without waiting, then closed.
fn refuse(stream: TcpStream) {
    crate::telemetry::metrics::connection_refused();
    let _ = stream.try_write(REFUSED);
}

/// `HTTP_MAX_CONNECTIONS` overall and `HTTP_MAX_CONNECTIONS_PER_IP` per client address.
struct Caps {
    total: Arc<Semaphore>,
    per_ip: Arc<PerIp>,
}

struct PerIp {
    max: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
    flood: Flood,
}

/// One admitted connection; dropping it gives its places back.
struct Admitted {
    _total: OwnedSemaphorePermit,
    per_ip: Arc<PerIp>,
    ip: IpAddr,
}

impl Caps {
    fn new(cfg: &ServerConfig) -> Self {
        Self {
            total: Arc::new(Semaphore::new(cfg.max_connections)),
            per_ip: Arc::new(PerIp {
                max: cfg.max_connections_per_ip,
                open: Mutex::new(HashMap::new()),
                flood: Flood::default(),
            }),
        }
    }

    fn admit(&self, ip: IpAddr) -> Option<Admitted> {
        let total = self.total.clone().try_acquire_owned().ok()?;
        let mut open = self.per_ip.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_default();
        if *n >= self.per_ip.max {
            return None;
        }
        *n += 1;
        self.per_ip.flood.opened();
        Some(Admitted {
            _total: total,
            per_ip: self.per_ip.clone(),
            ip,
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.per_ip.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
        drop(open);
        if self.per_ip.flood.closed() {
            give_back_freed_memory();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_count_per_address_and_overall_and_give_places_back() {
        let mut cfg = crate::config::Config::from_source(&crate::config::Source::from_pairs([(
            "WEBHOOK_SECRET",
            "s3cret-signature",
        )]))
        .unwrap()
        .server;
        cfg.max_connections = 3;
        cfg.max_connections_per_ip = 2;
        let caps = Caps::new(&cfg);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let a1 = caps.admit(a).unwrap();
        let _a2 = caps.admit(a).unwrap();
        assert!(caps.admit(a).is_none(), "per address");
        let _b1 = caps.admit(b).unwrap();
        assert!(caps.admit(b).is_none(), "overall");
        drop(a1);
        assert!(caps.admit(a).is_some());
    }
}
