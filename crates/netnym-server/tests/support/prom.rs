//! A strict parser of the text exposition format `GET /metrics` serves (OpenMetrics 1.0 text,
//! which Prometheus scrapes), for the tests: every line must be a `# HELP`, `# TYPE` or
//! `# UNIT` line of a family declared once, a sample of a declared family with a suffix its
//! type allows, or the final `# EOF`; label sets and values must be well formed; histogram
//! buckets must be cumulative and end with `le="+Inf"` equal to `_count`.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::collections::BTreeMap;

/// One sample line.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// A series' labels other than `le`, sorted.
type LabelKey = Vec<(String, String)>;

/// A parsed exposition.
#[derive(Debug)]
pub struct Exposition {
    /// Family name → type.
    pub families: BTreeMap<String, String>,
    pub samples: Vec<Sample>,
}

fn valid_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_' || c == b':')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b':')
}

fn valid_label_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

fn suffixes(kind: &str) -> &'static [&'static str] {
    match kind {
        "counter" => &["_total", "_created"],
        "histogram" | "gaugehistogram" => {
            &["_bucket", "_count", "_sum", "_created", "_gcount", "_gsum"]
        }
        "summary" => &["", "_count", "_sum", "_created"],
        "info" => &["_info"],
        _ => &[""],
    }
}

fn parse_value(s: &str) -> Result<f64, String> {
    match s {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => s.parse::<f64>().map_err(|e| format!("value {s:?}: {e}")),
    }
}

/// `{a="x",b="y"}` → map; returns the rest of the line.
fn parse_labels(s: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    let Some(mut rest) = s.strip_prefix('{') else {
        return Ok((labels, s));
    };
    loop {
        if let Some(r) = rest.strip_prefix('}') {
            return Ok((labels, r));
        }
        let eq = rest.find('=').ok_or("label without =")?;
        let name = &rest[..eq];
        if !valid_label_name(name) {
            return Err(format!("bad label name {name:?}"));
        }
        rest = rest[eq + 1..]
            .strip_prefix('"')
            .ok_or("label value not quoted")?;
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            match chars.next() {
                None => return Err("unterminated label value".into()),
                Some((i, '"')) => break i,
                Some((_, '\\')) => match chars.next() {
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, 'n')) => value.push('\n'),
                    other => return Err(format!("bad escape {other:?}")),
                },
                Some((_, c)) => value.push(c),
            }
        };
        if labels.insert(name.to_owned(), value).is_some() {
            return Err(format!("label {name} twice"));
        }
        rest = &rest[end + 1..];
        if let Some(r) = rest.strip_prefix(',') {
            rest = r;
        } else if !rest.starts_with('}') {
            return Err("expected , or }".into());
        }
    }
}

/// Parse `text` strictly.
pub fn parse(text: &str) -> Result<Exposition, String> {
    let body = text
        .strip_suffix("# EOF\n")
        .ok_or("does not end with # EOF")?;
    let mut families: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = Vec::new();
    for (n, line) in body.lines().enumerate() {
        let err = |m: String| format!("line {}: {m}: {line:?}", n + 1);
        if let Some(meta) = line.strip_prefix("# ") {
            let mut parts = meta.splitn(3, ' ');
            let (kw, name, rest) = (parts.next(), parts.next(), parts.next());
            let name = name.ok_or_else(|| err("no name".into()))?;
            if !valid_name(name) {
                return Err(err("bad family name".into()));
            }
            match kw {
                Some("TYPE") => {
                    let kind = rest.ok_or_else(|| err("no type".into()))?;
                    if ![
                        "counter",
                        "gauge",
                        "histogram",
                        "gaugehistogram",
                        "summary",
                        "info",
                        "stateset",
                        "unknown",
                    ]
                    .contains(&kind)
                    {
                        return Err(err(format!("unknown type {kind}")));
                    }
                    if families.insert(name.to_owned(), kind.to_owned()).is_some() {
                        return Err(err("family declared twice".into()));
                    }
                }
                Some("HELP") | Some("UNIT") => {}
                _ => return Err(err("unknown comment".into())),
            }
            continue;
        }
        let name_end = line
            .find(['{', ' '])
            .ok_or_else(|| err("no value".into()))?;
        let name = &line[..name_end];
        if !valid_name(name) {
            return Err(err("bad metric name".into()));
        }
        let family = families
            .iter()
            .filter(|(f, kind)| {
                suffixes(kind)
                    .iter()
                    .any(|s| name.strip_prefix(f.as_str()) == Some(*s))
            })
            .map(|(f, _)| f.clone())
            .next()
            .ok_or_else(|| err("sample of no declared family".into()))?;
        let (labels, rest) = parse_labels(&line[name_end..]).map_err(err)?;
        let mut fields = rest
            .strip_prefix(' ')
            .ok_or_else(|| err("no space before the value".into()))?
            .split(' ');
        let value = parse_value(fields.next().unwrap_or("")).map_err(err)?;
        if let Some(ts) = fields.next() {
            ts.parse::<f64>()
                .map_err(|e| err(format!("timestamp: {e}")))?;
        }
        if fields.next().is_some() {
            return Err(err("trailing fields".into()));
        }
        if families[&family] == "counter" && (value.is_nan() || value < 0.0) {
            return Err(err("negative counter".into()));
        }
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    let e = Exposition { families, samples };
    e.check_histograms()?;
    Ok(e)
}

impl Exposition {
    /// The samples named `name` whose labels include `labels`.
    pub fn matching<'a>(
        &'a self,
        name: &'a str,
        labels: &'a [(&'a str, &'a str)],
    ) -> impl Iterator<Item = &'a Sample> + 'a {
        self.samples.iter().filter(move |s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
    }

    /// The sum of the matching samples (0 when none).
    pub fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels).map(|s| s.value).sum()
    }

    /// The one matching sample's value.
    pub fn one(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let m: Vec<&Sample> = self.matching(name, labels).collect();
        assert_eq!(m.len(), 1, "{name} {labels:?}: {m:?}");
        m[0].value
    }

    fn check_histograms(&self) -> Result<(), String> {
        for (family, kind) in &self.families {
            if kind != "histogram" {
                continue;
            }
            // Group the buckets by their labels other than `le`.
            let mut series: BTreeMap<LabelKey, Vec<(f64, f64)>> = BTreeMap::new();
            for s in self
                .samples
                .iter()
                .filter(|s| s.name == format!("{family}_bucket"))
            {
                let le = s.labels.get("le").ok_or("bucket without le")?;
                let key = s
                    .labels
                    .iter()
                    .filter(|(k, _)| *k != "le")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                series
                    .entry(key)
                    .or_default()
                    .push((parse_value(le)?, s.value));
            }
            for (key, buckets) in series {
                let mut prev = (f64::NEG_INFINITY, 0.0);
                for &(le, count) in &buckets {
                    if le <= prev.0 || count < prev.1 {
                        return Err(format!("{family} {key:?}: buckets not cumulative"));
                    }
                    prev = (le, count);
                }
                let labels: Vec<(&str, &str)> =
                    key.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let count = self.one(&format!("{family}_count"), &labels);
                if prev.0 != f64::INFINITY || prev.1 != count {
                    return Err(format!("{family} {key:?}: +Inf bucket is not _count"));
                }
            }
        }
        Ok(())
    }
}
