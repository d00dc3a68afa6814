//! The HTTP side: one OpenAI-compatible endpoint per engine, called with bounded retries and a
//! circuit breaker.
//!
//! An attempt that meets 429, a 5xx, a timeout or a broken connection is retried after a
//! jittered exponential backoff, or after the server's `Retry-After` if that is longer — but
//! never past the configured total wait: a server asking for ten minutes ends the call at once
//! (the original could sleep 600 s between tries). Other 4xx answers are not retried. After
//! `circuit_failures` calls in a row have failed, the endpoint is left alone for
//! `circuit_cooldown` and calls fail at once with [`LlmError::CircuitOpen`], which is the
//! engines' cue to fall back to built-in analysis; the first call after the cooldown probes it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::Serialize;

use super::stream::{chat_chunk, ChatChunk, SseDecoder};
use crate::internal_events::{LlmAttempt, LlmOutcome};

/// One endpoint's settings (the original's `*_API_KEY`, `*_BASE_URL`, `*_MODEL_NAME`).
#[derive(Debug, Clone)]
pub struct LlmConfig {
    /// The engine it serves: a metric label and the name in messages.
    pub engine: &'static str,
    /// Up to and including the API version, e.g. `https://api.deepseek.com/v1`.
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
    /// The longest one attempt may take (a stream: until its last byte).
    pub attempt_timeout: Duration,
    pub max_attempts: u32,
    /// The most time spent waiting between attempts, over a whole call.
    pub max_total_wait: Duration,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// Calls in a row that must fail before the circuit opens.
    pub circuit_failures: u32,
    pub circuit_cooldown: Duration,
}

impl LlmConfig {
    /// Settings with the defaults for everything but where and what to call.
    pub fn new(engine: &'static str, base_url: &str, api_key: Option<&str>, model: &str) -> Self {
        Self {
            engine,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.filter(|k| !k.is_empty()).map(str::to_owned),
            model: model.to_owned(),
            attempt_timeout: Duration::from_secs(180),
            max_attempts: 4,
            max_total_wait: Duration::from_secs(60),
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(20),
            circuit_failures: 5,
            circuit_cooldown: Duration::from_secs(60),
        }
    }
}

/// One chat message.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Message {
    pub role: String,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Self {
            role: "system".into(),
            content: content.into(),
        }
    }

    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: "user".into(),
            content: content.into(),
        }
    }
}

/// Why a call produced no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    #[error("{engine}: the LLM endpoint failed repeatedly and is left alone for {retry_in:?} (last: {last})")]
    CircuitOpen {
        engine: &'static str,
        retry_in: Duration,
        last: String,
    },
    #[error("{engine}: the LLM endpoint refused the request: HTTP {status}: {body}")]
    Refused {
        engine: &'static str,
        status: u16,
        body: String,
    },
    #[error("{engine}: gave up after {attempts} attempts: {last}")]
    GaveUp {
        engine: &'static str,
        attempts: u32,
        last: String,
    },
    #[error("{engine}: the LLM answer is malformed: {reason}")]
    Malformed {
        engine: &'static str,
        reason: String,
    },
    #[error("{engine}: the stream broke after part of the answer: {reason}")]
    Interrupted {
        engine: &'static str,
        reason: String,
    },
    #[error("LLM client: {0}")]
    Setup(String),
}

impl LlmError {
    /// Whether the engine should say it falls back to built-in analysis (the endpoint is
    /// unusable now, as opposed to a request it will never accept).
    pub fn is_outage(&self) -> bool {
        matches!(
            self,
            Self::CircuitOpen { .. } | Self::GaveUp { .. } | Self::Interrupted { .. }
        )
    }
}

/// What one attempt ended with.
enum Attempt {
    Answer(String),
    /// Worth another attempt; the server's `Retry-After`, if it sent one.
    Retry(String, Option<Duration>),
    Fail(LlmError),
}

#[derive(Debug, Default)]
struct Circuit {
    failures: u32,
    open_until: Option<Instant>,
    last: String,
}

