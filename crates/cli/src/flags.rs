//! Flags shared by several commands, each defined once here and flattened
//! into the commands that take it.

use std::path::PathBuf;

use clap::Args;
use territory_formats::{Encoding, ReadOptions};

use crate::Failure;

/// Longest time limit accepted (about 31 years): beyond it no duration fits.
pub(crate) const MAX_SECONDS: f64 = 1e9;

/// What a command tells on stdout and stderr.
#[derive(Args, Clone, Copy, Default)]
pub(crate) struct Chatter {
    /// Print the result as JSON on stdout (errors too: {"error": {...}}).
    #[arg(long)]
    pub json: bool,
    /// No progress or messages on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// More detail on stderr.
    #[arg(long, short)]
    pub verbose: bool,
}

/// `--out DIR` of the commands that write a folder.
#[derive(Args)]
pub(crate) struct OutFolder {
    /// Output folder: created, or replaced as a whole once every file is written
    /// (an existing folder must hold only territory outputs).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `--out FILE` of the commands that write one file.
#[derive(Args)]
pub(crate) struct OutFile {
    /// Output file (replaced atomically; never one of the inputs).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `--seed N`.
#[derive(Args, Clone, Copy)]
pub(crate) struct Seed {
    /// Seed of the randomised steps: the same seed gives the same result on any thread count.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
}

/// How table inputs (CSV, workbooks) are read.
#[derive(Args, Clone, Default)]
pub(crate) struct ReadFlags {
    /// Text encoding of CSV inputs: auto (UTF-8, UTF-16 with BOM, else Windows-1252), utf-8, latin1.
    #[arg(long, value_name = "NAME", default_value = "auto")]
    pub encoding: String,
    /// Column names of the input files, e.g. id=AccountNo,lat=Y,lon=X
    /// (Latitude/Longitude/Lng/Account ID are recognised without it).
    #[arg(long, value_name = "LIST")]
    pub columns: Option<String>,
    /// Worksheet of .xlsx/.ods inputs (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

impl ReadFlags {
    /// The reading options these flags ask for.
    pub fn options(&self) -> Result<ReadOptions, Failure> {
        let encoding = Encoding::parse(&self.encoding).ok_or_else(|| {
            Failure::Input(format!(
                "--encoding '{}' is not one of auto, utf-8, latin1 (windows-1252)",
                self.encoding
            ))
        })?;
        let options = ReadOptions {
            encoding,
            sheet: self.sheet.clone(),
            ..ReadOptions::default()
        };
        match &self.columns {
            Some(list) => options.with_columns(list).map_err(Failure::Input),
            None => Ok(options),
        }
    }
}

/// Parses a time limit in seconds (the value parser of every `--time-limit`).
pub(crate) fn seconds(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if v > 0.0 && v <= MAX_SECONDS {
        Ok(v)
    } else {
        Err(format!(
            "{text} must be a positive number of seconds up to {MAX_SECONDS}"
        ))
    }
}

/// Refuses more than one input read from standard input (`-`).
pub(crate) fn one_stdin(inputs: &[(&str, Option<&std::path::Path>)]) -> Result<(), Failure> {
    let from_stdin: Vec<&str> = inputs
        .iter()
        .filter(|(_, p)| p.is_some_and(|p| p.as_os_str() == "-"))
        .map(|(flag, _)| *flag)
        .collect();
    if from_stdin.len() > 1 {
        return Err(Failure::Input(format!(
            "{} would all read standard input (-); only one input can",
            from_stdin.join(" and ")
        )));
    }
    Ok(())
}

/// `--levels regions:R,territories:T` of `plan` and `rebalance`.
#[derive(Args, Clone, Default)]
pub(crate) struct LevelsFlag {
    /// Two alignment levels: territories nested in R regions, each level
    /// balanced and contiguous, e.g. regions:8,territories:80 (territories
    /// defaults to the reps or --territories). A reps file's `region` column
    /// gives the regions instead.
    #[arg(long, value_name = "SPEC")]
    pub levels: Option<String>,
}

/// A parsed `--levels` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LevelsSpec {
    /// Regions.
    pub regions: usize,
    /// Territories, when given.
    pub territories: Option<usize>,
}

impl LevelsFlag {
    /// The levels asked for, checked on their own (1 ≤ R ≤ T).
    pub fn spec(&self) -> Result<Option<LevelsSpec>, Failure> {
        self.levels.as_deref().map(parse_levels).transpose()
    }
}

/// Parses `regions:R,territories:T` (either order; `territories` optional).
pub(crate) fn parse_levels(text: &str) -> Result<LevelsSpec, Failure> {
    let bad = |why: String| {
        Failure::Input(format!(
            "--levels '{text}': {why} (expected like regions:8,territories:80)"
        ))
    };
    let (mut regions, mut territories) = (None, None);
    for part in text.split(',').map(str::trim) {
        let (key, value) = part
            .split_once(':')
            .or_else(|| part.split_once('='))
            .ok_or_else(|| bad(format!("'{part}' is not LEVEL:COUNT")))?;
        let key = key.trim().to_ascii_lowercase();
        let count: usize = value
            .trim()
            .parse()
            .map_err(|_| bad(format!("'{}' is not a whole number", value.trim())))?;
        let slot = match key.as_str() {
            "regions" | "region" => &mut regions,
            "territories" | "territory" => &mut territories,
            other => {
                return Err(bad(format!(
                    "unknown level '{other}' (regions, territories)"
                )))
            }
        };
        if slot.replace(count).is_some() {
            return Err(bad(format!("'{key}' is given twice")));
        }
    }
    let regions = regions.ok_or_else(|| bad("no regions count".into()))?;
    if regions == 0 {
        return Err(bad("at least one region is needed".into()));
    }
    if territories == Some(0) {
        return Err(bad("at least one territory is needed".into()));
    }
    if let Some(t) = territories.filter(|&t| t < regions) {
        return Err(bad(format!(
            "{regions} regions cannot hold {t} territories: each region needs at least one"
        )));
    }
    Ok(LevelsSpec {
        regions,
        territories,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_specs() {
        let ok = |t: &str| parse_levels(t).ok();
        assert_eq!(
            ok("regions:8,territories:80"),
            Some(LevelsSpec {
                regions: 8,
                territories: Some(80)
            })
        );
        assert_eq!(
            ok(" territories:10 , regions:2 "),
            Some(LevelsSpec {
                regions: 2,
                territories: Some(10)
            })
        );
        assert_eq!(ok("regions:3").map(|s| s.territories), Some(None));
        for bad in [
            "",
            "regions",
            "regions:x",
            "regions:0,territories:4",
            "regions:5,territories:4",
            "regions:2,regions:3",
            "districts:2",
            "territories:8",
            "regions:-1",
        ] {
            assert!(parse_levels(bad).is_err(), "{bad}");
        }
    }
}
