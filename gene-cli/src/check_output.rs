//! `gene check --format github` (workflow annotations) and `--format sarif` (SARIF 2.1.0, for
//! code-scanning services), both made from the JSON objects `--format json` prints.

use gene_syntax::SyntaxErrorKind;
use gene_syntax::analysis;
use serde_json::{Value, json};

/// One GitHub Actions workflow command for a diagnostic's JSON object: `::warning file=...`.
pub fn github_annotation(d: &Value) -> String {
    let level = match d["severity"].as_str().unwrap_or("warning") {
        "error" => "error",
        "warning" => "warning",
        _ => "notice",
    };
    let code = d["code"].as_str().unwrap_or("");
    format!(
        "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(d["file"].as_str().unwrap_or("")),
        d["line"],
        d["column"],
        d["end_line"],
        d["end_column"],
        escape_property(&format!("{code} {}", rule_name(code))),
        escape_data(d["message"].as_str().unwrap_or("")),
    )
}

/// Workflow command data: `%`, CR and LF escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow command properties: also `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The kebab-case name of a lint rule or syntax error code.
fn rule_name(code: &str) -> &'static str {
    if let Some(rule) = analysis::rule(code) {
        return rule.name;
    }
    SyntaxErrorKind::from_code(code).map_or("", |k| k.name())
}

/// A SARIF 2.1.0 log of one run over the given diagnostics (JSON objects as `--format json`).
pub fn sarif_log(diagnostics: &[Value]) -> Value {
    let mut rules: Vec<Value> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for kind in SyntaxErrorKind::ALL {
        ids.push(kind.code().to_string());
        rules.push(json!({
            "id": kind.code(),
            "name": kind.name(),
            "shortDescription": { "text": kind.name() },
            "fullDescription": { "text": kind.explanation() },
            "defaultConfiguration": { "level": "error" },
        }));
    }
    for rule in analysis::RULES {
        ids.push(rule.code.to_string());
        rules.push(json!({
            "id": rule.code,
            "name": rule.name,
            "shortDescription": { "text": rule.name },
            "fullDescription": { "text": rule.doc_text() },
            "help": { "text": rule.doc_text(), "markdown": rule.doc_text() },
            "defaultConfiguration": { "level": level(rule.severity.as_str()) },
        }));
    }
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let code = d["code"].as_str().unwrap_or("");
            let mut result = json!({
                "ruleId": code,
                "level": level(d["severity"].as_str().unwrap_or("warning")),
                "message": { "text": d["message"] },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(d["file"].as_str().unwrap_or("")) },
                        "region": {
                            "startLine": d["line"],
                            "startColumn": d["column"],
                            "endLine": d["end_line"],
                            "endColumn": d["end_column"],
                        }
                    }
                }],
            });
            if let Some(index) = ids.iter().position(|id| id == code) {
                result["ruleIndex"] = json!(index);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "gene check",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// A SARIF level for a severity.
fn level(severity: &str) -> &'static str {
    match severity {
        "error" => "error",
        "warning" => "warning",
        _ => "note",
    }
}

/// A relative URI reference for a path: `/` separators, characters outside the unreserved set
/// and `/` percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for byte in path.replace('\\', "/").bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        json!({
            "file": "dir/a b.gene", "line": 2, "column": 3, "end_line": 2, "end_column": 9,
            "severity": "warning", "code": "A001", "message": "100% lost,\nreally", "related": [],
        })
    }

    #[test]
    fn github_annotations_escape_their_parts() {
        assert_eq!(
            github_annotation(&sample()),
            "::warning file=dir/a b.gene,line=2,col=3,endLine=2,endColumn=9,title=A001 floating-future::100%25 lost,%0Areally"
        );
    }

    #[test]
    fn sarif_results_point_at_their_rules() {
        let log = sarif_log(&[sample()]);
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let result = &run["results"][0];
        assert_eq!(result["ruleId"], "A001");
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "A001");
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "dir/a%20b.gene"
        );
        assert_eq!(result["level"], "warning");
    }
}
