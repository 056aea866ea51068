use super::*;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[test]
fn prd_002_years_before_handles_29_february() {
    assert_eq!(years_before(d("2026-11-25"), 18), Some(d("2008-11-25")));
    // Reference on 29 February, target year not leap: 28 February.
    assert_eq!(years_before(d("2024-02-29"), 18), Some(d("2006-02-28")));
    // Target year leap: 29 February stays.
    assert_eq!(years_before(d("2024-02-29"), 4), Some(d("2020-02-29")));
    assert_eq!(years_before(d("1910-01-01"), 11), None);
}

#[test]
fn prd_001_age_at_least_boundaries() {
    let s = Schema::cn_network_id_v1();
    let b = lower(&s, &[Predicate::AgeAtLeast(18)], d("2026-11-25"), &[]).unwrap();
    let bd = s.index_of("birth_date").unwrap();
    assert_eq!(
        b,
        [Bound {
            index: bd,
            min: 0,
            max: u64::from(d("2008-11-25").days())
        }]
    );
    // Born 2008-11-25: 18 today (allowed). Born 2008-11-26: 17 years and 364 days (refused).
    let allowed = u64::from(d("2008-11-25").days());
    assert!(allowed <= b[0].max && allowed + 1 > b[0].max);
    let below = lower(&s, &[Predicate::AgeBelow(18)], d("2026-11-25"), &[]).unwrap();
    assert_eq!(below[0].min, allowed + 1);
    // A leapling born 2008-02-29 is 18 on 2026-03-01, not on 2026-02-28.
    let leap = u64::from(d("2008-02-29").days());
    let feb28 = lower(&s, &[Predicate::AgeAtLeast(18)], d("2026-02-28"), &[]).unwrap();
    let mar01 = lower(&s, &[Predicate::AgeAtLeast(18)], d("2026-03-01"), &[]).unwrap();
    assert!(leap > feb28[0].max);
    assert!(leap <= mar01[0].max);
}

#[test]
fn prd_003_valid_on_and_region_within() {
    let s = Schema::cn_network_id_v1();
    let b = lower(
        &s,
        &[
            Predicate::ValidOn("2026-11-25".into()),
            Predicate::RegionWithin("31".into()),
        ],
        d("2026-11-25"),
        &[],
    )
    .unwrap();
    let day = u64::from(d("2026-11-25").days());
    assert_eq!(
        b[0],
        Bound {
            index: s.index_of("issued_on").unwrap(),
            min: 0,
            max: day
        }
    );
    assert_eq!(
        b[1],
        Bound {
            index: s.index_of("expires_on").unwrap(),
            min: day,
            max: u64::from(Date::MAX.days())
        }
    );
    assert_eq!(
        b[2],
        Bound {
            index: s.index_of("region").unwrap(),
            min: 310_000,
            max: 319_999
        }
    );
    let full = lower(
        &s,
        &[Predicate::RegionWithin("310115".into())],
        d("2026-01-01"),
        &[],
    )
    .unwrap();
    assert_eq!((full[0].min, full[0].max), (310_115, 310_115));
}

#[test]
fn prd_004_to_006_rejections() {
    let s = Schema::cn_network_id_v1();
    let r = d("2026-01-01");
    let err = |p: Predicate, disclosed: &[String]| lower(&s, &[p], r, disclosed).unwrap_err();
    assert!(matches!(
        err(Predicate::RegionWithin("3a".into()), &[]),
        DecodeError::InvalidField { .. }
    ));
    assert!(matches!(
        err(Predicate::RegionWithin("3101150".into()), &[]),
        DecodeError::InvalidField { .. }
    ));
    assert!(matches!(
        err(Predicate::RegionWithin(String::new()), &[]),
        DecodeError::InvalidField { .. }
    ));
    assert!(matches!(
        err(Predicate::ValidOn("2026-02-30".into()), &[]),
        DecodeError::InvalidField { .. }
    ));
    assert!(matches!(
        err(Predicate::AgeAtLeast(200), &[]),
        DecodeError::InvalidField { .. }
    ));
    let range = |attr: &str, min: serde_json::Value, max: serde_json::Value| {
        Predicate::Range(RangeSpec {
            attribute: attr.into(),
            min: Some(min),
            max: Some(max),
        })
    };
    // Empty range.
    assert!(matches!(
        err(range("revocation_id", 5.into(), 4.into()), &[]),
        DecodeError::InvalidField { .. }
    ));
    // Strings and the holder secret cannot be range-checked.
    assert!(matches!(
        err(range("family_name", "a".into(), "b".into()), &[]),
        DecodeError::InvalidField { .. }
    ));
    assert!(matches!(
        err(range("link_secret", 1.into(), 2.into()), &[]),
        DecodeError::InvalidField { .. }
    ));
    // Disclosed and range-checked at once.
    assert!(matches!(
        err(Predicate::AgeAtLeast(18), &["birth_date".into()]),
        DecodeError::InvalidField { .. }
    ));
    // Bounds in the wrong JSON type.
    assert!(matches!(
        err(range("birth_date", 5.into(), 6.into()), &[]),
        DecodeError::InvalidField { .. }
    ));
    let ok = lower(
        &s,
        &[range(
            "birth_date",
            "1990-01-01".into(),
            "1990-12-31".into(),
        )],
        r,
        &[],
    )
    .unwrap();
    assert_eq!(ok[0].max - ok[0].min, 364);
}

#[test]
fn predicates_json_form() {
    let p: Vec<Predicate> = serde_json::from_str(
        r#"[{"age_at_least":18},{"valid_on":"2026-11-25"},{"region_within":"31"},
            {"range":{"attribute":"revocation_id","min":1}}]"#,
    )
    .unwrap();
    assert_eq!(p[0], Predicate::AgeAtLeast(18));
    assert_eq!(
        serde_json::to_string(&p[2]).unwrap(),
        r#"{"region_within":"31"}"#
    );
    assert!(serde_json::from_str::<Predicate>(r#"{"age_at_least":-1}"#).is_err());
    assert!(serde_json::from_str::<Predicate>(r#"{"age_at_least":18,"valid_on":"x"}"#).is_err());
}
