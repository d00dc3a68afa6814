//! Which files `db import` takes from the paths it is given: named files as they are, and the
//! `.json`, `.jsonl` and `.csv` files under named directories, in a stable order. A crawler's
//! output folder is not trusted to be a tree: a symbolic link may point anywhere on the
//! machine, or back up to its own folder. So links are followed only to places inside the
//! folder that was named (its real path), each directory is walked once (by device and inode,
//! which also ends loops), and each file is taken once, however many links lead to it.
//! Whatever is passed over is said, with why.
//!
//! Every entry is resolved (not only links: a directory on the way may be swapped for a link
//! while the walk runs), checked to be inside the folder, and kept as that resolved path with
//! its identity; the import opens exactly that ([`storage::import::SourceFile`]), so a link
//! retargeted after the walk reads nothing outside.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use storage::import::{FileIdentity, SourceFile};

/// The files to import, and what was passed over.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<SourceFile>,
    pub passed_over: Vec<PassedOver>,
}

/// A path not followed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassedOver {
    pub path: PathBuf,
    pub reason: String,
}

/// `path` as shown on a terminal: escaped ([`storage::text::Escaped`]), since a crawler's file
/// names are its text.
pub fn shown(path: &Path) -> String {
    storage::text::Escaped(&path.display().to_string()).to_string()
}

/// The files under `paths` that an import takes.
///
/// # Errors
/// A named path that does not exist, or a directory that cannot be read.
pub fn expand(paths: &[PathBuf]) -> io::Result<Walked> {
    let mut walk = Walk::default();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", shown(path))))?;
        if meta.is_dir() {
            // A named directory is the boundary for the links found inside it.
            let root = std::fs::canonicalize(path)?;
            walk.dir(path, &root, &root, &meta)?;
        } else {
            // A named file is taken as it is, link or not: the user named it.
            let file = SourceFile::at(path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", shown(path))))?;
            if walk.files_seen.insert(file.identity) {
                walk.out.files.push(file);
            }
        }
    }
    Ok(walk.out)
}

fn id(meta: &std::fs::Metadata) -> FileIdentity {
    FileIdentity::of(meta)
}

fn wanted(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["json", "jsonl", "csv"].contains(&e.to_ascii_lowercase().as_str()))
}

#[derive(Default)]
struct Walk {
    out: Walked,
    dirs_seen: HashSet<FileIdentity>,
    files_seen: HashSet<FileIdentity>,
}

impl Walk {
    fn pass_over(&mut self, path: &Path, reason: impl Into<String>) {
        self.out.passed_over.push(PassedOver {
            path: path.to_path_buf(),
            reason: reason.into(),
        });
    }

    /// Walks the directory found at `path` (shown in reports; its names say platforms and
    /// kinds), which is `real` (resolved) and has metadata `meta`, inside `root`.
    fn dir(
        &mut self,
        path: &Path,
        real: &Path,
        root: &Path,
        meta: &std::fs::Metadata,
    ) -> io::Result<()> {
        if !self.dirs_seen.insert(id(meta)) {
            self.pass_over(
                path,
                "a directory already walked (a link loop, or two links to it)",
            );
            return Ok(());
        }
        let mut names: Vec<std::ffi::OsString> = std::fs::read_dir(real)
            .map_err(|e| io::Error::new(e.kind(), format!("reading {}: {e}", shown(path))))?
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        names.sort();
        for name in names {
            let entry = path.join(&name);
            let Ok(own) = std::fs::symlink_metadata(real.join(&name)) else {
                continue;
            };
            // Resolved whether a link or not: a directory on the way may have been swapped.
            let target = match std::fs::canonicalize(real.join(&name)) {
                Ok(target) => target,
                Err(e) => {
                    self.pass_over(&entry, format!("a link that leads nowhere ({e})"));
                    continue;
                }
            };
            if !target.starts_with(root) {
                let what = if own.file_type().is_symlink() {
                    "a link"
                } else {
                    "a path that now leads"
                };
                self.pass_over(
                    &entry,
                    format!(
                        "{what} out of {} (to {}): not followed",
                        root.display(),
                        target.display()
                    ),
                );
                continue;
            }
            let Ok(meta) = std::fs::metadata(&target) else {
                continue;
            };
            if meta.is_dir() {
                self.dir(&entry, &target, root, &meta)?;
            } else if meta.is_file() && wanted(&entry) {
                if self.files_seen.insert(id(&meta)) {
                    self.out.files.push(SourceFile {
                        path: entry,
                        real_path: target,
                        identity: id(&meta),
                    });
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
        let shown: Vec<&Path> = walked.files.iter().map(|f| f.path.as_path()).collect();
        assert_eq!(shown, [data.join("b.jsonl")], "{walked:?}");
        // Kept as where it really is, which is what the import opens.
        assert_eq!(
            walked.files[0].real_path,
            std::fs::canonicalize(data.join("weibo/jsonl/a.jsonl")).unwrap()
        );
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
        let shown: Vec<&Path> = named.files.iter().map(|f| f.path.as_path()).collect();
        assert_eq!(shown, [data.join("secret.json")]);
        assert!(expand(&[data.join("missing")]).is_err());
    }
}
