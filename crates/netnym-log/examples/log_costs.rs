//! Measured costs of the transparency log (spec/12 §Costs): append, checkpoint signing,
//! inclusion and consistency proofs at 10^3 and 10^6 entries, and what a reader pays to accept
//! a cosigned checkpoint and an entry.
//!
//! Run: `cargo run --release -p netnym-log --example log_costs` (optionally with the largest
//! size as argument, default 1000000). Prints a Markdown table; single-threaded, in memory.

use std::time::{Duration, Instant};

use netnym_log::*;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

const NOW: u64 = 1_764_000_000;

fn entry(i: u64) -> LogEntry {
    let mut id = [0u8; 32];
    id[..8].copy_from_slice(&i.to_be_bytes());
    LogEntry::IssuerKeyRetired {
        key_id: ObjectId::from_bytes(id),
        retired_at: NOW + i,
    }
}

fn per(d: Duration, n: u64) -> String {
    let ns = d.as_nanos() / u128::from(n.max(1));
    if ns >= 10_000 {
        format!("{:.1} µs", ns as f64 / 1000.0)
    } else {
        format!("{ns} ns")
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let max: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let origin = "log.bench.example";
    let log_key = LogSigningKey::from_seed(origin, &[1; 32])?;
    let witnesses: Vec<WitnessSigningKey> = (0..3u8)
        .map(|i| WitnessSigningKey::from_seed(&format!("w{i}.bench.example"), &[10 + i; 32]))
        .collect::<Result<_, _>>()?;
    let policy = WitnessPolicy::new(
        log_key.verifying_key().clone(),
        witnesses
            .iter()
            .map(|w| w.verifying_key().clone())
            .collect(),
        2,
        86_400,
    )?;
    let mut rng = ChaCha20Rng::seed_from_u64(0);
    println!("| entries | operation | cost |");
    println!("| --- | --- | --- |");
    let mut log = Log::new(origin, MemoryStorage::new())?;
    let mut sizes = vec![1_000u64];
    if max > 1_000 {
        sizes.push(max);
    }
    for &n in &sizes {
        let start_size = log.size()?;
        let t = Instant::now();
        for i in start_size..n {
            log.append(&entry(i))?;
        }
        let appended = n - start_size;
        println!(
            "| {n} | append (encode, hash, store; {} B entries) | {} per entry |",
            entry(0).encode().len(),
            per(t.elapsed(), appended)
        );

        let reps = 200;
        let t = Instant::now();
        let mut signed = log.sign_checkpoint(&log_key)?;
        for _ in 1..reps {
            signed = log.sign_checkpoint(&log_key)?;
        }
        println!(
            "| {n} | checkpoint: root + Ed25519 note signature | {} |",
            per(t.elapsed(), reps)
        );

        let t = Instant::now();
        let mut note = signed.clone();
        for w in &witnesses {
            let key = WitnessSigningKey::from_seed(w.verifying_key().name(), &w.to_seed())?;
            let mut witness = Witness::new(key, log_key.verifying_key().clone());
            note = witness.cosign(note.as_bytes(), None, NOW)?;
        }
        println!(
            "| {n} | witness cosign (verify log signature, cosign) | {} |",
            per(t.elapsed(), 3)
        );

        let t = Instant::now();
        let mut view = LogView::new(policy.clone());
        for _ in 0..reps {
            view = LogView::new(policy.clone());
            view.update(note.as_bytes(), None, NOW)?;
        }
        println!(
            "| {n} | reader: accept a checkpoint (log signature + 3 cosignatures, quorum 2) | {} |",
            per(t.elapsed(), reps)
        );

        let samples = 1_000u64;
        let indices: Vec<u64> = (0..samples).map(|_| rng.next_u64() % n).collect();
        let t = Instant::now();
        let proofs: Vec<InclusionProof> = indices
            .iter()
            .map(|&i| log.inclusion_proof(i, n))
            .collect::<Result<_, _>>()?;
        println!(
            "| {n} | inclusion proof: produce | {} |",
            per(t.elapsed(), samples)
        );
        let lens: Vec<usize> = proofs.iter().map(|p| p.hashes().len()).collect();
        let (lo, hi) = (
            lens.iter().min().copied().unwrap_or(0),
            lens.iter().max().copied().unwrap_or(0),
        );
        let json = serde_json::to_vec(&proofs[0])?.len();
        println!(
            "| {n} | inclusion proof: size | {lo}..{hi} hashes = {}..{} B raw, ~{json} B JSON |",
            lo * 32,
            hi * 32
        );
        let entries: Vec<Vec<u8>> = indices
            .iter()
            .map(|&i| log.entry_bytes(i))
            .collect::<Result<_, _>>()?;
        let t = Instant::now();
        for (p, e) in proofs.iter().zip(&entries) {
            view.verify_entry(e, p)?;
        }
        println!(
            "| {n} | reader: accept an entry (decode + inclusion proof) | {} |",
            per(t.elapsed(), samples)
        );

        for (old, label) in [(n / 2, "n/2 → n"), (n - 1, "n−1 → n"), (1, "1 → n")] {
            let t = Instant::now();
            let proof = log.consistency_proof(old, n)?;
            let produce = t.elapsed();
            let (r1, r2) = (log.root_at(old)?, log.root_at(n)?);
            let t = Instant::now();
            for _ in 0..samples {
                proof.verify(&r1, &r2)?;
            }
            println!(
                "| {n} | consistency proof {label}: {} hashes = {} B; produce {}, verify {} |",
                proof.hashes().len(),
                proof.hashes().len() * 32,
                per(produce, 1),
                per(t.elapsed(), samples)
            );
        }
    }
    Ok(())
}
