//! The Redis link (under `root/infra`, when `REDIS_URL` is set): shares events across every
//! instance of the deployment.
//!
//! - Publishing: the bus hands events to this link's bounded outbox; one Lua script numbers
//!   each (`INCR`), appends it to a stream (`XADD`, capped like the history: by count and by the
//!   bytes of its messages) and publishes it on a channel, atomically, so every node sees one
//!   order.
//! - Receiving: every node (the publisher too) takes events from the channel and ingests them
//!   in offset order; a gap (a lost pub/sub message) is filled from the stream.
//! - Joining: a node subscribes first, then adopts the cluster's epoch and the stream's recent
//!   events as its history, so a cursor issued by any node resumes on any node.
//! - Falling behind: when the outbox is full (Redis slower than the publishers) the bus leaves
//!   the cluster by itself, as for a lost link, and delivers locally; the session sees it is no
//!   longer the bus's way out, delivers what it still holds locally and ends: an outage.
//! - Losing Redis: the link detaches, the bus starts a local epoch (local delivery goes on;
//!   clients get `resync`), `redis_up` is 0, and the link retries with backoff. The outage is
//!   one local epoch, whatever the number of failed attempts; nothing is ever numbered locally
//!   in the cluster's epoch (an event the script could not number is published in the local
//!   one), so the cluster can never issue an id this node issued. On return it adopts the
//!   cluster's epoch again (another `resync`). If Redis lost its data, the first publisher
//!   starts a new cluster epoch.
//! - Delivery is exactly once per epoch, and at least once across an outage in one case: a
//!   publish script whose reply does not come back (a client-side timeout, the connection
//!   dropping mid-command) may still have run. The link cannot tell, so it delivers the event
//!   locally, in the outage's local epoch, with a local id; if the script did run, the event
//!   also has a cluster id, and other nodes (and this one, once it rejoins and replays the
//!   cluster's history) deliver it under that id too. The two copies are in different epochs,
//!   with a `resync` between them, so no id is issued twice; a consumer that must not act
//!   twice keys on the payload. (An idempotency key per draft would need the draft held until
//!   Redis answers, which an outage makes unbounded.)
//!
//! The link never takes the service down: its task retries for ever; the actor exists so the
//! link is supervised and visible in the tree.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fred::prelude::*;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::internal_events::{redis_command, RedisLink};
use crate::{Cursor, Draft, EventBus, Ingested, Numbered};

/// Drafts waiting for the link; beyond this the bus leaves the cluster and delivers locally
/// (an outage) instead of waiting or refusing.
const OUTBOX: usize = 4_096;

/// How often the link checks that Redis still answers.
const HEALTH_EVERY: Duration = Duration::from_secs(1);

/// Numbers an event, appends it to the stream and publishes it, atomically. The stream keeps
/// at most ARGV[3] entries and about ARGV[4] bytes of messages (KEYS[5] counts them): the
/// oldest entries go until both hold, and the newest always stays. The byte counter is
/// recounted from the stream when it is missing beside a non-empty stream (a stream written
/// before the counter existed) or has gone negative, so trimming by bytes never runs on a
/// wrong count.
/// KEYS: epoch, offset counter, stream, channel, stream bytes. ARGV: body, proposed epoch,
/// stream cap in entries, stream cap in bytes.
const PUBLISH_SCRIPT: &str = r"
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[2]
  redis.call('SET', KEYS[1], epoch)
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[5])
end
local function recount()
  local total = 0
  for _, entry in ipairs(redis.call('XRANGE', KEYS[3], '-', '+')) do
    total = total + #entry[2][2]
  end
  redis.call('SET', KEYS[5], total)
  return total
end
if redis.call('EXISTS', KEYS[5]) == 0 and redis.call('XLEN', KEYS[3]) > 0 then
  recount()
