//! Process isolation for PDF extraction: a bounded pool of worker
//! processes (the policyscan binary re-invoked as the hidden subcommand
//! `__extract-worker`, see [`crate::extract::worker::child`]), fed over
//! pipes ([`crate::extract::worker::protocol`]).
//!
//! Owns: spawning, reusing, recycling and killing workers; the
//! per-document time limit; and turning a worker's death into a status. A
//! stack overflow, an allocation failure under the memory cap, an abort or
//! a signal cost only the document in flight: the worker is replaced and
//! the run goes on.
//!
//! How a document goes through a worker:
//! * The caller's thread checks a worker out of the pool (spawning one
//!   when fewer than `size` are alive), writes one job frame (path as raw
//!   bytes, password, extractors to skip, `--max-filesize`) and waits on
//!   a channel fed by that worker's reader thread, so a large reply never
//!   blocks the worker on a full pipe. A second thread keeps the tail of
//!   the worker's stderr, which names the cause of a death.
//! * The worker reports which extractor starts and how many pages the
//!   document has. The time limit is `--timeout` when given, otherwise
//!   30 s + 1 s per MiB of file, raised to 30 s + 50 ms per page once the
//!   page count is known.
//! * Time limit exceeded: the worker's process group is killed, the
//!   document gets `timeout`, and the next document gets a fresh worker.
//! * Worker died: the document gets `crashed` with the reason ("worker
//!   killed by signal 6 (SIGABRT): stack overflow"), or `too_large` when
//!   it died of an allocation failure under the memory cap. Before that,
//!   the document is retried in a fresh worker with the extractor that was
//!   running skipped, so the rest of the chain still gets its turn; the
//!   crash is then kept as a warning.
//! * A worker is replaced after `recycle_after` documents, to bound leaks.
//!
//! Must not: extract anything itself (the worker runs the same in-process
//! chain as `--in-process`, [`crate::extract::extract_file`]), or analyse
//! text.

use std::cell::Cell;
use std::fmt;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::extract::worker::protocol::{Job, Reply};
use crate::extract::{ExtractError, Extracted, FileOptions};
use crate::hash::sha256_file;

/// The hidden subcommand that runs a worker.
pub const WORKER_SUBCOMMAND: &str = "__extract-worker";

/// Bytes of a dead worker's stderr kept to explain its death.
const STDERR_TAIL: usize = 8 << 10;

/// Crash retries per document (each skips one more extractor).
const MAX_RETRIES: usize = 4;

/// Limits applied to every worker and document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// A fixed per-document time limit (`--timeout`); `None` scales the
    /// limit with the file size and page count.
    pub timeout: Option<Duration>,
    /// Address-space cap per worker in bytes (`RLIMIT_AS`); 0 = none.
    pub max_memory: u64,
    /// Documents a worker serves before it is replaced.
    pub recycle_after: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: None,
            max_memory: DEFAULT_MAX_MEMORY,
            recycle_after: 500,
        }
    }
}

/// Default memory cap per worker: 2 GiB of address space.
pub const DEFAULT_MAX_MEMORY: u64 = 2 << 30;
/// Base of the scaled time limit.
pub const BASE_TIMEOUT: Duration = Duration::from_secs(30);
/// Added per MiB of file to the scaled time limit.
pub const PER_MIB: Duration = Duration::from_secs(1);
/// Added per page to the scaled time limit, once the page count is known.
pub const PER_PAGE: Duration = Duration::from_millis(50);
/// Time allowed from the start of each page's OCR (`--ocr`): the engine's
/// own limit per page, plus time to decode or render the page image.
pub const PER_PAGE_OCR: Duration = Duration::from_secs(crate::extract::ocr::PAGE_TIMEOUT_SECS + 30);

impl Limits {
    /// The time limit before the page count is known.
    pub fn initial(&self, file_size: u64) -> Duration {
        self.timeout.unwrap_or_else(|| {
            let mib = u32::try_from(file_size >> 20).unwrap_or(u32::MAX);
            BASE_TIMEOUT.saturating_add(PER_MIB.saturating_mul(mib))
        })
    }

    /// The time limit once the document is known to have `pages` pages.
    pub fn with_pages(&self, file_size: u64, pages: u64) -> Duration {
        match self.timeout {
            Some(t) => t,
            None => {
                let pages = u32::try_from(pages).unwrap_or(u32::MAX);
                self.initial(file_size)
                    .max(BASE_TIMEOUT.saturating_add(PER_PAGE.saturating_mul(pages)))
            }
        }
    }
}

