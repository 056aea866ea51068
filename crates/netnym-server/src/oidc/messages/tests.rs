use super::Lang;

#[test]
fn accept_language_picks_the_highest_quality_supported_tag() {
    assert_eq!(
        Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
        Some(Lang::En)
    );
    assert_eq!(
        Lang::from_accept_language("fr, zh;q=0.5, en;q=0.4"),
        Some(Lang::ZhCn)
    );
    assert_eq!(
        Lang::from_accept_language("en;q=0, zh-Hans;q=0.1"),
        Some(Lang::ZhCn)
    );
    assert_eq!(Lang::from_accept_language("fr-FR, de"), None);
    assert_eq!(Lang::from_ui_locales("fr en zh-CN"), Some(Lang::En));
}
