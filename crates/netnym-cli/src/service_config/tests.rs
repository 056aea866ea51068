use std::collections::HashMap;
use std::path::{Path, PathBuf};

use clap::Parser;

use super::{authority, parse_file, verifier, AuthorityFile, ConfigError, VerifierFile};
use crate::cli::{
    AuthorityCommand, AuthorityServeArgs, AuthorityServiceCommand, Cli, Command, VerifierCommand,
    VerifierServeArgs,
};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples")
}

fn verifier_args(args: &[&str]) -> VerifierServeArgs {
    let argv = ["netnym", "verifier", "serve"].iter().chain(args);
    match Cli::try_parse_from(argv).unwrap().command {
        Command::Verifier(VerifierCommand::Serve(a)) => a,
        other => panic!("{other:?}"),
    }
}

fn authority_args(args: &[&str]) -> AuthorityServeArgs {
    let argv = ["netnym", "authority", "serve"].iter().chain(args);
    match Cli::try_parse_from(argv).unwrap().command {
        Command::Authority(AuthorityCommand::Service(AuthorityServiceCommand::Serve(a))) => a,
        other => panic!("{other:?}"),
    }
}

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |k| map.get(k).cloned()
}

#[test]
fn the_example_files_parse() {
    let a: AuthorityFile = parse_file(&examples().join("authority.toml")).unwrap();
    assert_eq!(a.listen.as_deref(), Some("0.0.0.0:8443"));
    assert!(a.passphrase_file.is_some() && a.admin_token_file.is_some());
    let v: VerifierFile = parse_file(&examples().join("verifier.toml")).unwrap();
    assert_eq!(
        v.authority.as_deref(),
        Some("https://authority.internal:8443")
    );
    // Resolved as `verifier serve --config` would, with the database URL from the
    // environment (the example's secret file does not exist here): relative paths are the
    // file's, the rest as written.
    let file = examples().join("verifier.toml");
    let r = verifier(
        &verifier_args(&["--config", file.to_str().unwrap()]),
        &env(&[("NETNYM_VERIFIER_DATABASE", "postgres://u@db/netnym")]),
    )
    .unwrap();
    assert_eq!(r.policy, examples().join("policy.toml"));
    assert_eq!(r.issuer, examples().join("issuer.json"));
    assert_eq!(r.common.listen, "0.0.0.0:8444".parse().unwrap());
    assert_eq!(r.common.log, "info,netnym::verify=debug");
    assert_eq!(
        r.common.store.database.as_deref(),
        Some("postgres://u@db/netnym")
    );
    assert_eq!(r.common.store.database_schema.as_deref(), Some("shop"));
    assert_eq!(
        r.common.tls,
        Some((
            PathBuf::from("/etc/netnym/tls/verifier.pem"),
            PathBuf::from("/etc/netnym/tls/verifier-key.pem")
        ))
    );
    assert_eq!(r.ca, Some(PathBuf::from("/etc/netnym/tls/ca.pem")));
}

