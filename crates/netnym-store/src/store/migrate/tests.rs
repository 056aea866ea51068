use super::*;

#[test]
fn both_backends_have_the_same_migrations_up_to_schema_version() {
    let versions = |m: &Migrator| m.iter().map(|m| m.version).collect::<Vec<_>>();
    assert_eq!(versions(&SQLITE), versions(&POSTGRES));
    assert_eq!(
        versions(&SQLITE).last().copied(),
        Some(i64::from(SCHEMA_VERSION))
    );
}
