//! The IDE features through the server in process, with marker fixtures: `$0` marks the
//! positions a test asks about.

mod support;

use serde_json::{Value, json};
use support::{TestClient, apply_edits, file_uri, markers, temp_dir};

const URI: &str = "file:///work/features.gene";

/// An editor that supports what the features can use.
fn rich_client() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-16"]},
        "textDocument": {
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "completion": {"completionItem": {"snippetSupport": true, "documentationFormat": ["markdown"]}},
            "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
            "publishDiagnostics": {"relatedInformation": true}
        },
        "workspace": {"workspaceEdit": {"documentChanges": true}}
    })
}

async fn client_with(text: &str) -> (TestClient, Vec<Value>) {
    let (clean, positions) = markers(text);
    let mut client = TestClient::new();
    client.initialize(rich_client()).await;
    client.open(URI, 1, &clean).await;
    (client, positions)
}

fn at(position: &Value) -> Value {
    json!({"textDocument": {"uri": URI}, "position": position})
}

#[tokio::test]
async fn hover_shows_signature_doc_and_the_rule_of_a_diagnostic() {
    let (mut client, p) = client_with(
        "# Adds two numbers.\n(fn ^^async add [a b = 1 rest...] (a + b))\n($0add 1)\n(fn g [] ($0println 1))\n",
    )
    .await;
    let hover = client
        .request("textDocument/hover", at(&p[0]))
        .await
        .unwrap();
    assert_eq!(hover["contents"]["kind"], "markdown");
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("(fn ^^async add [a b = 1 rest...])"),
        "{text}"
    );
    assert!(text.contains("Adds two numbers."), "{text}");
    // The call is a floating future: the hover explains the rule too.
    assert!(
        text.contains("A001") && text.contains("floating-future"),
        "{text}"
    );
    assert_eq!(hover["range"]["start"], json!({"line": 2, "character": 1}));

    let hover = client
        .request("textDocument/hover", at(&p[1]))
        .await
        .unwrap();
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("builtin function"), "{text}");
}

#[tokio::test]
async fn hover_on_a_code_in_an_allow_comment_shows_its_doc() {
    let (mut client, p) = client_with("# gene: allow(A0$004)\n(fn ^^async f [] 1)\n").await;
    let hover = client
        .request("textDocument/hover", at(&p[0]))
        .await
        .unwrap();
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("async-without-await"), "{text}");
}

#[tokio::test]
async fn plain_text_hover_for_clients_without_markdown() {
    let (clean, p) = markers("(fn f [x] x)\n($0f 1)\n");
    let mut client = TestClient::new();
    client.initialize(json!({})).await;
    client.open(URI, 1, &clean).await;
    let hover = client
        .request("textDocument/hover", at(&p[0]))
        .await
        .unwrap();
    assert_eq!(hover["contents"]["kind"], "plaintext");
}

