use super::*;

#[test]
fn key_value_strings_become_urls() {
    let c = parse("host=127.0.0.1 port=55432 user=netnym dbname=netnym").unwrap();
    assert_eq!(
        c.url,
        "postgres://?host=127.0.0.1&port=55432&user=netnym&dbname=netnym"
    );
    assert_eq!(c.connect_timeout, None);
    let c = parse("host=/run/pg user = 'o\\'neil' password='a b&c' connect_timeout=2").unwrap();
    assert_eq!(
        c.url,
        "postgres://?host=%2Frun%2Fpg&user=o%27neil&password=a+b%26c"
    );
    assert_eq!(c.connect_timeout, Some(Duration::from_secs(2)));
}

#[test]
fn urls_pass_through_and_get_a_search_path() {
    let c = parse("postgres://u@localhost/db").unwrap();
    assert_eq!(c.url, "postgres://u@localhost/db");
    assert_eq!(
        with_search_path(&c.url, "t_1").unwrap(),
        "postgres://u@localhost/db?options%5Bsearch_path%5D=t_1"
    );
}

#[test]
fn malformed_strings_are_config_errors() {
    for bad in [
        "",
        "host",
        "host=x sslcert=y",
        "user='unterminated",
        "=x",
        "connect_timeout=soon",
    ] {
        assert!(matches!(parse(bad), Err(OpenError::Config(_))), "{bad:?}");
    }
}
