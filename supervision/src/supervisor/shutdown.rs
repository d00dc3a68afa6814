//! The stop protocol for one child: kill at once, or ask and wait (bounded or not), then kill.
//!
//! Like OTP's `shutdown/2`, this waits on the child itself rather than on a supervision event,
//! so a child that misbehaves while stopping cannot hang its supervisor beyond the timeout.

use std::time::Duration;

use ractor::{ActorCell, RactorErr};

use crate::spec::Shutdown;

/// How long to wait for a killed actor's task to wind down; a kill aborts the running handler,
/// so this only covers scheduling.
const KILL_WAIT: Duration = Duration::from_secs(5);

/// Stops `cell` by `policy` and returns once it has stopped (or the kill wait ran out).
pub(super) async fn shutdown(cell: &ActorCell, policy: Shutdown) {
    match policy {
        Shutdown::Brutal => kill(cell).await,
        Shutdown::Timeout(limit) => {
            match cell
                .stop_and_wait(Some("shutdown".into()), Some(limit))
                .await
            {
                Ok(()) => {}
                Err(RactorErr::Timeout) => kill(cell).await,
                // Already stopping or gone: wait for it to finish, within the same limit.
                Err(_) => {
                    if cell.wait(Some(limit)).await.is_err() {
                        kill(cell).await;
                    }
                }
            }
        }
        Shutdown::Infinity => {
            if cell
                .stop_and_wait(Some("shutdown".into()), None)
                .await
                .is_err()
            {
                let _ = cell.wait(None).await;
            }
        }
    }
}

async fn kill(cell: &ActorCell) {
    if cell.kill_and_wait(Some(KILL_WAIT)).await.is_err() {
        let _ = cell.wait(Some(KILL_WAIT)).await;
    }
}
