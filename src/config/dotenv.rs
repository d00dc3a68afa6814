//! `.env` files: parsing, and editing that keeps everything else as it was.
//!
//! The original BettaFish keeps its settings in `.env`, edited by hand and by its config page,
//! so ours must keep comments, order, blank lines and keys it does not know. Values are written
//! double-quoted with `\\` and `"` escaped; CR, LF and NUL are refused so no value can smuggle in
//! a line of its own. Files are replaced atomically: a temporary file in the same directory,
//! flushed, then renamed over the old one.

use std::fs;
use std::io::Write;
use std::path::Path;

use thiserror::Error;

/// What can go wrong reading or writing a `.env` file.
#[derive(Debug, Error)]
pub enum DotenvError {
    /// A key that is not `[A-Za-z_][A-Za-z0-9_]*`.
    #[error("`{0}` is not a valid key name")]
    InvalidKey(String),
    /// A value containing CR, LF or NUL.
    #[error("the value of {0} contains a line break or NUL character")]
    InvalidValue(String),
    /// A line that is neither blank, a comment nor `KEY=VALUE`.
    #[error("line {line}: {reason}")]
    Syntax {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Reading or writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// One line of the file, kept verbatim unless its value is replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    raw: String,
    entry: Option<(String, String)>,
}

/// A parsed `.env` file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dotenv {
    lines: Vec<Line>,
}

fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses a value as written after `=`.
fn parse_value(text: &str, line: usize) -> Result<String, DotenvError> {
    let text = text.trim();
    let syntax = |reason: &str| DotenvError::Syntax {
        line,
        reason: reason.to_owned(),
    };
    if let Some(rest) = text.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars();
        loop {
            match chars.next() {
                None => return Err(syntax("unterminated double quote")),
                Some('"') => break,
                Some('\\') => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some(c) => out.push(c),
                    None => return Err(syntax("unterminated double quote")),
                },
                Some(c) => out.push(c),
            }
        }
        let tail = chars.as_str().trim();
        if !tail.is_empty() && !tail.starts_with('#') {
            return Err(syntax("text after the closing quote"));
        }
        Ok(out)
    } else if let Some(rest) = text.strip_prefix('\'') {
        let Some(end) = rest.find('\'') else {
            return Err(syntax("unterminated single quote"));
        };
        let tail = rest[end + 1..].trim();
        if !tail.is_empty() && !tail.starts_with('#') {
            return Err(syntax("text after the closing quote"));
        }
        Ok(rest[..end].to_owned())
    } else {
        // Unquoted: an inline comment starts at " #".
        let value = match text.find(" #") {
            Some(at) => &text[..at],
            None => text,
        };
        Ok(value.trim().to_owned())
    }
}

/// Quotes a value so that [`parse_value`] reads it back unchanged.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Dotenv {
    /// Parses file contents.
    ///
    /// # Errors
    /// [`DotenvError::Syntax`] naming the first bad line.
    pub fn parse(text: &str) -> Result<Self, DotenvError> {
        let mut lines = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let trimmed = raw.trim();
            let entry = if trimmed.is_empty() || trimmed.starts_with('#') {
                None
            } else {
                let body = trimmed.strip_prefix("export ").unwrap_or(trimmed);
                let Some((key, value)) = body.split_once('=') else {
                    return Err(DotenvError::Syntax {
                        line: index + 1,
                        reason: "expected KEY=VALUE".into(),
                    });
                };
                let key = key.trim();
                if !valid_key(key) {
                    return Err(DotenvError::Syntax {
                        line: index + 1,
                        reason: format!("`{key}` is not a valid key name"),
                    });
                }
                Some((key.to_owned(), parse_value(value, index + 1)?))
            };
            lines.push(Line {
                raw: raw.to_owned(),
                entry,
            });
        }
        Ok(Self { lines })
    }

    /// Reads and parses `path`; a missing file is an empty one.
    ///
    /// # Errors
    /// [`DotenvError::Io`], [`DotenvError::Syntax`].
    pub fn load(path: &Path) -> Result<Self, DotenvError> {
        match fs::read_to_string(path) {
            Ok(text) => Self::parse(&text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(DotenvError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// The value of `key` (the last assignment wins, as in a shell).
    #[cfg(test)]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.lines.iter().rev().find_map(|l| {
            l.entry
                .as_ref()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        })
    }

    /// Every assignment, in file order (later duplicates after earlier ones).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.lines
            .iter()
            .filter_map(|l| l.entry.as_ref().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// Sets `key` to `value`: the first assignment is rewritten in place, later duplicates are
    /// dropped, and a new key is appended at the end.
    ///
    /// # Errors
    /// [`DotenvError::InvalidKey`], [`DotenvError::InvalidValue`].
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), DotenvError> {
        if !valid_key(key) {
            return Err(DotenvError::InvalidKey(key.to_owned()));
        }
        if value.contains(['\r', '\n', '\0']) {
            return Err(DotenvError::InvalidValue(key.to_owned()));
        }
        let line = Line {
            raw: format!("{key}={}", quote(value)),
            entry: Some((key.to_owned(), value.to_owned())),
        };
        let mut replaced = false;
        self.lines.retain_mut(|l| {
            if l.entry.as_ref().is_some_and(|(k, _)| k == key) {
                if replaced {
                    return false;
                }
                *l = line.clone();
                replaced = true;
            }
            true
        });
        if !replaced {
            self.lines.push(line);
        }
        Ok(())
    }

    /// The file's text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(&line.raw);
            out.push('\n');
        }
        out
    }

    /// Writes the file atomically, keeping the old file's permissions (0600 for a new one: it
    /// holds secrets).
    ///
    /// # Errors
    /// [`DotenvError::Io`].
    pub fn save(&self, path: &Path) -> Result<(), DotenvError> {
        let io = |source| DotenvError::Io {
            path: path.display().to_string(),
            source,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| ".env".into());
        let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
        let permissions = fs::metadata(path).map(|m| m.permissions()).ok();
        let result = (|| {
            let mut file = fs::File::create(&tmp)?;
            match permissions {
                Some(p) => fs::set_permissions(&tmp, p)?,
                None => {
                    use std::os::unix::fs::PermissionsExt;
                    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600))?;
                }
            }
            file.write_all(self.render().as_bytes())?;
            file.sync_all()?;
            fs::rename(&tmp, path)?;
            // The rename is durable once the directory is.
            if let Ok(d) = fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(io)
    }
}

#[cfg(test)]
mod tests;
