//! Which file an import reads, exactly. A crawler's folder is not trusted: between the walk
//! that chose a file and the read, a link in it may be retargeted, or a file replaced by a
//! link, to make the import read something outside the folder. So a file is chosen by its
//! resolved path and its identity (device, inode) at the walk, and opened by that resolved
//! path without following a link in its last part; what was opened must be the file chosen
//! (checked on the open handle), or it is not read.

use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// A file's identity on this machine: its device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileIdentity {
    dev: u64,
    ino: u64,
}

impl FileIdentity {
    /// The identity of the file `meta` describes.
    pub fn of(meta: &Metadata) -> Self {
        Self {
            dev: meta.dev(),
            ino: meta.ino(),
        }
    }
}

/// A file chosen for import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path it was named or found by: shown in reports, and its names say the format,
    /// the platform and contents or comments.
    pub path: PathBuf,
    /// Where it is, every link resolved: what is opened.
    pub real_path: PathBuf,
    /// What was there when it was chosen.
    pub identity: FileIdentity,
}

impl SourceFile {
    /// The file at `path`, resolved now (links followed: it was named outright).
    ///
    /// # Errors
    /// When it cannot be resolved or read.
    pub fn at(path: &Path) -> io::Result<Self> {
        let real_path = std::fs::canonicalize(path)?;
        let meta = std::fs::metadata(&real_path)?;
        Ok(Self {
            path: path.to_path_buf(),
            real_path,
            identity: FileIdentity::of(&meta),
        })
    }

    /// Opens the file chosen, and only it.
    ///
    /// # Errors
    /// When it cannot be opened, its resolved path now ends in a link, or what is there now is
    /// not the file that was chosen (nor a plain file).
    pub(crate) fn open(&self) -> io::Result<File> {
        let file = OpenOptions::new()
            .read(true)
            // No link in the last part; and not blocking on a FIFO put there (the identity
            // check below turns it away).
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&self.real_path)
            .map_err(|e| {
                if e.raw_os_error() == Some(libc::ELOOP) {
                    io::Error::other("it became a link after it was chosen: not read")
                } else {
                    e
                }
            })?;
        let meta = file.metadata()?;
        if FileIdentity::of(&meta) != self.identity || !meta.is_file() {
            return Err(io::Error::other(
                "it was replaced after it was chosen (another file, or a link to one): not read",
            ));
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    //! A file replaced, or replaced by a link, after it was chosen is not read.
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn only_the_file_chosen_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.json");
        std::fs::write(&secret, "[]").unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, "[]").unwrap();

        let chosen = SourceFile::at(&file).unwrap();
        assert!(chosen.open().is_ok());

        // Replaced by a link out of the folder.
        std::fs::remove_file(&file).unwrap();
        symlink(&secret, &file).unwrap();
        let err = chosen.open().unwrap_err().to_string();
        assert!(err.contains("became a link"), "{err}");

        // Replaced by another file, renamed over it (made first, so it cannot reuse the inode).
        let other = dir.path().join("other");
        std::fs::copy(&secret, &other).unwrap();
        std::fs::rename(&other, &file).unwrap();
        let err = chosen.open().unwrap_err().to_string();
        assert!(err.contains("was replaced"), "{err}");

        // A link named outright is resolved when chosen, and its target opened.
        let link = dir.path().join("link.json");
        symlink(&secret, &link).unwrap();
        let named = SourceFile::at(&link).unwrap();
        assert_eq!(named.real_path, std::fs::canonicalize(&secret).unwrap());
        assert!(named.open().is_ok());
    }
}
