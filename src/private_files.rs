//! The data directory is private to the service's user (DESIGN.md §9): it holds the database
//! and its WAL/SHM files, the operator token, forum.log and the cache, none of which anyone
//! else on the machine should read. Two parts, because files are created in many places (by
//! SQLite, by the forum actor, by the token store) and must all come out private without each
//! remembering to: the process's umask is set to 0077 before anything is created, so every new
//! file is 0600 and every new directory 0700; and a data directory that already exists (made by
//! an older version, or by hand) has its own mode and its contents' tightened at start.

use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What the service's files and directories allow: their owner only.
const FILE_MODE: u32 = 0o600;
const DIR_MODE: u32 = 0o700;

/// Makes every file the process creates from now on private to its user.
pub fn private_umask() {
    // SAFETY: umask(2) only sets the calling process's file-mode creation mask; it takes a
    // plain integer, touches no memory of ours and cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// An entry of the data directory whose mode could not be tightened, and why.
#[derive(Debug)]
pub struct NotTightened {
    pub path: PathBuf,
    pub error: io::Error,
}

/// Sets the private umask, creates `data_dir` (0700) if needed, and takes group and other
/// permissions away from it and from everything in it (files 0600 at most, directories 0700
/// at most; execute bits kept for the owner). Symbolic links are neither followed nor changed.
///
/// Only the directory itself must succeed: an entry that cannot be tightened (owned by
/// another user, so EPERM; gone while the walk ran) is logged as a warning and returned, and
/// the rest go on — the directory's own 0700 already keeps others out of all of it, and a
/// stray file must not stop the service from starting. Blocking: on a runtime, call it in
/// `spawn_blocking`.
///
/// # Errors
/// The directory cannot be created, read, or have its own mode set; the error says which.
pub fn keep_private(data_dir: &Path) -> io::Result<Vec<NotTightened>> {
    private_umask();
    let failed = |what: &str, e: io::Error| {
        io::Error::new(e.kind(), format!("{what} {}: {e}", data_dir.display()))
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(data_dir)
        .map_err(|e| failed("creating", e))?;
    let meta = std::fs::metadata(data_dir).map_err(|e| failed("reading", e))?;
    tighten_one(data_dir, &meta).map_err(|e| failed("setting the mode (0700) of", e))?;
    let entries = std::fs::read_dir(data_dir).map_err(|e| failed("listing", e))?;
    let mut skipped = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => tighten_tree(&entry.path(), &mut skipped),
            Err(error) => skipped.push(NotTightened {
                path: data_dir.to_path_buf(),
                error,
            }),
        }
    }
    for not in &skipped {
        tracing::warn!(path = %not.path.display(), error = %not.error, "could not make a file in the data directory private; the directory itself is");
    }
    Ok(skipped)
}

/// Tightens `path` and, for a directory, everything under it; what could not be is added to
/// `skipped` (except what is gone: nothing is left to protect).
fn tighten_tree(path: &Path, skipped: &mut Vec<NotTightened>) {
    let mut skip = |error: io::Error| {
        if error.kind() != io::ErrorKind::NotFound {
            skipped.push(NotTightened {
                path: path.to_path_buf(),
                error,
            });
        }
    };
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) => return skip(e),
    };
    if meta.file_type().is_symlink() {
        return;
    }
    if let Err(e) = tighten_one(path, &meta) {
        skip(e);
    }
    if meta.is_dir() {
        let entries = match std::fs::read_dir(path) {
            Ok(entries) => entries,
            Err(e) => return skip(e),
        };
        for entry in entries {
            match entry {
                Ok(entry) => tighten_tree(&entry.path(), skipped),
                Err(error) => skipped.push(NotTightened {
                    path: path.to_path_buf(),
                    error,
                }),
            }
        }
    }
}

/// Takes group and other permissions away from `path` itself (whose metadata is `meta`).
fn tighten_one(path: &Path, meta: &std::fs::Metadata) -> io::Result<()> {
    let allowed = if meta.is_dir() {
        DIR_MODE
    } else {
        FILE_MODE | 0o100
    };
    let mode = meta.permissions().mode();
    let private = mode & !0o7777 | (mode & 0o7777 & allowed);
    if private != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(private))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! An existing directory of public files comes out private; links are left alone; an
    //! entry that cannot be tightened does not stop it.
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    }

    #[test]
    fn an_existing_public_directory_is_made_private() {
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("elsewhere.txt");
        std::fs::write(&target, "not ours").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("cache")).unwrap();
        for (name, m) in [("bettafish.db", 0o644), ("cache/x", 0o666), ("tool", 0o755)] {
            std::fs::write(data.join(name), "x").unwrap();
            std::fs::set_permissions(data.join(name), std::fs::Permissions::from_mode(m)).unwrap();
        }
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::symlink(&target, data.join("link")).unwrap();
        let skipped = keep_private(&data).unwrap();
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("cache")), 0o700);
        assert_eq!(mode(&data.join("bettafish.db")), 0o600);
        assert_eq!(mode(&data.join("cache/x")), 0o600);
        assert_eq!(mode(&data.join("tool")), 0o700);
        assert_eq!(
            mode(&target),
            0o644,
            "a link's target is not ours to change"
        );
    }

    #[test]
    fn an_entry_that_cannot_be_tightened_is_skipped_and_the_rest_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join("a"), "x").unwrap();
        std::fs::set_permissions(data.join("a"), std::fs::Permissions::from_mode(0o644)).unwrap();
        // Gone while the walk ran: nothing to protect, not an error.
        let mut skipped = Vec::new();
        tighten_tree(&data.join("gone"), &mut skipped);
        assert!(skipped.is_empty(), "{skipped:?}");
        // An entry that cannot be read (a name too long stands in for EPERM, which root, as
        // these tests may run, never gets): kept as skipped, and the rest still go on.
        let long = data.join("x".repeat(300));
        tighten_tree(&long, &mut skipped);
        assert_eq!(skipped.len(), 1, "{skipped:?}");
        assert!(keep_private(&data).unwrap().is_empty());
        assert_eq!(mode(&data.join("a")), 0o600);
        // The directory itself must succeed, and the error says what was being done.
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        let err = keep_private(&file.join("data")).unwrap_err().to_string();
        assert!(err.starts_with("creating "), "{err}");
    }
}
