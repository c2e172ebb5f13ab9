//! Progress on stderr: an `indicatif` spinner (a bar when a phase counts its
//! steps) while stderr is a terminal, plain lines with `--verbose` otherwise,
//! nothing with `--quiet`. Phase timings are kept for `summary.json`.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use territory::Progress;
use territory_formats::PhaseTiming;

pub(crate) struct StderrProgress {
    start: Instant,
    quiet: bool,
    verbose: bool,
    bar: Option<ProgressBar>,
    phases: Mutex<Vec<(String, Instant)>>,
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} [{elapsed:>4}] {msg}").expect("valid template")
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} [{elapsed:>4}] {msg} {bar:30} {pos}/{len}")
        .expect("valid template")
}

impl StderrProgress {
    pub fn new(chatter: crate::flags::Chatter) -> Self {
        let (quiet, verbose) = (chatter.quiet, chatter.verbose);
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new_spinner().with_style(spinner_style());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self {
            start: Instant::now(),
            quiet,
            verbose,
            bar,
            phases: Mutex::new(Vec::new()),
        }
    }

    fn line(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.println(format!(
                "[{:>6.1}s] {message}",
                self.start.elapsed().as_secs_f64()
            )),
            None if !self.quiet => crate::to_stderr(&format!(
                "[{:>6.1}s] {message}",
                self.start.elapsed().as_secs_f64()
            )),
            None => {}
        }
    }

    pub fn elapsed_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// A warning for people (shown unless quiet, above any progress bar).
    pub fn warn(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.println(format!("warning: {message}")),
            None if !self.quiet => crate::to_stderr(&format!("warning: {message}")),
            None => {}
        }
    }

    /// Wall time of each phase so far, in order.
    pub fn timings(&self) -> Vec<PhaseTiming> {
        let phases = self.phases.lock().expect("not poisoned");
        let now = Instant::now();
        phases
            .iter()
            .enumerate()
            .map(|(i, (name, began))| PhaseTiming {
                phase: name.clone(),
                ms: phases
                    .get(i + 1)
                    .map_or(now, |next| next.1)
                    .duration_since(*began)
                    .as_millis() as u64,
            })
            .collect()
    }

    /// Clears the spinner and prints a closing line for people, unless quiet.
    pub fn done(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if !self.quiet {
            crate::to_stderr(message);
        }
    }
}

impl Progress for StderrProgress {
    fn phase(&self, name: &str) {
        self.phases
            .lock()
            .expect("not poisoned")
            .push((name.to_string(), Instant::now()));
        match &self.bar {
            Some(bar) => {
                bar.set_style(spinner_style());
                bar.set_message(name.to_string());
            }
            None if self.verbose => self.line(name),
            None => {}
        }
    }

    fn detail(&self, message: &str) {
        if self.verbose {
            self.line(message);
        }
    }

    fn advance(&self, done: usize, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_style(bar_style());
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    }
}