#[test]
fn unknown_keys_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("a.toml");
    std::fs::write(
        &p,
        "data_dir = \"x\"\nadmin_token = \"inline secrets are not keys\"\n",
    )
    .unwrap();
    match parse_file::<AuthorityFile>(&p) {
        Err(ConfigError::Syntax { path, detail }) => {
            assert_eq!(path, p);
            assert!(detail.contains("unknown field `admin_token`"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn flag_beats_env_beats_file_beats_default() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.toml");
    std::fs::write(
        &p,
        "policy = \"p.json\"\nissuer = \"/abs/i.json\"\nlisten = \"127.0.0.1:3\"\nlog_format = \"json\"\n",
    )
    .unwrap();
    let cfg = p.to_str().unwrap();
    // File over default.
    let r = verifier(&verifier_args(&["--config", cfg]), &env(&[])).unwrap();
    assert_eq!(r.common.listen, "127.0.0.1:3".parse().unwrap());
    assert_eq!(r.common.log_format, netnym_server::LogFormat::Json);
    assert_eq!(r.policy, d.path().join("p.json"));
    assert_eq!(r.issuer, PathBuf::from("/abs/i.json"));
    // Env over file.
    let e = env(&[
        ("NETNYM_VERIFIER_LISTEN", "127.0.0.1:2"),
        ("NETNYM_VERIFIER_POLICY", "q.json"),
    ]);
    let r = verifier(&verifier_args(&["--config", cfg]), &e).unwrap();
    assert_eq!(r.common.listen, "127.0.0.1:2".parse().unwrap());
    assert_eq!(r.policy, PathBuf::from("q.json"));
    // Flag over env.
    let r = verifier(
        &verifier_args(&["--config", cfg, "--listen", "127.0.0.1:1"]),
        &e,
    )
    .unwrap();
    assert_eq!(r.common.listen, "127.0.0.1:1".parse().unwrap());
    // Default.
    let r = verifier(
        &verifier_args(&["--policy", "p", "--issuer", "i"]),
        &env(&[]),
    )
    .unwrap();
    assert_eq!(r.common.listen, "127.0.0.1:8081".parse().unwrap());
    assert_eq!(r.common.log_format, netnym_server::LogFormat::Human);
    assert_eq!(r.common.log, "info");
    assert!(!r.common.allow_http && r.common.tls.is_none());
    // The config file itself from the environment.
    let r = verifier(
        &verifier_args(&[]),
        &env(&[("NETNYM_VERIFIER_CONFIG", cfg)]),
    )
    .unwrap();
    assert_eq!(r.common.listen, "127.0.0.1:3".parse().unwrap());
}

#[test]
fn limits_flag_beats_env_beats_file_beats_default() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.toml");
    std::fs::write(
        &p,
        "policy = \"p\"\nissuer = \"i\"\nrate_limit_per_second = 3\nrate_limit_burst = 7\n\
         cors_origins = [\"https://a.example\"]\nmax_open_requests_per_client = 9\n",
    )
    .unwrap();
    let cfg = p.to_str().unwrap();
    let rate = |l: &netnym_server::Limits| l.rate().map(|r| (r.per_second.get(), r.burst.get()));
    // Default.
    let r = verifier(
        &verifier_args(&["--policy", "p", "--issuer", "i"]),
        &env(&[]),
    )
    .unwrap();
    assert_eq!(rate(&r.common.limits), Some((10, 100)));
    assert_eq!(r.common.limits.max_outstanding(), 64);
    assert!(r.common.limits.cors().is_empty());
    // File.
    let r = verifier(&verifier_args(&["--config", cfg]), &env(&[])).unwrap();
    assert_eq!(rate(&r.common.limits), Some((3, 7)));
    assert_eq!(r.common.limits.max_outstanding(), 9);
    assert_eq!(r.common.limits.cors(), ["https://a.example"]);
    // Environment over file.
    let e = env(&[
        ("NETNYM_VERIFIER_RATE_LIMIT_PER_SECOND", "0"),
        (
            "NETNYM_VERIFIER_CORS_ORIGINS",
            "https://b.example, http://c.example:8080",
        ),
    ]);
    let r = verifier(&verifier_args(&["--config", cfg]), &e).unwrap();
    assert_eq!(rate(&r.common.limits), None);
    assert_eq!(
        r.common.limits.cors(),
        ["https://b.example", "http://c.example:8080"]
    );
    // Flags over environment.
    let r = verifier(
        &verifier_args(&[
            "--config",
            cfg,
            "--rate-limit-per-second",
            "5",
            "--cors-origin",
            "https://d.example",
            "--max-open-requests-per-client",
            "2",
        ]),
        &e,
    )
    .unwrap();
    assert_eq!(rate(&r.common.limits), Some((5, 7)));
    assert_eq!(r.common.limits.cors(), ["https://d.example"]);
    assert_eq!(r.common.limits.max_outstanding(), 2);
    // Not an origin: refused, naming it.
    let err = verifier(
        &verifier_args(&["--config", cfg, "--cors-origin", "d.example"]),
        &e,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("\"d.example\""), "{err}");
}

#[test]
fn bad_values_name_their_source() {
    let e = env(&[("NETNYM_VERIFIER_LISTEN", "localhost")]);
    match verifier(&verifier_args(&["--policy", "p", "--issuer", "i"]), &e) {
        Err(ConfigError::Env { var, .. }) => assert_eq!(var, "NETNYM_VERIFIER_LISTEN"),
        other => panic!("{other:?}"),
    }
    let e = env(&[("NETNYM_VERIFIER_ALLOW_HTTP", "yes")]);
    match verifier(&verifier_args(&["--policy", "p", "--issuer", "i"]), &e) {
        Err(ConfigError::Env { var, reason }) => {
            assert_eq!(var, "NETNYM_VERIFIER_ALLOW_HTTP");
            assert_eq!(reason, "expected true, false, 1 or 0");
        }
        other => panic!("{other:?}"),
    }
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.toml");
    std::fs::write(&p, "policy = \"p\"\nissuer = \"i\"\nlog_format = \"xml\"\n").unwrap();
    match verifier(
        &verifier_args(&["--config", p.to_str().unwrap()]),
        &env(&[]),
    ) {
        Err(ConfigError::FileValue { key, path, .. }) => {
            assert_eq!((key, path), ("log_format", p.clone()));
        }
        other => panic!("{other:?}"),
    }
    match verifier(&verifier_args(&["--issuer", "i"]), &env(&[])) {
        Err(ConfigError::Missing(m)) => assert_eq!(
            m,
            "verifier serve needs --policy (or NETNYM_VERIFIER_POLICY, or `policy` in the configuration file)"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_store_comes_from_one_layer() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("a.toml");
    std::fs::write(&p, "data_dir = \"data\"\ndatabase_schema = \"s\"\n").unwrap();
    let cfg = p.to_str().unwrap();
    let r = authority(&authority_args(&["--config", cfg]), &env(&[])).unwrap();
    assert_eq!(r.common.store.data_dir, Some(d.path().join("data")));
    // A database in the environment replaces the file's data directory.
    let url_file = d.path().join("db-url");
    std::fs::write(&url_file, "postgres://u:pw@db/n\n").unwrap();
    let e = env(&[("NETNYM_AUTHORITY_DATABASE_FILE", url_file.to_str().unwrap())]);
    let r = authority(&authority_args(&["--config", cfg]), &e).unwrap();
    assert_eq!(r.common.store.data_dir, None);
    assert_eq!(
        r.common.store.database.as_deref(),
        Some("postgres://u:pw@db/n")
    );
    assert_eq!(r.common.store.database_schema.as_deref(), Some("s"));
    // Two stores in one layer, or a URL and its file: refused.
    let e = env(&[
        ("NETNYM_AUTHORITY_DATA_DIR", "x"),
        ("NETNYM_AUTHORITY_DATABASE", "postgres://a"),
    ]);
    assert!(matches!(
        authority(&authority_args(&[]), &e),
        Err(ConfigError::Conflict(m)) if m == "the environment names both a data directory and a database; give one"
    ));
    let e = env(&[
        ("NETNYM_AUTHORITY_DATABASE", "a"),
        ("NETNYM_AUTHORITY_DATABASE_FILE", "b"),
    ]);
    assert!(matches!(
        authority(&authority_args(&[]), &e),
        Err(ConfigError::Conflict(m)) if m == "both NETNYM_AUTHORITY_DATABASE and NETNYM_AUTHORITY_DATABASE_FILE are set; unset one"
    ));
}

#[test]
fn secrets_come_from_files_with_precedence() {
    let d = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = d.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    write("pass-file", "from the config file\n");
    let flag_file = write("pass-flag", "from the flag\r\n");
    let env_file = write("pass-env", "from NETNYM_AUTHORITY_PASSPHRASE_FILE");
    let empty = write("empty", "\n");
    let cfg = write(
        "a.toml",
        "data_dir = \"d\"\npassphrase_file = \"pass-file\"\nadmin_token_file = \"pass-file\"\n",
    );
    let cfg = cfg.to_str().unwrap();
    let pass = |args: &[&str], pairs: &[(&str, &str)]| {
        authority(&authority_args(args), &env(pairs)).map(|r| r.passphrase.map(|p| p.to_string()))
    };
    let with_cfg = ["--config", cfg];
    assert_eq!(
        pass(&with_cfg, &[]).unwrap().as_deref(),
        Some("from the config file")
    );
    assert_eq!(
        pass(
            &with_cfg,
            &[("NETNYM_AUTHORITY_PASSPHRASE", "from the env")]
        )
        .unwrap()
        .as_deref(),
        Some("from the env")
    );
    assert_eq!(
        pass(
            &with_cfg,
            &[(
                "NETNYM_AUTHORITY_PASSPHRASE_FILE",
                env_file.to_str().unwrap()
            )]
        )
        .unwrap()
        .as_deref(),
        Some("from NETNYM_AUTHORITY_PASSPHRASE_FILE")
    );
    let flag = [
        "--config",
        cfg,
        "--passphrase-file",
        flag_file.to_str().unwrap(),
    ];
    assert_eq!(
        pass(&flag, &[("NETNYM_AUTHORITY_PASSPHRASE", "from the env")])
            .unwrap()
            .as_deref(),
        Some("from the flag")
    );
    assert_eq!(
        pass(&[], &[]).unwrap(),
        None,
        "no source: the command prompts"
    );
    assert!(matches!(
        pass(&with_cfg, &[("NETNYM_AUTHORITY_PASSPHRASE", "a"), ("NETNYM_AUTHORITY_PASSPHRASE_FILE", "b")]),
        Err(ConfigError::Conflict(m)) if m == "both NETNYM_AUTHORITY_PASSPHRASE and NETNYM_AUTHORITY_PASSPHRASE_FILE are set; unset one"
    ));
    assert!(matches!(
        pass(&["--passphrase-file", empty.to_str().unwrap()], &[]),
        Err(ConfigError::BadSecret {
            what: "passphrase",
            ..
        })
    ));
    let r = authority(
        &authority_args(&with_cfg),
        &env(&[("NETNYM_ADMIN_TOKEN", "t0ken-from-env")]),
    )
    .unwrap();
    let shown = format!("{r:?}");
    assert!(
        !shown.contains("t0ken-from-env") && !shown.contains("from the config file"),
        "{shown}"
    );
    assert_eq!(r.admin_token.unwrap().as_str(), "t0ken-from-env");
}
