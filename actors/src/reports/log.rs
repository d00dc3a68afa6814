//! The report engine's log file (`logs/report.log`, as the original keeps one): a line per
//! task milestone, read back by `GET /api/report/log` and emptied by `POST /api/report/log/clear`.
//! Bounded: past [`MAX_BYTES`] the file is rotated to `report.log.1`, and a read takes at most
//! the last [`READ_BYTES`] of it.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The file's size before it is rotated.
pub const MAX_BYTES: u64 = 8 << 20;
/// The most a read takes from the end of the file.
pub const READ_BYTES: u64 = 256 << 10;

/// The log file. Cheap to clone; writes are serialised.
#[derive(Clone)]
pub struct ReportLog {
    path: PathBuf,
    lock: Arc<Mutex<()>>,
}

impl ReportLog {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            lock: Arc::new(Mutex::new(())),
        }
    }

    /// Appends `[time] task: message` (line breaks in the message become spaces), on a
    /// blocking thread when called from the runtime, so no handler waits on the disk.
    pub fn line(&self, task: &str, message: &str) {
        let text = message.replace(['\r', '\n'], " ");
        let at = storage::clock::iso_of_ms(storage::clock::now_ms());
        let line = format!("[{at}] {task}: {text}");
        let log = self.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn_blocking(move || log.append(&line));
            }
            Err(_) => log.append(&line),
        }
    }

    fn append(&self, line: &str) {
        let Ok(_guard) = self.lock.lock() else {
            return;
        };
        let written = (|| -> std::io::Result<()> {
            if let Some(parent) = self.path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            if std::fs::metadata(&self.path).is_ok_and(|m| m.len() > MAX_BYTES) {
                std::fs::rename(&self.path, self.path.with_extension("log.1"))?;
            }
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            writeln!(file, "{line}")
        })();
        if let Err(err) = written {
            tracing::debug!(error = %err, "could not write the report log");
        }
    }

    /// The last `max_lines` whole lines (within the last [`READ_BYTES`]).
    ///
    /// # Errors
    /// The file system's (a missing file is an empty log).
    pub fn tail(&self, max_lines: usize) -> std::io::Result<Vec<String>> {
        let mut file = match std::fs::File::open(&self.path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(err),
        };
        let len = file.metadata()?.len();
        let start = len.saturating_sub(READ_BYTES);
        file.seek(SeekFrom::Start(start))?;
        let mut bytes = Vec::new();
        file.take(READ_BYTES).read_to_end(&mut bytes)?;
        let text = String::from_utf8_lossy(&bytes);
        let mut lines: Vec<&str> = text.lines().collect();
        if start > 0 && !lines.is_empty() {
            lines.remove(0); // Cut mid-line.
        }
        let skip = lines.len().saturating_sub(max_lines);
        Ok(lines[skip..].iter().map(|l| (*l).to_owned()).collect())
    }

    /// Empties the log.
    ///
    /// # Errors
    /// The file system's.
    pub fn clear(&self) -> std::io::Result<()> {
        let _guard = self.lock.lock();
        match std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&self.path)
        {
            Ok(_) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(err),
        }
    }
}
