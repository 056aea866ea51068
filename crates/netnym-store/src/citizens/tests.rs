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

const GOOD: &str = "C1,01,310115200001011238,Li,Na,2000-01-01,310115,CHN,2024-01-01,2034-01-01";

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
    let text = "given_name,citizen_id,document_type,document_number,family_name,birth_date,region,nationality,issued_on,expires_on\n\"Na\",C1,01,310115200001011238,\"Li, Jr\",2000-01-01,310115,CHN,2024-01-01,2034-01-01\n";
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
        "C2,02,E1,Li,Na,2000-02-30,310115,CHN,2024-01-01,2034-01-01",
        "C3,1,E2,Li,Na,2000-01-01,310115,CHN,2024-01-01,2034-01-01",
        "C4,02,E3,Li,Na,2000-01-01,3101,CHN,2024-01-01,2034-01-01",
        "C1,02,E4,Li,Na,2000-01-01,310115,CHN,2024-01-01,2034-01-01",
        "bad id!,02,E5,Li,Na,2000-01-01,310115,CHN,2024-01-01,2034-01-01",
        "C7,02,E6,Li",
    ]);
    let e = invalid(text.as_bytes());
    let lines: Vec<u64> = e.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8], "{e:?}");
    assert!(e[0].message.contains("birth_date"), "{}", e[0].message);
    assert!(e[1].message.contains("document_type"), "{}", e[1].message);
    assert!(e[2].message.contains("region"), "{}", e[2].message);
    assert_eq!(
        e[3].message,
        "IMP-006: citizen_id \"C1\" appears twice in the file"
    );
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

/// The attributes of GOOD with `field` set to `value`, checked as one record.
fn check_with(field: &str, value: &str) -> Result<(), String> {
    let mut r = parse_citizens_csv(csv_of(&[GOOD]).as_bytes())
        .unwrap()
        .remove(0);
    r.attributes[field] = value.into();
    check_record(&Schema::cn_network_id_v1(), &r)
}

#[test]
fn imp_001_region_must_be_in_a_gbt_2260_province() {
    assert_eq!(check_with("region", "820001"), Ok(()));
    assert_eq!(
        check_with("region", "999999"),
        Err(
            "IMP-001: region \"999999\" is not in a GB/T 2260 province (its first two digits)"
                .to_owned()
        )
    );
    assert!(check_with("region", "190000")
        .unwrap_err()
        .starts_with("IMP-001"));
}

#[test]
fn imp_002_nationality_must_be_an_iso_3166_alpha_3_code() {
    for ok in ["CHN", "TWN", "HKG", "DEU", "USA"] {
        assert_eq!(check_with("nationality", ok), Ok(()), "{ok}");
    }
    for bad in ["XX", "XXX", "chn", "CN", "CHNA", "ZZZ"] {
        assert_eq!(
            check_with("nationality", bad),
            Err(format!(
                "IMP-002: nationality {bad:?} is not an ISO 3166-1 alpha-3 code"
            )),
        );
    }
}

#[test]
fn imp_003_dates_must_be_in_order() {
    assert_eq!(
        check_with("expires_on", "2023-12-31"),
        Err("IMP-003: expires_on 2023-12-31 is not after issued_on 2024-01-01".to_owned())
    );
    assert_eq!(
        check_with("expires_on", "2024-01-01"),
        Err("IMP-003: expires_on 2024-01-01 is not after issued_on 2024-01-01".to_owned())
    );
    assert_eq!(
        check_with("issued_on", "1999-12-31"),
        Err("IMP-003: issued_on 1999-12-31 is before birth_date 2000-01-01".to_owned())
    );
}

#[test]
fn imp_004_resident_id_numbers_follow_gb_11643() {
    assert_eq!(
        check_with("document_number", "310115200001011234"),
        Err("IMP-004: document_number check character is '4', expected '8' (GB 11643)".to_owned())
    );
    assert!(check_with("document_number", "31011520000101123")
        .unwrap_err()
        .starts_with("IMP-004: a resident identity card number"));
    assert!(check_with("document_number", "31011520000101123x")
        .unwrap_err()
        .starts_with("IMP-004: document_number check character"));
    // 990115... has a valid check character but no province.
    let first17 = "99011520000101123";
    let n = format!("{first17}{}", id_check_char(first17));
    assert_eq!(
        check_with("document_number", &n),
        Err(
            "IMP-004: document_number address code \"990115\" is not in a GB/T 2260 province"
                .to_owned()
        )
    );
    // A number born on another day than the record says.
    let first17 = "31011520000102123";
    let n = format!("{first17}{}", id_check_char(first17));
    assert_eq!(
        check_with("document_number", &n),
        Err(
            "IMP-004: document_number gives birth date 2000-01-02, the record says 2000-01-01"
                .to_owned()
        )
    );
    // The standard's own example (born 1949-12-31, check character X) is accepted.
    let mut r = parse_citizens_csv(csv_of(&[GOOD]).as_bytes())
        .unwrap()
        .remove(0);
    r.attributes["document_number"] = "11010519491231002X".into();
    r.attributes["birth_date"] = "1949-12-31".into();
    assert_eq!(check_record(&Schema::cn_network_id_v1(), &r), Ok(()));
    // Other document types are not held to GB 11643.
    let mut r = parse_citizens_csv(csv_of(&[GOOD]).as_bytes())
        .unwrap()
        .remove(0);
    r.attributes["document_type"] = "02".into();
    r.attributes["document_number"] = "E12345678".into();
    assert_eq!(check_record(&Schema::cn_network_id_v1(), &r), Ok(()));
}

#[test]
fn imp_005_a_document_appears_once_in_a_file() {
    let second = GOOD.replacen("C1,", "C2,", 1);
    let e = invalid(csv_of(&[GOOD, &second]).as_bytes());
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].line, 3);
    assert_eq!(
        e[0].message,
        "IMP-005: this document (document_type, document_number) appears twice in the file"
    );
}

#[test]
fn imp_005_generated_identity_numbers_are_distinct_across_batches_and_seeds() {
    let mut seen = HashSet::new();
    for (seed, first) in [(1, 1), (2, 2_001), (3, 4_001)] {
        for r in generate_citizens(seed, first, 2_000) {
            assert!(seen.insert(rules::document_of(&r.attributes)), "{r:?}");
        }
    }
    // The document depends on the index alone.
    assert_eq!(
        generate_citizens(1, 77, 1)[0].attributes["document_number"],
        generate_citizens(2, 77, 1)[0].attributes["document_number"]
    );
}
