//! Human-readable progress on stderr, shown once a run has lasted a second.

use std::time::{Duration, Instant};

use territory::Progress;

/// Prints phases (and with `verbose`, details) to stderr with the elapsed time.
pub(crate) struct StderrProgress {
    start: Instant,
    quiet: bool,
    verbose: bool,
}

impl StderrProgress {
    pub fn new(quiet: bool, verbose: bool) -> Self {
        Self {
            start: Instant::now(),
            quiet,
            verbose,
        }
    }

    fn show(&self, message: &str) {
        let elapsed = self.start.elapsed();
        if !self.quiet && (self.verbose || elapsed >= Duration::from_secs(1)) {
            eprintln!("[{:>6.1}s] {message}", elapsed.as_secs_f64());
        }
    }

    pub fn elapsed_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// A closing line for people, unless quiet.
    pub fn done(&self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }
}

impl Progress for StderrProgress {
    fn phase(&self, name: &str) {
        self.show(name);
    }

    fn detail(&self, message: &str) {
        if self.verbose {
            self.show(message);
        }
    }
}
