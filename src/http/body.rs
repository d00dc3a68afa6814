//! Request bodies: read up to the configured size and time limits for routes that take one,
//! and drained for routes that do not, so the connection stays usable.

use std::time::Duration;

use bytes::{Buf, BytesMut};
use futures_util::{Stream, StreamExt};
use warp::http::{header, HeaderMap, StatusCode};

use super::reply::ApiError;
use crate::service::App;

/// Reads a body up to the configured size, within `BETTAFISH_BODY_TIMEOUT_MS`.
pub async fn read<S, B>(
    app: &App,
    headers: &HeaderMap,
    mut body: S,
) -> Result<bytes::Bytes, ApiError>
where
    S: Stream<Item = Result<B, warp::Error>> + Unpin + Send,
    B: Buf,
{
    let limit = app.config().max_body_bytes;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("request bodies are limited to {limit} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let within = app.config().connections.body_timeout;
    let read_all = async {
        let mut buffer = BytesMut::new();
        while let Some(chunk) = body.next().await {
            let mut chunk = chunk
                .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_body", e.to_string()))?;
            if buffer.len() as u64 + chunk.remaining() as u64 > limit {
                return Err(too_large());
            }
            while chunk.has_remaining() {
                let part = chunk.chunk();
                buffer.extend_from_slice(part);
                let n = part.len();
                chunk.advance(n);
            }
        }
        Ok(buffer.freeze())
    };
    // A body trickled in would otherwise hold its connection (and a place under the cap) for
    // as long as the client likes: the request timeout only starts once the body is read.
    tokio::time::timeout(within, read_all)
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "body_timeout",
                format!(
                    "the request body did not arrive within {} ms (BETTAFISH_BODY_TIMEOUT_MS)",
                    within.as_millis()
                ),
            ))
        })
}

/// How long a body nobody will use may take to arrive.
const DRAIN_WITHIN: Duration = Duration::from_secs(2);

/// Reads and drops a body that will not be used (`curl -d '{}'` on a command, a request
/// refused before it runs): a body left unread makes hyper close the connection after the
/// answer, which a keep-alive client may only notice when its next request fails. Returns
/// whether the body was read to its end; when it was not — it asked to be invited
/// (`Expect: 100-continue`, so it is never invited), is larger than the body limit, or takes
/// longer than a moment to arrive — the answer must close the connection.
pub async fn drain<S, B>(app: &App, headers: &HeaderMap, mut body: S) -> bool
where
    S: Stream<Item = Result<B, warp::Error>> + Unpin + Send,
    B: Buf,
{
    let limit = app.config().max_body_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if headers.contains_key(header::EXPECT) || declared.is_some_and(|n| n > limit) {
        return false;
    }
    let read_all = async {
        let mut read = 0u64;
        while let Some(chunk) = body.next().await {
            let Ok(chunk) = chunk else { return false };
            read += chunk.remaining() as u64;
            if read > limit {
                return false;
            }
        }
        true
    };
    tokio::time::timeout(DRAIN_WITHIN, read_all)
        .await
        .unwrap_or(false)
}
