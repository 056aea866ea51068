//! Citizen records: strict CSV import and a deterministic synthetic generator.
//!
//! CSV format (RFC 4180, UTF-8, comma-separated, header line required, columns in any order,
//! each exactly once): `citizen_id` plus every clear attribute of `cn-network-id/v1` except
//! `revocation_id` (allocated at import) — see [`CSV_COLUMNS`]. Each row is checked with the core
//! schema (dates, codes, string lengths) and the registry's import rules `IMP-001`..`IMP-006`
//! (`rules`: GB/T 2260 province, ISO 3166-1 alpha-3 nationality, date order, GB 11643 resident
//! identity numbers, one citizen per document and per id); every error is reported with its
//! line number (up to [`MAX_REPORTED_ERRORS`]) and nothing is imported when any row is wrong.

use std::collections::HashSet;

use netnym::{AttributeType, Attributes, Schema};
use rand::{Rng, SeedableRng};

use crate::error::{ImportError, LineError};

pub(crate) mod rules;

use rules::id_check_char;

/// The CSV columns, in the canonical order used by the generator's CSV output.
pub const CSV_COLUMNS: [&str; 10] = [
    "citizen_id",
    "document_type",
    "document_number",
    "family_name",
    "given_name",
    "birth_date",
    "region",
    "nationality",
    "issued_on",
    "expires_on",
];

/// Most errors listed by one failed import.
pub const MAX_REPORTED_ERRORS: usize = 50;
/// Most rows in one CSV import.
pub const MAX_CSV_ROWS: usize = 1_000_000;

/// A citizen to register: an id and the attribute JSON object (without `revocation_id`).
#[derive(Clone, PartialEq, Eq)]
pub struct CitizenRecord {
    /// Citizen id: 1..=64 characters of `A-Z a-z 0-9 _ -`.
    pub citizen_id: String,
    /// Attribute values as a JSON object, valid for `cn-network-id/v1` once `revocation_id` is
    /// added.
    pub attributes: serde_json::Value,
}

impl core::fmt::Debug for CitizenRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CitizenRecord")
            .field("citizen_id", &self.citizen_id)
            .finish_non_exhaustive()
    }
}

/// Whether a citizen id is well formed.
#[must_use]
pub fn valid_citizen_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Check a record's attributes against the schema (with a placeholder revocation id).
pub(crate) fn check_record(schema: &Schema, r: &CitizenRecord) -> Result<(), String> {
    if !valid_citizen_id(&r.citizen_id) {
        return Err(format!(
            "citizen_id {:?} must be 1..=64 characters of A-Z a-z 0-9 _ -",
            r.citizen_id.chars().take(70).collect::<String>()
        ));
    }
    let Some(obj) = r.attributes.as_object() else {
        return Err("attributes must be a JSON object".to_owned());
    };
    if obj.contains_key("revocation_id") {
        return Err("revocation_id is allocated by the registry and must not be given".to_owned());
    }
    let mut with_id = obj.clone();
    with_id.insert("revocation_id".to_owned(), 1.into());
    Attributes::from_json(schema, &serde_json::Value::Object(with_id))
        .map_err(|e| e.to_string())?;
    rules::check_attributes(obj)
}

