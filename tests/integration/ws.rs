//! The WebSocket endpoint with a real client: subscribe with resume, ping, operator commands,
//! bad and oversized frames.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use super::util::Server;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(server: &Server, query: &str) -> Ws {
    let url = format!("{}/ws{query}", server.base.replace("http://", "ws://"));
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

async fn send(ws: &mut Ws, value: Value) {
    ws.send(Message::text(value.to_string())).await.unwrap();
}

/// The next JSON text frame (pings answered by the client library).
async fn next(ws: &mut Ws) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn subscribe_receive_resume_and_ping() {
    let server = Server::start(&[]);
    runtime().block_on(async {
        let mut ws = connect(&server, "").await;
        send(&mut ws, json!({"op": "subscribe", "topics": ["ext/w"]})).await;
        let ok = next(&mut ws).await;
        assert_eq!(
            (ok["event"].as_str(), ok["data"]["topics"][0].as_str()),
            (Some("subscribed"), Some("ext/w"))
        );
        let id = server
            .post("/api/events/ext/w", &json!({"type": "tick", "data": 1}))
            .json()["id"]
            .clone();
        let event = next(&mut ws).await;
        assert_eq!(event["event"], "tick");
        assert_eq!(event["topic"], "ext/w");
        assert_eq!(event["id"], id);
        assert_eq!(event["data"], 1);
        send(&mut ws, json!({"op": "ping"})).await;
        assert_eq!(next(&mut ws).await["event"], "pong");
        drop(ws);
        // Missed while away, then resumed with `since`.
        let later = server
            .post("/api/events/ext/w", &json!({"type": "tick", "data": 2}))
            .json()["id"]
            .clone();
        let mut again = connect(&server, "").await;
        send(
            &mut again,
            json!({"op": "subscribe", "topics": "ext/w", "since": id}),
        )
        .await;
        assert_eq!(next(&mut again).await["event"], "subscribed");
        assert_eq!(next(&mut again).await["id"], later);
        // Unsubscribing stops delivery; the connection stays.
        send(
            &mut again,
            json!({"op": "unsubscribe", "topics": ["ext/w"]}),
        )
        .await;
        assert_eq!(next(&mut again).await["data"]["topics"], json!([]));
        server.post("/api/events/ext/w", &json!({"type": "tick", "data": 3}));
        send(&mut again, json!({"op": "ping"})).await;
        assert_eq!(
            next(&mut again).await["event"],
            "pong",
            "no event after unsubscribing"
        );
    });
}

#[test]
fn bad_frames_get_errors_and_the_connection_stays() {
    let server = Server::start(&[]);
    runtime().block_on(async {
        let mut ws = connect(&server, "").await;
        for bad in [
            "not json",
            "{\"op\": \"fly\"}",
            "{\"op\": \"subscribe\", \"topics\": \"a b\"}",
        ] {
            ws.send(Message::text(bad)).await.unwrap();
            let error = next(&mut ws).await;
            assert_eq!(error["event"], "error", "{bad}");
        }
        ws.send(Message::binary(vec![1, 2, 3])).await.unwrap();
        assert_eq!(next(&mut ws).await["event"], "error");
        // Issue 12: a cursor that cannot be read is answered with resync, not an error.
        send(
            &mut ws,
            json!({"op": "subscribe", "topics": "x", "since": "garbage"}),
        )
        .await;
        assert_eq!(next(&mut ws).await["event"], "subscribed");
        assert_eq!(next(&mut ws).await["event"], "resync");
        send(&mut ws, json!({"op": "ping"})).await;
        assert_eq!(next(&mut ws).await["event"], "pong");
    });
}

#[test]
fn operator_commands_need_the_operator_token() {
    let server = Server::start(&[]);
    runtime().block_on(async {
        let mut viewer = connect(&server, "").await;
        send(
            &mut viewer,
            json!({"op": "restart", "path": "root/infra/metrics"}),
        )
        .await;
        assert_eq!(next(&mut viewer).await["data"]["code"], "forbidden");
        let mut operator = connect(&server, &format!("?token={}", server.token)).await;
        send(
            &mut operator,
            json!({"op": "restart", "path": "root/infra/metrics"}),
        )
        .await;
        let result = next(&mut operator).await;
        assert_eq!(result["event"], "result");
        assert_eq!(result["data"]["success"], true);
        assert_eq!(result["data"]["node"]["restarts"], 1);
        send(&mut operator, json!({"op": "stop", "path": "root/nope"})).await;
        let failed = next(&mut operator).await;
        assert_eq!(failed["data"]["success"], false);
    });
    assert_eq!(server.node("root/infra/metrics")["restarts"], 1);
}

