//! The text of the sign-in pages, in Simplified Chinese and English: one catalogue, one entry
//! per message, placeholders in braces (spec/13-oidc.md § Page, OIDC-041).

use netnym::{Predicate, PresentationRequest};

/// A page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// Simplified Chinese (`zh-CN`), the default.
    ZhCn,
    /// English (`en`).
    En,
}

/// An RFC 9110 § 12.4.2 quality value in thousandths (`0`, `0.5`, `1.000`); `None` when
/// malformed.
fn qvalue(q: &str) -> Option<u32> {
    let (int, frac) = q.split_once('.').unwrap_or((q, ""));
    if frac.len() > 3 || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let thousandths = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

impl Lang {
    /// The BCP 47 tag (`lang` attribute).
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }

    /// The other language (the switch link).
    pub(crate) fn other(self) -> Self {
        match self {
            Self::ZhCn => Self::En,
            Self::En => Self::ZhCn,
        }
    }

    /// A language from one tag (`zh`, `zh-CN`, `zh-Hans`, `en`, `en-GB`, case-insensitive).
    pub(crate) fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Self::ZhCn),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The first supported language of an OIDC `ui_locales` value (space-separated tags in
    /// order of preference).
    pub(crate) fn from_ui_locales(v: &str) -> Option<Self> {
        v.split(' ').find_map(Self::from_tag)
    }

    /// The supported language an `Accept-Language` header prefers most (highest `q`, then
    /// first listed).
    pub(crate) fn from_accept_language(v: &str) -> Option<Self> {
        let mut best: Option<(u32, Self)> = None;
        for item in v.split(',').take(32) {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Self::from_tag) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), qvalue)
                .unwrap_or(0);
            if q > 0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The catalogue.
    pub(crate) fn text(self) -> &'static Messages {
        match self {
            Self::ZhCn => &ZH_CN,
            Self::En => &EN,
        }
    }
}

/// Every message of the pages.
pub(crate) struct Messages {
    pub(crate) title: &'static str,
    pub(crate) heading: &'static str,
    pub(crate) client: &'static str,
    pub(crate) intro: &'static str,
    pub(crate) proven: &'static str,
    pub(crate) revealed: &'static str,
    pub(crate) nothing_revealed: &'static str,
    pub(crate) pseudonym: &'static str,
    pub(crate) non_revoked: &'static str,
    pub(crate) cross_device: &'static str,
    pub(crate) qr_label: &'static str,
    pub(crate) same_device: &'static str,
    pub(crate) open_wallet: &'static str,
    pub(crate) waiting: &'static str,
    pub(crate) continue_link: &'static str,
    pub(crate) expires: &'static str,
    pub(crate) switch: &'static str,
    pub(crate) error_title: &'static str,
    pub(crate) error_back: &'static str,
    pub(crate) error_code: &'static str,
    age_at_least: &'static str,
    age_below: &'static str,
    valid_on: &'static str,
    valid_today: &'static str,
    region_within: &'static str,
    range: &'static str,
    attributes: &'static [(&'static str, &'static str)],
}

const EN: Messages = Messages {
    title: "Sign in with NetNym",
    heading: "{verifier} asks you to sign in",
    client: "Requested by the application {client}.",
    intro:
        "Your NetNym wallet will prove the following. Nothing else about you leaves your wallet.",
    proven: "Proven without revealing",
    revealed: "Revealed to the platform",
    nothing_revealed: "No attribute is revealed.",
    pseudonym: "A pseudonym for this platform only: other platforms cannot link it to you.",
    non_revoked: "Your credential has not been revoked.",
    cross_device: "On another device: scan this code with your NetNym wallet",
    qr_label: "QR code of the sign-in request",
    same_device: "On this device:",
    open_wallet: "Open my wallet",
    waiting: "Waiting for your wallet… This page continues by itself.",
    continue_link: "Continue after answering in your wallet",
    expires: "This request expires at {time} UTC.",
    switch: "中文",
    error_title: "Sign-in cannot start",
    error_back: "Return to the site you came from and try again.",
    error_code: "Error",
    age_at_least: "You are at least {n} years old (your birth date stays hidden).",
    age_below: "You are younger than {n}.",
    valid_on: "Your identity document is valid on {date}.",
    valid_today: "Your identity document is valid today.",
    region_within: "You live in region {region}.",
    range: "Your {attribute} lies between {min} and {max}.",
    attributes: &[
        ("birth_date", "date of birth"),
        ("document_number", "document number"),
        ("document_type", "document type"),
        ("expires_on", "expiry date"),
        ("family_name", "family name"),
        ("given_name", "given name"),
        ("issued_on", "issue date"),
        ("nationality", "nationality"),
        ("region", "region of residence"),
        ("revocation_id", "revocation number"),
    ],
};

