//! The registry's import rules (`IMP-001`..`IMP-006`): what a citizen record must satisfy
//! beyond the schema's own checks (types, date syntax, code digits, string lengths), listed in
//! the CLI README § Citizen CSV and docs/operations.md § Citizen registry.
//!
//! - `IMP-001` `region` is six digits whose first two are a GB/T 2260 province-level code
//!   ([`PROVINCES`]). The registry checks the province, not the district: the full district
//!   list (about 3,000 codes) changes every year and no maintained crate publishes it.
//! - `IMP-002` `nationality` is an assigned ISO 3166-1 alpha-3 code in capitals (`CHN`),
//!   checked with the `celes` crate's table.
//! - `IMP-003` dates in order: `birth_date <= issued_on < expires_on`.
//! - `IMP-004` a resident identity card (`document_type` `01`) has a GB 11643 number: 17
//!   digits and the ISO 7064 MOD 11-2 check character (`0-9` or `X`), whose address code is in
//!   a province ([`PROVINCES`]) and whose birth date is `birth_date`.
//! - `IMP-005` a document (`document_type`, `document_number`) belongs to one citizen: unique
//!   within an import and among registered citizens (the `citizen_documents` table).
//! - `IMP-006` a `citizen_id` is registered once (unique within an import and in the registry).

use serde_json::{Map, Value};

/// GB/T 2260 province-level administrative division codes (the first two digits of every
/// district code): 31 provinces, autonomous regions and municipalities, Taiwan, Hong Kong and
/// Macao.
pub(crate) const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", // Beijing, Tianjin, Hebei, Shanxi, Inner Mongolia
    "21", "22", "23", // Liaoning, Jilin, Heilongjiang
    "31", "32", "33", "34", "35", "36", "37", // Shanghai .. Shandong
    "41", "42", "43", "44", "45", "46", // Henan .. Hainan
    "50", "51", "52", "53", "54", // Chongqing, Sichuan, Guizhou, Yunnan, Tibet
    "61", "62", "63", "64", "65", // Shaanxi, Gansu, Qinghai, Ningxia, Xinjiang
    "71", "81", "82", // Taiwan, Hong Kong, Macao
];

/// The document type of a resident identity card.
pub(crate) const RESIDENT_ID_CARD: &str = "01";

/// Whether the first two characters of `code` are a province-level code.
fn in_a_province(code: &str) -> bool {
    code.get(..2).is_some_and(|p| PROVINCES.contains(&p))
}

/// GB 11643-1999 check character (ISO 7064 MOD 11-2) of 17 ASCII digits.
pub(crate) fn id_check_char(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b.wrapping_sub(b'0')) * w)
        .sum();
    ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
}

fn text<'a>(attrs: &'a Map<String, Value>, name: &str) -> &'a str {
    attrs.get(name).and_then(Value::as_str).unwrap_or("")
}

/// `IMP-004`: a GB 11643 resident identity number consistent with `birth_date`.
fn check_resident_id(number: &str, birth_date: &str) -> Result<(), String> {
    let bytes = number.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return Err(
            "IMP-004: a resident identity card number (document_type 01) is 17 digits and a check character"
                .to_owned(),
        );
    }
    let expected = id_check_char(&number[..17]);
    if char::from(bytes[17]) != expected {
        return Err(format!(
            "IMP-004: document_number check character is {:?}, expected {expected:?} (GB 11643)",
            char::from(bytes[17])
        ));
    }
    if !in_a_province(number) {
        return Err(format!(
            "IMP-004: document_number address code {:?} is not in a GB/T 2260 province",
            &number[..6]
        ));
    }
    let born = format!("{}-{}-{}", &number[6..10], &number[10..12], &number[12..14]);
    if born != birth_date {
        return Err(format!(
            "IMP-004: document_number gives birth date {born}, the record says {birth_date}"
        ));
    }
    Ok(())
}

/// Check `IMP-001`..`IMP-004` on attributes the schema already accepted (dates are
/// `YYYY-MM-DD`, so they compare as strings).
pub(crate) fn check_attributes(attrs: &Map<String, Value>) -> Result<(), String> {
    let region = text(attrs, "region");
    if !in_a_province(region) {
        return Err(format!(
            "IMP-001: region {region:?} is not in a GB/T 2260 province (its first two digits)"
        ));
    }
    let nationality = text(attrs, "nationality");
    if nationality.len() != 3
        || !nationality.bytes().all(|b| b.is_ascii_uppercase())
        || celes::Country::from_alpha3(nationality).is_err()
    {
        return Err(format!(
            "IMP-002: nationality {:?} is not an ISO 3166-1 alpha-3 code",
            nationality.chars().take(16).collect::<String>()
        ));
    }
    let (born, issued, expires) = (
        text(attrs, "birth_date"),
        text(attrs, "issued_on"),
        text(attrs, "expires_on"),
    );
    if born > issued {
        return Err(format!(
            "IMP-003: issued_on {issued} is before birth_date {born}"
        ));
    }
    if issued >= expires {
        return Err(format!(
            "IMP-003: expires_on {expires} is not after issued_on {issued}"
        ));
    }
    if text(attrs, "document_type") == RESIDENT_ID_CARD {
        check_resident_id(text(attrs, "document_number"), born)?;
    }
    Ok(())
}

/// The document a record names, for `IMP-005`.
pub(crate) fn document_of(attrs: &Value) -> (String, String) {
    let field = |n: &str| {
        attrs
            .get(n)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    (field("document_type"), field("document_number"))
}
