//! The API description is complete and every route in it works: the walk requests each
//! documented operation on a live server (the shutdown route last, since it ends the server)
//! and fails on any that is not routed (the router's 404 or 405) or that has no handler (501,
//! or a body saying so). And what the server routes is documented.

use std::time::Duration;

use super::util::Server;

/// A request body every POST route can read (the config route even accepts it).
const BODY: &str = "{\"SEARCH_TIMEOUT\": \"60\"}";

/// The route that ends the server, requested last.
const SHUTDOWN: &str = "/api/system/shutdown";

/// `template` with each parameter filled in with something its handler can look up.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|segment| match segment {
            "{path}" => "root/infra/metrics",
            "{app}" => "query",
            "{topic}" => "ext/openapi",
            "{id}" => "0123456789ab",
            other if other.starts_with('{') => {
                panic!("{template}: say here what to put in the new parameter {other}")
            }
            literal => literal,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_documented_operation_is_served_by_its_handler() {
    let mut server = Server::start(&[]);
    let doc = server.get("/api/openapi.json").json();
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = doc["paths"].as_object().unwrap();
    let mut operations: Vec<(String, &str)> = paths
        .iter()
        .flat_map(|(template, methods)| {
            let methods = methods.as_object().unwrap().keys();
            methods.map(move |method| (method.to_ascii_uppercase(), template.as_str()))
        })
        .collect();
    operations.sort_by_key(|&(_, template)| template == SHUTDOWN);
    for (method, template) in &operations {
        let path = concrete(template);
        let answer = server.call(method, &path, BODY);
        let code = serde_json::from_str::<serde_json::Value>(&answer.body)
            .ok()
            .and_then(|body| body["error"]["code"].as_str().map(str::to_owned))
            .unwrap_or_default();
        assert!(
            answer.status != 501 && !answer.body.to_lowercase().contains("no handler"),
            "{method} {template} has no handler: {} {}",
            answer.status,
            answer.body
        );
        assert!(
            answer.status != 405 && code != "no_route",
            "{method} {template} is documented but not routed: {} {}",
            answer.status,
            answer.body
        );
    }
    assert!(
        operations.len() >= 19,
        "only {} operations documented",
        operations.len()
    );
    assert_eq!(
        operations.last().map(|&(_, template)| template),
        Some(SHUTDOWN),
        "the shutdown route is documented"
    );
    assert_eq!(
        server.wait_exit(Duration::from_secs(20)),
        Some(0),
        "POST {SHUTDOWN} ended the server"
    );
    // The routes the original's users know are all there.
    for known in [
        "/api/status",
        "/api/start/{app}",
        "/api/stop/{app}",
        "/api/output/{app}",
        "/api/config",
    ] {
        assert!(paths.contains_key(known), "{known} missing");
    }
}