/// A workspace folder on disk: `lib.gene` (not opened) defines what `main.gene` imports.
struct Project {
    dir: std::path::PathBuf,
    main: String,
    lib: String,
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn project(name: &str, main_text: &str) -> (TestClient, Project, Vec<Value>) {
    let dir = temp_dir(name);
    std::fs::write(
        dir.join("lib.gene"),
        "# Fetches a thing.\n(fn ^^async fetch [x] x)\n(fn other [] (fetch 0))\n",
    )
    .unwrap();
    std::fs::write(dir.join("unrelated.gene"), "(fn fetched_later [] 1)\n").unwrap();
    let main = file_uri(&dir.join("main.gene"));
    let lib = file_uri(&dir.join("lib.gene"));
    let (clean, positions) = markers(main_text);
    std::fs::write(dir.join("main.gene"), &clean).unwrap();
    let mut client = TestClient::new();
    client
        .initialize_with(json!({
            "capabilities": rich_client(),
            "workspaceFolders": [{"uri": file_uri(&dir), "name": name}]
        }))
        .await;
    client.open(&main, 1, &clean).await;
    (client, Project { dir, main, lib }, positions)
}

#[tokio::test]
async fn definition_references_and_highlights_across_files() {
    let (mut client, project, p) = project(
        "nav",
        "(import fetch from \"lib\")\n(await ($0fetch 1))\n(await (fetch 2))\n",
    )
    .await;
    let request = |p: &Value| json!({"textDocument": {"uri": project.main}, "position": p});

    let definition = client
        .request("textDocument/definition", request(&p[0]))
        .await
        .unwrap();
    assert_eq!(definition["uri"], project.lib.as_str());
    assert_eq!(
        definition["range"],
        json!({"start": {"line": 1, "character": 12}, "end": {"line": 1, "character": 17}})
    );

    let mut params = request(&p[0]);
    params["context"] = json!({"includeDeclaration": true});
    let references = client
        .request("textDocument/references", params)
        .await
        .unwrap();
    let references = references.as_array().unwrap();
    let in_file = |uri: &str| references.iter().filter(|r| r["uri"] == uri).count();
    // The import and two calls here; the definition and the call in `other` in lib.
    assert_eq!(
        (in_file(&project.main), in_file(&project.lib)),
        (3, 2),
        "{references:?}"
    );

    let highlights = client
        .request("textDocument/documentHighlight", request(&p[0]))
        .await
        .unwrap();
    assert_eq!(highlights.as_array().unwrap().len(), 3, "{highlights}");
}

#[tokio::test]
async fn rename_edits_every_file_and_refuses_builtins() {
    let (mut client, project, p) = project(
        "rename",
        "(import fetch from \"lib\")\n(await ($0fetch 1))\n($0println 2)\n",
    )
    .await;
    let request = |p: &Value| json!({"textDocument": {"uri": project.main}, "position": p});
    let prepared = client
        .request("textDocument/prepareRename", request(&p[0]))
        .await
        .unwrap();
    assert_eq!(prepared["start"], json!({"line": 1, "character": 8}));

    let refused = client
        .request("textDocument/prepareRename", request(&p[1]))
        .await
        .unwrap_err();
    assert!(refused.message.contains("builtin"), "{}", refused.message);

    let mut params = request(&p[0]);
    params["newName"] = json!("load");
    let edit = client
        .request("textDocument/rename", params.clone())
        .await
        .unwrap();
    let changes = edit["documentChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{edit}");
    let main_text = std::fs::read_to_string(project.dir.join("main.gene")).unwrap();
    let lib_text = std::fs::read_to_string(project.dir.join("lib.gene")).unwrap();
    for change in changes {
        let uri = change["textDocument"]["uri"].as_str().unwrap();
        let edits = change["edits"].as_array().unwrap();
        if uri == project.main {
            assert_eq!(change["textDocument"]["version"], 1);
            assert_eq!(
                apply_edits(&main_text, edits),
                "(import load from \"lib\")\n(await (load 1))\n(println 2)\n"
            );
        } else {
            assert_eq!(uri, project.lib);
            assert!(change["textDocument"]["version"].is_null());
            assert_eq!(
                apply_edits(&lib_text, edits),
                "# Fetches a thing.\n(fn ^^async load [x] x)\n(fn other [] (load 0))\n"
            );
        }
    }
    params["newName"] = json!("not a name");
    assert!(client.request("textDocument/rename", params).await.is_err());
}

#[tokio::test]
async fn workspace_symbols_come_from_every_file_of_the_folders() {
    let (mut client, _project, _) = project("symbols", "(fn main [] 1)\n").await;
    // The folder is read in the background after `initialized`: ask until it is in.
    let mut names = Vec::new();
    for _ in 0..200 {
        let found = client
            .request("workspace/symbol", json!({"query": "fetch"}))
            .await
            .unwrap();
        names = found
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect();
        if names.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(names, ["fetch", "fetched_later"]);
}

fn labels(completions: &Value) -> Vec<String> {
    completions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn completion_in_scope_paths_methods_and_snippets() {
    let (mut client, p) = client_with(
        "(fn f [alpha] (var beta 1) (println al$0))\n(gene/io/$0)\n(var fut (gene/sleep_async 1))\n(fut .$0)\n($0)\n",
    )
    .await;
    let scope = client
        .request("textDocument/completion", at(&p[0]))
        .await
        .unwrap();
    assert!(labels(&scope).contains(&"alpha".to_string()));
    let item = &scope["items"][0];
    // The edit replaces the typed part.
    assert_eq!(item["textEdit"]["range"]["start"]["character"], 36);

    let io = client
        .request("textDocument/completion", at(&p[1]))
        .await
        .unwrap();
    assert!(
        labels(&io).contains(&"gene/io/read_async".to_string()),
        "{io}"
    );

    let methods = client
        .request("textDocument/completion", at(&p[2]))
        .await
        .unwrap();
    let methods = labels(&methods);
    assert!(methods.contains(&".on_success".to_string()), "{methods:?}");
    assert!(!methods.contains(&".to_upper".to_string()), "{methods:?}");

    let forms = client
        .request("textDocument/completion", at(&p[3]))
        .await
        .unwrap();
    let snippet = forms["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "fn")
        .unwrap();
    assert_eq!(snippet["insertTextFormat"], 2);
    assert!(
        snippet["textEdit"]["newText"]
            .as_str()
            .unwrap()
            .contains("${1:name}")
    );
    // Nothing typed yet: the list is incomplete (builtins come once a letter is typed).
    assert_eq!(forms["isIncomplete"], true);
}

#[tokio::test]
async fn snippets_are_plain_text_for_clients_without_snippet_support() {
    let (clean, p) = markers("($0)\n");
    let mut client = TestClient::new();
    client.initialize(json!({})).await;
    client.open(URI, 1, &clean).await;
    let forms = client
        .request("textDocument/completion", at(&p[0]))
        .await
        .unwrap();
    let fn_item = forms["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "fn")
        .unwrap();
    assert_eq!(fn_item["insertTextFormat"], 1);
    assert_eq!(fn_item["textEdit"]["newText"], "fn name []\n  ");
}

#[tokio::test]
async fn signature_help_follows_the_arguments() {
    let (mut client, p) =
        client_with("(fn area [width height] (width * height))\n(area 3 $0)\n(area $0)\n").await;
    let help = client
        .request("textDocument/signatureHelp", at(&p[0]))
        .await
        .unwrap();
    let signature = &help["signatures"][0];
    assert_eq!(signature["label"], "(area width height)");
    assert_eq!(signature["parameters"][1]["label"], json!([12, 18]));
    assert_eq!(help["activeParameter"], 1);
    let help = client
        .request("textDocument/signatureHelp", at(&p[1]))
        .await
        .unwrap();
    assert_eq!(help["activeParameter"], 0);
}

#[tokio::test]
async fn document_symbols_nested_or_flat() {
    let text =
        "$0(fn ^^async f [] 1)\n(class A\n  (.ctor [x] (/x = x))\n  (.fn m _ 1))\n(var top 1)\n";
    let (mut client, _) = client_with(text).await;
    let params = json!({"textDocument": {"uri": URI}});
    let symbols = client
        .request("textDocument/documentSymbol", params.clone())
        .await
        .unwrap();
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["f", "A", "top"]);
    assert_eq!(symbols[0]["detail"], "^^async");
    assert_eq!(symbols[0]["kind"], 12);
    assert_eq!(symbols[1]["children"].as_array().unwrap().len(), 2);

    let (clean, _) = markers(text);
    let mut flat_client = TestClient::new();
    flat_client.initialize(json!({})).await;
    flat_client.open(URI, 1, &clean).await;
    let flat = flat_client
        .request("textDocument/documentSymbol", params)
        .await
        .unwrap();
    let flat = flat.as_array().unwrap();
    assert_eq!(flat.len(), 5, "{flat:?}");
    let method = flat.iter().find(|s| s["name"] == "m").unwrap();
    assert_eq!(method["containerName"], "A");
    assert_eq!(method["location"]["uri"], URI);
}

#[tokio::test]
async fn folding_and_selection_ranges() {
    let (mut client, p) = client_with("# one\n# two\n(fn f [x]\n  (g (h x$0y)\n     z))\n").await;
    let folds = client
        .request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap();
    let folds = folds.as_array().unwrap();
    let comment = folds.iter().find(|f| f["kind"] == "comment").unwrap();
    assert_eq!(
        (&comment["startLine"], &comment["endLine"]),
        (&json!(0), &json!(1))
    );
    assert!(
        folds
            .iter()
            .any(|f| f["kind"] == "region" && f["startLine"] == 2 && f["endLine"] == 4),
        "{folds:?}"
    );

    let selection = client
        .request(
            "textDocument/selectionRange",
            json!({"textDocument": {"uri": URI}, "positions": [p[0]]}),
        )
        .await
        .unwrap();
    // Innermost first, each range inside its parent.
    let mut node = &selection[0];
    let mut chain = Vec::new();
    while node.is_object() {
        chain.push(node["range"].clone());
        node = &node["parent"];
    }
    assert_eq!(
        chain[0],
        json!({"start": {"line": 3, "character": 8}, "end": {"line": 3, "character": 10}})
    );
    assert!(chain.len() >= 4, "{chain:?}");
    assert_eq!(
        chain.last().unwrap()["start"],
        json!({"line": 0, "character": 0})
    );
}

/// Decodes semantic tokens into (line, start, length, type, modifiers).
fn decode(data: &[Value]) -> Vec<[u64; 5]> {
    let numbers: Vec<u64> = data.iter().map(|v| v.as_u64().unwrap()).collect();
    let mut out = Vec::new();
    let (mut line, mut start) = (0, 0);
    for t in numbers.chunks(5) {
        if t[0] > 0 {
            line += t[0];
            start = t[1];
        } else {
            start += t[1];
        }
        out.push([line, start, t[2], t[3], t[4]]);
    }
    out
}

#[tokio::test]
async fn semantic_tokens_full_and_delta() {
    let (mut client, _) =
        client_with("(fn ^^async job [ms] (await (gene/sleep_async ms)) ms) # done\n(job 1)\n")
            .await;
    let params = json!({"textDocument": {"uri": URI}});
    let full = client
        .request("textDocument/semanticTokens/full", params.clone())
        .await
        .unwrap();
    let tokens = decode(full["data"].as_array().unwrap());
    // `job` at 0:12: a function declaration, async (modifier bits: async 1, declaration 2).
    assert!(tokens.contains(&[0, 12, 3, 0, 3]), "{tokens:?}");
    // `ms` parameter at 0:17.
    assert!(tokens.iter().any(|t| t[..4] == [0, 17, 2, 2]), "{tokens:?}");
    // The comment, and `job` called on line 1 (async).
    assert!(tokens.iter().any(|t| t[0] == 0 && t[3] == 9), "{tokens:?}");
    assert!(tokens.contains(&[1, 1, 3, 0, 1]), "{tokens:?}");

    // Type a parameter into the call: the delta turns the old tokens into the new ones.
    client.edit(URI, 2, (1, 6), (1, 6), " ms2").await;
    let mut delta_params = params.clone();
    delta_params["previousResultId"] = full["resultId"].clone();
    let delta = client
        .request("textDocument/semanticTokens/full/delta", delta_params)
        .await
        .unwrap();
    let edits = delta["edits"].as_array().expect("a delta");
    let mut data: Vec<Value> = full["data"].as_array().unwrap().clone();
    for e in edits.iter().rev() {
        let start = e["start"].as_u64().unwrap() as usize;
        let end = start + e["deleteCount"].as_u64().unwrap() as usize;
        let inserted = e["data"].as_array().cloned().unwrap_or_default();
        data.splice(start..end, inserted);
    }
    let fresh = client
        .request("textDocument/semanticTokens/full", params)
        .await
        .unwrap();
    assert_eq!(data, *fresh["data"].as_array().unwrap());
    assert_ne!(delta["resultId"], full["resultId"]);
}

#[tokio::test]
async fn inlay_hints_mark_calls_that_return_futures() {
    let (mut client, _) =
        client_with("(fn ^^async job [] 1)\n(var f (job))\n(await (job))\n").await;
    let hints = client
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}}),
        )
        .await
        .unwrap();
    let hints = hints.as_array().unwrap();
    assert_eq!(hints.len(), 1, "{hints:?}");
    assert_eq!(hints[0]["position"], json!({"line": 1, "character": 12}));
    assert_eq!(hints[0]["label"], "→ Future");
}