thread_local! {
    static LAST_TIMING: Cell<Option<Timing>> = const { Cell::new(None) };
}

/// How long the last document extracted on this thread took, and the
/// time it was allowed (summed over retries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Wall time spent waiting for workers.
    pub elapsed: Duration,
    /// The time limit that applied.
    pub limit: Duration,
}

/// Takes the timing of the last document this thread sent to a worker.
pub fn take_timing() -> Option<Timing> {
    LAST_TIMING.with(Cell::take)
}

/// Keeps the last bytes of a stream.
#[derive(Debug, Default)]
struct Tail(Vec<u8>);

impl Tail {
    fn push(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
        if self.0.len() > STDERR_TAIL {
            let cut = self.0.len() - STDERR_TAIL;
            self.0.drain(..cut);
        }
    }
}

/// One live worker process.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<io::Result<Reply>>,
    stderr: Arc<Mutex<Tail>>,
    threads: Vec<JoinHandle<()>>,
    served: usize,
}

impl Worker {
    fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).unwrap_or(i32::MAX)
    }

    /// Kills the worker's whole process group and reaps it.
    fn kill(mut self) -> Option<ExitStatus> {
        // SAFETY: kill(2) with a negative pid signals the process group the
        // worker leads (it was spawned with process_group(0)); no memory is
        // shared with the callee.
        unsafe {
            libc::kill(-self.pid(), libc::SIGKILL);
        }
        let status = self.child.wait().ok();
        self.join();
        status
    }

    /// Waits for a worker whose stdout closed (it is dying) and reaps it;
    /// kills it if it lingers.
    fn bury(mut self) -> (Option<ExitStatus>, String) {
        let deadline = Instant::now() + Duration::from_secs(2);
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(s)) => break Some(s),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                _ => {
                    // SAFETY: as in `kill`.
                    unsafe {
                        libc::kill(-self.pid(), libc::SIGKILL);
                    }
                    break self.child.wait().ok();
                }
            }
        };
        let stderr = self.stderr.clone();
        self.join();
        let tail = stderr.lock().map(|t| t.0.clone()).unwrap_or_default();
        (status, String::from_utf8_lossy(&tail).into_owned())
    }

    /// Closes stdin (the worker exits at the end of its loop) and reaps it.
    fn retire(mut self) {
        drop(self.stdin);
        let _ = self.child.wait();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    fn join(&mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

struct PoolState {
    idle: Vec<Worker>,
    live: usize,
}

/// A bounded pool of extraction workers, shared by the scan threads.
pub struct WorkerPool {
    exe: PathBuf,
    limits: Limits,
    size: usize,
    state: Mutex<PoolState>,
    freed: Condvar,
}

impl fmt::Debug for WorkerPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerPool")
            .field("exe", &self.exe)
            .field("limits", &self.limits)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// What became of one attempt at a document.
enum Attempt {
    /// The worker replied.
    Done {
        sha: String,
        result: Result<Extracted, ExtractError>,
        ran_any: bool,
    },
    /// The worker died (or could not be used) while `stage` was running.
    Died {
        stage: Option<String>,
        error: ExtractError,
    },
    /// The time limit passed; the worker was killed.
    TimedOut(ExtractError),
}

/// Signal names for the reasons written into reports.
fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGABRT => "SIGABRT",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        libc::SIGXCPU => "SIGXCPU",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGSYS => "SIGSYS",
        _ => "signal",
    }
}

/// Human form of a byte count (for messages).
fn human_bytes(n: u64) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{} GiB", n >> 30)
    } else if n >= 1 << 20 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// Turns a dead worker's exit status and stderr into a status and reason.
fn death_error(
    status: Option<ExitStatus>,
    stderr: &str,
    stage: Option<&str>,
    max_memory: u64,
) -> ExtractError {
    let how = match status {
        Some(s) => match (s.signal(), s.code()) {
            (Some(sig), _) => format!("worker killed by signal {sig} ({})", signal_name(sig)),
            (None, Some(code)) => format!("worker exited with status {code} without replying"),
            _ => "worker ended without replying".to_string(),
        },
        None => "worker ended without replying".to_string(),
    };
    let inside = in_stage(stage);
    if stderr.contains("memory allocation of") && stderr.contains("failed") {
        return ExtractError::TooLarge(format!(
            "extraction needed more memory than the --max-memory limit of {}{inside} ({how})",
            human_bytes(max_memory)
        ));
    }
    let cause = if stderr.contains("has overflowed its stack") {
        "stack overflow".to_string()
    } else {
        // The last non-empty line usually names the cause (a panic message).
        stderr
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("note:"))
            .map(|l| l.chars().take(200).collect())
            .unwrap_or_default()
    };
    if cause.is_empty() {
        ExtractError::Crashed(format!("{how}{inside}"))
    } else {
        ExtractError::Crashed(format!("{how}{inside}: {cause}"))
    }
}