const ZH_CN: Messages = Messages {
    title: "使用 NetNym 登录",
    heading: "{verifier} 请求您登录",
    client: "发起应用：{client}。",
    intro: "您的 NetNym 钱包将证明以下内容，您的其他信息不会离开钱包。",
    proven: "仅证明，不透露",
    revealed: "向平台透露",
    nothing_revealed: "不透露任何属性。",
    pseudonym: "一个仅用于本平台的化名：其他平台无法据此关联到您。",
    non_revoked: "您的凭证未被吊销。",
    cross_device: "在另一台设备上：用 NetNym 钱包扫描此二维码",
    qr_label: "登录请求的二维码",
    same_device: "在本设备上：",
    open_wallet: "打开我的钱包",
    waiting: "正在等待您的钱包……本页面会自动继续。",
    continue_link: "在钱包中作答后继续",
    expires: "此请求将于 UTC {time} 过期。",
    switch: "English",
    error_title: "无法开始登录",
    error_back: "请返回原网站重试。",
    error_code: "错误",
    age_at_least: "您已年满 {n} 周岁（出生日期不透露）。",
    age_below: "您未满 {n} 周岁。",
    valid_on: "您的身份证件在 {date} 有效。",
    valid_today: "您的身份证件今天有效。",
    region_within: "您的户籍地区属于 {region}。",
    range: "您的{attribute}介于 {min} 与 {max} 之间。",
    attributes: &[
        ("birth_date", "出生日期"),
        ("document_number", "证件号码"),
        ("document_type", "证件类型"),
        ("expires_on", "证件有效期至"),
        ("family_name", "姓"),
        ("given_name", "名"),
        ("issued_on", "签发日期"),
        ("nationality", "国籍"),
        ("region", "户籍地区"),
        ("revocation_id", "吊销编号"),
    ],
};

impl Messages {
    /// An attribute's display name (its schema name when the catalogue has none).
    pub(crate) fn attribute<'a>(&self, name: &'a str) -> &'a str {
        self.attributes
            .iter()
            .find_map(|(n, label)| (*n == name).then_some(*label))
            .unwrap_or(name)
    }

    /// What a predicate of `request` proves, as a sentence.
    pub(crate) fn predicate(&self, p: &Predicate, request: &PresentationRequest) -> String {
        let bound = |v: &Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => "…".to_owned(),
        };
        match p {
            Predicate::AgeAtLeast(n) => self.age_at_least.replace("{n}", &n.to_string()),
            Predicate::AgeBelow(n) => self.age_below.replace("{n}", &n.to_string()),
            Predicate::ValidOn(d) if *d == request.reference_date().to_string() => {
                self.valid_today.to_owned()
            }
            Predicate::ValidOn(d) => self.valid_on.replace("{date}", d),
            Predicate::RegionWithin(r) => self.region_within.replace("{region}", r),
            Predicate::Range(r) => self
                .range
                .replace("{attribute}", self.attribute(&r.attribute))
                .replace("{min}", &bound(&r.min))
                .replace("{max}", &bound(&r.max)),
            other => format!("{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests;
