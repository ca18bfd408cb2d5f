//! A run's child process, seen from the server: starting it (this executable again, in its
//! hidden child mode, see [`super::child`]), killing it, reaping it, and what its exit status
//! says.
//!
//! The child gets one end of a socket pair for the run's protocol ([`super::wire`]), passed by
//! descriptor number; its stdin is empty (`/dev/null`), its stdout and stderr are pipes the
//! server reads.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::net::unix::pipe;

use super::child::CHILD_ARG;

/// The environment variable naming the executable runs start (when the initialization
/// options do not): a `gene` or `gene-lsp` binary. Without either, the server's own executable.
pub const EXECUTABLE_ENV: &str = "GENE_LSP_RUN_EXECUTABLE";

/// mimalloc's option of how much address space to reserve at a time.
const ARENA_RESERVE_ENV: &str = "MIMALLOC_ARENA_RESERVE";

/// Only one spawn at a time makes a descriptor inheritable, so no other child gets it.
static SPAWNING: Mutex<()> = Mutex::new(());

/// The executable a run starts: `configured` (the initialization option), else
/// [`EXECUTABLE_ENV`], else the server's own.
pub fn executable(configured: Option<&Path>) -> io::Result<PathBuf> {
    if let Some(path) = configured {
        return Ok(path.to_path_buf());
    }
    match std::env::var_os(EXECUTABLE_ENV) {
        Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
        _ => std::env::current_exe(),
    }
}

/// A started child, with the server's ends of its channels.
pub struct Spawned {
    pub process: Arc<ChildProcess>,
    pub socket: tokio::net::UnixStream,
    pub stdout: pipe::Receiver,
    pub stderr: pipe::Receiver,
}

/// Starts `executable` as a run's child, in folder `cwd` when given (else the server's). Call
/// within the tokio runtime (the channels register with it).
pub fn spawn(executable: &Path, cwd: Option<&Path>) -> io::Result<Spawned> {
    let (ours, theirs) = UnixStream::pair()?;
    let mut command = Command::new(executable);
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    command
        .arg(CHILD_ARG)
        .arg(theirs.as_raw_fd().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // mimalloc reserves 1 GiB of address space up front by default, which the memory cap
        // (an address-space limit) would count as used; reserving 64 MiB at a time keeps the
        // cap close to what the program allocates.
        .env(ARENA_RESERVE_ENV, "64M");
    let mut child = {
        let _only_us = SPAWNING.lock().unwrap_or_else(|e| e.into_inner());
        use nix::fcntl::{FcntlArg, FdFlag, fcntl};
        fcntl(&theirs, FcntlArg::F_SETFD(FdFlag::empty())).map_err(io::Error::from)?;
        let spawned = command.spawn();
        // Closing our copy of the child's end is what lets us see the child go.
        drop(theirs);
        spawned?
    };
    let channels = (|| {
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout"))?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| io::Error::other("no stderr"))?;
        ours.set_nonblocking(true)?;
        Ok::<_, io::Error>((
            tokio::net::UnixStream::from_std(ours)?,
            pipe::Receiver::from_owned_fd(OwnedFd::from(stdout))?,
            pipe::Receiver::from_owned_fd(OwnedFd::from(stderr))?,
        ))
    })();
    let process = Arc::new(ChildProcess(Mutex::new(child)));
    match channels {
        Ok((socket, stdout, stderr)) => Ok(Spawned {
            process,
            socket,
            stdout,
            stderr,
        }),
        Err(e) => {
            process.kill();
            Err(e)
        }
    }
}

/// The child process. Killing and reaping go through one lock, so a kill never reaches
/// another process that got the number of a child already reaped.
pub struct ChildProcess(Mutex<Child>);

impl ChildProcess {
    fn child(&self) -> MutexGuard<'_, Child> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Kills the child (SIGKILL), unless it has ended already.
    pub fn kill(&self) {
        let mut child = self.child();
        if let Ok(None) = child.try_wait() {
            let _ = child.kill();
        }
    }

    pub fn try_wait(&self) -> Option<ExitStatus> {
        self.child().try_wait().ok().flatten()
    }

    /// Waits for the child to end. Called once its channels are closed, when it is ending or
    /// gone, so a poll finds it soon.
    pub async fn wait(&self) -> ExitStatus {
        let mut pause = Duration::from_millis(1);
        loop {
            match self.child().try_wait() {
                Ok(Some(status)) => return status,
                Ok(None) => {}
                // Nothing left to wait for (reaped elsewhere): report it as killed.
                Err(_) => return ExitStatus::from_raw(nix::libc::SIGKILL),
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}

/// How a process ended, for the user: its exit code as a shell reports it (128 + the signal
/// number for a signal) and the signal's name if one ended it.
pub fn describe_exit(status: ExitStatus) -> (i32, Option<String>) {
    if let Some(signal) = status.signal() {
        let name = nix::sys::signal::Signal::try_from(signal)
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|_| format!("signal {signal}"));
        return (128 + signal, Some(name));
    }
    (status.code().unwrap_or(1), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_as_a_shell_tells_them() {
        assert_eq!(describe_exit(ExitStatus::from_raw(0)), (0, None));
        assert_eq!(describe_exit(ExitStatus::from_raw(1 << 8)), (1, None));
        assert_eq!(
            describe_exit(ExitStatus::from_raw(nix::libc::SIGABRT)),
            (134, Some("SIGABRT".to_string()))
        );
        assert_eq!(
            describe_exit(ExitStatus::from_raw(nix::libc::SIGKILL)),
            (137, Some("SIGKILL".to_string()))
        );
    }

    #[test]
    fn the_configured_executable_comes_first() {
        let configured = Path::new("/opt/gene/bin/gene");
        assert_eq!(executable(Some(configured)).unwrap(), configured);
    }
}
