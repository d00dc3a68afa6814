//! A task's files: `<dir>/<id>/report.html`, `report.md`, `report.json` and `failures/`. The
//! id is one of ours (checked by [`super::ReportId`]), so a path built here never leaves the
//! folder; each file is written to a temporary name and renamed, so a reader never sees half a
//! report. The database keeps the same outputs: another instance, or this one after a lost
//! disk, serves them from there.

use std::path::{Path, PathBuf};

use super::pipeline::Outputs;

/// An output's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Self::Html, Self::Markdown, Self::Json];

    /// The file's name in the task's folder.
    pub const fn file_name(self) -> &'static str {
        match self {
            Self::Html => "report.html",
            Self::Markdown => "report.md",
            Self::Json => "report.json",
        }
    }

    /// Its media type.
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Html => "text/html; charset=utf-8",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Json => "application/json",
        }
    }
}

/// Where the API serves a task's output.
pub fn url(id: &str, format: Format) -> String {
    match format {
        Format::Html => format!("/api/report/download/{id}"),
        Format::Markdown => format!("/api/report/export/md/{id}"),
        Format::Json => format!("/api/report/result/{id}/json"),
    }
}

/// The task's folder (the id is checked to be ours before it gets here).
pub fn task_dir(dir: &Path, id: &str) -> PathBuf {
    dir.join(id)
}

/// Where unusable LLM answers are kept.
pub fn failures_dir(dir: &Path, id: &str) -> PathBuf {
    task_dir(dir, id).join("failures")
}

/// Writes the three outputs.
///
/// # Errors
/// The file system's.
pub async fn write_all(dir: &Path, id: &str, outputs: &Outputs) -> std::io::Result<()> {
    let folder = task_dir(dir, id);
    tokio::fs::create_dir_all(&folder).await?;
    for (format, text) in [
        (Format::Html, &outputs.html),
        (Format::Markdown, &outputs.markdown),
        (Format::Json, &outputs.document),
    ] {
        let path = folder.join(format.file_name());
        let temporary = folder.join(format!(".{}.tmp", format.file_name()));
        tokio::fs::write(&temporary, text.as_bytes()).await?;
        tokio::fs::rename(&temporary, &path).await?;
    }
    Ok(())
}

/// The output of a task from its folder, if the file is there.
pub async fn read(dir: &Path, id: &str, format: Format) -> Option<String> {
    tokio::fs::read_to_string(task_dir(dir, id).join(format.file_name()))
        .await
        .ok()
}
