//! Files only this user may read: the development secret, the SQLite database and its folder
//! are created private in one step, so there is never a moment when another user could read
//! them.

use std::{io, path::Path};

/// Creates `dir` and its missing parents; folders this creates are `0700`.
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates `path` (which must not exist yet) as `0600` and writes `contents` into it.
pub fn create_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents)
}

/// Opens (creating it `0600` if needed) the lock file `path` and takes its exclusive lock
/// without waiting: `Ok(None)` when another process holds it. The lock lasts as long as the
/// returned file is open, and the system releases it when the process ends, however it ends.
pub fn try_lock_file(path: &Path) -> io::Result<Option<std::fs::File>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn files_and_folders_are_created_private() {
        let root = std::env::temp_dir().join(format!("user-auth-files-{}", std::process::id()));
        let dir = root.join("a/b");
        create_private_dir_all(&dir).unwrap();
        let file = dir.join("secret");
        create_private_file(&file, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.join("a")), 0o700);
        assert_eq!(mode(&file), 0o600);
        assert_eq!(std::fs::read(&file).unwrap(), b"x");
        assert!(
            create_private_file(&file, b"y").is_err(),
            "an existing file is never overwritten"
        );
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_lock_file_is_held_once() {
        let path = std::env::temp_dir().join(format!("user-auth-lock-{}", std::process::id()));
        let held = try_lock_file(&path).unwrap().expect("free at first");
        assert!(try_lock_file(&path).unwrap().is_none(), "held");
        drop(held);
        assert!(try_lock_file(&path).unwrap().is_some(), "free again");
        std::fs::remove_file(path).unwrap();
    }
}
