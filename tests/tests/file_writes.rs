//! `gene/io/write` and `gene/io/write_async` write to a file, not over it: the file keeps its
//! mode and owner, a symlink stays a link to the file written, a hard link stays shared, and a
//! file the OS would not let the program write raises an IOError instead of being replaced.
#![cfg(unix)]

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};

use gene_tests::{TempDir, gene_bin};

/// The unprivileged user (and group) a root test process runs `gene` as.
const NOBODY: u32 = 65534;

fn run_in(dir: &Path, program: &str, uid: Option<u32>) -> Output {
    let path = dir.join("main.gene");
    std::fs::write(&path, program).expect("write the program");
    let mut command = Command::new(gene_bin());
    command.arg("run").arg(&path).current_dir(dir);
    if let Some(uid) = uid {
        command.uid(uid).gid(uid);
    }
    command.output().expect("run gene")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("metadata").mode() & 0o7777
}

const WRITES: &str = r##"
(gene/io/write "secret" "sync secret")
(await (gene/io/write_async "script.sh" "#!/bin/sh\necho async\n"))
(gene/io/write "link" "through the link")
(await (gene/io/write_async "second" "shared"))
(println "written")
"##;

#[test]
fn writes_keep_the_file_what_it_was() {
    let dir = TempDir::new("file-writes");
    let secret = dir.write("secret", "old");
    set_mode(&secret, 0o600);
    let script = dir.write("script.sh", "#!/bin/sh\n");
    set_mode(&script, 0o755);
    let target = dir.write("target", "old");
    set_mode(&target, 0o640);
    std::os::unix::fs::symlink("target", dir.path().join("link")).expect("symlink");
    let first = dir.write("first", "old");
    std::fs::hard_link(&first, dir.path().join("second")).expect("hard link");

    let out = run_in(dir.path(), WRITES, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "written\n");

    assert_eq!(mode(&secret), 0o600);
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap_or_default(),
        "sync secret"
    );
    assert_eq!(mode(&script), 0o755, "the script keeps its execute bits");
    let link = std::fs::symlink_metadata(dir.path().join("link")).expect("link");
    assert!(link.file_type().is_symlink(), "the link is still a link");
    assert_eq!(
        std::fs::read_to_string(&target).unwrap_or_default(),
        "through the link"
    );
    assert_eq!(mode(&target), 0o640);
    assert_eq!(
        std::fs::read_to_string(&first).unwrap_or_default(),
        "shared",
        "both names of a hard-linked file see the write"
    );
}

const READ_ONLY: &str = r#"
(try
  (gene/io/write "locked" "sync")
catch IOError
  (println "sync:" ($ex .message)))
(try
  (await (gene/io/write_async "locked" "async"))
catch IOError
  (println "async:" ($ex .message)))
(println (gene/io/read "locked"))
"#;

/// Whether `gene` can run as `uid` (its path may be closed to other users, as under /root).
fn runs_as(uid: u32) -> bool {
    Command::new(gene_bin())
        .arg("--version")
        .uid(uid)
        .gid(uid)
        .output()
        .is_ok_and(|out| out.status.success())
}

#[test]
fn a_read_only_file_is_not_replaced() {
    let dir = TempDir::new("read-only-write");
    let locked = dir.write("locked", "original");
    set_mode(&locked, 0o444);
    // The directory is writable, so a rename could replace the file: only the file's own mode
    // forbids the write. A privileged process may write anything, so a root test runs `gene`
    // as an unprivileged user owning the directory and the file.
    let root = std::fs::metadata(&locked).is_ok_and(|m| m.uid() == 0);
    let uid = (root && runs_as(NOBODY)).then(|| {
        std::os::unix::fs::chown(dir.path(), Some(NOBODY), Some(NOBODY)).expect("chown dir");
        std::os::unix::fs::chown(&locked, Some(NOBODY), Some(NOBODY)).expect("chown file");
        NOBODY
    });
    let out = run_in(dir.path(), READ_ONLY, uid);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    if root && uid.is_none() {
        // Nobody else to run as: root may write the file, and it stays read-only.
        assert_eq!(stdout, "async\n", "{stdout}");
    } else {
        assert!(
            stdout.contains("sync: cannot write 'locked': Permission denied"),
            "{stdout}"
        );
        assert!(
            stdout.contains("async: cannot write 'locked': Permission denied"),
            "{stdout}"
        );
        assert!(stdout.ends_with("original\n"), "{stdout}");
    }
    assert_eq!(mode(&locked), 0o444);
}