#[test]
fn an_oversized_frame_closes_with_1009() {
    let server = Server::start(&[("BETTAFISH_WS_MAX_FRAME_BYTES", "1024")]);
    runtime().block_on(async {
        let mut ws = connect(&server, "").await;
        ws.send(Message::text("x".repeat(4096))).await.unwrap();
        loop {
            match tokio::time::timeout(Duration::from_secs(10), ws.next())
                .await
                .unwrap()
            {
                Some(Ok(Message::Close(Some(frame)))) => {
                    assert_eq!(u16::from(frame.code), 1009);
                    break;
                }
                Some(Ok(_)) => continue,
                other => panic!("expected a 1009 close, got {other:?}"),
            }
        }
    });
}

#[test]
fn the_server_pings() {
    let server = Server::start(&[("BETTAFISH_HEARTBEAT_SECS", "1")]);
    runtime().block_on(async {
        let mut ws = connect(&server, "").await;
        loop {
            match tokio::time::timeout(Duration::from_secs(10), ws.next())
                .await
                .unwrap()
            {
                Some(Ok(Message::Ping(_))) => break,
                Some(Ok(_)) => continue,
                other => panic!("expected a ping, got {other:?}"),
            }
        }
    });
}

/// Issue 11: `/ws` goes through the dispatcher like every route — its refusals are the API's
/// errors with a request id, and every answer, the 101 included, is logged and counted under
/// its route.
#[test]
fn the_websocket_route_is_authorised_logged_and_counted_like_any_route() {
    use tokio_tungstenite::tungstenite::Error;
    let server = Server::start(&[
        ("HOST", "0.0.0.0"),
        ("BETTAFISH_OPERATOR_TOKEN", "op-token"),
        ("BETTAFISH_VIEWER_TOKEN", "view-token"),
    ]);
    let url = format!("{}/ws", server.base.replace("http://", "ws://"));
    runtime().block_on(async {
        for (query, status, code) in [
            ("", 401, "unauthorized"),
            ("?token=wrong", 403, "forbidden"),
        ] {
            let refused = tokio_tungstenite::connect_async(format!("{url}{query}"))
                .await
                .unwrap_err();
            let Error::Http(response) = refused else {
                panic!("{query}: not an HTTP refusal: {refused:?}")
            };
            assert_eq!(response.status().as_u16(), status, "{query}");
            assert!(response.headers().contains_key("x-request-id"), "{query}");
            let body: Value = serde_json::from_slice(response.body().as_deref().unwrap()).unwrap();
            assert_eq!(body["error"]["code"], code, "{query}");
        }
        let (mut ws, response) =
            tokio_tungstenite::connect_async(format!("{url}?token=view-token"))
                .await
                .unwrap();
        assert_eq!(response.status().as_u16(), 101);
        assert!(response.headers().contains_key("x-request-id"));
        send(&mut ws, json!({"op": "ping"})).await;
        assert_eq!(next(&mut ws).await["event"], "pong");
    });
    let counted = |status: &str| {
        server.metric(&format!(
            r#"bettafish_http_requests_total{{method="GET",route="/ws",status="{status}"}}"#
        ))
    };
    assert_eq!(
        (counted("401"), counted("403"), counted("101")),
        (Some(1.0), Some(1.0), Some(1.0))
    );
    let log = server.log();
    for status in ["401", "403", "101"] {
        assert!(
            log.lines().any(|l| l.contains("access")
                && l.contains("route=\"/ws\"")
                && l.contains(&format!("status={status}"))),
            "no access-log line for the {status} on /ws:\n{log}"
        );
    }
    // A plain GET (no upgrade) is answered by the same handler: upgrade required.
    let plain = server.get_as("/ws", "view-token");
    assert_eq!(
        (plain.status, plain.code().as_str()),
        (426, "upgrade_required")
    );
}
