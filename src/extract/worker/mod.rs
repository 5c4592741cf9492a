//! The worker process side of process isolation: the loop the hidden
//! `__extract-worker` subcommand runs ([`child`]) and the frames it
//! exchanges with its parent ([`protocol`]).
//!
//! Owns: what crosses the pipe, and the worker's own limits. The pool of
//! workers, their time limits and the statuses of their deaths belong to
//! the process that survives them: the scan pipeline (`scan::pool`).
//!
//! Must not: start workers. A worker receives only plain options
//! ([`super::FileOptions`]) and extracts in process, so it cannot send a
//! document to another worker.

pub mod child;
pub mod protocol;