/// A client for one endpoint. Cheap to share (`Arc`); calls may run concurrently.
#[derive(Debug)]
pub struct LlmClient {
    config: LlmConfig,
    http: reqwest::Client,
    circuit: Mutex<Circuit>,
}

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    messages: &'a [Message],
    stream: bool,
}

impl LlmClient {
    pub fn new(config: LlmConfig) -> Result<Self, LlmError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| LlmError::Setup(e.to_string()))?;
        Ok(Self {
            config,
            http,
            circuit: Mutex::new(Circuit::default()),
        })
    }

    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    /// The whole answer at once.
    pub async fn chat(&self, messages: &[Message]) -> Result<String, LlmError> {
        self.call(messages, None).await
    }

    /// The answer as it is written: `on_delta` gets each piece; the whole is returned.
    pub async fn chat_stream(
        &self,
        messages: &[Message],
        on_delta: &mut (dyn FnMut(&str) + Send),
    ) -> Result<String, LlmError> {
        self.call(messages, Some(on_delta)).await
    }

    async fn call<'f>(
        &self,
        messages: &[Message],
        mut on_delta: Option<&mut (dyn FnMut(&str) + Send + 'f)>,
    ) -> Result<String, LlmError> {
        self.admit()?;
        let engine = self.config.engine;
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        let result = loop {
            attempt += 1;
            let began = Instant::now();
            let outcome = match tokio::time::timeout(
                self.config.attempt_timeout,
                self.attempt(messages, on_delta.as_deref_mut()),
            )
            .await
            {
                Ok(outcome) => outcome,
                Err(_) => Attempt::Retry(
                    format!("timed out after {:?}", self.config.attempt_timeout),
                    None,
                ),
            };
            let (label, next) = match outcome {
                Attempt::Answer(text) => (LlmOutcome::Ok, Err(Ok(text))),
                Attempt::Fail(err) => (LlmOutcome::Error, Err(Err(err))),
                Attempt::Retry(why, after) => (LlmOutcome::Retryable, Ok((why, after))),
            };
            LlmAttempt {
                engine,
                outcome: label,
                duration: began.elapsed(),
            }
            .emit();
            let (why, after) = match next {
                Err(done) => break done,
                Ok(retry) => retry,
            };
            if attempt >= self.config.max_attempts {
                break Err(LlmError::GaveUp {
                    engine,
                    attempts: attempt,
                    last: why,
                });
            }
            let delay = self.backoff(attempt).max(after.unwrap_or_default());
            if waited + delay > self.config.max_total_wait {
                break Err(LlmError::GaveUp {
                    engine,
                    attempts: attempt,
                    last: format!(
                        "{why}; the next try would wait {delay:?}, past the {:?} allowed",
                        self.config.max_total_wait
                    ),
                });
            }
            tracing::warn!(engine, attempt, error = %why, wait_ms = delay.as_millis() as u64, "LLM attempt failed; retrying");
            tokio::time::sleep(delay).await;
            waited += delay;
        };
        self.settle(&result);
        result
    }

    /// One request, read to its end.
    async fn attempt<'f>(
        &self,
        messages: &[Message],
        on_delta: Option<&mut (dyn FnMut(&str) + Send + 'f)>,
    ) -> Attempt {
        let engine = self.config.engine;
        let streaming = on_delta.is_some();
        let body = Request {
            model: &self.config.model,
            messages,
            stream: streaming,
        };
        let mut request = self
            .http
            .post(format!("{}/chat/completions", self.config.base_url))
            .json(&body);
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Attempt::Retry(format!("request failed: {e}"), None),
        };
        let status = response.status();
        if !status.is_success() {
            let after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let text = response.text().await.unwrap_or_default();
            let body: String = text.chars().take(300).collect();
            return if status.as_u16() == 429 || status.is_server_error() {
                Attempt::Retry(format!("HTTP {}: {body}", status.as_u16()), after)
            } else {
                Attempt::Fail(LlmError::Refused {
                    engine,
                    status: status.as_u16(),
                    body,
                })
            };
        }
        match on_delta {
            None => match response.json::<serde_json::Value>().await {
                Err(e) => Attempt::Retry(format!("reading the answer failed: {e}"), None),
                Ok(value) => match value
                    .pointer("/choices/0/message/content")
                    .and_then(|c| c.as_str())
                {
                    Some(text) => Attempt::Answer(text.to_owned()),
                    None => Attempt::Fail(LlmError::Malformed {
                        engine,
                        reason: format!("no choices[0].message.content in {value:.200}"),
                    }),
                },
            },
            Some(on_delta) => read_stream(engine, response, on_delta).await,
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .config
            .backoff_min
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.config.backoff_max);
        // Full jitter in the upper half: spread retries without ever waiting less than half.
        base.mul_f64(0.5 + fastrand::f64() * 0.5)
    }

    fn admit(&self) -> Result<(), LlmError> {
        let circuit = self.circuit.lock().unwrap_or_else(|p| p.into_inner());
        match circuit.open_until {
            Some(until) if until > Instant::now() => {
                LlmAttempt {
                    engine: self.config.engine,
                    outcome: LlmOutcome::CircuitOpen,
                    duration: Duration::ZERO,
                }
                .emit();
                Err(LlmError::CircuitOpen {
                    engine: self.config.engine,
                    retry_in: until - Instant::now(),
                    last: circuit.last.clone(),
                })
            }
            _ => Ok(()),
        }
    }

    fn settle(&self, result: &Result<String, LlmError>) {
        let mut circuit = self.circuit.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(_) => *circuit = Circuit::default(),
            // A refused request says nothing about the endpoint's health.
            Err(LlmError::Refused { .. } | LlmError::Malformed { .. }) => {}
            Err(err) => {
                circuit.failures += 1;
                circuit.last = err.to_string();
                if circuit.failures >= self.config.circuit_failures {
                    circuit.open_until = Some(Instant::now() + self.config.circuit_cooldown);
                    tracing::warn!(
                        engine = self.config.engine,
                        cooldown_s = self.config.circuit_cooldown.as_secs(),
                        "LLM endpoint keeps failing; circuit open, falling back to built-in analysis"
                    );
                }
            }
        }
    }
}

