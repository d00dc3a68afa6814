//! Who may address the server and from which web pages: the `Host` checks, the same-origin rule
//! for WebSocket upgrades, and CORS (off unless configured).
//!
//! Why each exists:
//! - **Host.** HTTP/1.1 requires exactly one `Host`; a request with none or two is malformed, and
//!   two are a request-smuggling shape (a proxy and this server may read different ones): 400.
//!   Bound to loopback, reads need no token, so a web page that gets its own name resolved to
//!   127.0.0.1 (DNS rebinding) could read everything as same-origin. Its requests still carry
//!   its name in `Host`, so in that mode only loopback names (`localhost`, 127.0.0.0/8, `[::1]`,
//!   any port) and the names in `BETTAFISH_ALLOWED_HOSTS` are served. The refusal is 421
//!   Misdirected Request rather than 403: the request reached a server that does not answer to
//!   that name — no token would change that, which 403 would suggest.
//! - **WebSocket origins.** Browsers apply no same-origin policy to WebSockets: any page may open
//!   one to 127.0.0.1 and receive the live events. Browsers always send `Origin` on an upgrade,
//!   so an upgrade whose `Origin` is neither this server (the request's own `Host`) nor in
//!   `BETTAFISH_ALLOWED_ORIGINS` is refused with 403 before anything is upgraded. Clients that
//!   are not browsers send no `Origin` and are unaffected.
//! - **CORS.** Off by default (browsers then keep other origins' pages from reading answers).
//!   With `BETTAFISH_CORS_ORIGINS`, preflights from those origins are answered and their
//!   requests get `Access-Control-Allow-*` headers; other origins get nothing.

use std::net::IpAddr;

use warp::http::{header, HeaderMap, HeaderValue, Method, StatusCode};

use super::reply::{self, ApiError, Reply};
use crate::config::OriginSettings;

/// The methods and request headers CORS allows (every route is a GET or a POST).
const CORS_METHODS: &str = "GET, POST";
const CORS_HEADERS: &str = "authorization, content-type, last-event-id, x-request-id";
/// Headers a cross-origin page may read besides the simple ones.
const CORS_EXPOSE: &str = "x-request-id, retry-after";
/// How long a browser may cache a preflight's answer, in seconds.
const CORS_MAX_AGE: &str = "600";

/// The checks, built once from the configuration.
#[derive(Debug, Clone)]
pub struct Guards {
    /// Bound to loopback with reads open: unlisted names are refused.
    loopback_open: bool,
    settings: OriginSettings,
}

impl Guards {
    pub fn new(loopback_open: bool, settings: OriginSettings) -> Self {
        Self {
            loopback_open,
            settings,
        }
    }

    /// Whether CORS is on.
    pub fn cors(&self) -> bool {
        !self.settings.cors_origins.is_empty()
    }

