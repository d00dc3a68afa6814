//! Query strings, read into typed structs by `serde_urlencoded` (percent- and `+`-decoding
//! included): each handler declares the parameters it reads as a struct of its own, and a
//! value that does not fit is a 400 that says which and why.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use warp::http::StatusCode;

use super::reply::ApiError;

/// Reads `query` as `T`; a query that does not fit is 400 `bad_query`.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    serde_urlencoded::from_str(query).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            format!("the query string does not fit: {e}"),
        )
    })
}

/// A whole number in a query string, refused with its own text rather than a parser's words
/// (`` `ten` is not a whole number ``).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Whole<T>(pub T);

impl<'de, T: std::str::FromStr> Deserialize<'de> for Whole<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map(Whole).map_err(|_| {
            D::Error::custom(format!(
                "`{}` is not a whole number",
                text.chars().take(32).collect::<String>()
            ))
        })
    }
}

/// `?limit=N`.
#[derive(Debug, Deserialize)]
struct LimitQuery {
    limit: Option<Whole<u32>>,
}

/// `limit` checked to be in `1..=max`, `default` when absent; 400 `bad_limit` otherwise.
pub fn checked_limit(limit: Option<u32>, default: u32, max: u32) -> Result<u32, ApiError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(bad_limit(max)),
    }
}

fn bad_limit(max: u32) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_limit",
        format!("limit is 1 to {max}"),
    )
}

/// `?limit=` of `query` as a number in `1..=max`, `default` when absent; 400 `bad_limit`
/// otherwise (for routes whose only parameter is the limit).
pub fn query_limit(query: &str, default: u32, max: u32) -> Result<u32, ApiError> {
    let given: LimitQuery = serde_urlencoded::from_str(query).map_err(|_| bad_limit(max))?;
    checked_limit(given.limit.map(|Whole(n)| n), default, max)
}

/// `?token=`, for the routes that take the bearer token in the query (see
/// `router::Kind::token_in_query`).
#[derive(Debug, Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// The token given as `?token=`, if any (and readable).
pub fn token(query: &str) -> Option<String> {
    serde_urlencoded::from_str::<TokenQuery>(query).ok()?.token
}

#[cfg(test)]
mod tests {
    //! Decoding, defaults and the refusals, as the handlers see them.
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sample {
        topics: Option<String>,
        tail: Option<Whole<usize>>,
    }

    #[test]
    fn values_are_decoded_and_unknown_parameters_ignored() {
        let sample: Sample = parse("topics=report%2F*,a+b&other=1&tail=5").unwrap();
        assert_eq!(
            sample,
            Sample {
                topics: Some("report/*,a b".into()),
                tail: Some(Whole(5))
            }
        );
        let none: Sample = parse("").unwrap();
        assert_eq!((none.topics, none.tail), (None, None));
        assert_eq!(token("topics=a&token=x%2By").as_deref(), Some("x+y"));
        assert_eq!(token("topics=a"), None);
    }

    #[test]
    fn values_that_do_not_fit_are_refused_clearly() {
        let bad = parse::<Sample>("tail=ten").unwrap_err();
        assert_eq!(
            (bad.status, bad.code),
            (StatusCode::BAD_REQUEST, "bad_query")
        );
        assert!(
            bad.message.contains("`ten` is not a whole number"),
            "{}",
            bad.message
        );
        let twice = parse::<Sample>("tail=1&tail=2").unwrap_err();
        assert!(
            twice.message.contains("duplicate field `tail`"),
            "{}",
            twice.message
        );
        for bad in ["limit=0", "limit=1001", "limit=x", "limit="] {
            let refused = query_limit(bad, 20, 1000).unwrap_err();
            assert_eq!(refused.code, "bad_limit", "{bad}");
        }
        assert_eq!(query_limit("", 20, 1000).unwrap(), 20);
        assert_eq!(query_limit("limit=1000", 20, 1000).unwrap(), 1000);
    }
}
