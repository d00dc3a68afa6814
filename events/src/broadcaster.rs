//! The broadcaster actor (under `root/infra`): keeps the bus's history within its age limit on
//! a timer, so quiet topics do not hold old events for ever. The bus itself lives outside the
//! actor, so a restart of the broadcaster loses no history and no subscriber.

use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use tokio::task::JoinHandle;

use super::bus::EventBus;

/// The actor.
pub struct Broadcaster;

/// Its messages.
pub enum BroadcasterMsg {
    /// Trim the history by age.
    Tick,
}

/// Its state.
pub struct BroadcasterState {
    bus: EventBus,
    ticker: JoinHandle<()>,
}

/// How often the history is trimmed by age.
const TRIM_EVERY: Duration = Duration::from_secs(10);

impl Actor for Broadcaster {
    type Msg = BroadcasterMsg;
    type State = BroadcasterState;
    type Arguments = EventBus;

    async fn pre_start(
        &self,
        myself: ActorRef<BroadcasterMsg>,
        bus: EventBus,
    ) -> Result<BroadcasterState, ActorProcessingErr> {
        // ractor's interval task ends by itself once this actor stops taking messages.
        let ticker = myself.send_interval(TRIM_EVERY, || BroadcasterMsg::Tick);
        Ok(BroadcasterState { bus, ticker })
    }

    async fn handle(
        &self,
        _myself: ActorRef<BroadcasterMsg>,
        message: BroadcasterMsg,
        state: &mut BroadcasterState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            BroadcasterMsg::Tick => state.bus.hub().trim_by_age(),
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<BroadcasterMsg>,
        state: &mut BroadcasterState,
    ) -> Result<(), ActorProcessingErr> {
        state.ticker.abort();
        Ok(())
    }
}
