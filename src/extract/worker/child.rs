//! The worker side: `policyscan __extract-worker`.
//!
//! Owns: the worker process's limits (an address-space cap with
//! `RLIMIT_AS`, no core dumps, death with the parent), its quiet panic
//! handling, and its loop: read a job from stdin, run the ordinary
//! in-process extraction ([`crate::extract::extract_file`]) on it, forward the
//! chain's progress and write the result to stdout.
//!
//! Test hook: when the environment variable `POLICYSCAN_TEST_FAULT` is set
//! to `KIND:NAME`, the worker misbehaves on every job whose file name
//! contains `NAME`, before extracting: `abort` (SIGABRT), `hang` (sleeps
//! forever), `exit` (exits with status 3 without replying), `garbage`
//! (writes a malformed frame), `abort-in-first` (reports that the first
//! extractor of the chain started, then aborts, unless the job skips it),
//! `abort-in-ocr` (aborts as soon as OCR starts on the document).
//! Only the integration tests set it; nothing happens without it.
//!
//! Must not: decide statuses for crashes or timeouts (the parent does, it
//! is the one that survives them).

use std::ffi::OsString;
use std::io::{self, Write};
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex};

use super::protocol::{Job, Reply};
use crate::extract::{ExtractError, ExtractOptions, FileOptions, Progress, extract_file, panic};

/// Environment variable of the test hook (see the module docs).
pub const FAULT_ENV: &str = "POLICYSCAN_TEST_FAULT";

/// Sets a resource limit (soft and hard); errors are ignored, since the
/// parent's timeout still bounds the worker.
fn set_rlimit(resource: libc::__rlimit_resource_t, value: u64) {
    let lim = libc::rlimit {
        rlim_cur: value as libc::rlim_t,
        rlim_max: value as libc::rlim_t,
    };
    // SAFETY: setrlimit reads a valid, initialised struct we own.
    unsafe {
        libc::setrlimit(resource, &lim);
    }
}

/// Applies the worker's process limits.
fn apply_limits(max_memory: u64) {
    if max_memory > 0 {
        set_rlimit(libc::RLIMIT_AS, max_memory);
    }
    set_rlimit(libc::RLIMIT_CORE, 0);
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_PDEATHSIG takes a signal number; no pointers involved.
    // A worker stuck in a loop is killed when the parent dies, instead of
    // running on as an orphan.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
    }
}

/// Set by the test hook's `abort-in-ocr` for the current job.
static ABORT_IN_OCR: AtomicBool = AtomicBool::new(false);

/// Misbehaves as the test hook asks (see the module docs).
fn test_fault(path: &std::path::Path, skip: &[String], out: &Mutex<io::Stdout>) {
    ABORT_IN_OCR.store(false, Ordering::Relaxed);
    let Some(spec) = std::env::var_os(FAULT_ENV) else {
        return;
    };
    let spec = spec.to_string_lossy();
    let Some((kind, needle)) = spec.split_once(':') else {
        return;
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if needle.is_empty() || !name.contains(needle) {
        return;
    }
    match kind {
        "abort" => std::process::abort(),
        "hang" => loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        },
        "exit" => std::process::exit(3),
        "abort-in-ocr" => ABORT_IN_OCR.store(true, Ordering::Relaxed),
        "abort-in-first" => {
            let first = crate::extract::pdf_extract::NAME;
            if !skip.iter().any(|s| s == first) {
                crate::extract::report_progress(Progress::Extractor(first));
                std::process::abort();
            }
        }
        "garbage" => {
            let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
            let _ = o.write_all(b"\xffgarbage that is not a frame");
            let _ = o.flush();
            std::process::exit(0);
        }
        _ => {}
    }
}

/// Runs the worker loop until stdin closes. Returns the exit status.
pub fn run(max_memory: u64) -> u8 {
    apply_limits(max_memory);
    panic::install_hook();
    static OUT: LazyLock<Mutex<io::Stdout>> = LazyLock::new(|| Mutex::new(io::stdout()));
    let out: &'static Mutex<io::Stdout> = &OUT;
    crate::extract::set_progress_observer(Box::new(move |p| {
        let reply = match p {
            Progress::Extractor(name) => Reply::Stage(name.to_string()),
            Progress::Pages(n) => Reply::Pages(n as u64),
            Progress::OcrPage => Reply::OcrPage,
        };
        let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
        // A parent that stopped listening will close stdin; the loop ends there.
        let _ = reply.write(&mut *o);
        if ABORT_IN_OCR.load(Ordering::Relaxed)
            && matches!(p, Progress::Extractor(n) if n == crate::extract::ocr::extractor_name())
        {
            std::process::abort();
        }
    }));
    let mut stdin = io::stdin().lock();
    loop {
        let job = match Job::read(&mut stdin) {
            Ok(Some(job)) => job,
            Ok(None) => return 0,
            Err(e) => {
                eprintln!("policyscan worker: bad job frame: {e}");
                return 2;
            }
        };
        let path = PathBuf::from(OsString::from_vec(job.path));
        test_fault(&path, &job.skip, out);
        let opts = FileOptions {
            extract: ExtractOptions {
                password: job.password,
                skip: job.skip,
                ocr: job.ocr,
            },
            max_filesize: job.max_filesize,
        };
        let (sha, result) = match panic::catch(|| extract_file(&path, &opts)) {
            Ok(r) => r,
            Err(msg) => (
                String::new(),
                Err(ExtractError::Crashed(format!("internal error: {msg}"))),
            ),
        };
        let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
        if Reply::Result(sha, result).write(&mut *o).is_err() {
            return 0;
        }
    }
}
