use super::*;

fn csv_of(rows: &[&str]) -> String {
    let mut s = CSV_COLUMNS.join(",");
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s
}

const GOOD: &str = "C1,01,310115200001011234,Li,Na,2000-01-01,310115,CHN,2024-01-01,2034-01-01";

#[test]
fn generated_citizens_are_deterministic_valid_and_round_trip_through_csv() {
    let a = generate_citizens(42, 1, 25);
    let b = generate_citizens(42, 1, 25);
    assert_eq!(a, b);
    assert_ne!(a, generate_citizens(43, 1, 25));
    let schema = Schema::cn_network_id_v1();
    for r in &a {
        check_record(&schema, r).unwrap();
        let n = r.attributes["document_number"].as_str().unwrap();
        assert_eq!(n.len(), 18);
        assert_eq!(n.chars().last().unwrap(), id_check_char(&n[..17]));
        assert_eq!(&n[..6], r.attributes["region"].as_str().unwrap());
    }
    assert_eq!(a[0].citizen_id, "C00000001");
    assert_eq!(generate_citizens(42, 26, 1)[0].citizen_id, "C00000026");
    let parsed = parse_citizens_csv(citizens_to_csv(&a).as_bytes()).unwrap();
    assert_eq!(parsed, a);
}

#[test]
fn id_check_char_matches_the_standard_example() {
    // GB 11643-1999 example number 11010519491231002X.
    assert_eq!(id_check_char("11010519491231002"), 'X');
}

#[test]
fn csv_accepts_any_column_order_and_quoting() {
    let text = "given_name,citizen_id,document_type,document_number,family_name,birth_date,region,nationality,issued_on,expires_on\n\"Na\",C1,01,310115200001011234,\"Li, Jr\",2000-01-01,310115,CHN,2024-01-01,2034-01-01\n";
    let r = parse_citizens_csv(text.as_bytes()).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].attributes["family_name"], "Li, Jr");
}

fn invalid(bytes: &[u8]) -> Vec<LineError> {
    match parse_citizens_csv(bytes) {
        Err(ImportError::Invalid(e)) => e,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn csv_errors_carry_line_numbers_and_reject_the_whole_file() {
    let text = csv_of(&[
        GOOD,
        "C2,01,X,Li,Na,2000-02-30,310115,CHN,2024-01-01,2034-01-01",
        "C3,1,X,Li,Na,2000-01-01,310115,CHN,2024-01-01,2034-01-01",
        "C4,01,X,Li,Na,2000-01-01,3101,CHN,2024-01-01,2034-01-01",
        "C1,01,X,Li,Na,2000-01-01,310115,CHN,2024-01-01,2034-01-01",
        "bad id!,01,X,Li,Na,2000-01-01,310115,CHN,2024-01-01,2034-01-01",
        "C7,01,X,Li",
    ]);
    let e = invalid(text.as_bytes());
    let lines: Vec<u64> = e.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8], "{e:?}");
    assert!(e[0].message.contains("birth_date"), "{}", e[0].message);
    assert!(e[1].message.contains("document_type"), "{}", e[1].message);
    assert!(e[2].message.contains("region"), "{}", e[2].message);
    assert!(e[3].message.contains("twice"), "{}", e[3].message);
    assert!(e[4].message.contains("citizen_id"), "{}", e[4].message);
}

#[test]
fn csv_header_must_match_exactly() {
    let missing = "citizen_id,document_type\nC1,01\n";
    let e = invalid(missing.as_bytes());
    assert!(e.iter().all(|e| e.line == 1));
    assert!(e.iter().any(|e| e.message == "missing column \"region\""));

    let extra = format!("{},revocation_id\n", CSV_COLUMNS.join(","));
    let e = invalid(extra.as_bytes());
    assert!(e[0].message.contains("revocation_id"));

    let dup = format!("{},region\n", CSV_COLUMNS.join(","));
    let e = invalid(dup.as_bytes());
    assert_eq!(e[0].message, "column \"region\" appears twice");

    let secret = format!("{},link_secret\n", CSV_COLUMNS.join(","));
    let e = invalid(secret.as_bytes());
    assert_eq!(e[0].message, "unexpected column \"link_secret\"");
}

#[test]
fn csv_rejects_non_utf8_and_empty_files() {
    let mut bytes = csv_of(&[GOOD]).into_bytes();
    bytes.extend_from_slice(b"C2,\xff\n");
    let e = invalid(&bytes);
    assert_eq!(e[0].line, 3);
    assert!(matches!(
        parse_citizens_csv(csv_of(&[]).as_bytes()),
        Err(ImportError::Empty)
    ));
}

#[test]
fn csv_error_list_is_capped() {
    let bad = "C,01,X,Li,Na,2000-13-01,310115,CHN,2024-01-01,2034-01-01";
    let rows: Vec<String> = (0..200)
        .map(|n| bad.replacen("C,", &format!("C{n},"), 1))
        .collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let e = invalid(csv_of(&refs).as_bytes());
    assert_eq!(e.len(), MAX_REPORTED_ERRORS);
}
