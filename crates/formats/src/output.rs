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
    }
}
