use super::{check_url, TransportError};

#[test]
fn https_is_accepted_anywhere() {
    for url in [
        "https://authority.example",
        "https://203.0.113.7:8443/netnym",
        "https://127.0.0.1:8080",
    ] {
        assert!(check_url(url, false).is_ok(), "{url}");
    }
}

#[test]
fn http_to_loopback_needs_the_flag() {
    for url in [
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://[::1]:8081",
        "http://localhost:8080",
        "http://LOCALHOST",
    ] {
        let e = check_url(url, false).unwrap_err();
        assert!(
            matches!(&e, TransportError::PlainHttpWithoutFlag { url: u } if u == url),
            "{url}: {e}"
        );
        assert_eq!(
            e.to_string(),
            format!("refusing plain HTTP to {url}: use https://, or pass --allow-http to allow plain HTTP to this loopback address")
        );
        assert!(check_url(url, true).is_ok(), "{url}");
    }
}

#[test]
fn http_elsewhere_is_refused_even_with_the_flag() {
    for url in [
        "http://authority.example",
        "http://10.0.0.1:8080",
        "http://0.0.0.0:8080",
        "http://[::]:8080",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
    ] {
        for flag in [false, true] {
            let e = check_url(url, flag).unwrap_err();
            assert!(
                matches!(&e, TransportError::PlainHttpNotLoopback { url: u } if u == url),
                "{url}: {e}"
            );
        }
    }
}

#[test]
fn other_schemes_credentials_queries_are_refused() {
    for (url, reason) in [
        (
            "ftp://127.0.0.1",
            "the scheme must be https (or http to loopback with --allow-http)",
        ),
        (
            "file:///etc/passwd",
            "the scheme must be https (or http to loopback with --allow-http)",
        ),
        (
            "https://user:pw@host.example",
            "credentials in a URL are not allowed",
        ),
        (
            "https://host.example/?a=1",
            "a base URL has no query or fragment",
        ),
        (
            "https://host.example/#x",
            "a base URL has no query or fragment",
        ),
        ("not a url", "relative URL without a base"),
    ] {
        match check_url(url, true) {
            Err(TransportError::BadUrl { reason: r, .. }) => assert_eq!(r, reason, "{url}"),
            other => panic!("{url}: {other:?}"),
        }
    }
}