#[tokio::test]
async fn formatting_whole_documents_and_ranges() {
    let text = "(fn f [x]   (println   x))\n\n\n(f  1)\n";
    let (mut client, _) = client_with(text).await;
    let edits = client
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
        )
        .await
        .unwrap();
    let formatted = apply_edits(text, edits.as_array().unwrap());
    assert_eq!(formatted, "(fn f [x] (println x))\n\n(f 1)\n");

    let edits = client
        .request(
            "textDocument/rangeFormatting",
            json!({
                "textDocument": {"uri": URI},
                "range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 3}},
                "options": {"tabSize": 2, "insertSpaces": true}
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        apply_edits(text, edits.as_array().unwrap()),
        "(fn f [x]   (println   x))\n\n\n(f 1)\n"
    );

    client.edit(URI, 2, (3, 0), (3, 0), "(").await;
    let refused = client
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
        )
        .await
        .unwrap_err();
    assert!(
        refused.message.contains("syntax error"),
        "{}",
        refused.message
    );
}

#[tokio::test]
async fn code_lenses_run_the_file() {
    let (mut client, _) = client_with("(var x 1)\n\n(fn main []\n  (println x))\n(main)\n").await;
    let lenses = client
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap();
    let lenses = lenses.as_array().unwrap();
    assert_eq!(lenses.len(), 4, "{lenses:?}");
    let expected = [
        (0, "▶ Run", "gene.runFile"),
        (0, "Debug", "gene.debugFile"),
        (2, "▶ Run", "gene.runFile"),
        (2, "Debug", "gene.debugFile"),
    ];
    for (lens, (line, title, command)) in lenses.iter().zip(expected) {
        assert_eq!(lens["range"]["start"]["line"], line);
        assert_eq!(lens["command"]["title"], title);
        assert_eq!(lens["command"]["command"], command);
        assert_eq!(lens["command"]["arguments"], json!([{"uri": URI}]));
    }
}

