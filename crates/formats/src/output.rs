//! Writing outputs so that no input and no earlier result is ever damaged.
//!
//! * [`check_output`] runs before any work: it refuses an output path that is,
//!   contains or would replace one of the run's inputs, and an existing folder
//!   holding anything a `territory` command does not write (a folder of the
//!   user's own files is never replaced).
//! * [`write_files_atomically`] stages the whole new folder beside the target
//!   and swaps it in with one atomic exchange (Linux `renameat2`), so a failed
//!   or killed run leaves the old folder exactly as it was.
//! * [`write_file_atomically`] does the same for one file with a rename.
//!
//! Staging names start with `.NAME.territory-`; leftovers of killed runs are
//! removed by the next write beside them.

use std::fmt;
use std::path::{Path, PathBuf};

/// Every name a `territory` command writes into an output folder. An existing
/// folder holding anything else is not ours to replace.
pub const OUTPUT_NAMES: &[&str] = &[
    "assignment.csv",
    "territories.geojson",
    "regions.geojson",
    "summary.json",
    "sizing.json",
    "visits.csv",
    "routes.geojson",
    "calendars",
    "report.html",
    "appointments.csv",
    "kpi.json",
    "kpi.csv",
];

/// Whether an output path is a folder of files or a single file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// A folder replaced as a whole (`plan`, `routes`, `size`).
    Folder,
    /// One file (`report`, `matrix`).
    File,
}

/// Why an output path cannot be used: the run would damage something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputConflict {
    /// The output path asked for.
    pub output: PathBuf,
    /// The input or foreign file that would be damaged.
    pub other: PathBuf,
    /// What would happen, for people.
    pub reason: String,
}

impl fmt::Display for OutputConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "--out {}: {} {}; choose another output path",
            self.output.display(),
            self.reason,
            self.other.display()
        )
    }
}

impl std::error::Error for OutputConflict {}

/// Checks that writing `out` can damage none of `inputs` and no foreign file.
///
/// ```
/// use territory_formats::{check_output, OutputKind};
/// let dir = tempfile::tempdir()?;
/// let accounts = dir.path().join("accounts.csv");
/// std::fs::write(&accounts, "id,lat,lon\n")?;
/// // The input itself, or a folder holding it, is refused.
/// assert!(check_output(&accounts, OutputKind::File, &[&accounts]).is_err());
/// assert!(check_output(dir.path(), OutputKind::Folder, &[&accounts]).is_err());
/// assert!(check_output(&dir.path().join("plan"), OutputKind::Folder, &[&accounts]).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_output(out: &Path, kind: OutputKind, inputs: &[&Path]) -> Result<(), OutputConflict> {
    let conflict = |other: &Path, reason: &str| OutputConflict {
        output: out.to_path_buf(),
        other: other.to_path_buf(),
        reason: reason.to_string(),
    };
    let target = absolute(out);
    for input in inputs {
        let input_abs = absolute(input);
        if same_file(out, input) || target == input_abs {
            return Err(conflict(input, "is the input"));
        }
        if input_abs.starts_with(&target) {
            return Err(conflict(input, "would replace a folder holding the input"));
        }
        if kind == OutputKind::Folder {
            // A file of the new folder may be an input reached another way (a link).
            for name in OUTPUT_NAMES {
                if same_file(&out.join(name), input) {
                    return Err(conflict(input, "would replace the input"));
                }
            }
        }
    }
    match std::fs::symlink_metadata(out) {
        Err(_) => Ok(()),
        Ok(meta) => match kind {
            OutputKind::File if meta.is_dir() => Err(conflict(
                out,
                "is a folder, but this command writes one file; it would not replace",
            )),
            OutputKind::File => Ok(()),
            OutputKind::Folder if !meta.is_dir() => Err(conflict(
                out,
                "is a file, but this command writes a folder; it would not replace",
            )),
            OutputKind::Folder => match foreign_entry(out) {
                Some(entry) => Err(conflict(
                    &entry,
                    "is an existing folder with files territory did not write, such as",
                )),
                None => Ok(()),
            },
        },
    }
}

