//! Token generation, storage and checks.

use std::os::unix::fs::PermissionsExt;

use super::{Access, Denied, OperatorTokenOrigin, Tokens};

#[test]
fn first_start_generates_a_private_token_and_keeps_only_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let (tokens, origin) = Tokens::init(dir.path(), None, None, true).unwrap();
    let path = match origin {
        OperatorTokenOrigin::Generated(p) => p,
        other => panic!("{other:?}"),
    };
    let token = std::fs::read_to_string(&path).unwrap().trim().to_owned();
    assert_eq!(token.len(), 64);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let stored = std::fs::read_to_string(dir.path().join("operator.token.sha256")).unwrap();
    assert!(!stored.contains(&token));
    assert_eq!(
        tokens.check(Access::Operate, Some(&format!("Bearer {token}"))),
        Ok(())
    );
    // A second start reads the hash; the same token still works, even without the token file.
    std::fs::remove_file(&path).unwrap();
    let (again, origin) = Tokens::init(dir.path(), None, None, true).unwrap();
    assert!(matches!(origin, OperatorTokenOrigin::Stored(_)));
    assert_eq!(
        again.check(Access::Operate, Some(&format!("Bearer {token}"))),
        Ok(())
    );
}

#[test]
fn checks_by_access_level() {
    let dir = tempfile::tempdir().unwrap();
    let (closed, _) = Tokens::init(dir.path(), Some("op"), Some("view"), false).unwrap();
    assert_eq!(closed.check(Access::Public, None), Ok(()));
    assert_eq!(closed.check(Access::Read, None), Err(Denied::Missing));
    assert_eq!(closed.check(Access::Read, Some("Bearer view")), Ok(()));
    assert_eq!(closed.check(Access::Read, Some("Bearer op")), Ok(()));
    assert_eq!(
        closed.check(Access::Read, Some("Bearer nope")),
        Err(Denied::Forbidden)
    );
    assert_eq!(
        closed.check(Access::Operate, Some("Bearer view")),
        Err(Denied::Forbidden)
    );
    assert_eq!(
        closed.check(Access::Operate, Some("Basic op")),
        Err(Denied::Missing)
    );
    assert_eq!(closed.check(Access::Operate, Some("Bearer op")), Ok(()));
    let (open, _) = Tokens::init(dir.path(), Some("op"), None, true).unwrap();
    assert_eq!(open.check(Access::Read, None), Ok(()));
    assert_eq!(open.check(Access::Operate, None), Err(Denied::Missing));
}
