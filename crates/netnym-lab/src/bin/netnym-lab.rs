//! `netnym-lab`: the unlinkability lab's commands without the `netnym` CLI.

use clap::Parser;
use netnym_lab::cli::{run, LabCommand};

/// NetNym unlinkability lab: experiments, baselines, collusion simulation, privacy linter.
#[derive(Debug, Parser)]
#[command(name = "netnym-lab", version)]
struct Cli {
    #[command(subcommand)]
    command: LabCommand,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            std::process::ExitCode::FAILURE
        }
    }
}