#[tokio::test]
async fn code_lenses_run_and_debug_each_test() {
    let text = "(fn add [a b] (a + b))\n(test \"adds\" (assert_eq (add 1 2) 3))\n\n(describe \"math\"\n  (test \"subtracts\" (assert_eq 1 1)))\n";
    let (mut client, _) = client_with(text).await;
    let lenses = client
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap();
    let lenses: Vec<(u64, String, String, Value)> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["range"]["start"]["line"].as_u64().unwrap(),
                l["command"]["title"].as_str().unwrap().to_string(),
                l["command"]["command"].as_str().unwrap().to_string(),
                l["command"]["arguments"][0].clone(),
            )
        })
        .collect();
    let which = |ids: &[&str]| json!({"uri": URI, "ids": ids});
    let expected = [
        (0, "▶ Run", "gene.runFile", json!({"uri": URI})),
        (0, "Run file tests", "gene.test.run", json!({"uri": URI})),
        (1, "▶ Run test", "gene.test.run", which(&["adds"])),
        (1, "Debug test", "gene.test.debug", which(&["adds"])),
        (3, "▶ Run test", "gene.test.run", which(&["math"])),
        (3, "Debug test", "gene.test.debug", which(&["math"])),
        (
            4,
            "▶ Run test",
            "gene.test.run",
            which(&["math > subtracts"]),
        ),
        (
            4,
            "Debug test",
            "gene.test.debug",
            which(&["math > subtracts"]),
        ),
    ];
    let expected: Vec<(u64, String, String, Value)> = expected
        .into_iter()
        .map(|(l, t, c, a)| (l, t.to_string(), c.to_string(), a))
        .collect();
    assert_eq!(lenses, expected);
}

