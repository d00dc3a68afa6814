//! Access tokens: an operator token for mutating routes, a viewer token for read routes when the
//! server is not bound to loopback. Only SHA-256 hashes are kept; comparison is constant-time.
//!
//! With no operator token configured, the first start generates one, writes it to
//! `<data dir>/operator.token` (mode 0600) for the operator and its hash to
//! `operator.token.sha256`; later starts read the hash, so deleting the token file after saving
//! the token elsewhere is fine.

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use thiserror::Error;

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (health checks, metrics).
    Public,
    /// A viewer or operator token, unless reads are open (loopback).
    Read,
    /// The operator token.
    Operate,
}

/// Which of the two tokens a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The operator token.
    Operator,
    /// The viewer token.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 2] = [Role::Operator, Role::Viewer];
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Denied {
    /// No `Authorization: Bearer` token.
    #[error("this route needs a bearer token")]
    Missing,
    /// A token that is not the right one for this route.
    #[error("the token does not grant this")]
    Forbidden,
}

/// Token setup problems.
#[derive(Debug, Error)]
pub enum TokenError {
    /// Reading or writing a token file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The stored hash is not 64 hex digits.
    #[error("{0}: not a SHA-256 hash")]
    BadHash(PathBuf),
}

type Hash = [u8; 32];

fn hash(token: &str) -> Hash {
    Sha256::digest(token.as_bytes()).into()
}

fn equal(a: &Hash, b: &Hash) -> bool {
    // Constant time: no early exit on the first differing byte.
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The hashes requests are checked against.
#[derive(Debug, Clone)]
pub struct Tokens {
    operator: Hash,
    viewer: Option<Hash>,
    open_reads: bool,
}

/// Where the operator token came from, for the start-up log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperatorTokenOrigin {
    /// `BETTAFISH_OPERATOR_TOKEN`.
    Configured,
    /// The stored hash of an earlier start.
    Stored(PathBuf),
    /// Generated now and written to this file.
    Generated(PathBuf),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> TokenError + '_ {
    move |source| TokenError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write_private(path: &Path, contents: &str) -> Result<(), TokenError> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(io_err(path))?;
    file.write_all(contents.as_bytes()).map_err(io_err(path))?;
    file.sync_all().map_err(io_err(path))
}

fn parse_hex(text: &str) -> Option<Hash> {
    let text = text.trim();
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random token: 32 bytes from the OS, hex-encoded.
///
/// # Errors
/// The OS random source failed.
pub fn generate_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(to_hex(&bytes))
}

impl Tokens {
    /// Sets up the tokens: the configured operator token, or the stored hash, or a new token.
    ///
    /// # Errors
    /// [`TokenError`] when token files cannot be read or written.
    pub fn init(
        data_dir: &Path,
        operator: Option<&str>,
        viewer: Option<&str>,
        open_reads: bool,
    ) -> Result<(Self, OperatorTokenOrigin), TokenError> {
        let hash_path = data_dir.join("operator.token.sha256");
        let token_path = data_dir.join("operator.token");
        let (operator_hash, origin) = if let Some(token) = operator {
            (hash(token), OperatorTokenOrigin::Configured)
        } else {
            match fs::read_to_string(&hash_path) {
                Ok(text) => (
                    parse_hex(&text).ok_or_else(|| TokenError::BadHash(hash_path.clone()))?,
                    OperatorTokenOrigin::Stored(token_path),
                ),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    let token = generate_token().map_err(|e| TokenError::Io {
                        path: token_path.clone(),
                        source: std::io::Error::other(e.to_string()),
                    })?;
                    write_private(&token_path, &format!("{token}\n"))?;
                    let digest = hash(&token);
                    write_private(&hash_path, &format!("{}\n", to_hex(&digest)))?;
                    (digest, OperatorTokenOrigin::Generated(token_path))
                }
                Err(source) => {
                    return Err(TokenError::Io {
                        path: hash_path,
                        source,
                    })
                }
            }
        };
        Ok((
            Self {
                operator: operator_hash,
                viewer: viewer.map(hash),
                open_reads,
            },
            origin,
        ))
    }

    /// Checks an `Authorization` header value against what `access` needs.
    ///
    /// # Errors
    /// [`Denied::Missing`] without a bearer token where one is needed; [`Denied::Forbidden`]
    /// for a token that does not grant the access.
    pub fn check(&self, access: Access, authorization: Option<&str>) -> Result<(), Denied> {
        if access == Access::Public || (access == Access::Read && self.open_reads) {
            return Ok(());
        }
        let role = self.role(bearer(authorization).ok_or(Denied::Missing)?);
        match (access, role) {
            (Access::Operate, Some(Role::Operator)) => Ok(()),
            (Access::Read, Some(_)) => Ok(()),
            _ => Err(Denied::Forbidden),
        }
    }

    /// The role of the token an `Authorization` value carries, if it is one of ours.
    pub fn role_of(&self, authorization: Option<&str>) -> Option<Role> {
        self.role(bearer(authorization)?)
    }

    fn role(&self, token: &str) -> Option<Role> {
        let given = hash(token);
        // Both compared, in constant time, whichever matches.
        let is_operator = equal(&given, &self.operator);
        let is_viewer = self.viewer.as_ref().is_some_and(|v| equal(&given, v));
        if is_operator {
            Some(Role::Operator)
        } else if is_viewer {
            Some(Role::Viewer)
        } else {
            None
        }
    }
}

/// The token of a `Bearer` `Authorization` value, if there is one.
fn bearer(authorization: Option<&str>) -> Option<&str> {
    authorization
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests;
