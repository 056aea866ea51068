use super::*;

fn directives(text: &str) -> Vec<String> {
    let f = filter_from(Some((LOG_ENV, text.to_owned())), "info").unwrap();
    let mut d: Vec<String> = f.to_string().split(',').map(str::to_owned).collect();
    d.sort();
    d
}

#[test]
fn the_postgres_client_stays_at_info_whatever_the_filter_says() {
    assert_eq!(directives("trace"), ["tokio_postgres=info", "trace"]);
    // Even when asked for by name: its debug lines print query parameters.
    assert_eq!(
        directives("debug,tokio_postgres=trace"),
        ["debug", "tokio_postgres=info"]
    );
}

#[test]
fn the_default_applies_without_a_variable_and_a_bad_filter_is_refused() {
    let f = filter_from(None, "warn").unwrap();
    assert!(f.to_string().split(',').any(|d| d == "warn"), "{f}");
    match filter_from(Some((LOG_ENV, "info,[=".to_owned())), "info") {
        Err(LoggingError::Filter { var, .. }) => assert_eq!(var, LOG_ENV),
        other => panic!("{other:?}"),
    }
}

#[test]
fn log_formats_parse() {
    assert_eq!("json".parse::<LogFormat>().unwrap(), LogFormat::Json);
    assert_eq!("human".parse::<LogFormat>().unwrap(), LogFormat::Human);
    assert!(matches!(
        "JSON".parse::<LogFormat>(),
        Err(LoggingError::Format(f)) if f == "JSON"
    ));
}
