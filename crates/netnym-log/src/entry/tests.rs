use proptest::prelude::*;

use super::*;

fn id(b: u8) -> ObjectId {
    ObjectId::from_bytes([b; 32])
}

fn env(text: &str) -> Envelope {
    Envelope::new(text.as_bytes().to_vec()).expect("envelope")
}

fn stats() -> DailyStatistics {
    let mut refusals = RefusalCounts::new();
    refusals
        .set(ReasonCode::new("document-expired").expect("code"), 3)
        .expect("set");
    refusals
        .set(ReasonCode::new("biometric-mismatch").expect("code"), 1)
        .expect("set");
    DailyStatistics {
        date: Date::new(2025, 11, 24).expect("date"),
        enrollments: 1200,
        refusals,
        revocations: 7,
        re_enrollments: 2,
    }
}

fn all() -> Vec<LogEntry> {
    vec![
        LogEntry::IssuerKeyPublished {
            key_id: id(1),
            envelope: env(r#"{"type":"netnym-issuer-public-key"}"#),
        },
        LogEntry::IssuerKeyRetired {
            key_id: id(1),
            retired_at: 1_764_000_000,
        },
        LogEntry::RangeParamsPublished {
            params_id: id(2),
            envelope: env("{}"),
        },
        LogEntry::RegistryKeyPublished {
            registry_id: id(3),
            envelope: env("{}"),
        },
        LogEntry::Epoch {
            registry_id: id(3),
            epoch: 1,
            entry: env(r#"{"epoch":1}"#),
        },
        LogEntry::DailyStatistics(stats()),
    ]
}

#[test]
fn log_001_every_entry_type_round_trips() {
    for e in all() {
        let bytes = e.encode();
        assert_eq!(bytes[0], ENTRY_VERSION);
        assert_eq!(LogEntry::decode(&bytes), Ok(e.clone()), "{}", e.kind());
        assert_eq!(e.leaf_hash(), leaf_hash(&bytes));
    }
}

#[test]
fn log_001_layout_of_a_retirement_entry() {
    let bytes = LogEntry::IssuerKeyRetired {
        key_id: id(0xaa),
        retired_at: 0x0102_0304_0506_0708,
    }
    .encode();
    let mut expected = vec![0x01, 0x02];
    expected.extend([0xaa; 32]);
    expected.extend([1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(bytes, expected);
}

#[test]
fn log_001_statistics_reasons_are_written_in_code_order() {
    let bytes = LogEntry::DailyStatistics(stats()).encode();
    let b = bytes
        .windows(18)
        .position(|w| w == b"biometric-mismatch")
        .expect("b");
    let d = bytes
        .windows(16)
        .position(|w| w == b"document-expired")
        .expect("d");
    assert!(b < d);
}

#[test]
fn log_001_strict_decoding() {
    let good = all()[1].encode();
    assert_eq!(
        LogEntry::decode(&[]),
        Err(EntryDecodeError::Truncated { field: "version" })
    );
    let mut v = good.clone();
    v[0] = 2;
    assert_eq!(LogEntry::decode(&v), Err(EntryDecodeError::Version(2)));
    let mut t = good.clone();
    t[1] = 0x07;
    assert_eq!(LogEntry::decode(&t), Err(EntryDecodeError::UnknownType(7)));
    let mut long = good.clone();
    long.push(0);
    assert_eq!(
        LogEntry::decode(&long),
        Err(EntryDecodeError::TrailingBytes(1))
    );
    for cut in 1..good.len() {
        let e = LogEntry::decode(&good[..cut]).expect_err("truncated");
        assert_eq!(e.rule(), "LOG-001", "cut {cut}");
        assert!(matches!(e, EntryDecodeError::Truncated { .. }), "cut {cut}");
    }
    let huge = vec![0u8; MAX_ENTRY_BYTES + 1];
    assert_eq!(
        LogEntry::decode(&huge),
        Err(EntryDecodeError::TooLarge {
            len: MAX_ENTRY_BYTES + 1
        })
    );
    // An opaque length pointing past the end.
    let mut opaque = all()[0].encode();
    opaque[34..38].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        LogEntry::decode(&opaque).expect_err("len").rule(),
        "LOG-002"
    );
}

fn invalid(bytes: &[u8]) -> String {
    match LogEntry::decode(bytes) {
        Err(e @ EntryDecodeError::InvalidField { .. }) => e.to_string(),
        other => panic!("expected LOG-002, got {other:?}"),
    }
}

#[test]
fn log_002_field_constraints() {
    // Empty envelope.
    let mut empty = vec![1, 1];
    empty.extend([0; 32]);
    empty.extend(0u32.to_be_bytes());
    assert!(invalid(&empty).contains("envelope"));
    assert!(Envelope::new(Vec::new()).is_err());
    assert!(Envelope::new(vec![0; MAX_ENVELOPE_BYTES + 1]).is_err());
    assert!(Envelope::new(vec![0; MAX_ENVELOPE_BYTES]).is_ok());

    let base = LogEntry::DailyStatistics(stats()).encode();
    // Date 2025-02-29 does not exist; month 13 neither.
    let mut feb = base.clone();
    feb[4] = 2;
    feb[5] = 29;
    assert!(invalid(&feb).contains("date"));
    let mut m13 = base.clone();
    m13[4] = 13;
    assert!(invalid(&m13).contains("date"));
    // Reasons out of order: swap the two names (same lengths? no: rebuild by hand).
    let mut w = base[..14].to_vec(); // version, type, date(4), enrollments(8)
    w.extend(2u16.to_be_bytes());
    for (code, count) in [("document-expired", 3u64), ("biometric-mismatch", 1)] {
        w.push(u8::try_from(code.len()).expect("len"));
        w.extend(code.as_bytes());
        w.extend(count.to_be_bytes());
    }
    w.extend(7u64.to_be_bytes());
    w.extend(2u64.to_be_bytes());
    assert!(invalid(&w).contains("order"));
    // A zero count, a duplicate, a bad code.
    let one = |code: &str, count: u64, times: u16| {
        let mut w = base[..14].to_vec();
        w.extend(times.to_be_bytes());
        for _ in 0..times {
            w.push(u8::try_from(code.len()).expect("len"));
            w.extend(code.as_bytes());
            w.extend(count.to_be_bytes());
        }
        w.extend(0u64.to_be_bytes());
        w.extend(0u64.to_be_bytes());
        w
    };
    assert!(LogEntry::decode(&one("late", 1, 1)).is_ok());
    assert!(invalid(&one("late", 0, 1)).contains("count 0"));
    assert!(invalid(&one("late", 1, 2)).contains("order"));
    assert!(invalid(&one("Late", 1, 1)).contains("reason code"));
    assert!(invalid(&one("-late", 1, 1)).contains("reason code"));
    assert!(invalid(&one("", 1, 1)).contains("reason code"));
    assert!(invalid(&one("x", 1, 65)).contains("reasons"));
}

#[test]
fn log_002_date_and_reason_constructors() {
    assert_eq!(
        Date::parse("2024-02-29").expect("leap").to_string(),
        "2024-02-29"
    );
    for bad in [
        "2023-02-29",
        "1969-12-31",
        "2024-2-29",
        "2024-02-29x",
        "20a4-02-01",
        "2024-00-10",
    ] {
        assert!(Date::parse(bad).is_err(), "{bad}");
    }
    assert!(Date::new(1900, 2, 29).is_err());
    assert!(Date::new(2000, 2, 29).is_ok());
    assert!(ReasonCode::new(&"a".repeat(MAX_REASON_LEN)).is_ok());
    assert!(ReasonCode::new(&"a".repeat(MAX_REASON_LEN + 1)).is_err());
    let mut r = RefusalCounts::new();
    for i in 0..MAX_REASONS {
        r.set(ReasonCode::new(&format!("r{i}")).expect("code"), 1)
            .expect("room");
    }
    assert!(r
        .set(ReasonCode::new("one-more").expect("code"), 1)
        .is_err());
    r.set(ReasonCode::new("r0").expect("code"), 0)
        .expect("remove");
    assert_eq!(r.len(), MAX_REASONS - 1);
    assert_eq!(r.total(), (MAX_REASONS - 1) as u64);
}

#[test]
fn log_002_object_id_hex_is_lowercase_only() {
    let text = "ab".repeat(32);
    assert_eq!(ObjectId::from_hex(&text).expect("hex").to_string(), text);
    assert!(ObjectId::from_hex(&"AB".repeat(32)).is_err());
    assert!(ObjectId::from_hex(&"ab".repeat(31)).is_err());
}

fn arb_entry() -> impl Strategy<Value = LogEntry> {
    let id = any::<[u8; 32]>().prop_map(ObjectId::from_bytes);
    let env = proptest::collection::vec(any::<u8>(), 1..64)
        .prop_map(|b| Envelope::new(b).expect("non-empty"));
    let code = "[a-z0-9][a-z0-9-]{0,31}".prop_map(|c| ReasonCode::new(&c).expect("code"));
    let refusals = proptest::collection::btree_map(code, 1..u64::MAX, 0..8).prop_map(|m| {
        let mut r = RefusalCounts::new();
        for (c, n) in m {
            r.set(c, n).expect("room");
        }
        r
    });
    prop_oneof![
        (id.clone(), env.clone())
            .prop_map(|(key_id, envelope)| LogEntry::IssuerKeyPublished { key_id, envelope }),
        (id.clone(), any::<u64>())
            .prop_map(|(key_id, retired_at)| LogEntry::IssuerKeyRetired { key_id, retired_at }),
        (id.clone(), env.clone()).prop_map(|(params_id, envelope)| {
            LogEntry::RangeParamsPublished {
                params_id,
                envelope,
            }
        }),
        (id.clone(), env.clone()).prop_map(|(registry_id, envelope)| {
            LogEntry::RegistryKeyPublished {
                registry_id,
                envelope,
            }
        }),
        (id, any::<u64>(), env).prop_map(|(registry_id, epoch, entry)| LogEntry::Epoch {
            registry_id,
            epoch,
            entry
        }),
        (
            (1970u16..=9999, 1u8..=12, 1u8..=28),
            any::<u64>(),
            refusals,
            any::<u64>(),
            any::<u64>()
        )
            .prop_map(
                |((y, m, d), enrollments, refusals, revocations, re_enrollments)| {
                    LogEntry::DailyStatistics(DailyStatistics {
                        date: Date::new(y, m, d).expect("valid"),
                        enrollments,
                        refusals,
                        revocations,
                        re_enrollments,
                    })
                }
            ),
    ]
}

proptest! {
    #[test]
    fn log_001_encode_decode_round_trip(e in arb_entry()) {
        prop_assert_eq!(LogEntry::decode(&e.encode()), Ok(e));
    }

    /// Exactly one encoding per value: whatever bytes decode re-encode to themselves.
    #[test]
    fn log_001_decoding_is_canonical(e in arb_entry(), pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = e.encode();
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        if let Ok(decoded) = LogEntry::decode(&bytes) {
            prop_assert_eq!(decoded.encode(), bytes);
        }
    }
}