impl WorkerPool {
    /// A pool of at most `size` workers running `exe __extract-worker`.
    /// Workers start when first needed.
    pub fn new(exe: PathBuf, size: usize, limits: Limits) -> WorkerPool {
        WorkerPool {
            exe,
            limits,
            size: size.max(1),
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                live: 0,
            }),
            freed: Condvar::new(),
        }
    }

    /// The limits the pool applies.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn state(&self) -> std::sync::MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn spawn(&self) -> io::Result<Worker> {
        let mut child = Command::new(&self.exe)
            .arg(WORKER_SUBCOMMAND)
            .arg("--max-memory")
            .arg(self.limits.max_memory.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()?;
        let (Some(stdin), Some(mut stdout), Some(mut err)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("worker pipes missing"));
        };
        let (tx, replies) = mpsc::channel();
        let reader = std::thread::Builder::new()
            .name("policyscan-worker-out".into())
            .spawn(move || {
                loop {
                    match Reply::read(&mut stdout) {
                        Ok(Some(r)) => {
                            if tx.send(Ok(r)).is_err() {
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            break;
                        }
                    }
                }
            })?;
        let stderr = Arc::new(Mutex::new(Tail::default()));
        let tail = stderr.clone();
        let err_reader = std::thread::Builder::new()
            .name("policyscan-worker-err".into())
            .spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut t) = tail.lock() {
                        t.push(&buf[..n]);
                    }
                }
            })?;
        Ok(Worker {
            child,
            stdin,
            replies,
            stderr,
            threads: vec![reader, err_reader],
            served: 0,
        })
    }

    /// An idle worker, or a new one while fewer than `size` are alive;
    /// otherwise waits for one to be returned.
    fn checkout(&self) -> io::Result<Worker> {
        let mut st = self.state();
        loop {
            if let Some(w) = st.idle.pop() {
                return Ok(w);
            }
            if st.live < self.size {
                st.live += 1;
                drop(st);
                return self.spawn().inspect_err(|_| self.forget());
            }
            st = self.freed.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Returns a healthy worker to the pool (or retires it when it has
    /// served its quota).
    fn checkin(&self, w: Worker) {
        if w.served >= self.limits.recycle_after {
            w.retire();
            self.forget();
        } else {
            self.state().idle.push(w);
            self.freed.notify_one();
        }
    }

    /// Records that a worker is gone (killed, dead or retired).
    fn forget(&self) {
        let mut st = self.state();
        st.live = st.live.saturating_sub(1);
        drop(st);
        self.freed.notify_one();
    }

    /// Runs one document in a worker (with crash retries). The result is
    /// what [`crate::extract::extract_file`] would return in-process.
    pub fn extract(
        &self,
        path: &Path,
        opts: &FileOptions,
    ) -> (String, Result<Extracted, ExtractError>) {
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        let mut job = Job {
            path: path.as_os_str().as_bytes().to_vec(),
            password: opts.extract.password.clone(),
            skip: opts.extract.skip.clone(),
            max_filesize: opts.max_filesize,
            ocr: opts.extract.ocr.clone(),
        };
        let started = Instant::now();
        let mut limit = Duration::ZERO;
        let mut crashes: Vec<ExtractError> = Vec::new();
        let outcome = loop {
            match self.attempt(&job, size, &mut limit) {
                Attempt::Done {
                    sha,
                    result,
                    ran_any,
                } => {
                    if crashes.is_empty() {
                        break (sha, result);
                    }
                    if !ran_any {
                        // Nothing was left to try after the crash.
                        break (sha, Err(first_with_others(&crashes)));
                    }
                    break (sha, with_crash_notes(result, &crashes));
                }
                Attempt::Died { stage, error } => {
                    crashes.push(error);
                    match stage {
                        Some(s) if !job.skip.contains(&s) && crashes.len() <= MAX_RETRIES => {
                            job.skip.push(s);
                        }
                        _ => {
                            break (
                                sha256_file(path).unwrap_or_default(),
                                Err(first_with_others(&crashes)),
                            );
                        }
                    }
                }
                Attempt::TimedOut(error) => {
                    let result = if crashes.is_empty() {
                        Err(error)
                    } else {
                        with_crash_notes(Err(error), &crashes)
                    };
                    break (sha256_file(path).unwrap_or_default(), result);
                }
            }
        };
        LAST_TIMING.with(|t| {
            t.set(Some(Timing {
                elapsed: started.elapsed(),
                limit,
            }));
        });
        outcome
    }

    /// Sends the job to a worker and waits for its reply, its death or
    /// the time limit. Adds the limit that applied to `limit_total`.
    fn attempt(&self, job: &Job, size: u64, limit_total: &mut Duration) -> Attempt {
        let mut w = None;
        // A worker that died while idle fails the write: replace it once.
        for _ in 0..2 {
            let mut fresh = match self.checkout() {
                Ok(x) => x,
                Err(e) => {
                    return Attempt::Died {
                        stage: None,
                        error: ExtractError::Crashed(format!(
                            "cannot start an extraction worker ({}): {e}",
                            self.exe.display()
                        )),
                    };
                }
            };
            if job.write(&mut fresh.stdin).is_ok() {
                w = Some(fresh);
                break;
            }
            fresh.kill();
            self.forget();
        }
        let Some(w) = w else {
            return Attempt::Died {
                stage: None,
                error: ExtractError::Crashed("cannot send the document to a worker".into()),
            };
        };
        let start = Instant::now();
        let mut limit = self.limits.initial(size);
        let mut stage: Option<String> = None;
        let mut ran_any = false;
        let result = loop {
            let left = limit.saturating_sub(start.elapsed());
            match w.replies.recv_timeout(left) {
                Ok(Ok(Reply::Stage(s))) => {
                    stage = Some(s);
                    ran_any = true;
                }
                Ok(Ok(Reply::Pages(n))) => limit = limit.max(self.limits.with_pages(size, n)),
                // Each OCR'd page gets its own time from its start (unless
                // --timeout fixed the limit).
                Ok(Ok(Reply::OcrPage)) if self.limits.timeout.is_none() => {
                    limit = limit.max(start.elapsed().saturating_add(PER_PAGE_OCR));
                }
                Ok(Ok(Reply::OcrPage)) => {}
                Ok(Ok(Reply::Result(sha, result))) => {
                    let mut w = w;
                    w.served += 1;
                    self.checkin(w);
                    break Attempt::Done {
                        sha,
                        result,
                        ran_any,
                    };
                }
                Ok(Err(e)) => {
                    w.kill();
                    self.forget();
                    let inside = in_stage(stage.as_deref());
                    break Attempt::Died {
                        error: ExtractError::Crashed(format!(
                            "worker sent a malformed reply{inside}: {e}"
                        )),
                        stage,
                    };
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let (status, stderr) = w.bury();
                    self.forget();
                    break Attempt::Died {
                        error: death_error(
                            status,
                            &stderr,
                            stage.as_deref(),
                            self.limits.max_memory,
                        ),
                        stage,
                    };
                }
                Err(RecvTimeoutError::Timeout) => {
                    w.kill();
                    self.forget();
                    let inside = in_stage(stage.as_deref());
                    break Attempt::TimedOut(ExtractError::Timeout(format!(
                        "extraction took longer than the {} s limit{inside}; the worker was killed",
                        fmt_secs(limit)
                    )));
                }
            }
        };
        *limit_total += limit;
        result
    }
}

fn fmt_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

/// The first crash, its reason extended by the later ones.
fn first_with_others(crashes: &[ExtractError]) -> ExtractError {
    let mut first = crashes[0].clone();
    if crashes.len() > 1 {
        let more: Vec<String> = crashes[1..].iter().map(ToString::to_string).collect();
        let reason = format!("{}; then {}", first.reason(), more.join("; then "));
        first = match first {
            ExtractError::TooLarge(_) => ExtractError::TooLarge(reason),
            _ => ExtractError::Crashed(reason),
        };
    }
    first
}

/// Keeps the crashes that preceded a fallback's result: as warnings on
/// success, in the reason on failure.
fn with_crash_notes(
    result: Result<Extracted, ExtractError>,
    crashes: &[ExtractError],
) -> Result<Extracted, ExtractError> {
    let notes: Vec<String> = crashes.iter().map(ToString::to_string).collect();
    match result {
        Ok(mut e) => {
            let mut w = notes;
            w.append(&mut e.warnings);
            e.warnings = w;
            Ok(e)
        }
        Err(err) => {
            let reason = format!("{} (earlier: {})", err.reason(), notes.join("; "));
            Err(match err {
                ExtractError::Encrypted(_) => ExtractError::Encrypted(reason),
                ExtractError::Malformed(_) => ExtractError::Malformed(reason),
                ExtractError::TooLarge(_) => ExtractError::TooLarge(reason),
                ExtractError::Timeout(_) => ExtractError::Timeout(reason),
                ExtractError::Crashed(_) => ExtractError::Crashed(reason),
                ExtractError::Unsupported(_) => ExtractError::Unsupported(reason),
            })
        }
    }
}

impl Drop for WorkerPool {
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.state().idle);
        for w in idle {
            w.retire();
        }
    }
}