#[tokio::test]
async fn the_server_announces_every_feature() {
    let mut client = TestClient::new();
    let result = client.initialize(rich_client()).await;
    let caps = &result["capabilities"];
    for provider in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentHighlightProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "foldingRangeProvider",
        "selectionRangeProvider",
        "inlayHintProvider",
        "documentFormattingProvider",
        "documentRangeFormattingProvider",
    ] {
        assert_eq!(caps[provider], true, "{provider}");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert_eq!(caps["semanticTokensProvider"]["full"]["delta"], true);
    let types = caps["semanticTokensProvider"]["legend"]["tokenTypes"]
        .as_array()
        .unwrap();
    assert!(types.contains(&json!("function")) && types.contains(&json!("keyword")));
    assert_eq!(
        caps["semanticTokensProvider"]["legend"]["tokenModifiers"],
        json!(["async", "declaration", "defaultLibrary"])
    );
    assert_eq!(
        caps["executeCommandProvider"]["commands"],
        json!(["gene.runFile", "gene.runTests", "gene.stopRun"])
    );
    assert!(caps["completionProvider"]["triggerCharacters"].is_array());
    assert!(caps["signatureHelpProvider"]["triggerCharacters"].is_array());
    assert!(caps["codeLensProvider"].is_object());
}