/// Checks that an existing folder at `out` holds the output of one of
/// `commands` (its `summary.json` names the command that wrote it), so one
/// command's folder never replaces another's (a routes folder over a plan).
/// A folder without `summary.json` passes; [`check_output`] still guards it.
pub fn check_replaces_own(out: &Path, commands: &[&str]) -> Result<(), OutputConflict> {
    let summary = out.join("summary.json");
    let Ok(bytes) = std::fs::read(&summary) else {
        return Ok(());
    };
    let wrote = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| {
            v.get("command")
                .and_then(|c| c.as_str())
                .map(str::to_string)
        });
    match wrote {
        Some(c) if commands.contains(&c.as_str()) => Ok(()),
        other => Err(OutputConflict {
            output: out.to_path_buf(),
            other: summary,
            reason: format!(
                "would replace the output of `territory {}` described by",
                other.as_deref().unwrap_or("(unknown)")
            ),
        }),
    }
}

/// The first entry of `dir` that no `territory` command writes, if any.
fn foreign_entry(dir: &Path) -> Option<PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(_) => return Some(dir.to_path_buf()),
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let path = entry.path();
        if name == "calendars" && path.is_dir() {
            let foreign = std::fs::read_dir(&path).ok().and_then(|mut files| {
                files.find_map(|f| {
                    let f = f.ok()?.path();
                    let ics = f.is_file() && f.extension().is_some_and(|e| e == "ics");
                    (!ics).then_some(f)
                })
            });
            if foreign.is_some() {
                return foreign;
            }
        } else if !OUTPUT_NAMES.contains(&name.as_ref()) || !path.is_file() {
            return Some(path);
        }
    }
    None
}

/// Whether two paths name the same existing file (links included).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(ma), Ok(mb)) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                ma.dev() == mb.dev() && ma.ino() == mb.ino()
            }
            #[cfg(not(unix))]
            {
                let _ = (ma, mb);
                std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
            }
        }
        _ => false,
    }
}

/// An absolute, link-resolved form of a path that may not exist yet: its
/// longest existing ancestor canonicalised, the rest appended.
fn absolute(path: &Path) -> PathBuf {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut tail = Vec::new();
    let mut head = path.as_path();
    loop {
        if let Ok(c) = std::fs::canonicalize(head) {
            let mut out = c;
            for part in tail.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (head.parent(), head.file_name()) {
            (Some(parent), Some(name)) => {
                tail.push(name.to_os_string());
                head = parent;
            }
            _ => return path,
        }
    }
}

fn parent_and_name(path: &Path) -> (PathBuf, String) {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned());
    (parent, name)
}

