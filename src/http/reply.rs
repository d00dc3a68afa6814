//! Responses: JSON bodies, and errors as `{success:false, error:{code, message}}` with a fitting
//! status code — never a 200 carrying a failure.

use bytes::Bytes;
use serde::Serialize;
use warp::http::{header, HeaderValue, Response, StatusCode};

/// A finished response.
pub type Reply = warp::reply::Response;

/// A successful answer: `success: true` beside the body's own fields (as the original's
/// answers are).
#[derive(Serialize)]
struct Success<T> {
    success: bool,
    #[serde(flatten)]
    body: T,
}

/// A successful JSON answer, `{"success": true, …body}`.
pub fn success<T: Serialize>(status: StatusCode, body: T) -> Reply {
    json(
        status,
        &Success {
            success: true,
            body,
        },
    )
}

/// A JSON response.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Reply {
    match serde_json::to_vec(value) {
        Ok(body) => with_type(status, body, "application/json"),
        Err(err) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "serialize",
            &err.to_string(),
        ),
    }
}

/// A body of the given content type.
pub fn with_type(status: StatusCode, body: impl Into<Bytes>, content_type: &'static str) -> Reply {
    let mut response = Response::new(body.into().into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    success: bool,
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

/// An error response.
pub fn error(status: StatusCode, code: &str, message: &str) -> Reply {
    let body = ErrorBody {
        success: false,
        error: ErrorDetail { code, message },
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    with_type(status, bytes, "application/json")
}

/// An error that a handler returns; turned into [`error`] by the dispatcher.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    pub fn into_reply(self) -> Reply {
        error(self.status, self.code, &self.message)
    }
}

impl From<crate::auth::Denied> for ApiError {
    fn from(denied: crate::auth::Denied) -> Self {
        match denied {
            crate::auth::Denied::Missing => {
                Self::new(StatusCode::UNAUTHORIZED, "unauthorized", denied.to_string())
            }
            crate::auth::Denied::Forbidden => {
                Self::new(StatusCode::FORBIDDEN, "forbidden", denied.to_string())
            }
        }
    }
}

impl From<storage::StorageError> for ApiError {
    fn from(err: storage::StorageError) -> Self {
        use storage::StorageError as E;
        match err {
            E::Unavailable(_) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                err.to_string(),
            ),
            E::Invalid(_) => Self::new(StatusCode::BAD_REQUEST, "invalid", err.to_string()),
            other => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "storage_error",
                other.to_string(),
            ),
        }
    }
}

impl From<supervision::SupervisorError> for ApiError {
    fn from(err: supervision::SupervisorError) -> Self {
        use supervision::SupervisorError as E;
        let (status, code) = match &err {
            E::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            E::NotASupervisor(_) | E::Unsupported { .. } => (StatusCode::CONFLICT, "unsupported"),
            E::AlreadyExists(_) => (StatusCode::CONFLICT, "already_exists"),
            E::MaxChildren { .. } => (StatusCode::TOO_MANY_REQUESTS, "max_children"),
            E::StartFailed { .. } => (StatusCode::CONFLICT, "start_failed"),
            E::InvalidSpec(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_spec"),
            E::Unavailable(_) | E::Timeout(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        };
        Self::new(status, code, err.to_string())
    }
}

/// What handlers return.
pub type ApiResult = Result<Reply, ApiError>;
