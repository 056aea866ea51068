use super::*;
use crate::fixture::*;
use crate::{KeyError, LogSigningKey, WitnessSigningKey, MAX_KEY_NAME_LEN};

fn vk(i: u8) -> WitnessVerifyingKey {
    witness_key(i).verifying_key().clone()
}

#[test]
fn log_009_policy_validity() {
    let log = log_key().verifying_key().clone();
    assert_eq!(
        WitnessPolicy::new(log.clone(), vec![vk(1)], 0, DAY),
        Err(PolicyError::Quorum {
            quorum: 0,
            witnesses: 1
        })
    );
    assert_eq!(
        WitnessPolicy::new(log.clone(), vec![vk(1)], 2, DAY),
        Err(PolicyError::Quorum {
            quorum: 2,
            witnesses: 1
        })
    );
    assert_eq!(
        WitnessPolicy::new(log.clone(), vec![vk(1), vk(1)], 1, DAY),
        Err(PolicyError::DuplicateWitness("w1.test.example".to_owned()))
    );
    let renamed = WitnessSigningKey::from_seed("w1.test.example", &[77; 32]).expect("key");
    assert!(matches!(
        WitnessPolicy::new(
            log.clone(),
            vec![vk(1), renamed.verifying_key().clone()],
            1,
            DAY
        ),
        Err(PolicyError::DuplicateWitness(_))
    ));
    let same_key = WitnessSigningKey::from_seed("x.example", &[1; 32]).expect("key");
    assert_eq!(
        WitnessPolicy::new(log.clone(), vec![same_key.verifying_key().clone()], 1, DAY),
        Err(PolicyError::KeyReuse("x.example".to_owned()))
    );
    assert_eq!(
        WitnessPolicy::new(log.clone(), vec![vk(1)], 1, 0),
        Err(PolicyError::MaxAge(0))
    );
    assert_eq!(
        WitnessPolicy::new(log.clone(), vec![vk(1)], 1, MAX_AGE_LIMIT + 1)
            .expect_err("age")
            .rule(),
        "LOG-009"
    );
    let many: Vec<_> = (0..=u8::try_from(MAX_WITNESSES).expect("small"))
        .map(|i| {
            WitnessSigningKey::from_seed(&format!("m{i}"), &[100 + i; 32])
                .expect("key")
                .verifying_key()
                .clone()
        })
        .collect();
    assert_eq!(
        WitnessPolicy::new(log, many, 1, DAY),
        Err(PolicyError::TooManyWitnesses(MAX_WITNESSES + 1))
    );
}

#[test]
fn log_009_policy_json_uses_vkeys_and_is_validated() {
    let p = policy();
    let json = serde_json::to_string(&p).expect("json");
    assert!(json.contains(&log_key().verifying_key().to_vkey()));
    assert_eq!(
        serde_json::from_str::<WitnessPolicy>(&json).expect("parse"),
        p
    );
    let broken = json.replace("\"quorum\":2", "\"quorum\":4");
    assert!(serde_json::from_str::<WitnessPolicy>(&broken).is_err());
    let unknown = json.replace("\"quorum\"", "\"k\":1,\"quorum\"");
    assert!(serde_json::from_str::<WitnessPolicy>(&unknown).is_err());
}

#[test]
fn log_006_vkeys_are_checked() {
    let log = log_key().verifying_key().clone();
    let vkey = log.to_vkey();
    assert_eq!(LogVerifyingKey::from_vkey(&vkey), Ok(log));
    // A log key is not a witness key, and the other way round.
    assert!(matches!(
        WitnessVerifyingKey::from_vkey(&vkey),
        Err(KeyError::WrongType {
            expected: 0x04,
            got: 0x01
        })
    ));
    let w = vk(1).to_vkey();
    assert!(matches!(
        LogVerifyingKey::from_vkey(&w),
        Err(KeyError::WrongType { .. })
    ));
    // Wrong key id, uppercase id, renamed, malformed.
    let (name, rest) = vkey.split_once('+').expect("name");
    let (id, key) = rest.split_once('+').expect("id");
    let wrong_id = format!(
        "{name}+{:08x}+{key}",
        u32::from_str_radix(id, 16).expect("hex") ^ 1
    );
    assert_eq!(
        LogVerifyingKey::from_vkey(&wrong_id),
        Err(KeyError::KeyIdMismatch)
    );
    assert_eq!(
        LogVerifyingKey::from_vkey(&format!("{name}+{}+{key}", id.to_uppercase())),
        Err(KeyError::Malformed)
    );
    assert_eq!(
        LogVerifyingKey::from_vkey(&format!("renamed+{id}+{key}")),
        Err(KeyError::KeyIdMismatch)
    );
    assert_eq!(
        LogVerifyingKey::from_vkey("name+abc"),
        Err(KeyError::Malformed)
    );
    // Names: no space, no plus, printable ASCII, at most 255 bytes.
    for bad in ["", "a b", "a+b", "é", &"a".repeat(MAX_KEY_NAME_LEN + 1)] {
        assert!(
            matches!(
                LogSigningKey::from_seed(bad, &[1; 32]),
                Err(KeyError::InvalidName(_))
            ),
            "{bad:?}"
        );
    }
    // A small-order point is refused.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(
        LogVerifyingKey::new("x", &identity),
        Err(KeyError::InvalidKey)
    );
    assert_eq!(KeyError::InvalidKey.rule(), "LOG-006");
}

#[test]
fn log_006_secret_keys_are_redacted() {
    let k = log_key();
    let shown = format!("{k:?}");
    assert!(shown.contains("LogSigningKey"));
    assert!(!shown.contains(&hex::encode(*k.to_seed())));
    assert_eq!(*k.to_seed(), [1; 32]);
}
