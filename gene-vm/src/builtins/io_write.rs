//! Writing a whole file (`gene/io/write`, `gene/io/write_async`) the way an editor saving it
//! would: the file keeps being the same file.
//!
//! - A regular file that may be written is replaced atomically (a temporary file beside it,
//!   given the original's owner and mode, then a rename), so a failure never leaves it
//!   half-written.
//! - A symlink is written through: the file it points to is written (and created if missing),
//!   the link stays a link.
//! - A file with several hard links is written in place: replacing it would split the links.
//!   So is a file whose owner a replacement could not keep (someone else's file that we may
//!   write), and one whose directory does not let us create the temporary file.
//! - FIFOs and devices are written in place, never replaced.
//! - What the OS refuses (a read-only file, a directory) is refused: the writability check is
//!   opening the file for writing, so the answer is the OS's own.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `data` as the whole content of the file at `target` (see the module's rules).
pub(crate) fn write_file(target: &Path, data: &[u8]) -> io::Result<()> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => return create_new(target, data),
        Err(e) => return Err(e),
    };
    if meta.file_type().is_symlink() {
        return match std::fs::canonicalize(target) {
            // The link's final target, with every link on the way resolved.
            Ok(resolved) => write_resolved(&resolved, data),
            // A dangling link: opening it to write creates the file it names.
            Err(e) if e.kind() == ErrorKind::NotFound => {
                // `overwrite` truncates (regular files only).
                let file = OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(target)?;
                overwrite(file, data)
            }
            Err(e) => Err(e),
        };
    }
    write_resolved(target, data)
}

/// Writes a path that is not a symlink (or was one an instant ago: then it is written in place).
fn write_resolved(target: &Path, data: &[u8]) -> io::Result<()> {
    let meta = std::fs::symlink_metadata(target)?;
    // The OS says here whether the file may be written (a read-only file, a directory, a
    // read-only file system); for a FIFO this waits for a reader, as any writer of it would.
    let file = OpenOptions::new().write(true).open(target)?;
    if !meta.is_file() || meta.file_type().is_symlink() || links(&meta) > 1 {
        return overwrite(file, data);
    }
    match replace(target, data, &meta)? {
        Replaced::Yes => Ok(()),
        Replaced::NotFaithfully => overwrite(file, data),
    }
}

/// Truncates an open file and writes `data` into it.
fn overwrite(mut file: File, data: &[u8]) -> io::Result<()> {
    // Truncating a FIFO or a device is meaningless (and some refuse it).
    if file.metadata()?.is_file() {
        file.set_len(0)?;
    }
    file.write_all(data)?;
    file.flush()
}

/// A file that does not exist yet: written to a temporary file first, so that no reader ever
/// sees it half-written.
fn create_new(target: &Path, data: &[u8]) -> io::Result<()> {
    let (tmp, mut file) = temp_beside(target)?;
    let result = file
        .write_all(data)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, target));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

enum Replaced {
    Yes,
    /// The replacement could not be made the same file (its owner, or no room for a temporary
    /// file in the directory): nothing was changed, the caller writes in place.
    NotFaithfully,
}

