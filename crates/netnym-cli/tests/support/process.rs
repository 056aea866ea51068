//! The `netnym` binary as a process in the CLI tests: a finished command's outcome, and
//! service processes (`authority serve`, `verifier serve`) killed on drop.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::fmt::Debug;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// The stdout of a command that must have exited 0 (`what` names it in the failure).
pub(crate) fn stdout_of_success(o: &Output, what: &dyn Debug) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{what:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The last stderr line of a command that must have exited with `code`.
pub(crate) fn last_error_line(o: &Output, code: i32, what: &dyn Debug) -> String {
    let e = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(code), "{what:?}: {e}");
    e.lines().last().unwrap_or_default().to_owned()
}

/// A service process, its URL and the file its stderr goes to; killed on drop.
pub(crate) struct Service(
    pub(crate) Child,
    pub(crate) String,
    pub(crate) tempfile::NamedTempFile,
);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start the service command `c` with its stderr in a temporary file; its URL is the last word
/// of its first stdout line.
pub(crate) fn spawn(mut c: Command) -> Service {
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(log.reopen().unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    Service(child, url, log)
}

/// A path as UTF-8 (the tests' temporary paths are).
pub(crate) fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
