//! The `config` actor (under `root/infra`): owns the live configuration. It serialises writes to
//! the `.env` file, reloads the layers, and publishes each new [`Config`] on a watch channel that
//! everyone else reads without asking it.

use std::collections::BTreeMap;
use std::sync::Arc;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use tokio::sync::watch;

use crate::config::catalogue::{Affects, Key};
use crate::config::{self, Config, ConfigError, Inputs};
use crate::internal_events::ConfigReloaded;

/// The live configuration: read with `borrow()`, replaced only by the config actor.
pub type LiveConfig = Arc<watch::Sender<Arc<Config>>>;

/// What `Apply` did.
#[derive(Debug, Clone)]
pub struct Applied {
    /// Keys whose value changed.
    pub changed: Vec<Key>,
    /// Keys written to `.env` whose effective value is still another layer's (the environment
    /// wins over `.env`).
    pub overridden: Vec<String>,
}

impl Applied {
    /// The actors to restart so that the changes take effect, without duplicates.
    pub fn actors_to_restart(&self) -> Vec<&'static str> {
        let mut paths: Vec<&'static str> = self
            .changed
            .iter()
            .filter_map(|k| match k.affects {
                Affects::Actor(path) => Some(path),
                _ => None,
            })
            .collect();
        paths.sort_unstable();
        paths.dedup();
        paths
    }

    /// Changed keys that only a process restart applies.
    pub fn needs_process_restart(&self) -> Vec<&'static str> {
        self.changed
            .iter()
            .filter(|k| k.affects == Affects::NextStart)
            .map(|k| k.name)
            .collect()
    }
}

pub enum ConfigMsg {
    /// Validate, write to `.env`, reload, publish.
    Apply {
        changes: BTreeMap<String, String>,
        reply: RpcReplyPort<Result<Applied, ConfigError>>,
    },
}

pub struct ConfigActor;

pub struct ConfigArgs {
    pub live: LiveConfig,
    pub inputs: Arc<Inputs>,
}

pub struct ConfigState {
    live: LiveConfig,
    inputs: Arc<Inputs>,
}

impl ConfigState {
    fn reload(&self) -> Result<usize, ConfigError> {
        let fresh = Config::load(&self.inputs)?;
        let old = self.live.borrow().clone();
        let changed = config::catalogue::all()
            .iter()
            .filter(|k| old.raw.get(k.name) != fresh.raw.get(k.name))
            .count();
        self.live.send_replace(Arc::new(fresh));
        Ok(changed)
    }
}

impl Actor for ConfigActor {
    type Msg = ConfigMsg;
    type State = ConfigState;
    type Arguments = ConfigArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<ConfigMsg>,
        args: ConfigArgs,
    ) -> Result<ConfigState, ActorProcessingErr> {
        let state = ConfigState {
            live: args.live,
            inputs: args.inputs,
        };
        // A restart re-reads the files. If someone broke them by hand, keep serving the last
        // good configuration rather than failing: the error is logged and counted.
        match state.reload() {
            Ok(changed) => ConfigReloaded {
                outcome: "ok",
                changed,
            }
            .emit(),
            Err(err) => {
                tracing::warn!(error = %err, "configuration files are invalid; keeping the last good configuration");
                ConfigReloaded {
                    outcome: "invalid",
                    changed: 0,
                }
                .emit();
            }
        }
        Ok(state)
    }

    async fn handle(
        &self,
        _myself: ActorRef<ConfigMsg>,
        message: ConfigMsg,
        state: &mut ConfigState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            ConfigMsg::Apply { changes, reply } => {
                let current = state.live.borrow().clone();
                let result = config::write_changes(&current, &changes).and_then(|changed| {
                    let count = state.reload()?;
                    ConfigReloaded {
                        outcome: "ok",
                        changed: count,
                    }
                    .emit();
                    let now = state.live.borrow().clone();
                    let overridden = changes
                        .iter()
                        .filter(|(k, v)| now.raw.get(k) != Some(v.as_str()))
                        .map(|(k, _)| k.clone())
                        .collect();
                    Ok(Applied {
                        changed,
                        overridden,
                    })
                });
                let _ = reply.send(result);
            }
        }
        Ok(())
    }
}
