//! Platform names spelled one way: the crawlers' codes (`wb`, `xhs`, `dy`…) and their long
//! forms (`weibo`) become one canonical code, shown by one display name per language.

/// The canonical code of a platform as a crawler or search provider named it (`wb` and
/// `weibo` → `weibo`); an unknown name is kept, lowercased and trimmed.
pub fn canonical(name: &str) -> String {
    let _ = name;
    todo!("H-writer")
}

/// The display name of a canonical code (`weibo` → `微博` / `Weibo`).
pub fn display(code: &str, zh: bool) -> String {
    let _ = (code, zh);
    todo!("H-writer")
}