    /// Checks `Host`: exactly one on HTTP/1.1 (at most one before), naming this server —
    /// except for a `probe` (`/healthz`, `/readyz`, `/metrics`), whose name is not checked:
    /// load balancers and Prometheus address the server by IP, and the DNS-rebinding concern is
    /// about the routes that carry data.
    ///
    /// # Errors
    /// 400 `bad_host` for a missing or doubled `Host`; 421 `unknown_host` for a name not
    /// served.
    pub fn check_host(
        &self,
        headers: &HeaderMap,
        http11: bool,
        probe: bool,
    ) -> Result<(), ApiError> {
        let mut hosts = headers.get_all(header::HOST).iter();
        let host = match (hosts.next(), hosts.next()) {
            (Some(host), None) => host,
            (None, _) if !http11 => return Ok(()),
            (None, _) => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_host",
                    "an HTTP/1.1 request needs a Host header",
                ))
            }
            (Some(_), Some(_)) => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_host",
                    "a request may have only one Host header",
                ))
            }
        };
        let name = host
            .to_str()
            .ok()
            .and_then(|h| split_authority(h).map(|(name, _)| name))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_host",
                    "the Host header is malformed",
                )
            })?;
        if probe {
            return Ok(());
        }
        let listed = self.settings.allowed_hosts.contains(&name);
        let served = if self.loopback_open {
            listed || is_loopback_name(&name)
        } else {
            listed || self.settings.allowed_hosts.is_empty()
        };
        if served {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::MISDIRECTED_REQUEST,
                "unknown_host",
                format!(
                    "this server does not answer to the name `{name}`; list it in BETTAFISH_ALLOWED_HOSTS"
                ),
            ))
        }
    }

    /// Checks a WebSocket upgrade's `Origin`: absent, this server's own, or allowed.
    ///
    /// # Errors
    /// 403 `origin_not_allowed`.
    pub fn check_ws_origin(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let Some(origin) = headers.get(header::ORIGIN) else {
            return Ok(());
        };
        let origin = origin.to_str().unwrap_or("").trim().to_ascii_lowercase();
        let own = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|host| same_origin(&origin, host));
        if own || self.settings.allowed_origins.contains(&origin) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "WebSockets are open to this server's own pages and the origins in BETTAFISH_ALLOWED_ORIGINS only",
            ))
        }
    }

    /// The request's `Origin` if CORS allows it, for the response's headers.
    fn cors_origin(&self, headers: &HeaderMap) -> Option<HeaderValue> {
        let origin = headers.get(header::ORIGIN)?;
        let text = origin.to_str().ok()?.trim().to_ascii_lowercase();
        self.settings
            .cors_origins
            .contains(&text)
            .then(|| origin.clone())
    }

    /// The answer to a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`), when
    /// CORS is on; None for any other request.
    pub fn preflight(&self, method: &Method, headers: &HeaderMap) -> Option<Reply> {
        if !self.cors()
            || *method != Method::OPTIONS
            || !headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            return None;
        }
        let Some(origin) = self.cors_origin(headers) else {
            return Some(reply::error(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "cross-origin requests are open to the origins in BETTAFISH_CORS_ORIGINS only",
            ));
        };
        let mut response =
            reply::with_type(StatusCode::NO_CONTENT, bytes::Bytes::new(), "text/plain");
        let out = response.headers_mut();
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        out.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(CORS_METHODS),
        );
        out.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(CORS_HEADERS),
        );
        out.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(CORS_MAX_AGE),
        );
        out.insert(header::VARY, HeaderValue::from_static("origin"));
        Some(response)
    }

    /// Adds the CORS headers to a response for an allowed origin.
    pub fn add_cors_headers(&self, request: &HeaderMap, response: &mut Reply) {
        if !self.cors() {
            return;
        }
        let out = response.headers_mut();
        // Whatever the origin, the answer depends on it: caches must not mix them.
        out.append(header::VARY, HeaderValue::from_static("origin"));
        if let Some(origin) = self.cors_origin(request) {
            out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            out.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(CORS_EXPOSE),
            );
        }
    }
}

/// `host[:port]` split into the lower-cased name (IPv6 kept in brackets, a trailing dot
/// dropped) and the port; None if malformed.
fn split_authority(authority: &str) -> Option<(String, Option<u16>)> {
    let authority = authority.trim();
    let (name, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?.parse().ok()?),
        };
        // The canonical spelling, as the allow-list holds it: `[2001:DB8:0::1]` is `[2001:db8::1]`.
        let inside = match inside.parse::<std::net::Ipv6Addr>() {
            Ok(ip) => ip.to_string(),
            Err(_) => inside.to_owned(),
        };
        (format!("[{inside}]"), port)
    } else {
        match authority.rsplit_once(':') {
            Some((name, port)) => (name.to_owned(), Some(port.parse().ok()?)),
            None => (authority.to_owned(), None),
        }
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    (!name.is_empty()).then_some((name, port))
}