/// Reads a streamed answer, handing each piece to `on_delta`. Before the first piece a broken
/// stream may be retried; after it, the pieces are out and the call fails instead.
async fn read_stream<'f>(
    engine: &'static str,
    response: reqwest::Response,
    on_delta: &mut (dyn FnMut(&str) + Send + 'f),
) -> Attempt {
    let mut decoder = SseDecoder::new();
    let mut text = String::new();
    let mut body = response.bytes_stream();
    let broken = |text: &str, reason: String| {
        if text.is_empty() {
            Attempt::Retry(reason, None)
        } else {
            Attempt::Fail(LlmError::Interrupted { engine, reason })
        }
    };
    loop {
        let (events, at_end) = match body.next().await {
            Some(Ok(chunk)) => (decoder.push(&chunk), false),
            Some(Err(e)) => return broken(&text, format!("the stream broke: {e}")),
            None => (
                decoder.finish().map(|last| last.into_iter().collect()),
                true,
            ),
        };
        let events = match events {
            Ok(events) => events,
            Err(e) => {
                return Attempt::Fail(LlmError::Malformed {
                    engine,
                    reason: e.to_string(),
                })
            }
        };
        for event in &events {
            match chat_chunk(event) {
                Ok(ChatChunk::Delta(piece)) => {
                    on_delta(&piece);
                    text.push_str(&piece);
                }
                Ok(ChatChunk::Done) => return Attempt::Answer(text),
                Ok(ChatChunk::Error(message)) => {
                    return broken(&text, format!("the server reported: {message}"))
                }
                Ok(ChatChunk::Nothing) => {}
                Err(reason) => return Attempt::Fail(LlmError::Malformed { engine, reason }),
            }
        }
        if at_end {
            // The connection closed without `[DONE]`.
            return broken(&text, "the stream ended before [DONE]".into());
        }
    }
}