end
local offset = redis.call('INCR', KEYS[2])
local msg = epoch .. '|' .. offset .. '|' .. ARGV[1]
redis.call('XADD', KEYS[3], offset .. '-1', 'e', msg)
local bytes = redis.call('INCRBY', KEYS[5], #msg)
if bytes < 0 then
  bytes = recount()
end
local max_len = tonumber(ARGV[3])
local max_bytes = tonumber(ARGV[4])
while redis.call('XLEN', KEYS[3]) > 1
  and (redis.call('XLEN', KEYS[3]) > max_len or bytes > max_bytes) do
  local oldest = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)[1]
  redis.call('XDEL', KEYS[3], oldest[1])
  bytes = redis.call('DECRBY', KEYS[5], #oldest[2][2])
  if bytes < 0 then
    bytes = recount()
  end
end
redis.call('PUBLISH', KEYS[4], msg)
return msg
";

/// The Redis names of one deployment; the hash tag keeps them in one cluster slot.
#[derive(Clone)]
struct Names {
    epoch: String,
    offset: String,
    stream: String,
    /// The bytes of the stream's messages, kept by the publish script.
    stream_bytes: String,
    channel: String,
}

impl Names {
    fn new(prefix: &str) -> Self {
        Self {
            epoch: format!("{{{prefix}}}:events:epoch"),
            offset: format!("{{{prefix}}}:events:offset"),
            stream: format!("{{{prefix}}}:events:stream"),
            stream_bytes: format!("{{{prefix}}}:events:stream-bytes"),
            channel: format!("{{{prefix}}}:events"),
        }
    }
}

#[derive(Serialize)]
struct BodyOut<'a> {
    topic: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    ts: u64,
    data: &'a RawValue,
}

#[derive(Deserialize)]
struct BodyIn {
    topic: String,
    #[serde(rename = "type")]
    kind: String,
    ts: u64,
    data: Box<RawValue>,
}

/// One event as Redis carries it.
struct Wire {
    cursor: Cursor,
    body: BodyIn,
}

/// Parses `epoch|offset|{json}`; None for anything else (counted as a broken message).
fn parse_wire(text: &str) -> Option<Wire> {
    let mut parts = text.splitn(3, '|');
    let epoch = u64::from_str_radix(parts.next()?, 16).ok()?;
    let offset = parts.next()?.parse().ok()?;
    let body = serde_json::from_str(parts.next()?).ok()?;
    Some(Wire {
        cursor: Cursor { epoch, offset },
        body,
    })
}

