//! Quiet, recorded panics for extraction backends.
//!
//! Owns: a process-wide panic hook that records the panic message in a
//! thread-local instead of printing it, so a panic inside a PDF library
//! becomes a per-page warning naming its cause, and [`catch`], which runs a
//! closure under `catch_unwind` and returns that message on panic.
//!
//! Must not: be used to hide panics in policyscan's own logic; only
//! extraction backends run under [`catch`].

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// How many [`catch`] calls are active on this thread.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// The message of the last panic caught on this thread.
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

/// Installs the recording hook (once per process). Panics on threads that
/// are not inside [`catch`] are still printed by the previous hook.
pub fn install_hook() {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) > 0 {
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

/// Runs `f`, turning a panic into `Err(message)`. Calls nest: a panic
/// caught by an inner `catch` stays quiet, and so does one in the outer.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    DEPTH.with(|d| d.set(d.get() + 1));
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get() - 1));
    r.map_err(|_| {
        LAST.with(|l| l.borrow_mut().take())
            .unwrap_or_else(|| "panic".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_catch_keeps_the_outer_one_quiet() {
        let r: Result<(), String> = catch(|| {
            let inner: Result<(), String> = catch(|| panic!("inner"));
            assert!(inner.unwrap_err().starts_with("inner"));
            panic!("outer");
        });
        assert!(r.unwrap_err().starts_with("outer"));
    }

    #[test]
    fn catch_returns_message() {
        let r: Result<(), String> = catch(|| panic!("boom {}", 7));
        let msg = r.unwrap_err();
        assert!(msg.starts_with("boom 7"), "{msg}");
        assert_eq!(catch(|| 3).unwrap(), 3);
    }
}
