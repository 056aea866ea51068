use std::collections::BTreeMap;

use super::model::{logins, Behaviour, Habits};
use super::probe::{self, ProbeResults, LAST_EPOCH, PROBED_EPOCHS};
use super::*;
use crate::unlinkability::twins;

/// A probe result with chosen numbers, for model tests that need no real presentations.
fn synthetic_probe() -> ProbeResults {
    ProbeResults {
        holders: 2,
        epoch_carried: true,
        sizes: BTreeMap::from([(0, vec![5000]), (10, vec![5001])]),
        prove_ms_plain: vec![10.0, 10.5, 11.0, 12.0],
        prove_ms_prepared: vec![1.5, 1.6, 1.8, 2.0],
    }
}

fn config() -> MetadataConfig {
    MetadataConfig {
        trials: 2_000,
        holders: 64,
        ..MetadataConfig::default()
    }
}

/// The real presentations carry the epoch of the witness they were made from, every epoch of
/// the window verifies, and the size depends only on the epoch's decimal length.
#[test]
fn probe_epoch_is_carried_and_size_depends_only_on_epoch_digits() {
    let (attributes, mut policy) = twins(3, 2);
    policy.verifier_id = PLATFORMS[1].to_owned();
    let p = probe::run(3, &attributes, &policy, 2).expect("probe");
    assert!(p.epoch_carried);
    assert_eq!(p.holders, 2);
    assert_eq!(p.sizes.keys().copied().collect::<Vec<_>>(), PROBED_EPOCHS);
    for (e, sizes) in &p.sizes {
        assert_eq!(sizes.len(), 1, "epoch {e}: sizes {sizes:?}");
    }
    assert_eq!(p.sizes[&10][0], p.sizes[&9][0] + 1);
    assert_eq!(p.sizes[&LAST_EPOCH][0], p.sizes[&10][0]);
    assert_eq!(p.sizes[&0][0], p.sizes[&9][0]);
    assert_eq!(p.size_at(7), p.sizes[&0][0]);
    assert_eq!(p.size_at(57), p.sizes[&10][0]);
    assert_eq!(p.size_at(123), p.sizes[&10][0] + 1);
    assert_eq!((p.prove_ms_plain.len(), p.prove_ms_prepared.len()), (2, 2));
}

/// A presentation proves against an epoch inside the request's window, always; with a
/// one-epoch window or a wallet that updates first, against the newest.
#[test]
fn witness_epochs_stay_in_the_window() {
    let probe = synthetic_probe();
    let c = config();
    let mut rng = seeding::rng(1, "test", 0, 0);
    for (window, update_first) in [(4, false), (1, false), (4, true)] {
        let b = Behaviour {
            window,
            update_interval: 7,
            update_first,
            old_keys_kept: true,
            prepared_share: 0.5,
            pad_ms: 0.0,
            jitter_ms: 0.0,
        };
        for h in 0..20 {
            let habits = Habits::draw(c.seed, h, &b);
            let times: Vec<u64> = (0..30).map(|_| rng.gen_range(0..60)).collect();
            for (t, o) in times
                .iter()
                .zip(logins(&mut rng, &probe, &b, &habits, &times))
            {
                assert!(
                    o.epoch <= *t && t - o.epoch < window,
                    "t {t} epoch {}",
                    o.epoch
                );
                if window == 1 || update_first {
                    assert_eq!(o.epoch, *t);
                }
            }
        }
    }
}

/// Each channel's adversary catches its leaking setting (advantage interval above 0), and the
/// closing setting leaves it nothing (interval containing 0).
#[test]
fn leaking_settings_are_caught_and_closing_settings_close() {
    let probe = synthetic_probe();
    let c = config();
    let all = settings(&c, 15.0);
    let family = all.len();
    for (i, (channel, setting, _, closes, b)) in all.into_iter().enumerate() {
        let s = play(&c, &probe, i as u64, channel, &b, family);
        let leaking = closes.is_none() && channel != Channel::Size;
        if leaking {
            assert!(
                s.advantage_ci95.lo > 0.2,
                "{} {setting}: {:?}",
                channel.id(),
                s.advantage_ci95
            );
        } else if closes.is_some() {
            assert!(
                s.indistinguishable,
                "{} {setting}: {:?}",
                channel.id(),
                s.advantage_ci95
            );
        }
    }
}

#[test]
fn invalid_configurations_are_refused() {
    let (attributes, policy) = twins(1, 4);
    for bad in [
        MetadataConfig {
            trials: 0,
            ..config()
        },
        MetadataConfig {
            window: 0,
            ..config()
        },
        MetadataConfig {
            holders: 3,
            ..config()
        },
        MetadataConfig {
            prepared_share: 1.5,
            ..config()
        },
        MetadataConfig {
            jitter_ms: f64::NAN,
            ..config()
        },
    ] {
        assert!(matches!(
            run(&bad, &attributes, &policy),
            Err(MetadataError::Config(_))
        ));
    }
}
