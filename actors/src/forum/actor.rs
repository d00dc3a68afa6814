//! The forum actor (`root/engines/forum`): takes agent messages — from the engines, or from a
//! `forum.log` that other programs write, followed with [`Follower`] — and after every
//! `host_every` of them speaks as the host. Every message is appended to our `forum.log` in the
//! original's line format, stored, and published on the `forum` topic as `forum_message`.
//!
//! The host here is the built-in one: a summary of the round (its keywords, who spoke, how it
//! leans) made by [`text_analysis`]. An LLM host joins when the engines do.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde_json::json;
use storage::model::{Post, PostKind};
use tokio::task::JoinHandle;

use super::follow::Follower;
use super::line;
use events::{EventBus, Topic};

pub enum ForumMsg {
    /// An engine's message (`source`: `INSIGHT`, `MEDIA`, `QUERY`…), in an analysis session.
    Agent {
        source: String,
        content: String,
        session: Option<String>,
        /// What the session is about (its query), for the host to name.
        topic: Option<String>,
    },
    /// An analysis ended: the host closes its last round, and the session is forgotten.
    SessionEnded { session: String },
    /// Read what the followed log has gained.
    Poll,
}

pub struct ForumArgs {
    pub bus: EventBus,
    pub db: Option<storage::Database>,
    /// Our `forum.log`.
    pub log_path: PathBuf,
    /// A `forum.log` written by others, to follow.
    pub follow: Option<PathBuf>,
    /// Agent messages per host message.
    pub host_every: usize,
    pub poll_every: Duration,
    /// The LLM host (`FORUM_HOST_*`); the built-in host speaks when it is absent or fails.
    pub host_llm: Option<std::sync::Arc<llm::LlmClient>>,
}

pub struct ForumState {
    args: ForumArgs,
    follower: Option<Follower>,
    /// Agent messages since the host last spoke, per session (None: outside any analysis).
    rounds: std::collections::HashMap<Option<String>, Vec<(String, String)>>,
    /// Each session's topic, while its round is open.
    topics: std::collections::HashMap<Option<String>, String>,
    /// Sessions that ended lately (at most [`ENDED_KEPT`]): a message arriving after its
    /// session's end is said and kept, but opens no round that nothing would close.
    ended: std::collections::VecDeque<String>,
    ticker: Option<JoinHandle<()>>,
}

pub struct ForumActor;

/// How many ended sessions the forum remembers.
const ENDED_KEPT: usize = 256;

/// How long the LLM host may take before the built-in host speaks instead.
const HOST_LLM_TIMEOUT: Duration = Duration::from_secs(45);

/// `HH:MM:SS` (UTC) of epoch milliseconds.
fn clock(ms: i64) -> String {
    let s = ms.div_euclid(1000).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

impl ForumState {
    async fn say(
        &mut self,
        kind: &str,
        source: &str,
        content: &str,
        session: Option<&str>,
    ) -> Result<(), ActorProcessingErr> {
        let at = storage::clock::now_ms();
        let text = line::format(&clock(at), source, None, content);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.args.log_path)?;
        file.write_all(text.as_bytes())?;
        file.write_all(b"\n")?;
        if let Some(db) = &self.args.db {
            if let Err(err) = db.add_forum_message(session, source, content, at).await {
                tracing::warn!(error = %err, "storing a forum message failed; it is in forum.log");
            }
        }
        let _ = self.args.bus.publish(
            Topic::forum().as_str(),
            "forum_message",
            &json!({"type": kind, "sender": source, "content": content, "timestamp": clock(at), "at": at, "session": session}),
        );
        Ok(())
    }

    async fn agent(
        &mut self,
        source: String,
        content: String,
        session: Option<String>,
        topic: Option<String>,
    ) -> Result<(), ActorProcessingErr> {
        self.say("agent", &source, &content, session.as_deref())
            .await?;
        if session.as_ref().is_some_and(|s| self.ended.contains(s)) {
            return Ok(());
        }
        if let Some(topic) = topic {
            self.topics.insert(session.clone(), topic);
        }
        let round = self.rounds.entry(session.clone()).or_default();
        round.push((source, content));
        if round.len() >= self.args.host_every.max(1) {
            let round = std::mem::take(round);
            let topic = self.topics.get(&session).cloned();
            let speech = self.host(&round, topic.as_deref()).await;
            self.say("host", "HOST", &speech, session.as_deref())
                .await?;
        }
        if self.rounds.get(&session).is_some_and(Vec::is_empty) {
            self.rounds.remove(&session);
            self.topics.remove(&session);
        }
        Ok(())
    }

    /// Closes a session's last round (the host speaks if anyone spoke since it last did) and
    /// forgets the session.
    async fn session_ended(&mut self, session: String) -> Result<(), ActorProcessingErr> {
        if self.ended.len() >= ENDED_KEPT {
            self.ended.pop_front();
        }
        self.ended.push_back(session.clone());
        let key = Some(session);
        let topic = self.topics.remove(&key);
        if let Some(round) = self.rounds.remove(&key).filter(|r| !r.is_empty()) {
            let speech = self.host(&round, topic.as_deref()).await;
            self.say("host", "HOST", &speech, key.as_deref()).await?;
        }
        Ok(())
    }

    /// The host's message: the LLM's when one is configured and answers, else the built-in one.
    async fn host(&self, round: &[(String, String)], topic: Option<&str>) -> String {
        if let Some(llm) = &self.args.host_llm {
            let mut said: Vec<String> = round.iter().map(|(s, c)| format!("[{s}] {c}")).collect();
            if let Some(topic) = topic {
                said.insert(0, format!("Topic: {topic}"));
            }
            let messages = [
                llm::Message::system(
                    "You moderate a discussion between research agents (QUERY, MEDIA, INSIGHT) about \
                     a public-opinion topic. Summarise where they agree and differ, name what \
                     evidence is missing, and ask each a pointed question. Write in the language \
                     of the discussion, in at most 200 words.",
                ),
                llm::Message::user(said.join("\n")),
            ];
            // Bounded: every analysis's messages wait behind the host.
            match tokio::time::timeout(HOST_LLM_TIMEOUT, llm.chat(&messages))
                .await
                .unwrap_or_else(|_| {
                    Err(llm::LlmError::Setup(format!(
                        "no answer within {HOST_LLM_TIMEOUT:?}"
                    )))
                }) {
                Ok(text) => {
                    let text = llm::text::strip_think(&text).trim().to_owned();
                    if !text.is_empty() {
                        return text;
                    }
                    tracing::warn!("the LLM host said nothing; the built-in host speaks");
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the LLM host failed; the built-in host speaks")
                }
            }
        }
        host_speech(round, topic)
    }
}

