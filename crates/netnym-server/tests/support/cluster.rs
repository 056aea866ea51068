//! A PostgreSQL cluster of one test alone (`.ci/pg-start.sh` with its own port and data
//! directory), which the test stops, crashes and starts; and what a clean 503 looks like.
//! Shared by the fault tests (`tests/faults.rs`) and the soak (`tests/soak.rs`).

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A PostgreSQL cluster of this test alone (stopped and removed on drop).
pub struct Cluster {
    port: u16,
    data: PathBuf,
}

impl Cluster {
    fn script() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/pg-start.sh")
    }

    pub fn run(&self, stop: bool) {
        let mut c = Command::new("bash");
        c.arg(Self::script());
        if stop {
            c.arg("stop");
        }
        let out = c
            .env("NETNYM_PG_PORT", self.port.to_string())
            .env("NETNYM_PG_DATA", &self.data)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pg-start.sh {}: {}",
            if stop { "stop" } else { "start" },
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stop with `pg_ctl -m immediate`: every server process quits at once, as in a crash, and
    /// the next start runs crash recovery.
    pub fn crash(&self) {
        let pg_ctl = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|d| d.path().join("bin/pg_ctl"))
            .find(|p| p.exists())
            .unwrap_or_else(|| PathBuf::from("pg_ctl"));
        let cmd = format!(
            "'{}' -D '{}' -m immediate -w stop",
            pg_ctl.display(),
            self.data.display()
        );
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let out = if root {
            Command::new("su")
                .args(["postgres", "-s", "/bin/bash", "-c", &cmd])
                .output()
        } else {
            Command::new("bash").args(["-c", &cmd]).output()
        }
        .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl -m immediate stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn start_new() -> Self {
        use rand::RngCore;
        // A free port (a race with another process taking it is possible but harmless: the
        // start then fails loudly).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // Directly under /tmp: the `postgres` user must be able to reach it when we are root.
        let data = std::env::temp_dir().join(format!(
            "netnym-fault-pg-{}-{:08x}",
            std::process::id(),
            rand::rngs::OsRng.next_u32()
        ));
        let c = Self { port, data };
        c.run(false);
        c
    }

    pub fn url(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=netnym dbname=netnym",
            self.port
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(Self::script())
            .arg("stop")
            .env("NETNYM_PG_PORT", self.port.to_string())
            .env("NETNYM_PG_DATA", &self.data)
            .output();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// Is this a clean 503 problem document?
pub fn is_clean_503(status: u16, v: &Value) -> bool {
    status == 503
        && v["_content_type"] == "application/problem+json"
        && v["code"] == "service-unavailable"
        && v["_body"]["status"] == 503
}