fn ts_of(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

fn ms_of(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Why a session ended.
type LinkError = String;

struct Session<'a> {
    bus: &'a EventBus,
    names: &'a Names,
    client: Client,
    /// The outbox the bus routes publications to while this session serves the cluster.
    outbox: mpsc::Sender<Draft>,
    history_cap: usize,
    history_cap_bytes: usize,
    /// The epoch this session proposes should the cluster have none (hex): drawn once per
    /// session and not recorded by the bus unless the cluster adopts it.
    proposed: String,
}

impl Session<'_> {
    async fn timed<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, Error>>,
    ) -> Result<T, LinkError> {
        let began = Instant::now();
        let result = work.await.map_err(|e| e.to_string());
        redis_command(began.elapsed());
        result
    }

    /// Reads the cluster's epoch (starting one if there is none) and recent events, and makes
    /// them this node's history.
    async fn adopt(&self) -> Result<(u64, usize), LinkError> {
        let _: Option<String> = self
            .timed(self.client.set(
                &self.names.epoch,
                self.proposed.clone(),
                None,
                Some(SetOptions::NX),
                false,
            ))
            .await?;
        let epoch: String = self.timed(self.client.get(&self.names.epoch)).await?;
        let epoch =
            u64::from_str_radix(&epoch, 16).map_err(|_| format!("bad epoch `{epoch}` in redis"))?;
        let recent: Vec<(String, std::collections::HashMap<String, String>)> = self
            .timed(self.client.xrevrange_values(
                &self.names.stream,
                "+",
                "-",
                Some(self.history_cap as u64),
            ))
            .await?;
        let mut history = Vec::with_capacity(recent.len());
        for (_, fields) in recent.into_iter().rev() {
            if let Some(wire) = fields.get("e").and_then(|e| parse_wire(e)) {
                if wire.cursor.epoch == epoch {
                    history.push(Numbered {
                        cursor: wire.cursor,
                        topic: wire.body.topic,
                        kind: wire.body.kind,
                        ts: ts_of(wire.body.ts),
                        payload: wire.body.data,
                    });
                }
            }
        }
        let count = history.len();
        self.bus.adopt(epoch, history, self.outbox.clone());
        Ok((epoch, count))
    }

    /// Ingests one event, filling a gap from the stream first; re-adopts on an epoch change.
    async fn receive(&self, wire: Wire) -> Result<(), LinkError> {
        let Wire { cursor, body } = wire;
        match self
            .bus
            .ingest(cursor, &body.topic, &body.kind, ts_of(body.ts), body.data)
        {
            Ingested::Applied | Ingested::Duplicate => Ok(()),
            Ingested::OtherEpoch => self.adopt().await.map(|_| ()),
            Ingested::Gap { expected } => {
                let missing: Vec<(String, std::collections::HashMap<String, String>)> = self
                    .timed(self.client.xrange_values(
                        &self.names.stream,
                        format!("{expected}-0"),
                        format!("{}-1", cursor.offset),
                        None,
                    ))
                    .await?;
                for (_, fields) in missing {
                    let Some(wire) = fields.get("e").and_then(|e| parse_wire(e)) else {
                        continue;
                    };
                    let b = wire.body;
                    if let Ingested::Gap { .. } =
                        self.bus
                            .ingest(wire.cursor, &b.topic, &b.kind, ts_of(b.ts), b.data)
                    {
                        // Trimmed from the stream too: start over from what it holds.
                        return self.adopt().await.map(|_| ());
                    }
                }
                Ok(())
            }
        }
    }

    /// Publishes one draft through the script; tells its sender the cursor.
    async fn publish(&self, draft: Draft) -> Result<(), (LinkError, Draft)> {
        let body = match serde_json::to_string(&BodyOut {
            topic: &draft.topic,
            kind: &draft.kind,
            ts: ms_of(draft.ts),
            data: &draft.payload,
        }) {
            Ok(body) => body,
            Err(e) => return Err((e.to_string(), draft)),
        };
        let keys = vec![
            self.names.epoch.clone(),
            self.names.offset.clone(),
            self.names.stream.clone(),
            self.names.channel.clone(),
            self.names.stream_bytes.clone(),
        ];
        let args = vec![
            body,
            self.proposed.clone(),
            self.history_cap.max(1).to_string(),
            self.history_cap_bytes.to_string(),
        ];
        let began = Instant::now();
        // EVAL rather than EVALSHA: the script is small, and a Redis that restarted empty
        // needs no reload step.
        let result: Result<String, Error> = self.client.eval(PUBLISH_SCRIPT, keys, args).await;
        redis_command(began.elapsed());
        match result {
            Ok(message) => {
                if let (Some(wire), Some(numbered)) = (parse_wire(&message), draft.numbered) {
                    let _ = numbered.send(wire.cursor);
                }
                Ok(())
            }
            Err(e) => Err((e.to_string(), draft)),
        }
    }
}

fn builder(url: &str) -> Result<Builder, LinkError> {
    let config = Config::from_url(url).map_err(|e| e.to_string())?;
    let mut builder = Builder::from_config(config);
    builder
        .with_connection_config(|c| {
            c.connection_timeout = Duration::from_secs(2);
            c.internal_command_timeout = Duration::from_secs(2);
        })
        .with_performance_config(|p| {
            p.default_command_timeout = Duration::from_secs(2);
            p.broadcast_channel_capacity = 8_192;
        });
    Ok(builder)
}

