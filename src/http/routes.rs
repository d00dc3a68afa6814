//! Every route the server answers, with its handler: one flat list (a catalogue, the one place
//! to look a route up), read by the dispatcher, the `route` metric label and
//! `/api/openapi.json`. Each entry unpacks the `Call` into its handler's arguments and
//! nothing else; handlers live in the module of their area.

use super::router::{get, post, ready, Kind, RouteDef};
use super::{
    actors, analysis, config, dashboard, db, events, forum, openapi, reply, report, system, ws,
};
use crate::auth::Access;
use supervision::Operation;
use warp::http::StatusCode;

/// Every route the server answers.
pub const ROUTES: &[RouteDef] = &[
    get("/", Access::Read, "The dashboard.", |_| {
        ready(Ok(dashboard::page()))
    }),
    get("/healthz", Access::Public, "Liveness: the process answers.", |_| {
        ready(system::healthz())
    }),
    get("/readyz", Access::Public, "Readiness: the supervision tree is running (503 otherwise).", |c| {
        Box::pin(system::readyz(c.app))
    }),
    get("/metrics", Access::Public, "Prometheus metrics.", |c| {
        ready(system::metrics(c.app))
    }),
    get("/api/openapi.json", Access::Public, "This API description.", |_| {
        ready(Ok(reply::json(StatusCode::OK, &openapi::document())))
    }),
    get("/api/system/status", Access::Read, "Service status: version, uptime, tree summary, recent lifecycle events.", |c| {
        Box::pin(system::status(c.app))
    }),
    post("/api/system/start", "Start the engines and crawlers branches.", |c| {
        Box::pin(system::system_command(c.app, Operation::Start))
    }),
    post("/api/system/stop", "Stop the engines and crawlers branches (infrastructure keeps running).", |c| {
        Box::pin(system::system_command(c.app, Operation::Stop))
    }),
    post("/api/system/restart", "Restart the engines and crawlers branches.", |c| {
        Box::pin(system::system_command(c.app, Operation::Restart))
    }),
    post("/api/system/shutdown", "Shut the process down gracefully.", |c| {
        ready(system::shutdown(c.app))
    }),
    get("/api/status", Access::Read, "Each engine: status, restarts, last error, uptime.", |c| {
        Box::pin(system::engines_status(c.app))
    }),
    post("/api/start/{app}", "Start an engine.", |c| {
        Box::pin(system::engine_command(c.app, c.param(0), Operation::Start))
    }),
    post("/api/stop/{app}", "Stop an engine.", |c| {
        Box::pin(system::engine_command(c.app, c.param(0), Operation::Stop))
    }),
    get("/api/output/{app}", Access::Read, "An engine's console output (?tail=N).", |c| {
        Box::pin(system::engine_output(c.app, c.param(0), c.query))
    }),
    get("/api/actors", Access::Read, "The supervision tree.", |c| {
        Box::pin(actors::tree(c.app))
    }),
    post("/api/actors/{path}/restart", "Restart the actor at this path (not counted as a failure).", |c| {
        Box::pin(actors::command(c.app, c.param(0), Operation::Restart))
    }),
    post("/api/actors/{path}/stop", "Stop the actor at this path; it stays stopped until started.", |c| {
        Box::pin(actors::command(c.app, c.param(0), Operation::Stop))
    }),
    post("/api/actors/{path}/start", "Start the actor at this path.", |c| {
        Box::pin(actors::command(c.app, c.param(0), Operation::Start))
    }),
    get("/api/config", Access::Read, "Every configuration key with its value (secrets masked) and layer.", |c| {
        ready(config::get(c.app))
    }),
    RouteDef {
        body: Some("object of KEY: string value pairs"),
        ..post("/api/config", "Set allow-listed keys: validated, written to .env atomically, reloaded; affected actors restarted.", |c| {
            Box::pin(config::post(c.app, &c.body))
        })
    },
    get("/api/forum/log", Access::Read, "A page of the forum log, raw lines and parsed messages (?limit=N, default and maximum configurable: FORUM_LOG_PAGE_LINES, FORUM_LOG_PAGE_MAX_LINES; ?before=B pages back from the tail, ?after=A follows forwards: byte offsets from the answer's before/after).", |c| {
        Box::pin(forum::log(c.app, c.query))
    }),
    RouteDef {
        access: Access::Read,
        body: Some("{\"position\": first line (0-based), \"max_lines\": how many}"),
        ..post("/api/forum/log/history", "A window of the forum log by line number (at most FORUM_LOG_PAGE_MAX_LINES lines and FORUM_LOG_PAGE_MAX_BYTES bytes).", |c| {
            Box::pin(forum::history(c.app, &c.body))
        })
    },
    post("/api/forum/start", "Start the forum actor.", |c| {
        Box::pin(forum::command(c.app, true))
    }),
    post("/api/forum/stop", "Stop the forum actor.", |c| {
        Box::pin(forum::command(c.app, false))
    }),
    RouteDef {
        body: Some("{\"query\": what to analyse}"),
        ..post("/api/analysis", "Start an analysis session: the three engines research the query in parallel (202 with its id).", |c| {
            Box::pin(analysis::start(c.app, &c.body))
        })
    },
    get("/api/analysis", Access::Read, "The latest analyses, newest first, without their reports (?limit=N, default 20, at most 1000).", |c| {
        Box::pin(analysis::list(c.app, c.query))
    }),
    get("/api/analysis/{id}", Access::Read, "An analysis: status, each engine's report (Markdown and JSON) and the forum discussion.", |c| {
        Box::pin(analysis::get(c.app, c.param(0)))
    }),
    RouteDef {
        kind: Kind::EventStream,
        ..get("/api/analysis/{id}/stream", Access::Read, "Server-Sent Events of one analysis (topic analysis/<id>; resume as /api/events); ends after the session's last event.", |c| {
            Box::pin(analysis::stream(c.app, c.param(0), c.headers, c.query))
        })
    },
    post("/api/analysis/{id}/cancel", "Cancel a running analysis and its engines' jobs.", |c| {
        Box::pin(analysis::cancel(c.app, c.param(0)))
    }),
    get("/api/report/status", Access::Read, "Report tasks by status, and this instance's room (REPORT_MAX_RUNNING).", |c| {
        Box::pin(report::status(c.app))
    }),
    RouteDef {
        body: Some("{\"query\": string} or {\"analysis_id\": string}, with optional \"template\" (a kind from /api/report/templates) and \"custom_template\" (Markdown: # title, ## chapter lines)"),
        ..post("/api/report/generate", "Queue a report task (202 with it, pending); the queue is shared by every instance using the database.", |c| {
            Box::pin(report::generate(c.app, &c.body))
        })
    },
    get("/api/report/tasks", Access::Read, "The report history, newest first, a page at a time (?limit=N, default 50, at most 500; ?before= the previous page's next).", |c| {
        Box::pin(report::tasks(c.app, c.query))
    }),
    get("/api/report/progress/{id}", Access::Read, "A report task: status, progress 0-100, error, where its outputs are.", |c| {
        Box::pin(report::progress(c.app, c.param(0)))
    }),
    RouteDef {
        kind: Kind::EventStream,
        ..get("/api/report/stream/{id}", Access::Read, "Server-Sent Events of a report task from its stored log (replayed whole, or after Last-Event-ID: the event's seq), then live; ends after completed, error or cancelled.", |c| {
            Box::pin(report::stream(c.app, c.param(0), c.headers, c.query))
        })
    },
    get("/api/report/result/{id}", Access::Read, "The HTML report (409 until completed).", |c| {
        Box::pin(report::result(c.app, c.param(0)))
    }),
    get("/api/report/result/{id}/json", Access::Read, "The report's typed document (JSON), with every claim's sources.", |c| {
        Box::pin(report::result_json(c.app, c.param(0)))
    }),
    get("/api/report/download/{id}", Access::Read, "The HTML report as a file.", |c| {
        Box::pin(report::download(c.app, c.param(0)))
    }),
    get("/api/report/export/md/{id}", Access::Read, "The Markdown report as a file.", |c| {
        Box::pin(report::export_md(c.app, c.param(0)))
    }),
    get("/api/report/export/pdf/{id}", Access::Read, "The report as PDF, printed by headless Chromium (503 saying what to install when there is none).", |c| {
        Box::pin(report::pdf::export(c.app, c.param(0)))
    }),
    post("/api/report/cancel/{id}", "Cancel a report task: a pending one at once, a running one stopped by its instance (200 recorded, 202 stopping, 409 ended).", |c| {
        Box::pin(report::cancel(c.app, c.param(0)))
    }),
    get("/api/report/templates", Access::Read, "The report templates (six kinds, Chinese and English).", |c| {
        ready(report::templates(c.app))
    }),
    get("/api/report/log", Access::Read, "The report engine's log, last lines (?limit=N, default 200, at most 2000).", |c| {
        Box::pin(report::log(c.app, c.query))
    }),
    post("/api/report/log/clear", "Empty the report engine's log.", |c| {
        Box::pin(report::log_clear(c.app))
    }),
    get("/api/db/stats", Access::Read, "Database statistics: tables with row counts, news, topics, tasks, posts by platform (503 while the database is down).", |c| {
        Box::pin(db::stats(c.app))
    }),
    get("/api/db/search", Access::Read, "Full-text search over posts and news, Chinese and English (?q=words&limit=20&platform=wb).", |c| {
        Box::pin(db::search(c.app, c.query))
    }),
    RouteDef {
        kind: Kind::EventStream,
        ..get("/api/events", Access::Read, "Server-Sent Events for ?topics=a,b,report/* (resume with Last-Event-ID or ?last_event_id=; a cursor that cannot be resumed or read starts the stream with resync).", |c| {
            Box::pin(events::subscribe(c.app, c.headers, c.query))
        })
    },
    RouteDef {
        body: Some("{\"type\": event type (default \"message\"), \"data\": any JSON}"),
        ..post("/api/events/{topic}", "Publish an event from outside (not to the system's own topics); 422 for a body of another shape, 413 for data over BETTAFISH_EVENT_MAX_BYTES.", |c| {
            Box::pin(events::publish(c.app, c.param(0), &c.body))
        })
    },
    RouteDef {
        kind: Kind::WebSocket,
        ..get("/ws", Access::Read, "WebSocket: subscribe/unsubscribe/ping and, with the operator token, restart/stop/start (token also as ?token=).", |c| {
            ready(ws::upgrade(c))
        })
    },
];
