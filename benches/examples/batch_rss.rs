//! Memory of batch verification (issue 5): verifies 100 000 presentations (100 rounds of a
//! batch of 1 000 distinct presentations, 10 attributes, 2 disclosed) with
//! `Verifier::verify_batch` and reports the peak resident set size (`VmHWM`) against the RSS
//! before verification, per presentation of the batch, next to the presentation's own size.
//!
//! Run: `cargo run --release -p netnym-benches --example batch_rss`

use netnym::{ParsedPresentation, Presentation, PresentationRequest, Verifier};
use netnym_benches::{presentation_request, rng, World, DISCLOSED, VERIFY_AT};

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    const BATCH: usize = 1_000;
    const ROUNDS: usize = 100;
    let world = World::new(10, 900);
    // Generator tables (per schema, about 0.7 MiB) built before the measurement: they are not
    // per presentation.
    let verifier = Verifier::new([world.pk().clone()]).precompute();
    let mut rng = rng(901);
    let mut json_bytes = 0usize;
    let items: Vec<(PresentationRequest, ParsedPresentation)> = (0..BATCH)
        .map(|_| {
            let req = presentation_request(&mut rng, world.pk(), &DISCLOSED);
            let p = Presentation::create(
                &mut rng,
                &req,
                &[(&world.credential, world.pk())],
                &world.link_secret,
            )
            .expect("presentation");
            let json = p.to_json();
            json_bytes += json.len();
            (req, ParsedPresentation::from_json(&json).expect("parse"))
        })
        .collect();
    let refs: Vec<(&PresentationRequest, &ParsedPresentation)> =
        items.iter().map(|(r, p)| (r, p)).collect();
    // Reset the high-water mark so VmHWM covers verification only (Linux: clear_refs 5).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_kib("VmRSS:");
    let start = std::time::Instant::now();
    let mut ok = 0usize;
    for _ in 0..ROUNDS {
        ok += verifier
            .verify_batch(&refs, VERIFY_AT)
            .iter()
            .filter(|r| r.is_ok())
            .count();
    }
    let elapsed = start.elapsed();
    let peak = status_kib("VmHWM:");
    assert_eq!(ok, BATCH * ROUNDS, "every presentation verifies");
    let extra = peak.saturating_sub(before) * 1024;
    println!("verified {ok} presentations in {ROUNDS} batches of {BATCH} in {elapsed:.2?}");
    println!(
        "RSS before verification: {before} KiB; peak RSS (VmHWM{}): {peak} KiB",
        if reset {
            ", reset before verification"
        } else {
            ", whole process"
        }
    );
    println!(
        "peak growth during verification: {} KiB = {} bytes per presentation of a batch",
        extra / 1024,
        extra / BATCH as u64
    );
    println!("mean presentation JSON size: {} bytes", json_bytes / BATCH);
}