/// Words of the engines' own report phrasing (and platform codes): they say how a paragraph
/// was made, not what the discussion is about, so the host does not call them the focus.
const REPORT_WORDS: &[&str] = &[
    "平台",
    "内容",
    "情感",
    "正面",
    "负面",
    "中性",
    "声量",
    "分布",
    "来源",
    "得分",
    "平均",
    "总体",
    "倾向",
    "主要",
    "相关",
    "讨论",
    "关键词",
    "代表性",
    "说法",
    "最多",
    "逐日",
    "集中",
    "出现",
    "items",
    "posts",
    "positive",
    "negative",
    "neutral",
    "score",
    "mean",
    "platforms",
    "most",
    "about",
    "found",
    "representative",
    "words",
    "recur",
    "per",
    "day",
    "busiest",
    "first",
    "latest",
];

/// The built-in host's summary of a round of messages about `topic`.
pub fn host_speech(round: &[(String, String)], topic: Option<&str>) -> String {
    let posts: Vec<Post> = round
        .iter()
        .enumerate()
        .map(|(i, (source, content))| Post {
            platform: source.to_ascii_lowercase(),
            kind: PostKind::Content,
            platform_id: i.to_string(),
            content_id: None,
            parent_id: None,
            author_id: None,
            author_name: Some(source.clone()),
            title: None,
            body: content.clone(),
            url: None,
            liked_count: 0,
            comment_count: 0,
            share_count: 0,
            collected_count: 0,
            published_at: None,
            crawled_at: 0,
            source_keyword: None,
            topic_id: None,
            raw: None,
        })
        .collect();
    let analysis = text_analysis::analyse(&posts, 20, 0);
    let speakers: Vec<String> = analysis
        .by_platform
        .keys()
        .map(|s| s.to_uppercase())
        .collect();
    let focus: Vec<&str> = analysis
        .keywords
        .iter()
        .map(|k| k.word.as_str())
        .filter(|w| !REPORT_WORDS.contains(w) && !storage::model::PLATFORMS.contains(w))
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .take(5)
        .collect();
    let split = &analysis.sentiment;
    let about = topic.map(|t| format!("关于「{t}」，")).unwrap_or_default();
    format!(
        "【主持人小结】{about}本轮 {} 条发言（{}）。讨论焦点：{}。情绪分布：积极 {}、中性 {}、消极 {}。请各方围绕焦点补充证据，并回应与自己不同的观点。",
        round.len(),
        speakers.join("、"),
        if focus.is_empty() { "尚不集中".to_owned() } else { focus.join("、") },
        split.positive,
        split.neutral,
        split.negative,
    )
}

