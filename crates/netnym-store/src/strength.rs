//! The minimum strength of a new secret a person chooses: the authority's passphrase and the
//! admin token (rules `SEC-001`, `SEC-002` in docs/operations.md § Secrets).
//!
//! Length alone admits `aaaaaaaaaaaa`; the strength is estimated with zxcvbn (Dropbox's
//! estimator: dictionaries, keyboard patterns, repeats, sequences, dates), whose score 3 means
//! about 10^10 guesses or more. Secrets are checked when they are chosen (`authority init`,
//! `serve` for the admin token), never when an existing one is used to unlock.

use thiserror::Error;
use zeroize::Zeroizing;

/// A rule a new secret must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrengthRule {
    /// What the secret is, for messages.
    pub what: &'static str,
    /// Fewest characters.
    pub min_chars: usize,
    /// Lowest zxcvbn score (0..=4).
    pub min_score: u8,
}

/// `SEC-001`: the authority's passphrase (seals its keys): 12 characters, zxcvbn score 3.
pub const PASSPHRASE_RULE: StrengthRule = StrengthRule {
    what: "authority passphrase",
    min_chars: 12,
    min_score: 3,
};

/// `SEC-002`: the admin token (bearer of `POST /v1/revoke`): 16 characters, zxcvbn score 3.
pub const ADMIN_TOKEN_RULE: StrengthRule = StrengthRule {
    what: "admin token",
    min_chars: 16,
    min_score: 3,
};

/// A secret weaker than its rule.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WeakSecret {
    /// Too short.
    #[error("the {what} must be at least {min} characters")]
    TooShort {
        /// What the secret is.
        what: &'static str,
        /// The minimum.
        min: usize,
    },
    /// Too easy to guess (a common word, a pattern, a repeat).
    #[error("the {what} is too easy to guess (strength {score} of 4, at least {min} needed): use several unrelated words or a random string")]
    TooGuessable {
        /// What the secret is.
        what: &'static str,
        /// Its zxcvbn score.
        score: u8,
        /// The minimum score.
        min: u8,
    },
}

impl StrengthRule {
    /// Check a new secret against the rule.
    ///
    /// # Errors
    /// [`WeakSecret`] naming what is missing (never the secret).
    pub fn check(&self, secret: &str) -> Result<(), WeakSecret> {
        if secret.chars().count() < self.min_chars {
            return Err(WeakSecret::TooShort {
                what: self.what,
                min: self.min_chars,
            });
        }
        // zxcvbn's cost grows with the length; past 100 characters the prefix decides.
        let head: Zeroizing<String> = Zeroizing::new(secret.chars().take(100).collect());
        let score = u8::from(zxcvbn::zxcvbn(&head, &[]).score());
        if score < self.min_score {
            return Err(WeakSecret::TooGuessable {
                what: self.what,
                score,
                min: self.min_score,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sec_001_passphrase_rule() {
        assert_eq!(
            PASSPHRASE_RULE.check("a"),
            Err(WeakSecret::TooShort {
                what: "authority passphrase",
                min: 12
            })
        );
        for weak in [
            "aaaaaaaaaaaaaaaa",
            "passwordpassword",
            "123456789012",
            "qwertyuiopasdf",
        ] {
            assert!(
                matches!(
                    PASSPHRASE_RULE.check(weak),
                    Err(WeakSecret::TooGuessable {
                        what: "authority passphrase",
                        min: 3,
                        ..
                    })
                ),
                "{weak}"
            );
        }
        for strong in [
            "authority passphrase for tests",
            "demo authority passphrase",
            "x7#Lq9!vR2@mZ4",
        ] {
            assert_eq!(PASSPHRASE_RULE.check(strong), Ok(()), "{strong}");
        }
    }

    #[test]
    fn sec_002_admin_token_rule() {
        assert!(matches!(
            ADMIN_TOKEN_RULE.check("short-token"),
            Err(WeakSecret::TooShort { min: 16, .. })
        ));
        assert!(matches!(
            ADMIN_TOKEN_RULE.check("aaaaaaaaaaaaaaaaaaaa"),
            Err(WeakSecret::TooGuessable { .. })
        ));
        assert_eq!(
            ADMIN_TOKEN_RULE.check("admin-token-for-tests-0123456789"),
            Ok(())
        );
    }
}
