//! Code lenses of tests: "Run file tests" at the top of a file that declares tests, and
//! "▶ Run test" and "Debug test" above each `test` and `describe` form (the tests
//! `gene/discoverTests` finds). Their commands are the clients' own, not the server's: a
//! client runs a test through `gene.runTests` (and shows the results in its test UI) and
//! debugs one with a `gene dap` launch naming it.
//!
//! - [`RUN_TESTS_CLIENT_COMMAND`] `[{uri, ids?}]`: run the file's tests, or those of `ids`
//!   (`gene.runTests`' arguments, to pass on as they are);
//! - [`DEBUG_TEST_CLIENT_COMMAND`] `[{uri, ids}]`: debug the test (or group) of `ids[0]`.

use serde_json::json;
use tower_lsp_server::lsp_types::{CodeLens, Command, Position, Range};

use crate::state::{DocSnapshot, Snapshot};
use crate::test_discovery::{self, DiscoveredTest};

pub const RUN_TESTS_CLIENT_COMMAND: &str = "gene.test.run";
pub const DEBUG_TEST_CLIENT_COMMAND: &str = "gene.test.debug";

fn lens(at: Position, title: &str, command: &str, arguments: serde_json::Value) -> CodeLens {
    CodeLens {
        range: Range::new(at, at),
        command: Some(Command {
            title: title.to_string(),
            command: command.to_string(),
            arguments: Some(vec![arguments]),
        }),
        data: None,
    }
}

/// The test lenses of the document, top first; none for a file without `test` forms.
pub fn lenses(snapshot: &Snapshot, doc: &DocSnapshot) -> Vec<CodeLens> {
    let Ok(found) = test_discovery::discover(snapshot, doc) else {
        return Vec::new();
    };
    let forms: Vec<&DiscoveredTest> = found.iter().filter(|t| t.kind != "golden").collect();
    if forms.is_empty() {
        return Vec::new();
    }
    let uri = doc.uri.as_str();
    let mut out = vec![lens(
        Position::new(0, 0),
        "Run file tests",
        RUN_TESTS_CLIENT_COMMAND,
        json!({ "uri": uri }),
    )];
    for test in forms {
        let at = Position::new(test.range.start.line, 0);
        let which = json!({ "uri": uri, "ids": [test.id] });
        out.push(lens(
            at,
            "▶ Run test",
            RUN_TESTS_CLIENT_COMMAND,
            which.clone(),
        ));
        out.push(lens(at, "Debug test", DEBUG_TEST_CLIENT_COMMAND, which));
    }
    out
}
