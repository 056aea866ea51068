//! A panic anywhere in a service process — here inside a task on a tokio worker thread, where
//! tokio would otherwise catch it and carry on — is logged (message and location, as a JSON
//! line at error level) and exits the process with `EXIT_PANIC` (70), the documented code.
//!
//! The test runs itself again as a child process (`NETNYM_PANIC_CHILD=1`), which installs the
//! service's logger and panic hook and then panics.

#![allow(clippy::unwrap_used)]

use std::process::Command;

use netnym_server::{init_logging, install_panic_hook, LogFormat, EXIT_PANIC};

const CHILD: &str = "NETNYM_PANIC_CHILD";

#[test]
fn a_panic_in_a_worker_task_is_logged_and_exits_70() {
    if std::env::var(CHILD).is_ok() {
        init_logging(LogFormat::Json, "info").unwrap();
        install_panic_hook();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let task = rt.spawn(async {
            let v: Vec<u8> = Vec::new();
            // An out-of-bounds index: a bug.
            v[usize::from(v.is_empty())]
        });
        let r = rt.block_on(task);
        // Only reached when the hook did not exit.
        eprintln!("the panic was caught: {r:?}");
        std::process::exit(0);
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_panic_in_a_worker_task_is_logged_and_exits_70",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(i32::from(EXIT_PANIC)), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("netnym_server::panic"))
        .unwrap_or_else(|| panic!("no panic log line: {stderr}"));
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["level"], "ERROR");
    let message = v["fields"]["message"].as_str().unwrap();
    assert!(
        message.contains("panicked") && message.contains("index out of bounds"),
        "{message}"
    );
    assert!(message.ends_with("exiting with 70"), "{message}");
    assert!(v["fields"]["location"]
        .as_str()
        .unwrap()
        .contains("tests/panic_exit.rs:"));
    assert_eq!(v["fields"]["thread"], "tokio-rt-worker");
    assert!(!stderr.contains("the panic was caught"));
}