/// One connected session, until Redis is lost (an error) — never returns Ok otherwise.
async fn session(
    bus: &EventBus,
    url: &str,
    names: &Names,
    outbox: &mut mpsc::Receiver<Draft>,
    tx: &mpsc::Sender<Draft>,
    served: &mut bool,
) -> Result<(), LinkError> {
    let builder = builder(url)?;
    let client = builder.build().map_err(|e| e.to_string())?;
    let subscriber = builder.build().map_err(|e| e.to_string())?;
    client.init().await.map_err(|e| e.to_string())?;
    subscriber.init().await.map_err(|e| e.to_string())?;
    let mut messages = subscriber.message_rx();
    // Subscribe before reading the history, so nothing falls between the two.
    subscriber
        .subscribe(names.channel.clone())
        .await
        .map_err(|e| e.to_string())?;
    let session = Session {
        bus,
        names,
        client,
        outbox: tx.clone(),
        history_cap: bus.config().history_max_events,
        history_cap_bytes: bus.config().history_max_bytes,
        proposed: format!("{:016x}", bus.proposed_epoch()),
    };
    let (epoch, history) = session.adopt().await?;
    *served = true;
    RedisLink::Up { epoch, history }.emit();
    let mut health = tokio::time::interval(HEALTH_EVERY);
    let outcome: Result<(), LinkError> = loop {
        // The bus left the cluster by itself (its outbox was full): an outage, as if the link
        // were lost; ingesting now would only re-adopt the cluster at once.
        if !bus.routes_to(tx) {
            break Err("the outbox was full: Redis is slower than the publishers".into());
        }
        tokio::select! {
            draft = outbox.recv() => {
                let Some(draft) = draft else { break Ok(()) };
                if !bus.routes_to(tx) {
                    bus.publish_local(draft);
                    continue;
                }
                if let Err((error, draft)) = session.publish(draft).await {
                    // Not numbered by the cluster: deliver it here, in a local epoch (the
                    // outage begins), then give up the session.
                    bus.publish_local(draft);
                    break Err(error);
                }
            }
            message = messages.recv() => match message {
                Ok(_) if !bus.routes_to(tx) => continue,
                Ok(message) => {
                    let text: Option<String> = message.value.convert().ok();
                    if let Some(wire) = text.as_deref().and_then(parse_wire) {
                        if let Err(error) = session.receive(wire).await {
                            break Err(error);
                        }
                    }
                }
                // Messages were lost in this process: the next one shows the gap, which the
                // stream fills.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break Err("subscription closed".into()),
            },
            _ = health.tick() => {
                let pong: Result<String, LinkError> = session.timed(session.client.ping(None)).await;
                if let Err(error) = pong {
                    break Err(error);
                }
                if !subscriber.is_connected() {
                    break Err("the subscription connection dropped".into());
                }
            }
        }
    };
    bus.detach();
    let _ = session.client.quit().await;
    let _ = subscriber.quit().await;
    outcome
}

/// The link's whole life: sessions, with backoff between them; one local epoch per outage.
async fn run(bus: EventBus, url: String, names: Names) {
    let (tx, mut outbox) = mpsc::channel::<Draft>(OUTBOX);
    let mut attempt = 0u32;
    loop {
        let began = Instant::now();
        // Whether the session served the cluster: its end is an outage's beginning, while a
        // session that never got there is a failed attempt of the outage going on.
        let mut served = false;
        let error = match session(&bus, &url, &names, &mut outbox, &tx, &mut served).await {
            Ok(()) => return,
            Err(error) => error,
        };
        // Local delivery goes on in a local epoch — started by the first failure of the outage
        // and kept through the failed attempts after it —, and whatever was waiting to go out
        // is delivered in it.
        bus.detach();
        while let Ok(draft) = outbox.try_recv() {
            bus.publish_local(draft);
        }
        if served || attempt == 0 {
            RedisLink::Down { error: &error }.emit();
        } else {
            RedisLink::AttemptFailed { error: &error }.emit();
        }
        if began.elapsed() > Duration::from_secs(30) {
            attempt = 0;
        }
        let delay = Duration::from_millis(250u64.saturating_mul(1 << attempt.min(5)))
            .min(Duration::from_secs(5));
        attempt += 1;
        tokio::time::sleep(delay).await;
        RedisLink::Reconnecting { attempt }.emit();
    }
}

/// The actor owning the link's task.
pub struct RedisLinkActor;

/// What it starts with.
pub struct RedisLinkArgs {
    pub bus: EventBus,
    pub url: String,
    pub prefix: String,
}

impl Actor for RedisLinkActor {
    type Msg = ();
    type State = JoinHandle<()>;
    type Arguments = RedisLinkArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<()>,
        args: RedisLinkArgs,
    ) -> Result<JoinHandle<()>, ActorProcessingErr> {
        // Validate the URL now: a typo is a start failure the tree shows, not a silent retry.
        builder(&args.url).map_err(|e| format!("REDIS_URL: {e}"))?;
        RedisLink::Connecting.emit();
        Ok(tokio::spawn(run(
            args.bus,
            args.url,
            Names::new(&args.prefix),
        )))
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<()>,
        task: &mut JoinHandle<()>,
    ) -> Result<(), ActorProcessingErr> {
        task.abort();
        Ok(())
    }
}
