//! Where and how a service listens (issue 12 § TLS): HTTPS with a [`ServerTls`], or plain HTTP
//! only on a loopback address unless plain HTTP is allowed explicitly.
//!
//! **Why this design.** Both kinds of listener are served by the same connection loop
//! (`serve.rs`, hyper's HTTP/1 server with a header-read timeout, under a graceful shutdown), so
//! TLS keeps exactly the drain of `lifecycle` (listener closed at once, requests in flight
//! answered, idle keep-alive connections closed) that the shutdown tests check. HTTPS
//! plugs in as an `axum::serve::Listener` whose `accept` hands over connections that finished
//! their TLS handshake: handshakes run in tasks of their own, at most [`MAX_HANDSHAKES`] at a
//! time and each for at most [`HANDSHAKE_TIMEOUT`], so a client that stalls its handshake
//! holds neither the accept loop nor a request slot. (The `axum-server` crate would do the same
//! with a second shutdown mechanism of its own; tokio-rustls is the rustls project's adapter.)

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio_rustls::server::TlsStream;

use crate::limits::Limits;
use crate::tls::ServerTls;

/// Longest TLS handshake; a connection still handshaking then is closed.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most TLS handshakes in progress at once; further connections wait in the kernel's backlog.
pub const MAX_HANDSHAKES: usize = 512;

/// Where a service listens, and whether with TLS.
#[derive(Debug, Clone)]
pub struct Listen {
    addr: SocketAddr,
    tls: Option<ServerTls>,
    allow_plain_http: bool,
    limits: Limits,
}

impl Listen {
    /// HTTPS on `addr`.
    #[must_use]
    pub fn tls(addr: SocketAddr, tls: ServerTls) -> Self {
        Self {
            addr,
            tls: Some(tls),
            allow_plain_http: false,
            limits: Limits::default(),
        }
    }

    /// Plain HTTP on `addr`, which must be a loopback address (else the service refuses to
    /// start, [`crate::StartError::PlainHttp`]) unless [`Listen::allow_plain_http`] is set.
    #[must_use]
    pub fn plain(addr: SocketAddr) -> Self {
        Self {
            addr,
            tls: None,
            allow_plain_http: false,
            limits: Limits::default(),
        }
    }

    /// Allow plain HTTP on any address, e.g. behind a reverse proxy that terminates TLS.
    /// **Everything then travels in clear text up to that proxy**: admin tokens, enrollment
    /// codes, presentations.
    #[must_use]
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.allow_plain_http = allow;
        self
    }

    /// Serve under `limits` instead of [`Limits::default`].
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits the service runs under.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The address to bind.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether the service speaks HTTPS.
    #[must_use]
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Whether this listener may start: TLS, a loopback address, or plain HTTP allowed.
    pub(crate) fn permitted(&self) -> bool {
        self.tls.is_some() || self.addr.ip().is_loopback() || self.allow_plain_http
    }

    pub(crate) fn server_tls(&self) -> Option<&ServerTls> {
        self.tls.as_ref()
    }
}

/// HTTPS connections, handed to `axum::serve` once their handshake is done.
///
/// The TCP listener lives here, so it closes the moment `axum::serve` drops this listener at a
/// stop; handshakes still running then find the channel closed and drop their connection.
pub(crate) struct TlsListener {
    tcp: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    slots: Arc<Semaphore>,
    done_tx: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
    done: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
}

/// An accept error: connection-level ones are skipped; others (e.g. out of file descriptors)
/// are logged and retried after a second, as `axum::serve` does.
async fn accept_error(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!(target: "netnym_server::tls", "accept error: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

impl TlsListener {
    pub(crate) fn new(tcp: TcpListener, tls: &ServerTls) -> Self {
        let (done_tx, done) = mpsc::channel(64);
        Self {
            tcp,
            acceptor: tls.acceptor(),
            slots: Arc::new(Semaphore::new(MAX_HANDSHAKES)),
            done_tx,
            done,
        }
    }
}

/// Handshake `stream` (for at most [`HANDSHAKE_TIMEOUT`]) and hand it over.
async fn handshake(
    acceptor: tokio_rustls::TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    done: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(conn)) => {
            // Fails only when the server has stopped: the connection closes.
            let _ = done.send((conn, peer)).await;
        }
        Ok(Err(e)) => tracing::debug!(
            target: "netnym_server::tls",
            %peer,
            "TLS handshake failed: {e}"
        ),
        Err(_) => tracing::debug!(
            target: "netnym_server::tls",
            %peer,
            "TLS handshake timed out"
        ),
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let Self {
            tcp,
            acceptor,
            slots,
            done_tx,
            done,
        } = self;
        loop {
            // Both branches are cancel-safe: a TCP connection is either accepted or left in
            // the backlog, a slot either taken or not.
            tokio::select! {
                finished = done.recv() => {
                    if let Some(c) = finished {
                        return c;
                    }
                }
                (slot, accepted) = async {
                    let slot = slots.clone().acquire_owned().await;
                    (slot, TcpListener::accept(tcp).await)
                } => match (slot, accepted) {
                    (Ok(slot), Ok((stream, peer))) => {
                        let (acceptor, done_tx) = (acceptor.clone(), done_tx.clone());
                        tokio::spawn(async move {
                            let _slot = slot;
                            handshake(acceptor, stream, peer, done_tx).await;
                        });
                    }
                    (_, Err(e)) => accept_error(e).await,
                    // The semaphore is never closed.
                    (Err(_), Ok(_)) => {}
                },
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
