//! The connection loop of both services (plain TCP and TLS listeners alike).
//!
//! **Why not `axum::serve`.** It gives hyper no timer, so hyper's header-read timeout cannot be
//! set through it, and a client that sends its request head slowly (slow-loris) would hold its
//! connection for ever. Here each connection is served by hyper's HTTP/1 server with a tokio
//! timer and [`crate::Limits::header_read`], and watched by hyper-util's `GracefulShutdown`,
//! which keeps the drain of `axum::serve` (`lifecycle`): at a stop the listener is dropped at
//! once (new connections are refused), requests in flight are answered, idle keep-alive
//! connections are closed, and the loop ends when every connection has.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower::ServiceExt as _;

/// Serve `router` on the connections of `listener` until `stop` resolves, then drain.
pub(crate) async fn serve_connections<L>(
    mut listener: L,
    router: axum::Router,
    stop: impl Future<Output = ()>,
    header_read: Duration,
) -> std::io::Result<()>
where
    L: axum::serve::Listener<Addr = SocketAddr>,
{
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read)
        .keep_alive(true);
    tokio::pin!(stop);
    loop {
        let (io, peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        // The peer address, for the per-client limits (`limits::client_of`).
        let service = router
            .clone()
            .map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
        let conn = http.serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(target: "netnym_server::http", %peer, "connection closed: {e}");
            }
        });
    }
    // Closes the listening socket: new connections are refused from here on.
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
