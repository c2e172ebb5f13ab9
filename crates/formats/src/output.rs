//! Writing output folders atomically: every file is staged in a temporary
//! folder next to the target and moved into place only when all are written.

use std::path::{Path, PathBuf};

/// Writes `files` (name, contents) into `dir`, creating it if needed. Nothing
/// in `dir` changes unless every file was staged successfully; each file is then
/// moved in by an atomic rename.
pub fn write_files_atomically(dir: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let name = dir
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
    let result = stage_and_move(dir, &staging, files);
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// Writes one file through a temporary file beside it and an atomic rename.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn stage_and_move(dir: &Path, staging: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    let _ = std::fs::remove_dir_all(staging);
    for (name, bytes) in files {
        let path = staging.join(name);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(&path, bytes)?;
    }
    if !dir.exists() {
        // A fresh folder appears whole.
        return std::fs::rename(staging, dir);
    }
    for (name, _) in files {
        let target = dir.join(name);
        if let Some(p) = target.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::rename(staging.join(name), target)?;
    }
    // Subfolders are wholly ours (e.g. calendars/): files a previous run wrote
    // there that this run did not (a rep who left) would be stale.
    let written: std::collections::HashSet<PathBuf> =
        files.iter().map(|(name, _)| dir.join(name)).collect();
    let subfolders: std::collections::BTreeSet<PathBuf> = written
        .iter()
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .filter(|p| p != dir)
        .collect();
    for sub in subfolders {
        for entry in std::fs::read_dir(&sub)?.flatten() {
            let path = entry.path();
            if path.is_file() && !written.contains(&path) {
                std::fs::remove_file(&path)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_all_or_nothing() {
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
        // Rewriting replaces files in place and leaves no staging folder behind.
        write_files_atomically(&out, &[("a.txt".into(), b"3".to_vec())]).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "3");
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
        // A subfolder holds only this run's files: stale ones go.
        write_files_atomically(&out, &[("sub/c.txt".into(), b"4".to_vec())]).unwrap();
        assert!(!out.join("sub/b.txt").exists() && out.join("sub/c.txt").exists());
        assert!(out.join("a.txt").exists());
        // One file, atomically, in the folder it belongs to.
        let single = tmp.path().join("m.json");
        write_file_atomically(&single, b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(&single).unwrap(), "{}");
    }
}
