//! Which files `db import` takes from the paths it is given: named files as they are, and the
//! `.json`, `.jsonl` and `.csv` files under named directories, in a stable order. A crawler's
//! output folder is not trusted to be a tree: a symbolic link may point anywhere on the
//! machine, or back up to its own folder. So links are followed only to places inside the
//! folder that was named (its real path), each directory is walked once (by device and inode,
//! which also ends loops), and each file is taken once, however many links lead to it.
//! Whatever is passed over is said, with why.

use std::collections::HashSet;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The files to import, and what was passed over.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<PathBuf>,
    pub passed_over: Vec<PassedOver>,
}

/// A path not followed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassedOver {
    pub path: PathBuf,
    pub reason: String,
}

/// The files under `paths` that an import takes.
///
/// # Errors
/// A named path that does not exist, or a directory that cannot be read.
pub fn expand(paths: &[PathBuf]) -> io::Result<Walked> {
    let mut walk = Walk::default();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        if meta.is_dir() {
            // A named directory is the boundary for the links found inside it.
            let root = std::fs::canonicalize(path)?;
            walk.dir(path, &root, &meta)?;
        } else if walk.files_seen.insert(id(&meta)) {
            // A named file is taken as it is, link or not: the user named it.
            walk.out.files.push(path.clone());
        }
    }
    Ok(walk.out)
}

/// A file's identity on this machine.
fn id(meta: &std::fs::Metadata) -> (u64, u64) {
    (meta.dev(), meta.ino())
}

fn wanted(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["json", "jsonl", "csv"].contains(&e.to_ascii_lowercase().as_str()))
}

#[derive(Default)]
struct Walk {
    out: Walked,
    dirs_seen: HashSet<(u64, u64)>,
    files_seen: HashSet<(u64, u64)>,
}

impl Walk {
    fn pass_over(&mut self, path: &Path, reason: impl Into<String>) {
        self.out.passed_over.push(PassedOver {
            path: path.to_path_buf(),
            reason: reason.into(),
        });
    }

    /// Walks the directory at `path` (whose metadata is `meta`), inside `root`.
    fn dir(&mut self, path: &Path, root: &Path, meta: &std::fs::Metadata) -> io::Result<()> {
        if !self.dirs_seen.insert(id(meta)) {
            self.pass_over(
                path,
                "a directory already walked (a link loop, or two links to it)",
            );
            return Ok(());
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| io::Error::new(e.kind(), format!("reading {}: {e}", path.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            let Ok(own) = std::fs::symlink_metadata(&entry) else {
                continue;
            };
            let meta = if own.file_type().is_symlink() {
                let target = match std::fs::canonicalize(&entry) {
                    Ok(target) => target,
                    Err(e) => {
                        self.pass_over(&entry, format!("a link that leads nowhere ({e})"));
                        continue;
                    }
                };
                if !target.starts_with(root) {
                    self.pass_over(
                        &entry,
                        format!(
                            "a link out of {} (to {}): not followed",
                            root.display(),
                            target.display()
                        ),
                    );
                    continue;
                }
                match std::fs::metadata(&target) {
                    Ok(meta) => meta,
                    Err(_) => continue,
                }
            } else {
                own
            };
            if meta.is_dir() {
                self.dir(&entry, root, &meta)?;
            } else if meta.is_file() && wanted(&entry) {
                if self.files_seen.insert(id(&meta)) {
                    self.out.files.push(entry);
                } else {
                    self.pass_over(&entry, "a file already taken (through another link)");
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Loops end, links out of the folder are not followed, links inside it are, once.
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn loops_end_and_links_stay_inside_the_named_folder() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.json"), "[]").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("weibo/jsonl")).unwrap();
        std::fs::write(data.join("weibo/jsonl/a.jsonl"), "{}").unwrap();
        std::fs::write(data.join("weibo/notes.txt"), "not data").unwrap();
        // Two links to the folder itself, one out of it, one to a file inside it, one broken.
        symlink(&data, data.join("weibo/again")).unwrap();
        symlink("..", data.join("weibo/jsonl/up")).unwrap();
        symlink(outside.path(), data.join("elsewhere")).unwrap();
        symlink(outside.path().join("secret.json"), data.join("secret.json")).unwrap();
        symlink(data.join("weibo/jsonl/a.jsonl"), data.join("b.jsonl")).unwrap();
        symlink(data.join("gone"), data.join("gone.json")).unwrap();

        let walked = expand(std::slice::from_ref(&data)).unwrap();
        assert_eq!(walked.files, [data.join("b.jsonl")], "{walked:?}");
        let reasons: Vec<String> = walked
            .passed_over
            .iter()
            .map(|p| {
                format!(
                    "{}: {}",
                    p.path.strip_prefix(&data).unwrap().display(),
                    p.reason
                )
            })
            .collect();
        for expected in [
            "elsewhere: a link out of",
            "secret.json: a link out of",
            "gone.json: a link that leads nowhere",
            "weibo/again: a directory already walked",
            "weibo/jsonl/a.jsonl: a file already taken",
        ] {
            assert!(
                reasons.iter().any(|r| r.starts_with(expected)),
                "{expected} in {reasons:#?}"
            );
        }
        // A file named outright is taken, link or not; named twice, once.
        let named = expand(&[data.join("secret.json"), data.join("secret.json")]).unwrap();
        assert_eq!(named.files, [data.join("secret.json")]);
        assert!(expand(&[data.join("missing")]).is_err());
    }
}
