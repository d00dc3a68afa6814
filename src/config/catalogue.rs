//! The catalogue of configuration keys: one flat entry per key, with its default, kind, whether
//! it is a secret, whether `POST /api/config` may set it, and which actor must restart when it
//! changes.
//!
//! Flat entries on purpose (like ripgrep's flag definitions): find a key by its name. They are
//! written in one file per group (`catalogue/service.rs`, `storage.rs`, `engines.rs`,
//! `input.rs`, `search.rs`, `limits.rs`, `realtime.rs`, `connections.rs`), re-exported here as
//! `catalogue::NAME`, and listed together, in that order, in [`KEYS`]. The original
//! BettaFish's keys keep their names; ours are prefixed `BETTAFISH_` or `SUPERVISION_`.
//! Each fixed key is also a constant named exactly like the key ([`PORT`], [`MAX_PARAGRAPHS`]),
//! and the typed settings ([`super::settings`]) read keys only through these constants and
//! through the enums of the generated keys ([`LlmEndpoint`], [`Supervisor`]): a misspelt key
//! does not compile, so it cannot silently read as nothing.

mod generated;

pub use generated::{
    all, find, llm_key, supervision_key, LlmEndpoint, LlmSetting, SupervisionSetting, Supervisor,
};

/// What values a key takes; checked by [`super::validate_value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any single-line text.
    Text,
    /// A host name or IP address to bind or connect to.
    Host,
    /// A TCP port, 0–65535 (0: any free port).
    Port,
    /// An `http(s)://`, `postgres(ql)://`, `sqlite:`, `mysql://` or `redis(s)://` URL.
    Url,
    /// A whole number within bounds.
    Count { min: u64, max: u64 },
    /// `sqlite`, `postgresql`/`postgres`, or `mysql` (refused when used).
    Dialect,
    /// A file-system path.
    Path,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
}

/// Who must act when a key changes at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affects {
    /// Read where it is used; nothing to restart.
    Nothing,
    /// The actor at this path reads it when it starts: restart it.
    Actor(&'static str),
    /// Only read at process start (the listener, the data directory): needs a process restart.
    NextStart,
}

/// One configuration key.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// Its name, as in `.env` and the environment.
    pub name: &'static str,
    /// The built-in default, if any.
    pub default: Option<&'static str>,
    /// Its kind.
    pub kind: Kind,
    /// Masked by `GET /api/config`, never logged.
    pub secret: bool,
    /// Whether `POST /api/config` may set it.
    pub settable: bool,
    /// Who must act when it changes.
    pub affects: Affects,
    /// What it does.
    pub doc: &'static str,
}

// The constructors leave the name empty: [`catalogue!`] fills it in from the constant's name.

const fn key(default: Option<&'static str>, kind: Kind, doc: &'static str) -> Key {
    Key {
        name: "",
        default,
        kind,
        secret: false,
        settable: true,
        affects: Affects::Nothing,
        doc,
    }
}

const fn secret(doc: &'static str) -> Key {
    Key {
        secret: true,
        ..key(None, Kind::Text, doc)
    }
}

const fn secret_url(doc: &'static str) -> Key {
    Key {
        secret: true,
        ..key(None, Kind::Url, doc)
    }
}

const fn at_start(k: Key) -> Key {
    Key {
        affects: Affects::NextStart,
        ..k
    }
}

const fn fixed(k: Key) -> Key {
    Key {
        settable: false,
        ..k
    }
}

const fn restarts(k: Key, path: &'static str) -> Key {
    Key {
        affects: Affects::Actor(path),
        ..k
    }
}

const fn count(default: &'static str, min: u64, max: u64, doc: &'static str) -> Key {
    key(Some(default), Kind::Count { min, max }, doc)
}

/// Declares each key of a group as a constant whose name is the key's name, and the group's
/// list of them in order (`GROUP;` first names it). A key written twice in a group is a compile
/// error (two constants); across groups, two re-exports of one name are.
macro_rules! catalogue {
    ($group:ident; $($(#[$attr:meta])* $name:ident = $key:expr;)*) => {
        $(
            $(#[$attr])*
            #[doc = concat!("The `", stringify!($name), "` key.")]
            pub const $name: Key = Key { name: stringify!($name), ..$key };
        )*
        /// This group's keys, in catalogue order.
        pub(super) const $group: &[Key] = &[$($name),*];
    };
}

// The groups, in catalogue order (declared after the macro, which they use).
mod connections;
mod engines;
mod input;
mod limits;
mod realtime;
mod reports;
mod search;
mod service;
mod storage;

pub use connections::*;
pub use engines::*;
pub use input::*;
pub use limits::*;
pub use realtime::*;
pub use reports::*;
pub use search::*;
pub use service::*;
pub use storage::*;

/// The groups' lists, in catalogue order.
const GROUPS: &[&[Key]] = &[
    service::SERVICE,
    storage::STORAGE,
    engines::ENGINES,
    reports::REPORTS,
    input::INPUT,
    search::SEARCH,
    limits::LIMITS,
    realtime::REALTIME,
    connections::CONNECTIONS,
];

/// Every key with a fixed name, in catalogue order. `SUPERVISION_<SUPERVISOR>_<SETTING>` keys
/// and the LLM endpoints' `<PREFIX>_API_KEY|BASE_URL|MODEL_NAME` are generated ([`generated`]).
pub const KEYS: &[Key] = &ALL_KEYS;

const ALL_KEYS: [Key; key_count(GROUPS)] = concat(GROUPS);

/// How many keys the groups hold.
const fn key_count(groups: &[&[Key]]) -> usize {
    let mut count = 0;
    let mut g = 0;
    while g < groups.len() {
        count += groups[g].len();
        g += 1;
    }
    count
}

/// The groups' keys in one array, in order (at compile time: `KEYS` stays a constant).
const fn concat<const N: usize>(groups: &[&[Key]]) -> [Key; N] {
    let mut all = [key(None, Kind::Text, ""); N];
    let mut at = 0;
    let mut g = 0;
    while g < groups.len() {
        let mut k = 0;
        while k < groups[g].len() {
            all[at] = groups[g][k];
            at += 1;
            k += 1;
        }
        g += 1;
    }
    all
}