/// Replaces a regular file by a temporary copy with the new content, its owner and its mode.
fn replace(target: &Path, data: &[u8], original: &Metadata) -> io::Result<Replaced> {
    let (tmp, mut file) = match temp_beside(target) {
        Ok(made) => made,
        Err(e) if matches!(e.kind(), ErrorKind::PermissionDenied) => {
            return Ok(Replaced::NotFaithfully);
        }
        Err(e) => return Err(e),
    };
    let result = (|| {
        file.write_all(data)?;
        if !keep_attributes(&file, original)? {
            return Ok(Replaced::NotFaithfully);
        }
        file.sync_all()?;
        std::fs::rename(&tmp, target)?;
        Ok(Replaced::Yes)
    })();
    if !matches!(result, Ok(Replaced::Yes)) {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A new file beside `target` that nothing else uses (created exclusively).
fn temp_beside(target: &Path) -> io::Result<(PathBuf, File)> {
    // Unique per write: two writes of the same file at once (from two tasks) must not share a
    // temporary file.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "file".into());
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            // Left over from a process that had the same id: take the next name.
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(unix)]
fn links(meta: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn links(_meta: &Metadata) -> u64 {
    1
}

/// Gives the temporary file the original's owner and mode (the owner first: changing it clears
/// the set-user-id bits). False when the owner cannot be kept.
#[cfg(unix)]
fn keep_attributes(file: &File, original: &Metadata) -> io::Result<bool> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let made = file.metadata()?;
    if (made.uid(), made.gid()) != (original.uid(), original.gid()) {
        match std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid())) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::PermissionDenied => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    file.set_permissions(std::fs::Permissions::from_mode(original.mode() & 0o7777))?;
    Ok(true)
}

#[cfg(not(unix))]
fn keep_attributes(file: &File, original: &Metadata) -> io::Result<bool> {
    file.set_permissions(original.permissions())?;
    Ok(true)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    use super::*;

    /// A fresh directory for one test, removed at the end.
    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Dir {
            let dir =
                std::env::temp_dir().join(format!("gene-io-write-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("a temporary directory");
            Dir(dir)
        }

        fn file(&self, name: &str, text: &str, mode: u32) -> PathBuf {
            let path = self.0.join(name);
            std::fs::write(&path, text).expect("write a fixture");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                .expect("set its mode");
            path
        }

        /// The names in the directory (no temporary file may be left behind).
        fn names(&self) -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(&self.0)
                .expect("list")
                .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
                .collect();
            names.sort();
            names
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).expect("metadata").mode() & 0o7777
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).expect("read back")
    }

    #[test]
    fn a_new_file_is_created_whole() {
        let dir = Dir::new("new");
        let path = dir.0.join("new.txt");
        write_file(&path, b"fresh").expect("write");
        assert_eq!(read(&path), "fresh");
        assert_eq!(dir.names(), ["new.txt"]);
    }

    #[test]
    fn a_replaced_file_keeps_its_mode() {
        let dir = Dir::new("mode");
        let secret = dir.file("secret", "old", 0o600);
        let script = dir.file("script.sh", "#!/bin/sh\n", 0o755);
        let sticky = dir.file("setgid", "old", 0o2750);
        write_file(&secret, b"new").expect("write the 600 file");
        write_file(&script, b"#!/bin/sh\necho hi\n").expect("write the script");
        write_file(&sticky, b"new").expect("write the setgid file");
        assert_eq!(mode(&secret), 0o600);
        assert_eq!(mode(&script), 0o755);
        assert_eq!(mode(&sticky), 0o2750);
        assert_eq!(read(&secret), "new");
        assert_eq!(dir.names(), ["script.sh", "secret", "setgid"]);
    }

    #[test]
    fn a_replaced_file_keeps_its_owner() {
        let dir = Dir::new("owner");
        let path = dir.file("theirs", "old", 0o664);
        // Only a privileged process can give a file to someone else (and keep it theirs).
        if std::os::unix::fs::chown(&path, Some(4321), Some(4321)).is_err() {
            return;
        }
        write_file(&path, b"new").expect("write");
        let meta = std::fs::metadata(&path).expect("metadata");
        assert_eq!((meta.uid(), meta.gid()), (4321, 4321));
        assert_eq!(meta.mode() & 0o7777, 0o664);
        assert_eq!(read(&path), "new");
    }

    #[test]
    fn a_symlink_is_written_through_and_stays_a_link() {
        let dir = Dir::new("symlink");
        let target = dir.file("target", "old", 0o640);
        let link = dir.0.join("link");
        std::os::unix::fs::symlink("target", &link).expect("symlink");
        write_file(&link, b"new").expect("write");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert_eq!(read(&target), "new");
        assert_eq!(mode(&target), 0o640);
        assert_eq!(dir.names(), ["link", "target"]);
    }

    #[test]
    fn a_dangling_symlink_creates_its_target() {
        let dir = Dir::new("dangling");
        let link = dir.0.join("link");
        std::os::unix::fs::symlink("made", &link).expect("symlink");
        write_file(&link, b"new").expect("write");
        assert_eq!(read(&dir.0.join("made")), "new");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn hard_links_stay_one_file() {
        let dir = Dir::new("hardlink");
        let first = dir.file("first", "old", 0o644);
        let second = dir.0.join("second");
        std::fs::hard_link(&first, &second).expect("hard link");
        write_file(&first, b"new").expect("write");
        assert_eq!(read(&second), "new");
        assert_eq!(
            std::fs::metadata(&first).expect("first").ino(),
            std::fs::metadata(&second).expect("second").ino()
        );
    }

    /// Makes a special file with `mknod`/`mkfifo` (false when this process may not).
    fn make_node(program: &str, args: &[&str]) -> bool {
        std::process::Command::new(program)
            .args(args)
            .status()
            .is_ok_and(|s| s.success())
    }

    #[test]
    fn a_fifo_is_written_in_place() {
        let dir = Dir::new("fifo");
        let fifo = dir.0.join("pipe");
        if !make_node("mkfifo", &[&fifo.to_string_lossy()]) {
            return;
        }
        let reader_path = fifo.clone();
        let reader = std::thread::spawn(move || std::fs::read_to_string(reader_path));
        write_file(&fifo, b"through the pipe").expect("write");
        // Checked before joining the reader: had the FIFO been replaced, the reader would wait
        // forever for a writer.
        let still_fifo = std::os::unix::fs::FileTypeExt::is_fifo(
            &std::fs::symlink_metadata(&fifo).expect("fifo").file_type(),
        );
        assert!(still_fifo, "the FIFO was replaced");
        let got = reader.join().expect("reader thread").expect("read");
        assert_eq!(got, "through the pipe");
    }

    #[test]
    fn a_device_is_written_in_place() {
        // A null device of our own (never the system's: a regression would replace it).
        let dir = Dir::new("device");
        let null = dir.0.join("null");
        if !make_node(
            "mknod",
            &["-m", "666", &null.to_string_lossy(), "c", "1", "3"],
        ) {
            return;
        }
        write_file(&null, b"discarded").expect("write the device");
        let meta = std::fs::symlink_metadata(&null).expect("the device");
        assert!(
            std::os::unix::fs::FileTypeExt::is_char_device(&meta.file_type()),
            "the device was replaced"
        );
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = Dir::new("directory");
        let sub = dir.0.join("sub");
        std::fs::create_dir(&sub).expect("mkdir");
        assert!(write_file(&sub, b"x").is_err());
        assert!(sub.is_dir());
    }

    #[test]
    fn a_read_only_file_is_refused_unless_the_os_allows_it() {
        let dir = Dir::new("readonly");
        let path = dir.file("locked", "old", 0o444);
        // What the OS says about writing this file (a privileged process may).
        let allowed = OpenOptions::new().write(true).open(&path).is_ok();
        let result = write_file(&path, b"new");
        assert_eq!(result.is_ok(), allowed, "{result:?}");
        assert_eq!(read(&path), if allowed { "new" } else { "old" });
        assert_eq!(mode(&path), 0o444);
        assert_eq!(dir.names(), ["locked"]);
    }
}
