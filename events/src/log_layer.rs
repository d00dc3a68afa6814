//! A tracing layer that forwards an actor's log lines to its topic: a span carrying a `topic`
//! field (`tracing::info_span!("engine", topic = "engine/query")`) makes every event inside it
//! a `console_output {app, line}` event on `engine/...` topics, or a `log {level, message}`
//! event on any other topic.
//!
//! No lock is held while publishing (the original BettaFish could deadlock when a log handler
//! needed a lock its caller held): the topic is copied out of the span first, and the bus's own
//! lock is taken only inside `publish`, which never logs. A thread-local guard keeps a publish
//! that itself emits a tracing event (a metric's debug line) from looping back in.
//!
//! A line too long for an event (`BETTAFISH_EVENT_MAX_BYTES`) is cut to fit, ending with a
//! marker that says how much was left out (the whole line still goes to the process log): the
//! bus would refuse it whole, and a console that shows the start of a huge line beats one that
//! shows nothing.

use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event as TracingEvent, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use super::bus::EventBus;
use super::topic::TopicKind;

thread_local! {
    static FORWARDING: Cell<bool> = const { Cell::new(false) };
}

/// The topic a span routes its events to.
struct SpanTopic(Arc<str>);

#[derive(Default)]
struct TopicVisitor(Option<String>);

impl Visit for TopicVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "topic" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "topic" {
            self.0 = Some(format!("{value:?}").trim_matches('"').to_owned());
        }
    }
}

/// Collects an event's message and its other fields as `key=value`.
#[derive(Default)]
struct LineVisitor {
    message: String,
    fields: String,
}

impl Visit for LineVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={}", field.name(), value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={:?}", field.name(), value);
        }
    }
}

#[derive(Serialize)]
struct ConsoleOutput<'a> {
    app: &'a str,
    line: &'a str,
}

#[derive(Serialize)]
struct LogLine<'a> {
    level: &'a str,
    message: &'a str,
    target: &'a str,
}

/// The layer; add it to the subscriber with the bus it publishes to.
pub struct EventLogLayer {
    bus: EventBus,
}

impl EventLogLayer {
    /// A layer publishing to `bus`.
    pub fn new(bus: EventBus) -> Self {
        Self { bus }
    }
}

impl<S> Layer<S> for EventLogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut visitor = TopicVisitor::default();
        attrs.record(&mut visitor);
        if let (Some(topic), Some(span)) = (visitor.0, ctx.span(id)) {
            span.extensions_mut().insert(SpanTopic(Arc::from(topic)));
        }
    }

    fn on_event(&self, event: &TracingEvent<'_>, ctx: Context<'_, S>) {
        if FORWARDING.with(Cell::get) {
            return;
        }
        // Copy the topic out; the span's extensions are unlocked before anything else happens.
        let topic = ctx.event_scope(event).and_then(|scope| {
            scope.into_iter().find_map(|span| {
                span.extensions()
                    .get::<SpanTopic>()
                    .map(|t| Arc::clone(&t.0))
            })
        });
        let Some(topic) = topic else {
            return;
        };
        let mut line = LineVisitor::default();
        event.record(&mut line);
        let level = event.metadata().level().as_str();
        let mut text = format!("{}{}", line.message, line.fields);
        // JSON escapes a character in at most 6 bytes, and the rest of the payload (names,
        // level, target) stays within 512: cut to a length that then always fits.
        let fits = self.bus.config().max_event_bytes.saturating_sub(512) / 6;
        if text.len() > fits {
            let cut = (0..=fits)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            let left_out = text.len() - cut;
            text.truncate(cut);
            let _ = write!(text, "… [{left_out} more bytes not shown]");
        }
        FORWARDING.with(|f| f.set(true));
        let result = match TopicKind::Engine.member(&topic) {
            Some(app) => self.bus.publish(
                &topic,
                "console_output",
                &ConsoleOutput {
                    app,
                    line: &format!("[{level}] {text}"),
                },
            ),
            None => self.bus.publish(
                &topic,
                "log",
                &LogLine {
                    level,
                    message: &text,
                    target: event.metadata().target(),
                },
            ),
        };
        FORWARDING.with(|f| f.set(false));
        // An invalid topic on a span is a programming error; the line still reaches the other
        // layers (the process log), so nothing is lost by not forwarding it.
        let _ = result;
    }
}