/// Parse and validate a citizen CSV file (all or nothing).
///
/// # Errors
/// [`ImportError::Invalid`] with every problem found (line-numbered, up to
/// [`MAX_REPORTED_ERRORS`]); [`ImportError::Empty`] when there is no data row.
pub fn parse_citizens_csv(bytes: &[u8]) -> Result<Vec<CitizenRecord>, ImportError> {
    let schema = Schema::cn_network_id_v1();
    let mut errors: Vec<LineError> = Vec::new();
    let err = |line: u64, message: String| LineError { line, message };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        ImportError::Invalid(vec![err(line, "not valid UTF-8".to_owned())])
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::None)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| ImportError::Invalid(vec![err(1, format!("header: {e}"))]))?
        .clone();
    // The header: exactly the expected columns, each once.
    let mut seen = HashSet::new();
    let mut columns: Vec<(String, Option<AttributeType>)> = Vec::new();
    for h in &header {
        if !seen.insert(h.to_owned()) {
            errors.push(err(1, format!("column {h:?} appears twice")));
            continue;
        }
        if h == "citizen_id" {
            columns.push((h.to_owned(), None));
            continue;
        }
        match schema.index_of(h).map(|i| schema.attributes()[i].ty()) {
            Some(AttributeType::HolderSecret) | None => {
                errors.push(err(1, format!("unexpected column {h:?}")));
            }
            Some(_) if h == "revocation_id" => errors.push(err(
                1,
                "column \"revocation_id\" is not allowed: ids are allocated at import".to_owned(),
            )),
            Some(ty) => columns.push((h.to_owned(), Some(ty))),
        }
    }
    for c in CSV_COLUMNS {
        if !seen.contains(c) {
            errors.push(err(1, format!("missing column {c:?}")));
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Invalid(errors));
    }
    let mut out = Vec::new();
    let mut ids = HashSet::new();
    let mut documents = HashSet::new();
    for result in reader.records() {
        if errors.len() >= MAX_REPORTED_ERRORS {
            break;
        }
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                errors.push(err(line, format!("{e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if out.len() >= MAX_CSV_ROWS {
            errors.push(err(line, format!("more than {MAX_CSV_ROWS} rows")));
            break;
        }
        let mut id = String::new();
        let mut attrs = serde_json::Map::new();
        let mut row_ok = true;
        for ((name, ty), value) in columns.iter().zip(record.iter()) {
            match ty {
                None => id = value.to_owned(),
                Some(AttributeType::Uint) => match value.parse::<u64>() {
                    Ok(n) => {
                        attrs.insert(name.clone(), n.into());
                    }
                    Err(_) => {
                        errors.push(err(line, format!("{name}: {value:?} is not an integer")));
                        row_ok = false;
                    }
                },
                Some(_) => {
                    attrs.insert(name.clone(), value.to_owned().into());
                }
            }
        }
        if !row_ok {
            continue;
        }
        let rec = CitizenRecord {
            citizen_id: id,
            attributes: serde_json::Value::Object(attrs),
        };
        if let Err(m) = check_record(&schema, &rec) {
            errors.push(err(line, m));
            continue;
        }
        if !ids.insert(rec.citizen_id.clone()) {
            errors.push(err(
                line,
                format!(
                    "IMP-006: citizen_id {:?} appears twice in the file",
                    rec.citizen_id
                ),
            ));
            continue;
        }
        if !documents.insert(rules::document_of(&rec.attributes)) {
            errors.push(err(
                line,
                "IMP-005: this document (document_type, document_number) appears twice in the file"
                    .to_owned(),
            ));
            continue;
        }
        out.push(rec);
    }
    if !errors.is_empty() {
        errors.truncate(MAX_REPORTED_ERRORS);
        return Err(ImportError::Invalid(errors));
    }
    if out.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(out)
}

/// Write records as CSV with the header [`CSV_COLUMNS`] (the inverse of [`parse_citizens_csv`]).
#[must_use]
pub fn citizens_to_csv(records: &[CitizenRecord]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail; a failed row would only be missing from a generated file.
    let _ = w.write_record(CSV_COLUMNS);
    for r in records {
        let row: Vec<String> = CSV_COLUMNS
            .iter()
            .map(|c| {
                if *c == "citizen_id" {
                    r.citizen_id.clone()
                } else {
                    match r.attributes.get(*c) {
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(v) => v.to_string(),
                        None => String::new(),
                    }
                }
            })
            .collect();
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

const FAMILY: [&str; 16] = [
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Ma",
    "Zhu", "Hu", "Guo",
];
const GIVEN: [&str; 20] = [
    "Wei", "Fang", "Na", "Min", "Jing", "Lei", "Qiang", "Yan", "Jun", "Yang", "Xiuying", "Hao",
    "Ying", "Jie", "Tao", "Ming", "Chao", "Xia", "Ping", "Gang",
];
/// GB/T 2260 district codes: Shanghai Pudong, Huangpu; Beijing Chaoyang, Haidian; Shenzhen
/// Nanshan; Guangzhou Tianhe; Hangzhou Xihu; Chengdu Wuhou; Wuhan Wuchang; Xi'an Yanta.
const REGIONS: [&str; 10] = [
    "310115", "310101", "110105", "110108", "440305", "440106", "330106", "510107", "420106",
    "610113",
];

/// First and last birth year of generated citizens.
const BIRTH_YEARS: (u32, u32) = (1950, 2005);
/// Size of the generator's space of resident identity numbers: district × birth year × month ×
/// day (1..=28) × the 3-digit sequence number.
const NUMBER_SPACE: u64 =
    REGIONS.len() as u64 * (BIRTH_YEARS.1 - BIRTH_YEARS.0 + 1) as u64 * 12 * 28 * 1000;
/// About `NUMBER_SPACE / φ` and prime to it: `index * STRIDE mod NUMBER_SPACE` permutes the
/// space and spreads successive indices over districts, birth dates and sequence numbers.
const STRIDE: u64 = 116_289_277;

/// District, birth date and sequence number of the citizen with `index`: distinct for distinct
/// indices below [`NUMBER_SPACE`] (188,160,000), whatever the seed, so that the generated
/// resident identity numbers satisfy `IMP-005` across batches.
fn identity_slot(index: u64) -> (&'static str, u32, u32, u32, u64) {
    // Below 1.9e8 * 1.2e8 < 2^64: no overflow.
    let mut k = (index % NUMBER_SPACE) * STRIDE % NUMBER_SPACE;
    let seq = k % 1000;
    k /= 1000;
    let day = (k % 28) as u32 + 1;
    k /= 28;
    let month = (k % 12) as u32 + 1;
    k /= 12;
    let span = BIRTH_YEARS.1 - BIRTH_YEARS.0 + 1;
    let year = BIRTH_YEARS.0 + u32::try_from(k % u64::from(span)).unwrap_or(0);
    k /= u64::from(span);
    let district = usize::try_from(k).map_or(0, |k| k % REGIONS.len());
    (REGIONS[district], year, month, day, seq)
}

/// `count` synthetic citizens, deterministic in `seed`, with ids `C00000001`… starting at
/// `first_index` (so successive batches do not collide).
///
/// Every citizen is an adult born 1950..=2005, holds a resident identity card (`document_type`
/// `"01"`) with a GB 11643 18-character number consistent with region and birth date, issued
/// 2016..=2025 and valid 10 or 20 years (so valid throughout 2026), nationality `CHN`, and lives
/// in one of ten real district codes (four of them in Shanghai or Beijing), in equal shares. The attribute JSON
/// is valid for `cn-network-id/v1` once `revocation_id` is added and satisfies the import rules
/// (`IMP-001`..`IMP-006`). District, birth date and identity number depend on the index alone
/// and are distinct for indices below 188,160,000; names and card dates depend on the seed.
#[must_use]
pub fn generate_citizens(seed: u64, first_index: u64, count: usize) -> Vec<CitizenRecord> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    (0..count as u64)
        .map(|i| {
            let (region, by, bm, bd, seq) = identity_slot(first_index + i);
            let first17 = format!("{region}{by:04}{bm:02}{bd:02}{seq:03}");
            let number = format!("{first17}{}", id_check_char(&first17));
            let iy = rng.gen_range(2016..=2025u32);
            let (im, id) = (rng.gen_range(1..=12u32), rng.gen_range(1..=28u32));
            let years = if rng.gen_bool(0.5) { 10 } else { 20 };
            CitizenRecord {
                citizen_id: format!("C{:08}", first_index + i),
                attributes: serde_json::json!({
                    "document_type": rules::RESIDENT_ID_CARD,
                    "document_number": number,
                    "family_name": FAMILY[rng.gen_range(0..FAMILY.len())],
                    "given_name": GIVEN[rng.gen_range(0..GIVEN.len())],
                    "birth_date": format!("{by:04}-{bm:02}-{bd:02}"),
                    "region": region,
                    "nationality": "CHN",
                    "issued_on": format!("{iy:04}-{im:02}-{id:02}"),
                    "expires_on": format!("{:04}-{im:02}-{id:02}", iy + years),
                }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