/// Whether a file should go to a worker: a PDF (by its header) within
/// `--max-filesize`. Everything else (text, non-PDFs, unreadable or
/// oversized files) is cheap and safe to handle in-process.
pub fn wants_worker(path: &Path, max_filesize: u64) -> bool {
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    if let Ok(m) = f.metadata()
        && max_filesize > 0
        && m.len() > max_filesize
    {
        return false;
    }
    let mut head = Vec::with_capacity(1024);
    if (&mut f).take(1024).read_to_end(&mut head).is_err() {
        return false;
    }
    head.windows(5).any(|w| w == b"%PDF-")
}

/// " in <stage>" for an error message, when the worker said where it was.
fn in_stage(stage: Option<&str>) -> String {
    stage.map(|s| format!(" in {s}")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_scale_with_size_and_pages() {
        let l = Limits::default();
        assert_eq!(l.initial(0), Duration::from_secs(30));
        assert_eq!(l.initial(5 << 20), Duration::from_secs(35));
        assert_eq!(l.with_pages(0, 20_000), Duration::from_secs(1030));
        assert_eq!(l.with_pages(100 << 20, 1), Duration::from_secs(130));
        let fixed = Limits {
            timeout: Some(Duration::from_secs(7)),
            ..Limits::default()
        };
        assert_eq!(fixed.initial(1 << 30), Duration::from_secs(7));
        assert_eq!(fixed.with_pages(0, 1_000_000), Duration::from_secs(7));
    }

    #[test]
    fn deaths_are_explained() {
        let abrt = ExitStatus::from_raw(libc::SIGABRT);
        let e = death_error(
            Some(abrt),
            "\nthread 'main' has overflowed its stack\nfatal runtime error: stack overflow, aborting\n",
            Some("pdf-extract"),
            2 << 30,
        );
        assert_eq!(
            e,
            ExtractError::Crashed(
                "worker killed by signal 6 (SIGABRT) in pdf-extract: stack overflow".into()
            )
        );
        let e = death_error(
            Some(abrt),
            "memory allocation of 4294967296 bytes failed\n",
            Some("pdf-extract"),
            2 << 30,
        );
        assert_eq!(e.status(), crate::model::Status::TooLarge);
        assert!(e.reason().contains("2 GiB"), "{e}");
        let e = death_error(Some(ExitStatus::from_raw(3 << 8)), "", None, 0);
        assert_eq!(
            e,
            ExtractError::Crashed("worker exited with status 3 without replying".into())
        );
    }

    #[test]
    fn crash_notes_are_kept() {
        let crash = ExtractError::Crashed("worker killed by signal 6 (SIGABRT) in a".into());
        let ok = with_crash_notes(
            Ok(Extracted {
                pages: vec!["t".into()],
                extractor: "b".into(),
                warnings: vec!["page 2: x".into()],
                ..Extracted::default()
            }),
            std::slice::from_ref(&crash),
        )
        .unwrap();
        assert_eq!(
            ok.warnings,
            vec![
                "crashed: worker killed by signal 6 (SIGABRT) in a".to_string(),
                "page 2: x".to_string()
            ]
        );
        let err = with_crash_notes(Err(ExtractError::Malformed("bad".into())), &[crash]);
        assert_eq!(
            err.unwrap_err().reason(),
            "bad (earlier: crashed: worker killed by signal 6 (SIGABRT) in a)"
        );
    }
}
