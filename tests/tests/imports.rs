//! Imports: `gene run` (the VM), `gene check` and the language server resolve an import to the
//! same file, through the one resolver in `gene_syntax::workspace`; an import of something that
//! is not a regular file (a FIFO) is a clear error and never blocks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use gene_syntax::analysis::symbols::file_symbols;
use gene_syntax::db::{RootDatabase, SourceFile};
use gene_syntax::workspace::{ImportSpec, load_imports, resolve_import};
use gene_tests::{TempDir, gene_bin};
use gene_vm::{CaptureOutput, Vm};

/// A project exercising every case of the rule: a module beside the importer, one only at the
/// project root (the folder with `gene.toml`), one at both places (beside wins), a dotted name
/// (`utils.v2` -> `utils.v2.gene`), a spec with `.gene`, a relative folder, and a chain of
/// imports from a module in another folder. Each module prints its name when it runs.
fn project(dir: &TempDir) -> PathBuf {
    let root = dir.path();
    std::fs::create_dir_all(root.join("src/app")).unwrap();
    std::fs::create_dir_all(root.join("src/lib")).unwrap();
    dir.write("gene.toml", "");
    let module = |name: &str, body: &str| {
        dir.write(name, format!("(println \"ran {name}\")\n{body}"));
    };
    module(
        "shared.gene",
        "(import deep from \"src/lib/deep\")\n(var $ns/shared 1)\n",
    );
    module("both.gene", "(var $ns/both \"root\")\n");
    module("src/app/both.gene", "(var $ns/both \"beside\")\n");
    module("src/app/utils.v2.gene", "(var $ns/v2 2)\n");
    module("src/app/utils.gene", "(var $ns/v1 1)\n");
    module("src/app/plain.gene", "(var $ns/plain 1)\n");
    module(
        "src/lib/deep.gene",
        "(import v1 from \"../app/utils\")\n(var $ns/deep 1)\n",
    );
    let main = root.join("src/app/main.gene");
    std::fs::write(
        &main,
        "(import shared from \"shared\")\n(import both from \"both\")\n\
         (import v2 from \"utils.v2\")\n(import v1 from \"utils\")\n\
         (import plain from \"plain.gene\")\n(println both shared v1 v2 plain)\n",
    )
    .unwrap();
    main
}

/// Fails the test with the VM's report of why a run failed.
#[track_caller]
fn ok_or_report(vm: &Vm, result: Result<gene_vm::Value, gene_vm::RunError>) {
    if let Err(error) = result {
        panic!("{}", gene_vm::report::render_run_error(vm, &error, false));
    }
}

/// Every import of every file in the database -> the file it resolves to.
fn resolutions(db: &RootDatabase) -> BTreeMap<(PathBuf, String), Option<PathBuf>> {
    let files: Vec<SourceFile> = db.workspace().files(db).values().copied().collect();
    let mut out = BTreeMap::new();
    for file in files {
        for import in &file_symbols(db, file).imports {
            let spec = ImportSpec::new(db, import.path.clone());
            let target = resolve_import(db, file, spec).map(|f| f.path(db).clone());
            out.insert((file.path(db).clone(), import.path.clone()), target);
        }
    }
    out
}

use gene_syntax::db::Db as _;

