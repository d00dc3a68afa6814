//! The route table: every route's method, template, access level and summary, in one list that
//! the dispatcher, the metrics labels and `/api/openapi.json` all read.
//!
//! Templates use `{name}` for one path segment and `{path}` for an actor path, which may span
//! several segments (`/api/actors/root/engines/query/restart`).

use crate::auth::Access;

/// One route.
#[derive(Debug, Clone, Copy)]
pub struct RouteDef {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The template, also the `route` metric label.
    pub template: &'static str,
    /// Who may call it.
    pub access: Access,
    /// What it does (for the API description).
    pub summary: &'static str,
    /// The JSON body it takes, if any, as a short schema description.
    pub body: Option<&'static str>,
    /// Answers with a long-lived event stream: served on its own connection path
    /// (`http::streams`), not by hyper.
    pub streams: bool,
}

const fn get(template: &'static str, access: Access, summary: &'static str) -> RouteDef {
    RouteDef {
        method: "GET",
        template,
        access,
        summary,
        body: None,
        streams: false,
    }
}

const fn post(template: &'static str, summary: &'static str) -> RouteDef {
    RouteDef {
        method: "POST",
        template,
        access: Access::Operate,
        summary,
        body: None,
        streams: false,
    }
}

/// Every route the server answers.
pub const ROUTES: &[RouteDef] = &[
    get("/", Access::Read, "The dashboard."),
    get("/healthz", Access::Public, "Liveness: the process answers."),
    get("/readyz", Access::Public, "Readiness: the supervision tree is running (503 otherwise)."),
    get("/metrics", Access::Public, "Prometheus metrics."),
    get("/api/openapi.json", Access::Public, "This API description."),
    get("/api/system/status", Access::Read, "Service status: version, uptime, tree summary, recent lifecycle events."),
    post("/api/system/start", "Start the engines and crawlers branches."),
    post("/api/system/stop", "Stop the engines and crawlers branches (infrastructure keeps running)."),
    post("/api/system/restart", "Restart the engines and crawlers branches."),
    post("/api/system/shutdown", "Shut the process down gracefully."),
    get("/api/status", Access::Read, "Each engine: status, restarts, last error, uptime."),
    post("/api/start/{app}", "Start an engine."),
    post("/api/stop/{app}", "Stop an engine."),
    get("/api/output/{app}", Access::Read, "An engine's console output (?tail=N)."),
    get("/api/actors", Access::Read, "The supervision tree."),
    post("/api/actors/{path}/restart", "Restart the actor at this path (not counted as a failure)."),
    post("/api/actors/{path}/stop", "Stop the actor at this path; it stays stopped until started."),
    post("/api/actors/{path}/start", "Start the actor at this path."),
    get("/api/config", Access::Read, "Every configuration key with its value (secrets masked) and layer."),
    get("/api/forum/log", Access::Read, "The forum log: raw lines and parsed messages."),
    RouteDef {
        access: Access::Read,
        body: Some("{\"position\": first line (0-based), \"max_lines\": how many}"),
        ..post("/api/forum/log/history", "A window of the forum log.")
    },
    post("/api/forum/start", "Start the forum actor."),
    post("/api/forum/stop", "Stop the forum actor."),
    RouteDef {
        body: Some("{\"query\": what to analyse}"),
        ..post("/api/analysis", "Start an analysis session: the three engines research the query in parallel (202 with its id).")
    },
    get("/api/analysis", Access::Read, "The latest analyses, newest first, without their reports (?limit=N, default 20, at most 1000)."),
    get("/api/analysis/{id}", Access::Read, "An analysis: status, each engine's report (Markdown and JSON) and the forum discussion."),
    RouteDef {
        streams: true,
        ..get("/api/analysis/{id}/stream", Access::Read, "Server-Sent Events of one analysis (topic analysis/<id>; resume as /api/events).")
    },
    post("/api/analysis/{id}/cancel", "Cancel a running analysis and its engines' jobs."),
    get("/api/db/stats", Access::Read, "Database statistics: tables with row counts, news, topics, tasks, posts by platform (503 while the database is down)."),
    get("/api/db/search", Access::Read, "Full-text search over posts and news, Chinese and English (?q=words&limit=20&platform=wb)."),
    RouteDef {
        streams: true,
        ..get("/api/events", Access::Read, "Server-Sent Events for ?topics=a,b,report/* (resume with Last-Event-ID or ?last_event_id=).")
    },
    RouteDef {
        body: Some("{\"type\": event type (default \"message\"), \"data\": any JSON}"),
        ..post("/api/events/{topic}", "Publish an event from outside (not to the system's own topics).")
    },
    get("/ws", Access::Read, "WebSocket: subscribe/unsubscribe/ping and, with the operator token, restart/stop/start (token also as ?token=)."),
    RouteDef {
        body: Some("object of KEY: string value pairs"),
        ..post("/api/config", "Set allow-listed keys: validated, written to .env atomically, reloaded; affected actors restarted.")
    },
];

