//! The API description is complete: every documented operation is answered by a route on the
//! live server (not the router's 404 or 405), and what the server routes is documented.

use super::util::Server;

#[test]
fn every_documented_operation_is_served() {
    let server = Server::start(&[]);
    let doc = server.get("/api/openapi.json").json();
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (template, methods) in paths {
        for method in methods.as_object().unwrap().keys() {
            let path = template
                .replace("{path}", "root/infra/metrics")
                .replace("{app}", "query")
                .replace("{topic}", "ext/openapi");
            if path == "/api/events" || path == "/ws" {
                // Streams: their own tests open them; here a plain GET must still be routed.
                let answer = server.get(&format!("{path}?topics=ext/openapi&last_event_id=bad"));
                assert!(
                    answer.status != 405 && answer.code() != "no_route",
                    "{path}: {}",
                    answer.body
                );
                operations += 1;
                continue;
            }
            if path == "/api/system/shutdown" {
                continue; // exercised by the lifecycle tests; it would end this server
            }
            let answer = match method.as_str() {
                "get" => server.get(&path),
                "post" => server.post_raw(
                    &path,
                    Some(&server.token.clone()),
                    "{\"SEARCH_TIMEOUT\": \"60\"}",
                ),
                other => panic!("unexpected method {other}"),
            };
            let code = if answer.status >= 400 {
                answer.code()
            } else {
                String::new()
            };
            assert!(
                answer.status != 405 && code != "no_route",
                "{method} {path} is documented but not routed: {} {}",
                answer.status,
                answer.body
            );
            operations += 1;
        }
    }
    assert!(operations >= 19, "only {operations} operations documented");
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