impl Actor for ForumActor {
    type Msg = ForumMsg;
    type State = ForumState;
    type Arguments = ForumArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<ForumMsg>,
        args: ForumArgs,
    ) -> Result<ForumState, ActorProcessingErr> {
        if let Some(dir) = args.log_path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let follower = args.follow.as_ref().map(Follower::new);
        let ticker = follower
            .as_ref()
            .map(|_| myself.send_interval(args.poll_every, || ForumMsg::Poll));
        Ok(ForumState {
            args,
            follower,
            rounds: std::collections::HashMap::new(),
            topics: std::collections::HashMap::new(),
            ended: std::collections::VecDeque::new(),
            ticker,
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<ForumMsg>,
        message: ForumMsg,
        state: &mut ForumState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            ForumMsg::Agent {
                source,
                content,
                session,
                topic,
            } => state.agent(source, content, session, topic).await?,
            ForumMsg::SessionEnded { session } => state.session_ended(session).await?,
            ForumMsg::Poll => {
                let lines = match state.follower.as_mut() {
                    Some(f) => f.poll()?,
                    None => Vec::new(),
                };
                for l in lines {
                    // Their host speaks for their round; ours speaks for ours.
                    if l.source.as_deref() == Some("HOST") {
                        continue;
                    }
                    let source = l.source.unwrap_or_else(|| "AGENT".to_owned());
                    // Their session ids are not our analyses: the line is kept without one.
                    state.agent(source, l.content, None, None).await?;
                }
            }
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<ForumMsg>,
        state: &mut ForumState,
    ) -> Result<(), ActorProcessingErr> {
        if let Some(t) = state.ticker.take() {
            t.abort();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The host's summary and the clock.
    use super::*;

    #[test]
    fn the_host_names_the_focus_and_the_speakers() {
        let round = vec![
            (
                "INSIGHT".to_owned(),
                "滨海马拉松志愿者服务获得好评，补给站安排周到".to_owned(),
            ),
            (
                "MEDIA".to_owned(),
                "视频里马拉松志愿者帮助抽筋跑者，评论区一片点赞".to_owned(),
            ),
            (
                "QUERY".to_owned(),
                "新闻报道马拉松封路引发部分居民不满".to_owned(),
            ),
        ];
        let speech = host_speech(&round, None);
        assert!(
            speech.starts_with("【主持人小结】本轮 3 条发言"),
            "{speech}"
        );
        assert!(speech.contains("马拉松"), "{speech}");
        assert!(
            speech.contains("INSIGHT") && speech.contains("QUERY"),
            "{speech}"
        );
        assert_eq!(clock(3_723_000), "01:02:03");
        assert_eq!(clock(86_400_000 + 59_000), "00:00:59");
    }

    #[tokio::test]
    async fn a_session_s_end_closes_its_round_and_late_messages_open_none() {
        let dir = tempfile::tempdir().unwrap();
        let log_path = dir.path().join("forum.log");
        let args = ForumArgs {
            bus: EventBus::new(Default::default()),
            db: None,
            log_path: log_path.clone(),
            follow: None,
            host_every: 3,
            poll_every: Duration::from_secs(60),
            host_llm: None,
        };
        let (forum, _) = Actor::spawn(None, ForumActor, args).await.unwrap();
        let agent = |source: &str, content: &str| ForumMsg::Agent {
            source: source.to_owned(),
            content: content.to_owned(),
            session: Some("s1".to_owned()),
            topic: Some("滨海马拉松".to_owned()),
        };
        forum
            .send_message(agent("QUERY", "马拉松志愿者获好评"))
            .unwrap();
        forum
            .send_message(agent("MEDIA", "马拉松封路视频传播"))
            .unwrap();
        // Two of three: the end of the session makes the host speak on them.
        forum
            .send_message(ForumMsg::SessionEnded {
                session: "s1".to_owned(),
            })
            .unwrap();
        // A paragraph that arrives late is said and kept, but opens no new round: three more
        // would otherwise make the host speak again.
        for text in ["迟到的段落一", "迟到的段落二", "迟到的段落三"] {
            forum.send_message(agent("INSIGHT", text)).unwrap();
        }
        forum.drain_and_wait(None).await.unwrap();
        let log = std::fs::read_to_string(&log_path).unwrap();
        let hosts: Vec<&str> = log.lines().filter(|l| l.contains("[HOST]")).collect();
        assert_eq!(hosts.len(), 1, "{log}");
        assert!(
            hosts[0].contains("关于「滨海马拉松」，本轮 2 条发言"),
            "{log}"
        );
        assert_eq!(log.lines().filter(|l| l.contains("[INSIGHT]")).count(), 3);
    }
}