#[test]
fn run_check_and_the_language_server_resolve_imports_alike() {
    let dir = TempDir::new("imports-agree");
    let main = project(&dir);
    let root = dir.path();
    let text = std::fs::read_to_string(&main).unwrap();

    // `gene check` and `gene run` load through `source::load`, which is `load_imports`.
    let mut checked = RootDatabase::new();
    let file = checked.set_file(main.clone(), text.clone());
    load_imports(&mut checked, file);
    let by_check = resolutions(&checked);

    // The language server: rounds of scans on snapshots, applied between them.
    let mut served = RootDatabase::new();
    let file = served.set_file(main.clone(), text.clone());
    for _ in 0..gene_lsp::imports::MAX_ROUNDS {
        let scan = gene_lsp::imports::missing_imports(&served, file);
        if scan.is_empty() {
            break;
        }
        scan.apply(&mut served);
    }
    let by_server = resolutions(&served);

    // The VM: the loaded program runs from the database.
    let output = CaptureOutput::new();
    let mut vm = Vm::new(Box::new(output.clone()));
    let file = vm.db.set_file(main.clone(), text);
    load_imports(&mut vm.db, file);
    let loaded: Vec<PathBuf> = vm.db.workspace().files(&vm.db).keys().cloned().collect();
    let result = vm.run_source_file(file);
    ok_or_report(&vm, result);
    let by_run = resolutions(&vm.db);
    let mut ran = vm.module_files();
    ran.sort();

    let expected: BTreeMap<(PathBuf, String), Option<PathBuf>> = [
        (("src/app/main.gene", "shared"), "shared.gene"),
        (("src/app/main.gene", "both"), "src/app/both.gene"),
        (("src/app/main.gene", "utils.v2"), "src/app/utils.v2.gene"),
        (("src/app/main.gene", "utils"), "src/app/utils.gene"),
        (("src/app/main.gene", "plain.gene"), "src/app/plain.gene"),
        (("shared.gene", "src/lib/deep"), "src/lib/deep.gene"),
        (("src/lib/deep.gene", "../app/utils"), "src/app/utils.gene"),
    ]
    .into_iter()
    .map(|((from, spec), to)| ((root.join(from), spec.to_string()), Some(root.join(to))))
    .collect();
    assert_eq!(by_check, expected);
    assert_eq!(by_server, expected);
    assert_eq!(by_run, expected);
    // The VM ran exactly the loaded files, each once, and read nothing more.
    assert_eq!(ran, loaded);
    assert_eq!(
        vm.db
            .workspace()
            .files(&vm.db)
            .keys()
            .cloned()
            .collect::<Vec<_>>(),
        loaded
    );
    assert_eq!(output.stdout_text(), expected_run_order());
}

/// What the project prints: a module runs when first imported, once.
fn expected_run_order() -> String {
    [
        "ran shared.gene",
        "ran src/lib/deep.gene",
        "ran src/app/utils.gene",
        "ran src/app/both.gene",
        "ran src/app/utils.v2.gene",
        "ran src/app/plain.gene",
        "beside 1 1 2 1",
    ]
    .map(|line| format!("{line}\n"))
    .concat()
}

#[test]
fn an_import_at_run_time_loads_into_the_database_through_the_resolver() {
    let dir = TempDir::new("imports-eval");
    let main = project(&dir);
    let output = CaptureOutput::new();
    let mut vm = Vm::new(Box::new(output.clone()));
    // Nothing loaded before: `eval`'s import finds the same file as a static one would.
    let program = "(eval :(import both from \"both\"))\n(println both)\n";
    let result = vm.run_source(main.to_str().unwrap(), program.to_string());
    ok_or_report(&vm, result);
    assert_eq!(output.stdout_text(), "ran src/app/both.gene\nbeside\n");
    assert!(
        vm.db
            .file_at(&dir.path().join("src/app/both.gene"))
            .is_some()
    );
}

/// Runs `gene` with a deadline: a blocked import would otherwise hang the test.
fn gene_within(args: &[&Path], deadline: Duration) -> Output {
    let mut child = Command::new(gene_bin())
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run gene");
    let start = Instant::now();
    while child.try_wait().expect("wait for gene").is_none() {
        if start.elapsed() > deadline {
            let _ = child.kill();
            panic!("gene {args:?} did not finish within {deadline:?}: an import blocked");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("gene's output")
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

#[test]
#[cfg(unix)]
fn importing_a_fifo_is_an_error_at_the_import_not_a_hang() {
    let dir = TempDir::new("imports-fifo");
    mkfifo(&dir.path().join("pipe.gene"));
    let main = dir.write(
        "main.gene",
        "(println \"start\")\n(import p from \"pipe\")\n(println p)\n",
    );
    let pipe = dir.path().join("pipe.gene");
    let expected = format!(
        "cannot import '{}': it is a FIFO, not a regular file",
        pipe.display()
    );

    let check = gene_within(&[Path::new("check"), &main], Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("[I001] error"), "{stdout}");
    assert!(stdout.contains(&expected), "{stdout}");
    // The diagnostic points at the import's path.
    assert!(stdout.contains("main.gene:2:16"), "{stdout}");

    let run = gene_within(&[Path::new("run"), &main], Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "start\n");
    assert!(stderr.contains("ImportError"), "{stderr}");
    assert!(stderr.contains(&expected), "{stderr}");

    // The VM alone (no loading before): the same error, catchable.
    let output = CaptureOutput::new();
    let mut vm = Vm::new(Box::new(output.clone()));
    let program = "(try (import p from \"pipe\") catch ImportError (println ($ex .message)))\n";
    let result = vm.run_source(main.to_str().unwrap(), program.to_string());
    ok_or_report(&vm, result);
    assert_eq!(output.stdout_text(), format!("{expected}\n"));
}
