//! Splitting NetNym wire JSON into named [`Component`]s: presentations (what a platform
//! receives) and issuance transcripts (what the authority keeps).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use super::{core_err, ComponentKind, DesignError, View};

/// Sizes of the fixed parts of a NetNym BBS+ proof (spec/03-wire-format.md): five compressed G1
/// points, then scalars.
const PROOF_POINTS: [&str; 5] = ["A_prime", "A_bar", "d", "T1", "T2"];
/// A membership proof (spec/09-revocation.md): three G1 points, then the randomizer's response.
const MEMBERSHIP_POINTS: [&str; 3] = ["A_prime", "A_bar", "t"];
/// A BBS+ signature `A ‖ e ‖ s` (spec/03-wire-format.md §Signature).
const SIGNATURE_PARTS: [(&str, usize); 3] = [("A", G1_LEN), ("e", FR_LEN), ("s", FR_LEN)];
pub(crate) const G1_LEN: usize = 48;
pub(crate) const FR_LEN: usize = 32;

/// Split a NetNym presentation (wire JSON) into components: every JSON leaf by path, base64url
/// fields decoded, each BBS+ proof split into its group elements and scalars, each membership
/// proof into its three points and response. Fields the lab does not know (future core
/// versions) are kept as proof components under their JSON path.
///
/// # Errors
/// [`DesignError::Core`] when the bytes are not JSON.
pub fn netnym_view(bytes: &[u8]) -> Result<View, DesignError> {
    let json: serde_json::Value = serde_json::from_slice(bytes).map_err(core_err)?;
    let mut view = View::default();
    flatten(&json, String::new(), &mut view);
    Ok(view)
}

/// Fields of the issuance messages that are base64url binary on the wire (spec/03-wire-format.md).
const BINARY_FIELDS: [&str; 7] = [
    "nonce",
    "commitment",
    "proof",
    "signature",
    "witness",
    "accumulator",
    "secret_key",
];

/// Split the JSON of an issuance message (offer, blind request, response, membership witness)
/// into components under `prefix`: leaves by path (text), base64url binary fields decoded, a
/// signature split into `A`, `e`, `s`. Everything is a *claim* of the authority's record.
///
/// # Errors
/// [`DesignError::Core`] when the bytes are not JSON.
pub fn transcript_view(prefix: &str, bytes: &[u8], out: &mut View) -> Result<(), DesignError> {
    let json: serde_json::Value = serde_json::from_slice(bytes).map_err(core_err)?;
    transcript_leaves(&json, prefix, "", out);
    Ok(())
}

fn transcript_leaves(v: &serde_json::Value, path: &str, field: &str, out: &mut View) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                transcript_leaves(x, &format!("{path}.{k}"), k, out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                transcript_leaves(x, &format!("{path}.{i}"), field, out);
            }
        }
        serde_json::Value::String(text) if BINARY_FIELDS.contains(&field) => {
            match URL_SAFE_NO_PAD.decode(text) {
                Ok(b) if field == "signature" && b.len() == G1_LEN + 2 * FR_LEN => {
                    let mut rest = b.as_slice();
                    for (part, len) in SIGNATURE_PARTS {
                        let (head, tail) = rest.split_at(len);
                        out.push(format!("{path}.{part}"), ComponentKind::Claim, head);
                        rest = tail;
                    }
                }
                Ok(b) => out.push(path, ComponentKind::Claim, b),
                Err(_) => out.push(path, ComponentKind::Claim, text.as_bytes()),
            }
        }
        serde_json::Value::String(text) => out.push(path, ComponentKind::Claim, text.as_bytes()),
        other => out.push(path, ComponentKind::Claim, other.to_string().into_bytes()),
    }
}

fn flatten(v: &serde_json::Value, path: String, out: &mut View) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                flatten(x, join(k), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(x, join(&i.to_string()), out);
            }
        }
        leaf => {
            let text = match leaf {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let kind = if path.contains(".disclosed.") || path == "pseudonym.nym" {
                ComponentKind::Claim
            } else if path == "type"
                || path == "version"
                || path == "nonce"
                || path.ends_with(".issuer_key_id")
                || path.ends_with(".schema_id")
                || path.ends_with(".non_revoked.epoch")
            {
                ComponentKind::Envelope
            } else {
                ComponentKind::Proof
            };
            if kind == ComponentKind::Claim && path.contains(".disclosed.") {
                out.push(path, kind, text.into_bytes());
                return;
            }
            let decoded = URL_SAFE_NO_PAD.decode(&text).ok();
            match decoded {
                Some(b) if path.ends_with(".proof") && path.starts_with("credentials.") => {
                    if path.ends_with(".non_revoked.proof") {
                        split(&path, &b, &MEMBERSHIP_POINTS, &["response"], out);
                    } else {
                        split(&path, &b, &PROOF_POINTS, &["r1", "r2"], out);
                    }
                }
                Some(b) if kind != ComponentKind::Envelope || path == "nonce" => {
                    out.push(path, kind, b);
                }
                _ => out.push(path, kind, text.into_bytes()),
            }
        }
    }
}

/// Split a proof into named G1 points, then named scalars, then `resp{k}` for the rest.
fn split(path: &str, b: &[u8], points: &[&str], scalars: &[&str], out: &mut View) {
    let mut rest = b;
    for name in points {
        if rest.len() < G1_LEN {
            break;
        }
        let (head, tail) = rest.split_at(G1_LEN);
        out.push(format!("{path}.{name}"), ComponentKind::Proof, head);
        rest = tail;
    }
    let mut i = 0;
    while !rest.is_empty() {
        let n = rest.len().min(FR_LEN);
        let (head, tail) = rest.split_at(n);
        let name = scalars
            .get(i)
            .map_or_else(|| format!("resp{}", i - scalars.len()), |s| (*s).to_owned());
        out.push(format!("{path}.{name}"), ComponentKind::Proof, head);
        rest = tail;
        i += 1;
    }
}
