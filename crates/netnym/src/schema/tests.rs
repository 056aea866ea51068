use super::*;
use serde_json::json;

fn spec(name: &str, ty: AttributeType) -> AttributeSpec {
    AttributeSpec {
        name: name.to_owned(),
        ty,
    }
}

#[test]
fn enc_001_dates_round_trip_and_known_days() {
    assert_eq!(Date::parse("1900-01-01"), Some(Date::MIN));
    assert_eq!(Date::parse("1900-01-02").map(Date::days), Some(1));
    // 1970-01-01 is 25567 days after 1900-01-01 (70 years, 17 leap days).
    assert_eq!(Date::parse("1970-01-01").map(Date::days), Some(25_567));
    assert_eq!(Date::from_unix(0).map(Date::days), Some(25_567));
    assert_eq!(Date::parse("9999-12-31").map(Date::days), Some(2_958_463));
    for s in [
        "2000-02-29",
        "2024-02-29",
        "1999-12-31",
        "2038-01-19",
        "1904-02-29",
    ] {
        assert_eq!(Date::parse(s).map(|d| d.to_string()), Some(s.to_owned()));
    }
    // Every day of four centuries round-trips through days and back.
    for days in (0..146_097 * 2).step_by(7) {
        let d = Date::from_days(days).unwrap();
        let (y, m, dd) = d.ymd();
        assert_eq!(Date::from_ymd(y, m, dd), Some(d));
    }
}

#[test]
fn enc_001_rejects_invalid_dates() {
    for s in [
        "1900-02-29", // 1900 is not a leap year
        "2023-02-29",
        "2024-04-31",
        "2024-13-01",
        "2024-00-10",
        "2024-01-00",
        "1899-12-31",
        "10000-01-01",
        "2024-1-01",
        "2024/01/01",
        "+024-01-01",
        "2024-01-01 ",
        "",
    ] {
        assert_eq!(Date::parse(s), None, "{s:?} must be rejected");
    }
    assert_eq!(Date::from_days(2_958_464), None);
}

#[test]
fn sch_builtin_schema_is_valid_and_stable() {
    let s = Schema::cn_network_id_v1();
    assert_eq!(s.id(), CN_NETWORK_ID_V1);
    assert_eq!(s.len(), 11);
    assert_eq!(s.holder_secret_index(), 0);
    assert_eq!(s.index_of("region"), Some(7));
    // Round trip through JSON gives the same digest (and so the same generators).
    let again = Schema::from_json(s.to_json().as_bytes()).unwrap();
    assert_eq!(again.digest(), s.digest());
    assert_eq!(again.params(), s.params());
    assert!(s.params().is_valid());
}

#[test]
fn sch_010_generators_differ_per_schema() {
    let a = Schema::cn_network_id_v1();
    let b = Schema::from_json(
        a.to_json()
            .replace("cn-network-id/v1", "cn-network-id/v2")
            .as_bytes(),
    )
    .unwrap();
    assert_ne!(a.digest(), b.digest());
    assert_ne!(a.params().h, b.params().h);
    assert_ne!(a.params().g2, b.params().g2);
}

