//! `GET /api/report/export/pdf/{id}`: the HTML report printed to PDF by headless Chromium when
//! one is installed (503 saying what to install otherwise). At most [`AT_ONCE`] prints run at
//! once (a browser is a few hundred MB), each within [`TIMEOUT`]; the page is printed from a
//! private temporary folder with the network pointed nowhere (and the report's own
//! Content-Security-Policy forbids scripts and loads), so a report
//! cannot reach anything; the sandbox stays on unless the service runs as root.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use actors::reports::output::Format;
use actors::reports::ReportId;
use tokio::sync::Semaphore;
use warp::http::{HeaderValue, StatusCode};

use super::super::reply::{self, ApiError, ApiResult};
use crate::service::App;

/// Prints at once.
pub const AT_ONCE: usize = 2;
/// Longest one print may take.
pub const TIMEOUT: Duration = Duration::from_secs(60);

const BROWSERS: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// The configured browser (`BETTAFISH_CHROMIUM`, which must exist), else the first on `PATH`.
pub fn browser(configured: Option<&std::path::Path>) -> Option<PathBuf> {
    if let Some(path) = configured {
        return path.is_file().then(|| path.to_owned());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| BROWSERS.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Chromium's sandbox cannot run as root (containers, CI): only there is it turned off.
fn sandbox_flag() -> Option<&'static str> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    root.then_some("--no-sandbox")
}

fn prints() -> &'static Semaphore {
    static PRINTS: OnceLock<Semaphore> = OnceLock::new();
    PRINTS.get_or_init(|| Semaphore::new(AT_ONCE))
}

/// `GET /api/report/export/pdf/{id}`.
pub async fn export(app: &App, id: &str) -> ApiResult {
    let id = ReportId::parse(id)?;
    let configured = app.config().reports.chromium.clone();
    let found = tokio::task::spawn_blocking(move || browser(configured.as_deref()))
        .await
        .ok()
        .flatten();
    let Some(browser) = found else {
        return Err(ApiError::unavailable(
            format!(
                "PDF export needs headless Chromium: install it (Debian: apt-get install chromium) or set {} to its path; the HTML report (/api/report/download/{}) prints to PDF from any browser",
                crate::config::catalogue::BETTAFISH_CHROMIUM.name,
                id.as_str()
            ),
        ));
    };
    let html = app.reports.output(&id, Format::Html).await?;
    let Ok(_place) = tokio::time::timeout(Duration::from_secs(5), prints().acquire()).await else {
        return Err(ApiError::unavailable(
            "PDF exports are busy; try again shortly",
        ));
    };
    let folder = tempfile::tempdir().map_err(|e| ApiError::unavailable(e.to_string()))?;
    let page = folder.path().join("report.html");
    let out = folder.path().join("report.pdf");
    tokio::fs::write(&page, html)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    let mut command = tokio::process::Command::new(browser);
    command
        .arg("--headless")
        .arg("--disable-gpu")
        .arg("--no-first-run")
        .arg("--disable-extensions")
        .arg("--proxy-server=127.0.0.1:9")
        .arg(format!(
            "--user-data-dir={}",
            folder.path().join("profile").display()
        ))
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", out.display()))
        .args(sandbox_flag())
        .arg(format!("file://{}", page.display()))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    let status = tokio::time::timeout(TIMEOUT, command.status())
        .await
        .map_err(|_| ApiError::unavailable("printing the report to PDF took too long"))?
        .map_err(|e| ApiError::unavailable(format!("the browser could not run: {e}")))?;
    let pdf = tokio::fs::read(&out)
        .await
        .ok()
        .filter(|b| b.starts_with(b"%PDF"));
    let Some(pdf) = pdf else {
        return Err(ApiError::unavailable(format!(
            "the browser did not print the report ({status})"
        )));
    };
    let mut response = reply::with_type(StatusCode::OK, pdf, "application/pdf");
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"report-{}.pdf\"",
        id.as_str()
    )) {
        response.headers_mut().insert("content-disposition", value);
    }
    Ok(response)
}
