//! Routes and their matching: what a route is ([`RouteDef`]: method, template, access,
//! summary, body, kind and its handler), what a handler receives ([`Call`]), and finding the
//! route for a request. The routes themselves are the flat list in `http/routes.rs`
//! ([`ROUTES`]), which the dispatcher, the metrics labels and `/api/openapi.json` all read.
//!
//! A route carries its handler, a plain function pointer, so a route without one does not
//! compile and dispatch cannot drift from the table.
//!
//! Templates use `{name}` for one path segment and `{path}` for an actor path, which may span
//! several segments (`/api/actors/root/engines/query/restart`).

use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use hyper::upgrade::OnUpgrade;
use warp::http::HeaderMap;

use super::reply::ApiResult;
pub use super::routes::ROUTES;
use crate::auth::Access;
use crate::service::App;

/// How a route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A request and its response.
    Plain,
    /// A long-lived event stream: served on its own connection path (`http::streams`), not
    /// by hyper. The token may come as `?token=` (a browser's `EventSource` cannot set
    /// headers).
    EventStream,
    /// A WebSocket upgrade, answered by the route's handler. The token may come as `?token=`
    /// (a browser's `WebSocket` cannot set headers).
    WebSocket,
}

impl Kind {
    /// Whether the bearer token may come in the query string.
    pub fn token_in_query(self) -> bool {
        self != Kind::Plain
    }
}

/// What a route does with a [`Call`]: a function pointer, so that every route names one.
pub type Handler = for<'a> fn(&'a Call<'a>) -> BoxFuture<'a, ApiResult>;

/// A handler's answer that was ready at once, as the future a [`Handler`] returns.
pub fn ready<'a>(result: ApiResult) -> BoxFuture<'a, ApiResult> {
    Box::pin(std::future::ready(result))
}

/// One route.
#[derive(Clone, Copy)]
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
    /// How it answers.
    pub kind: Kind,
    /// What answers it.
    pub handler: Handler,
}

impl std::fmt::Debug for RouteDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.template)
    }
}

/// A `GET` route of plain requests.
pub const fn get(
    template: &'static str,
    access: Access,
    summary: &'static str,
    handler: Handler,
) -> RouteDef {
    RouteDef {
        method: "GET",
        template,
        access,
        summary,
        body: None,
        kind: Kind::Plain,
        handler,
    }
}

/// A `POST` route for operators, without a body.
pub const fn post(template: &'static str, summary: &'static str, handler: Handler) -> RouteDef {
    RouteDef {
        method: "POST",
        template,
        access: Access::Operate,
        summary,
        body: None,
        kind: Kind::Plain,
        handler,
    }
}

/// A WebSocket upgrade that hyper offers for a request, carried through warp (whose own
/// filter for it is private) to the route's handler, which takes it at most once.
#[derive(Clone)]
pub struct Upgrade(Arc<Mutex<Option<OnUpgrade>>>);

impl Upgrade {
    pub(super) fn new(on: OnUpgrade) -> Self {
        // std Mutex: taken once, by the one handler of the request, never across an await.
        Self(Arc::new(Mutex::new(Some(on))))
    }
}

/// One call of a route: everything its handler may read. The dispatcher has already
/// authorised it, read its body (or drained it, for routes that take none) and will add the
/// request id, the access-log line and the metrics to whatever the handler answers.
pub struct Call<'r> {
    /// The service.
    pub app: &'r Arc<App>,
    /// The template's parameters, in order.
    pub params: Vec<String>,
    /// The raw query string (see `http::query` for reading it).
    pub query: &'r str,
    /// The request headers.
    pub headers: &'r HeaderMap,
    /// The body, for routes that take one (empty otherwise).
    pub body: Bytes,
    /// The credentials the request came with (`Bearer …`, from the header or, where the
    /// route allows, `?token=`).
    pub(super) credentials: Option<String>,
    /// The connection's upgrade, when hyper offers one (an `Upgrade:` request).
    pub(super) upgrade: Option<Upgrade>,
}

impl Call<'_> {
    /// The `i`-th template parameter (empty if the template has fewer).
    pub fn param(&self, i: usize) -> &str {
        self.params.get(i).map(String::as_str).unwrap_or_default()
    }

    /// Whether the request's credentials grant `access` (beyond what the route needed).
    pub fn grants(&self, access: Access) -> bool {
        self.app
            .tokens
            .check(access, self.credentials.as_deref())
            .is_ok()
    }

    /// The connection's upgrade, if hyper offered one and nobody took it yet.
    pub fn take_upgrade(&self) -> Option<OnUpgrade> {
        self.upgrade
            .as_ref()?
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

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