/// Removes staging leftovers of killed runs beside `name` in `parent`; a
/// backup of an interrupted non-atomic swap is put back if the target is gone.
fn clean_leftovers(parent: &Path, name: &str) {
    let prefix = format!(".{name}.territory-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        let Some((kind, pid)) = rest.split_once('-') else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if process_alive(pid) {
            continue;
        }
        let path = entry.path();
        let target = parent.join(name);
        if kind == "old" && !target.exists() {
            let _ = std::fs::rename(&path, &target);
        } else if path.is_dir() {
            let _ = std::fs::remove_dir_all(&path);
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Whether a process id is running (always "yes" where it cannot be told, so
/// nothing of a live run is touched).
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Writes `files` (relative name, contents) as the folder `dir`, replacing any
/// earlier folder there as a whole: the new folder is staged beside it and
/// swapped in only when every file is written, so a failure leaves the old
/// folder exactly as it was and nothing else behind.
pub fn write_files_atomically(dir: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    let (parent, name) = parent_and_name(dir);
    std::fs::create_dir_all(&parent)?;
    clean_leftovers(&parent, &name);
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.territory-staging-{pid}"));
    let result = stage(&staging, files).and_then(|()| swap_in(&staging, dir, &parent, &name));
    if staging.exists() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn stage(staging: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    if staging.exists() {
        std::fs::remove_dir_all(staging)?;
    }
    std::fs::create_dir(staging)?;
    for (name, bytes) in files {
        let path = staging.join(name);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(&path, bytes)?;
    }
    Ok(())
}

/// Puts the staged folder at `dir`; afterwards `staging` holds the old one (or nothing).
fn swap_in(staging: &Path, dir: &Path, parent: &Path, name: &str) -> std::io::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Err(_) => return std::fs::rename(staging, dir),
        Ok(meta) if !meta.is_dir() => {
            return Err(std::io::Error::other(format!(
                "{} exists and is not a folder",
                dir.display()
            )))
        }
        Ok(_) => {}
    }
    if exchange(staging, dir).is_ok() {
        return Ok(());
    }
    // No atomic exchange here: move the old folder aside, the new one in, and
    // the old one back if that fails (a killed run's backup is restored by
    // `clean_leftovers`).
    let old = parent.join(format!(".{name}.territory-old-{}", std::process::id()));
    std::fs::rename(dir, &old)?;
    if let Err(e) = std::fs::rename(staging, dir) {
        let _ = std::fs::rename(&old, dir);
        return Err(e);
    }
    std::fs::remove_dir_all(&old)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Writes one file through a temporary file beside it and an atomic rename.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let (dir, name) = parent_and_name(path);
    std::fs::create_dir_all(&dir)?;
    clean_leftovers(&dir, &name);
    if path.is_dir() {
        return Err(std::io::Error::other(format!(
            "{} is a folder",
            path.display()
        )));
    }
    let tmp = dir.join(format!(".{name}.territory-tmp-{}", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_the_folder_as_a_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("plan");
        write_files_atomically(
            &out,
            &[
                ("a.txt".into(), b"1".to_vec()),
                ("sub/b.txt".into(), b"2".to_vec()),
            ],
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(out.join("sub/b.txt")).unwrap(), "2");
        // The next run's folder holds only its own files; nothing is left beside it.
        write_files_atomically(&out, &[("a.txt".into(), b"3".to_vec())]).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "3");
        assert!(!out.join("sub").exists());
        assert_eq!(names(tmp.path()), ["plan"]);
        let single = tmp.path().join("m.json");
        write_file_atomically(&single, b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(&single).unwrap(), "{}");
    }

    #[test]
    fn a_failed_write_leaves_the_old_folder_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("plan");
        write_files_atomically(&out, &[("a.txt".into(), b"old".to_vec())]).unwrap();
        // A name that cannot be a file (it is also a folder) fails while staging.
        let bad = [("x".into(), b"1".to_vec()), ("x/y".into(), b"2".to_vec())];
        assert!(write_files_atomically(&out, &bad).is_err());
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "old");
        assert_eq!(names(tmp.path()), ["plan"]);
    }

    #[test]
    fn leftovers_of_killed_runs_are_cleaned() {
        let tmp = tempfile::tempdir().unwrap();
        // No process has pid 4294967295: its staging folder is stale.
        let stale = tmp.path().join(".plan.territory-staging-4294967295");
        std::fs::create_dir_all(stale.join("calendars")).unwrap();
        let backup = tmp.path().join(".plan.territory-old-4294967295");
        std::fs::create_dir_all(&backup).unwrap();
        std::fs::write(backup.join("summary.json"), "old").unwrap();
        // The interrupted swap's backup is the last complete result: restored,
        // then replaced by this run.
        write_files_atomically(
            &tmp.path().join("plan"),
            &[("summary.json".into(), b"new".to_vec())],
        )
        .unwrap();
        assert_eq!(names(tmp.path()), ["plan"]);
        let tmp_file = tmp.path().join(".r.html.territory-tmp-4294967295");
        std::fs::write(&tmp_file, "x").unwrap();
        write_file_atomically(&tmp.path().join("r.html"), b"page").unwrap();
        assert_eq!(names(tmp.path()), ["plan", "r.html"]);
    }

    #[test]
    fn outputs_that_would_damage_inputs_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        std::fs::create_dir(&data).unwrap();
        let accounts = data.join("accounts.csv");
        std::fs::write(&accounts, "id,lat,lon\n").unwrap();
        let kinds = [OutputKind::File, OutputKind::Folder];
        for kind in kinds {
            assert!(check_output(&accounts, kind, &[&accounts]).is_err());
            assert!(check_output(&data, kind, &[&accounts]).is_err());
            assert!(check_output(tmp.path(), kind, &[&accounts]).is_err());
        }
        // The input under an output's name is refused, also through another path.
        let summary = data.join("summary.json");
        std::fs::write(&summary, "{}").unwrap();
        let other = tmp.path().join("data/../data");
        assert!(check_output(&other, OutputKind::Folder, &[&summary]).is_err());
        // A folder of the user's own files is never replaced; one of ours is.
        let mine = tmp.path().join("mine");
        std::fs::create_dir(&mine).unwrap();
        std::fs::write(mine.join("notes.txt"), "x").unwrap();
        let e = check_output(&mine, OutputKind::Folder, &[&accounts]).unwrap_err();
        assert!(e.to_string().contains("notes.txt"), "{e}");
        let ours = tmp.path().join("plan");
        write_files_atomically(&ours, &[("summary.json".into(), b"{}".to_vec())]).unwrap();
        assert!(check_output(&ours, OutputKind::Folder, &[&accounts]).is_ok());
        assert!(check_output(&ours, OutputKind::File, &[&accounts]).is_err());
        assert!(check_output(&ours.join("report.html"), OutputKind::File, &[&accounts]).is_ok());
    }
}
