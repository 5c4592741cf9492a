//! Quiet, recorded panics for extraction backends.
//!
//! Owns: a process-wide panic hook that records the panic message in a
//! thread-local instead of printing it, so a panic inside a PDF library
//! becomes a per-page warning naming its cause, and [`catch`], which runs a
//! closure under `catch_unwind` and returns that message on panic.
//!
//! Must not: be used to hide panics in policyscan's own logic; only
//! extraction backends run under [`catch`].

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

/// Installs the recording hook (once per process). Panics on threads that
/// are not inside [`catch`] are still printed by the previous hook.
pub fn install_hook() {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let inside = LAST.with(|l| l.borrow().is_some());
            if inside {
                let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
                    (*s).to_string()
                } else if let Some(s) = info.payload().downcast_ref::<String>() {
                    s.clone()
                } else {
                    "panic".to_string()
                };
                let loc = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                LAST.with(|l| *l.borrow_mut() = Some(format!("{msg}{loc}")));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into `Err(message)`.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    LAST.with(|l| *l.borrow_mut() = Some(String::new()));
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    let msg = LAST.with(|l| l.borrow_mut().take()).unwrap_or_default();
    r.map_err(|_| {
        if msg.is_empty() {
            "panic".to_string()
        } else {
            msg
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catch_returns_message() {
        let r: Result<(), String> = catch(|| panic!("boom {}", 7));
        let msg = r.unwrap_err();
        assert!(msg.starts_with("boom 7"), "{msg}");
        assert_eq!(catch(|| 3).unwrap(), 3);
    }
}