/// What matching a request against the table found.
#[derive(Debug)]
pub enum Resolved {
    /// A route, with its parameters in template order.
    Route(&'static RouteDef, Vec<String>),
    /// The path exists but not for this method; the allowed methods.
    WrongMethod(Vec<&'static str>),
    /// Nothing here.
    NotFound,
}

/// Parameters that take several segments (at most one per template).
const GREEDY: [&str; 2] = ["{path}", "{topic}"];

/// Matches `path` against a template, returning the parameters.
fn match_template(template: &str, path: &str) -> Option<Vec<String>> {
    let t: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let p: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if let Some(at) = t.iter().position(|s| GREEDY.contains(s)) {
        let (before, after) = (&t[..at], &t[at + 1..]);
        if p.len() < before.len() + after.len() + 1 {
            return None;
        }
        let mut params = Vec::new();
        for (ts, ps) in before.iter().zip(&p) {
            segment(ts, ps, &mut params)?;
        }
        let middle = &p[before.len()..p.len() - after.len()];
        params.push(middle.join("/"));
        for (ts, ps) in after.iter().zip(&p[p.len() - after.len()..]) {
            segment(ts, ps, &mut params)?;
        }
        return Some(params);
    }
    if t.len() != p.len() {
        return None;
    }
    let mut params = Vec::new();
    for (ts, ps) in t.iter().zip(&p) {
        segment(ts, ps, &mut params)?;
    }
    Some(params)
}

fn segment(template: &str, actual: &str, params: &mut Vec<String>) -> Option<()> {
    if template.starts_with('{') && template.ends_with('}') {
        params.push(actual.to_owned());
        Some(())
    } else if template == actual {
        Some(())
    } else {
        None
    }
}

/// Finds the route for a request.
pub fn resolve(method: &str, path: &str) -> Resolved {
    let mut allowed = Vec::new();
    for route in ROUTES {
        if let Some(params) = match_template(route.template, path) {
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return Resolved::Route(route, params);
            }
            allowed.push(route.method);
        }
    }
    if allowed.is_empty() {
        Resolved::NotFound
    } else {
        allowed.dedup();
        Resolved::WrongMethod(allowed)
    }
}

#[cfg(test)]
mod tests {
    //! Matching, including multi-segment actor paths and wrong methods.
    use super::*;

    fn route(method: &str, path: &str) -> (&'static str, Vec<String>) {
        match resolve(method, path) {
            Resolved::Route(r, p) => (r.template, p),
            other => panic!("{method} {path}: {other:?}"),
        }
    }

    #[test]
    fn matches_templates_and_parameters() {
        assert_eq!(route("GET", "/").0, "/");
        assert_eq!(route("GET", "/api/actors").0, "/api/actors");
        assert_eq!(
            route("POST", "/api/actors/root/engines/query/restart"),
            (
                "/api/actors/{path}/restart",
                vec!["root/engines/query".to_owned()]
            )
        );
        assert_eq!(
            route("POST", "/api/start/query"),
            ("/api/start/{app}", vec!["query".to_owned()])
        );
        assert_eq!(route("GET", "/api/output/media/").1, ["media"]);
    }

    #[test]
    fn wrong_method_and_unknown_paths() {
        assert!(
            matches!(resolve("GET", "/api/system/restart"), Resolved::WrongMethod(m) if m == ["POST"])
        );
        assert!(
            matches!(resolve("DELETE", "/api/config"), Resolved::WrongMethod(m) if m == ["GET", "POST"])
        );
        assert!(matches!(resolve("GET", "/nope"), Resolved::NotFound));
        assert!(matches!(
            resolve("POST", "/api/actors/restart"),
            Resolved::NotFound
        ));
    }
}