#[test]
fn sch_001_to_006_each_rule_rejects() {
    let ok = |extra: serde_json::Value| {
        let mut attrs = vec![json!({"name": "ls", "type": "holder_secret"})];
        if let serde_json::Value::Array(v) = extra {
            attrs.extend(v);
        }
        attrs
    };
    let parse = |id: &str, attrs: Vec<serde_json::Value>| {
        Schema::from_json(
            json!({"id": id, "attributes": attrs})
                .to_string()
                .as_bytes(),
        )
    };
    assert!(parse("x/v1", ok(json!([]))).is_ok());
    assert_eq!(
        parse("bad id", ok(json!([]))),
        Err(SchemaError::InvalidId("bad id".into()))
    );
    assert_eq!(
        parse("", ok(json!([]))),
        Err(SchemaError::InvalidId(String::new()))
    );
    assert_eq!(
        parse("x", vec![]),
        Err(SchemaError::AttributeCount { found: 0, max: 64 })
    );
    let many: Vec<_> = (0..64)
        .map(|i| json!({"name": format!("a{i}"), "type": "uint"}))
        .collect();
    assert_eq!(
        parse("x", ok(json!(many))),
        Err(SchemaError::AttributeCount { found: 65, max: 64 })
    );
    assert_eq!(
        parse("x", ok(json!([{"name": "Age", "type": "uint"}]))),
        Err(SchemaError::InvalidAttributeName("Age".into()))
    );
    assert_eq!(
        parse("x", ok(json!([{"name": "1a", "type": "uint"}]))),
        Err(SchemaError::InvalidAttributeName("1a".into()))
    );
    assert_eq!(
        parse("x", ok(json!([{"name": "ls", "type": "uint"}]))),
        Err(SchemaError::DuplicateAttribute("ls".into()))
    );
    assert_eq!(
        parse("x", vec![json!({"name": "a", "type": "uint"})]),
        Err(SchemaError::HolderSecretCount(0))
    );
    assert_eq!(
        parse("x", ok(json!([{"name": "b", "type": "holder_secret"}]))),
        Err(SchemaError::HolderSecretCount(2))
    );
    assert_eq!(
        parse(
            "x",
            ok(json!([{"name": "c", "type": "code", "digits": 19}]))
        ),
        Err(SchemaError::InvalidCodeDigits {
            name: "c".into(),
            digits: 19
        })
    );
    assert!(matches!(
        parse("x", ok(json!([{"name": "c", "type": "code"}]))),
        Err(SchemaError::Json(_))
    ));
    assert!(matches!(
        parse("x", ok(json!([{"name": "c", "type": "float"}]))),
        Err(SchemaError::Json(_))
    ));
    assert!(matches!(
        Schema::from_json(br#"{"id":"x","attributes":[],"extra":1}"#),
        Err(SchemaError::Json(_))
    ));
    assert!(matches!(
        Schema::from_json(br#"{"id":"x","id":"y","attributes":[]}"#),
        Err(SchemaError::Json(_))
    ));
}

#[test]
fn enc_002_to_005_attribute_values() {
    let code = spec("region", AttributeType::Code { digits: 6 });
    assert_eq!(
        AttributeValue::from_json(&code, &json!("310115")),
        Ok(AttributeValue::Code("310115".into()))
    );
    for bad in [
        json!("31011"),
        json!("3101150"),
        json!("31011a"),
        json!("３10115"),
    ] {
        assert_eq!(
            AttributeValue::from_json(&code, &bad),
            Err(AttributeError::InvalidCode {
                name: "region".into(),
                digits: 6
            })
        );
    }
    assert!(matches!(
        AttributeValue::from_json(&code, &json!(310115)),
        Err(AttributeError::WrongType { .. })
    ));
    let string = spec("name", AttributeType::String);
    assert_eq!(
        AttributeValue::from_json(&string, &json!("x".repeat(1025))),
        Err(AttributeError::StringTooLong {
            name: "name".into(),
            max: 1024
        })
    );
    let uint = spec("n", AttributeType::Uint);
    assert_eq!(
        AttributeValue::from_json(&uint, &json!(u64::MAX)),
        Ok(AttributeValue::Uint(u64::MAX))
    );
    for bad in [
        json!(-1),
        json!(1.5),
        json!("1"),
        json!(18_446_744_073_709_551_616.0),
    ] {
        assert!(matches!(
            AttributeValue::from_json(&uint, &bad),
            Err(AttributeError::WrongType { .. })
        ));
    }
    let secret = spec("ls", AttributeType::HolderSecret);
    assert_eq!(
        AttributeValue::from_json(&secret, &json!(1)),
        Err(AttributeError::HolderSecretInClear("ls".into()))
    );
}

#[test]
fn enc_scalars_encode_integers_and_hash_strings_with_separation() {
    use ark_bls12_381::Fr;
    assert_eq!(
        AttributeValue::Code("310115".into()).to_scalar(),
        Fr::from(310_115u64)
    );
    assert_eq!(
        AttributeValue::Code("000001".into()).to_scalar(),
        Fr::from(1u64)
    );
    assert_eq!(
        AttributeValue::Date(Date::parse("1900-01-11").unwrap()).to_scalar(),
        Fr::from(10u64)
    );
    let a = AttributeValue::String("Zhang".into()).to_scalar();
    let b = AttributeValue::String("Zhang ".into()).to_scalar();
    assert_ne!(a, b);
    // The string hash is domain separated: it is not the plain challenge hash of the same bytes.
    assert_ne!(a, hash_to_scalar(b"other-dst", b"Zhang"));
}

#[test]
fn attributes_require_every_clear_value_once() {
    let s = Schema::cn_network_id_v1();
    let mut v = json!({
        "revocation_id": 1, "document_type": "01", "document_number": "X",
        "family_name": "A", "given_name": "B", "birth_date": "2000-01-01",
        "region": "310115", "nationality": "CHN", "issued_on": "2020-01-01",
        "expires_on": "2030-01-01"
    });
    assert!(Attributes::from_json(&s, &v).is_ok());
    v["link_secret"] = json!(5);
    assert_eq!(
        Attributes::from_json(&s, &v),
        Err(AttributeError::HolderSecretInClear("link_secret".into()))
    );
    v.as_object_mut().unwrap().remove("link_secret");
    v.as_object_mut().unwrap().remove("region");
    assert_eq!(
        Attributes::from_json(&s, &v),
        Err(AttributeError::Missing("region".into()))
    );
    v["bogus"] = json!(1);
    assert_eq!(
        Attributes::from_json(&s, &v),
        Err(AttributeError::Unknown("bogus".into()))
    );
}

#[test]
fn attribute_debug_never_shows_values() {
    let s = Schema::cn_network_id_v1();
    let v = AttributeValue::String("Secret Name".into());
    assert!(!format!("{v:?}").contains("Secret"));
    let attrs = Attributes::from_json(
        &s,
        &json!({
            "revocation_id": 1, "document_type": "01", "document_number": "DOC123",
            "family_name": "Zhang", "given_name": "B", "birth_date": "2000-01-01",
            "region": "310115", "nationality": "CHN", "issued_on": "2020-01-01",
            "expires_on": "2030-01-01"
        }),
    )
    .unwrap();
    let d = format!("{attrs:?}");
    assert!(!d.contains("DOC123") && !d.contains("Zhang"), "{d}");
}

mod review;
