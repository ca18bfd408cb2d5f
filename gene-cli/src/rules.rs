//! `gene rules`: the table of lint rules.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use gene_syntax::analysis::RULES;

#[derive(Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

pub fn run(args: RulesArgs) -> ExitCode {
    match args.format {
        Format::Table => {
            println!("{:<6} {:<26} {:<8} quick fix", "code", "name", "severity");
            for rule in RULES {
                println!(
                    "{:<6} {:<26} {:<8} {}",
                    rule.code,
                    rule.name,
                    rule.severity.as_str(),
                    rule.fix.unwrap_or("-")
                );
            }
            println!(
                "\n`gene check --explain CODE` explains a rule. Turn rules off in gene.toml (`[lint] allow = [\"A006\"]`)\nor for one form with a `# gene: allow(A006)` comment."
            );
        }
        Format::Json => {
            let rules: Vec<serde_json::Value> = RULES
                .iter()
                .map(|r| serde_json::json!({"code": r.code, "name": r.name, "severity": r.severity.as_str(), "fix": r.fix, "doc": r.doc_text()}))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&rules).unwrap_or_default()
            );
        }
    }
    ExitCode::SUCCESS
}
