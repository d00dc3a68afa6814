//! The data directory is private to the service's user (DESIGN.md §9): it holds the database
//! and its WAL/SHM files, the operator token, forum.log and the cache, none of which anyone
//! else on the machine should read. Two parts, because files are created in many places (by
//! SQLite, by the forum actor, by the token store) and must all come out private without each
//! remembering to: the process's umask is set to 0077 before anything is created, so every new
//! file is 0600 and every new directory 0700; and a data directory that already exists (made by
//! an older version, or by hand) has its own mode and its contents' tightened at start.

use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

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

/// Sets the private umask, creates `data_dir` (0700) if needed, and takes group and other
/// permissions away from it and from everything in it (files 0600 at most, directories 0700
/// at most; execute bits kept for the owner). Symbolic links are neither followed nor changed.
///
/// # Errors
/// The directory cannot be created or read, or a mode cannot be changed.
pub fn keep_private(data_dir: &Path) -> io::Result<()> {
    private_umask();
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(data_dir)?;
    tighten(data_dir)
}

/// Tightens `path` and, for a directory, everything under it.
fn tighten(path: &Path) -> io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
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
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            tighten(&entry?.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! An existing directory of public files comes out private; links are left alone.
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
        tighten(&data).unwrap();
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
}