/// `gene/discoverTests` lists the `test` and `describe` forms of the text being edited, with
/// their full names as ids (what `gene test --filter` matches).
#[tokio::test]
async fn discover_tests_finds_tests_and_groups_as_the_user_types() {
    let text = "(fn add [a b] (a + b))\n(test \"adds\" (assert_eq (add 1 2) 3))\n(describe \"group\"\n  (test ^skip true \"inner\" 1)\n  (describe \"deeper\" (test \"deepest\" 2)))\n(test not_a_literal 3)\n";
    let (mut client, _) = client_with(text).await;
    let found = client
        .request("gene/discoverTests", json!({"uri": URI}))
        .await
        .unwrap();
    let summary: Vec<(&str, &str, &str)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap(),
                t["name"].as_str().unwrap(),
                t["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("adds", "adds", "test"),
            ("group", "group", "describe"),
            ("group > inner", "inner", "test"),
            ("group > deeper", "deeper", "describe"),
            ("group > deeper > deepest", "deepest", "test"),
        ]
    );
    assert_eq!(
        found[0]["range"],
        json!({"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 37}})
    );
    // An edit shows at once: a new test appears.
    client
        .edit(URI, 2, (0, 0), (0, 0), "(test \"first\" 0)\n")
        .await;
    let found = client
        .request("gene/discoverTests", json!({"uri": URI}))
        .await
        .unwrap();
    assert_eq!(found[0]["id"], "first");
    assert_eq!(found.as_array().unwrap().len(), 6);
}

/// A program with its expected output beside it is a golden test, the whole file.
#[tokio::test]
async fn discover_tests_finds_a_golden_program() {
    let dir = temp_dir("discover-golden");
    let path = dir.join("prog.gene");
    std::fs::write(&path, "(println 1)\n").unwrap();
    std::fs::write(dir.join("prog.out"), "1\n").unwrap();
    let mut client = TestClient::new();
    client.initialize(rich_client()).await;
    let uri = file_uri(&path);
    let found = client
        .request("gene/discoverTests", json!({"uri": uri}))
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        found,
        json!([{"id": "prog.gene", "name": "prog.gene", "kind": "golden",
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}}])
    );
}
