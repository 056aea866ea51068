//! A service process's life (API.md § Operations): stop signals, draining, exit codes and
//! panics. Used by `netnym authority serve`, `netnym verifier serve` and the two daemons in
//! `src/bin`.
//!
//! On SIGTERM or SIGINT the listener closes at once (new connections are refused), requests
//! in flight get up to [`DRAIN_TIMEOUT`] to be answered, idle keep-alive connections are
//! closed, and then cryptographic work still running on the blocking pool gets up to
//! [`WORK_GRACE`]; the process then exits — 0 when every request in flight was answered. So a
//! service exits at most 15 s after the signal (dropping its database pool does not wait),
//! within the default grace of systemd (90 s) and Kubernetes (30 s).

use std::time::Duration;

use crate::ServerHandle;

/// How long requests in flight get to finish after a stop signal.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long blocking work (pairings, issuance) still running after the drain gets.
pub const WORK_GRACE: Duration = Duration::from_secs(5);

/// Exit code: stopped by a signal with every request in flight answered.
pub const EXIT_OK: u8 = 0;
/// Exit code: could not start, failed while serving, or the drain timed out.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code after a panic anywhere in the process (a bug), EX_SOFTWARE.
pub const EXIT_PANIC: u8 = 70;

/// The signal that stopped a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopSignal {
    /// SIGTERM (systemd, Kubernetes, `kill`).
    Terminate,
    /// SIGINT (Ctrl-C).
    Interrupt,
}

impl core::fmt::Display for StopSignal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Terminate => "SIGTERM",
            Self::Interrupt => "SIGINT",
        })
    }
}

/// Wait for SIGTERM or SIGINT.
///
/// # Errors
/// The signal handlers cannot be installed.
pub async fn stop_signal() -> std::io::Result<StopSignal> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        tokio::select! {
            _ = term.recv() => Ok(StopSignal::Terminate),
            _ = int.recv() => Ok(StopSignal::Interrupt),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await?;
        Ok(StopSignal::Interrupt)
    }
}

/// Running a service until a stop signal failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StopError {
    /// The signal handlers could not be installed.
    #[error("cannot handle stop signals: {0}")]
    Signal(std::io::Error),
    /// The server failed, or requests were still in flight at the end of the drain.
    #[error("{0}")]
    Server(std::io::Error),
}

/// Serve until SIGTERM or SIGINT, then drain (module docs) and shut the runtime down.
///
/// # Errors
/// [`StopError::Signal`]; [`StopError::Server`] when the server failed or the drain timed out.
pub fn run_until_stopped(
    rt: tokio::runtime::Runtime,
    mut handle: ServerHandle,
    service: &'static str,
) -> Result<StopSignal, StopError> {
    let out = rt.block_on(async {
        let signal = tokio::select! {
            s = stop_signal() => s.map_err(StopError::Signal)?,
            // The server ended by itself (an accept loop error): report it.
            r = handle.wait_while_running() => {
                return Err(StopError::Server(r.err().unwrap_or_else(|| {
                    std::io::Error::other("the server stopped by itself")
                })));
            }
        };
        tracing::info!(
            target: "netnym_server",
            %signal,
            drain_seconds = DRAIN_TIMEOUT.as_secs(),
            "{service} stopping: listener closed, draining requests in flight"
        );
        handle
            .shutdown()
            .await
            .map(|()| signal)
            .map_err(StopError::Server)
    });
    // Blocking work of requests whose clients went away may still run; bounded.
    rt.shutdown_timeout(WORK_GRACE);
    match &out {
        Ok(_) => tracing::info!(target: "netnym_server", "{service} stopped"),
        Err(e) => tracing::error!(target: "netnym_server", "{service} stopped: {e}"),
    }
    out
}

/// Log a panic anywhere in the process (message and location, at error level, target
/// `netnym_server::panic`) and exit with [`EXIT_PANIC`] at once.
///
/// A panic is a bug, and the process's state may be inconsistent after it, so the process
/// does not try to go on or drain: it exits and the supervisor restarts it. Writes are
/// acknowledged only after they commit, so no acknowledged write is lost.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let thread = std::thread::current();
        tracing::error!(
            target: "netnym_server::panic",
            thread = thread.name().unwrap_or("unnamed"),
            location = %at,
            "panicked (a bug, please report it): {}; exiting with {EXIT_PANIC}",
            msg.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        std::process::exit(i32::from(EXIT_PANIC));
    }));
}