/// `localhost`, or a loopback address (127.0.0.0/8, `[::1]`).
fn is_loopback_name(name: &str) -> bool {
    name == "localhost"
        || name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `origin` (`scheme://host[:port]`, lower case) is the server that `host` names,
/// a missing port being the scheme's default.
fn same_origin(origin: &str, host: &str) -> bool {
    let (authority, default_port) = if let Some(rest) = origin.strip_prefix("http://") {
        (rest, 80)
    } else if let Some(rest) = origin.strip_prefix("https://") {
        (rest, 443)
    } else {
        return false;
    };
    match (split_authority(authority), split_authority(host)) {
        (Some((origin_name, origin_port)), Some((host_name, host_port))) => {
            origin_name == host_name
                && origin_port.unwrap_or(default_port) == host_port.unwrap_or(default_port)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    //! The name and origin comparisons; the checks end to end are in
    //! tests/integration/guards.rs.
    use super::*;

    #[test]
    fn authorities_split_into_name_and_port() {
        assert_eq!(
            split_authority("LocalHost:5000"),
            Some(("localhost".into(), Some(5000)))
        );
        assert_eq!(
            split_authority("[::1]:80"),
            Some(("[::1]".into(), Some(80)))
        );
        assert_eq!(split_authority("[::1]"), Some(("[::1]".into(), None)));
        assert_eq!(
            split_authority("[2001:DB8:0::1]:8080"),
            Some(("[2001:db8::1]".into(), Some(8080)))
        );
        assert_eq!(
            split_authority("example.com."),
            Some(("example.com".into(), None))
        );
        assert_eq!(split_authority("a:b"), None);
        assert_eq!(split_authority(""), None);
    }

    #[test]
    fn loopback_names_only() {
        for name in ["localhost", "127.0.0.1", "127.1.2.3", "[::1]"] {
            assert!(is_loopback_name(name), "{name}");
        }
        for name in [
            "evil.example",
            "localhost.evil.example",
            "10.0.0.1",
            "0.0.0.0",
        ] {
            assert!(!is_loopback_name(name), "{name}");
        }
    }

    #[test]
    fn same_origin_compares_name_and_port() {
        assert!(same_origin("http://127.0.0.1:5000", "127.0.0.1:5000"));
        assert!(same_origin("http://localhost", "localhost:80"));
        assert!(!same_origin("https://localhost", "localhost:80"));
        assert!(!same_origin("http://127.0.0.1:5001", "127.0.0.1:5000"));
        assert!(!same_origin("http://evil.example:5000", "127.0.0.1:5000"));
        assert!(!same_origin("null", "127.0.0.1:5000"));
    }

    #[test]
    fn hosts_are_refused_on_loopback_unless_listed() {
        let headers = |host: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
            h
        };
        let open = Guards::new(true, OriginSettings::default());
        assert!(open
            .check_host(&headers("127.0.0.1:5000"), true, false)
            .is_ok());
        let refused = open
            .check_host(&headers("evil.example:5000"), true, false)
            .unwrap_err();
        assert_eq!(refused.status, StatusCode::MISDIRECTED_REQUEST);
        let listed = Guards::new(
            true,
            OriginSettings {
                allowed_hosts: vec!["bettafish.lan".into()],
                ..OriginSettings::default()
            },
        );
        assert!(listed
            .check_host(&headers("BettaFish.lan:5000"), true, false)
            .is_ok());
        let off_loopback = Guards::new(false, OriginSettings::default());
        assert!(off_loopback
            .check_host(&headers("evil.example"), true, false)
            .is_ok());
        assert!(off_loopback
            .check_host(&HeaderMap::new(), false, false)
            .is_ok());
        // Probes answer to any name, but still need a Host on HTTP/1.1.
        assert!(open
            .check_host(&headers("10.1.2.3:5000"), true, true)
            .is_ok());
        assert!(open.check_host(&HeaderMap::new(), true, true).is_err());
        let ipv6 = Guards::new(
            false,
            OriginSettings {
                allowed_hosts: vec!["[2001:db8::1]".into()],
                ..OriginSettings::default()
            },
        );
        assert!(ipv6
            .check_host(&headers("[2001:db8::1]:5000"), true, false)
            .is_ok());
        assert!(ipv6
            .check_host(&headers("other.example"), true, false)
            .is_err());
        assert_eq!(
            off_loopback
                .check_host(&HeaderMap::new(), true, false)
                .unwrap_err()
                .status,
            StatusCode::BAD_REQUEST
        );
    }
}
