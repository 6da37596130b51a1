//! The one way strided writes a file (`save`, `export ... to`, every PNG):
//! [`write_file`]. It never touches a file the session reads, and never
//! leaves a half-written file or a temporary one behind.
//!
//! The steps, as careful Unix tools take them (`install`, rsync without
//! `--inplace`, SQLite's atomic commit):
//! 1. The target is checked against the files the session reads (same
//!    device and inode, through any path, hard link or symbolic link) and
//!    their sidecars; a match is refused, naming the binding and the file.
//!    A target that exists but is not a regular file (a folder, a device,
//!    a FIFO) is refused too: renaming over it would replace the node.
//! 2. A temporary file is created in the target's folder with an
//!    unpredictable name, exclusively (`O_CREAT | O_EXCL`, so a symbolic
//!    link planted at that name is never followed), by `tempfile`.
//! 3. The data is written through a writer that stops at the first write
//!    after cancellation (Ctrl-C), then flushed and fsynced.
//! 4. Just before the rename the caller may still veto the result (a read
//!    fault patched with zeros while the data was made: the bytes are not
//!    the file's); then the temporary file is renamed over the target (a
//!    symbolic link at the target is replaced, not followed) and the
//!    folder is fsynced so the rename itself is durable.
//!
//! On any error, veto or cancellation the temporary file is removed. While
//! it exists its path is in [`TEMPORARIES`], so that the front end's
//! signal thread removes it before the process ends on SIGINT, SIGTERM or
//! SIGHUP ([`remove_temporaries`]).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A file the session reads: no write may replace it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Protected {
    pub dev: u64,
    pub ino: u64,
    /// What reads it, for the refusal: "`d` views it", "it is the ENVI
    /// header describing `e`".
    pub why: String,
}

/// What a write did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub bytes: u64,
    /// An existing file was replaced (as `np.save` does), said so.
    pub replaced: bool,
}

/// Why a write did not happen. The target is untouched in every case.
#[derive(Debug)]
pub enum WriteError {
    /// The target is a file the session reads.
    Protected {
        why: String,
    },
    /// The target exists and is not a regular file.
    NotRegular {
        what: &'static str,
    },
    /// The target lies outside the folder the session may write in.
    Outside {
        root: PathBuf,
    },
    /// Cancelled (Ctrl-C) before the rename.
    Interrupted,
    /// The caller vetoed the result before the rename (see [`Checks`]).
    Vetoed,
    Io(io::Error),
}

/// The payload of the error [`Cancellable`] returns. Not
/// `ErrorKind::Interrupted`: `write_all` retries those forever.
#[derive(Debug)]
struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Cancelled {}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> WriteError {
        let cancelled = e.get_ref().is_some_and(|r| r.is::<Cancelled>());
        if cancelled || e.kind() == io::ErrorKind::Interrupted {
            WriteError::Interrupted
        } else {
            WriteError::Io(e)
        }
    }
}

/// What the caller lets [`write_file`] ask while it works.
pub struct Checks<'a> {
    /// Files no write may replace.
    pub protected: &'a [Protected],
    /// Whether to stop (Ctrl-C).
    pub cancelled: &'a (dyn Fn() -> bool + Sync),
    /// Whether the data must not be committed (e.g. a read faulted).
    pub veto: &'a dyn Fn() -> bool,
    /// The folder every write must land in, when the session is confined
    /// (a fuzzer, a service running scripts it did not write).
    pub within: Option<&'a Path>,
}

/// Refuses a target whose folder (symbolic links resolved) is not inside
/// `root`.
fn check_within(dir: &Path, root: Option<&Path>) -> Result<(), WriteError> {
    let Some(root) = root else {
        return Ok(());
    };
    let inside = match (dir.canonicalize(), root.canonicalize()) {
        (Ok(d), Ok(r)) => d.starts_with(r),
        _ => false,
    };
    if inside {
        Ok(())
    } else {
        Err(WriteError::Outside {
            root: root.to_path_buf(),
        })
    }
}

/// Temporary files being written now, removed by [`remove_temporaries`].
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every temporary file being written, and keeps the registry
/// locked (no new one can be made) until the process ends. For the signal
/// thread, just before it ends the process.
pub fn remove_temporaries() -> impl Drop {
    let guard = TEMPORARIES.lock().unwrap_or_else(|p| p.into_inner());
    for p in guard.iter() {
        let _ = fs::remove_file(p);
    }
    guard
}

/// The temporary file's entry in [`TEMPORARIES`], dropped with it.
struct Registered(PathBuf);

impl Drop for Registered {
    fn drop(&mut self) {
        let mut reg = TEMPORARIES.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(k) = reg.iter().position(|p| *p == self.0) {
            reg.swap_remove(k);
        }
    }
}

/// A writer that fails with `Interrupted` once cancellation is asked for,
/// so that every format's encoder stops at its next write.
struct Cancellable<'a, W> {
    inner: W,
    cancelled: &'a (dyn Fn() -> bool + Sync),
}

impl<W: Write> Write for Cancellable<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if (self.cancelled)() {
            return Err(io::Error::other(Cancelled));
        }
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// What kind of node a path is, for the refusal; `None` for a regular file.
fn not_regular(meta: &fs::Metadata) -> Option<&'static str> {
    let ft = meta.file_type();
    if ft.is_file() {
        None
    } else if ft.is_dir() {
        Some("a folder")
    } else if ft.is_fifo() {
        Some("a FIFO")
    } else if ft.is_char_device() || ft.is_block_device() {
        Some("a device")
    } else if ft.is_socket() {
        Some("a socket")
    } else {
        Some("not a regular file")
    }
}

/// The protection `path` falls under now, if any (following links).
fn protection<'a>(path: &Path, protected: &'a [Protected]) -> Option<&'a Protected> {
    let meta = fs::metadata(path).ok()?;
    protected
        .iter()
        .find(|p| p.dev == meta.dev() && p.ino == meta.ino())
}

/// Refuses a target the session reads, before any work is done for it
/// (a picture or a save is refused at once, not after its computation).
pub fn refuse_protected(path: &Path, protected: &[Protected]) -> Result<(), WriteError> {
    match protection(path, protected) {
        Some(p) => Err(WriteError::Protected { why: p.why.clone() }),
        None => Ok(()),
    }
}

/// Checks the target before and again just before the rename.
fn check_target(path: &Path, protected: &[Protected]) -> Result<bool, WriteError> {
    if let Some(p) = protection(path, protected) {
        return Err(WriteError::Protected { why: p.why.clone() });
    }
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Ok(true),
        Ok(m) => match not_regular(&m) {
            Some(what) => Err(WriteError::NotRegular { what }),
            None => Ok(true),
        },
        Err(_) => Ok(false),
    }
}

/// Writes `path` with the bytes `write` produces, as the module head says.
pub fn write_file(
    path: &Path,
    checks: &Checks,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<Written, WriteError> {
    check_target(path, checks.protected)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    check_within(dir, checks.within)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Create and register under the registry's lock, so that the signal
    // thread (which holds it to the end) never misses a file made now.
    let (tmp, registered) = {
        let mut reg = TEMPORARIES.lock().unwrap_or_else(|p| p.into_inner());
        // Created as `open` creates a file (0666 less the umask), as
        // NumPy's `np.save` does: tempfile's own 0600 made every saved
        // file unreadable to the user's group.
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".strided-tmp")
            .permissions(fs::Permissions::from_mode(0o666))
            .tempfile_in(dir)?;
        reg.push(tmp.path().to_path_buf());
        let registered = Registered(tmp.path().to_path_buf());
        (tmp, registered)
    };
    let mut w = Cancellable {
        inner: BufWriter::with_capacity(1 << 20, tmp.as_file()),
        cancelled: checks.cancelled,
    };
    write(&mut w)?;
    w.flush()?;
    drop(w);
    tmp.as_file().sync_all()?;
    if (checks.cancelled)() {
        return Err(WriteError::Interrupted);
    }
    if (checks.veto)() {
        return Err(WriteError::Vetoed);
    }
    let replaced = check_target(path, checks.protected)?;
    // A file written over keeps its permissions, as one opened for
    // writing does (a symbolic link there is replaced, not followed).
    if let Ok(old) = fs::symlink_metadata(path) {
        if old.is_file() {
            tmp.as_file().set_permissions(old.permissions())?;
        }
    }
    let bytes = tmp.as_file().metadata()?.len();
    tmp.persist(path).map_err(|e| WriteError::Io(e.error))?;
    drop(registered);
    // The rename is durable once the folder is on disk too.
    File::open(dir).and_then(|d| d.sync_all())?;
    Ok(Written { bytes, replaced })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no(_: ()) -> bool {
        false
    }

    fn checks(protected: &[Protected]) -> Checks<'_> {
        Checks {
            protected,
            cancelled: &|| no(()),
            veto: &|| no(()),
            within: None,
        }
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    }

    /// A new file gets the permissions a plain `File::create` gets (0666
    /// less the umask, as NumPy's `np.save`; it was tempfile's 0600); a
    /// file written over keeps its own.
    #[test]
    fn written_files_get_the_permissions_open_gives_them() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.bin");
        File::create(&plain).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        let new = dir.path().join("new.bin");
        write_file(&new, &checks(&[]), |w| w.write_all(b"x")).unwrap();
        assert_eq!(mode(&new), mode(&plain));
        let old = dir.path().join("old.bin");
        fs::write(&old, b"old").unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(0o640)).unwrap();
        write_file(&old, &checks(&[]), |w| w.write_all(b"new")).unwrap();
        assert_eq!(mode(&old), 0o640);
        assert_eq!(fs::read(&old).unwrap(), b"new");
    }

    #[test]
    fn a_protected_file_is_refused_through_a_symlink_and_a_hard_link() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data.bin");
        fs::write(&data, b"recording").unwrap();
        std::os::unix::fs::symlink(&data, dir.path().join("link.bin")).unwrap();
        fs::hard_link(&data, dir.path().join("hard.bin")).unwrap();
        let m = fs::metadata(&data).unwrap();
        let protected = [Protected {
            dev: m.dev(),
            ino: m.ino(),
            why: "`d` views it".into(),
        }];
        for name in ["data.bin", "link.bin", "hard.bin"] {
            let r = write_file(&dir.path().join(name), &checks(&protected), |w| {
                w.write_all(b"x")
            });
            assert!(
                matches!(&r, Err(WriteError::Protected { why }) if why == "`d` views it"),
                "{name}: {r:?}"
            );
        }
        assert_eq!(fs::read(&data).unwrap(), b"recording");
        assert_eq!(listing(dir.path()), ["data.bin", "hard.bin", "link.bin"]);
    }

    #[test]
    fn a_confined_write_lands_only_inside_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let inside = dir.path().join("in");
        let outside = dir.path().join("out");
        fs::create_dir(&inside).unwrap();
        fs::create_dir(&outside).unwrap();
        // A link inside that leads out does not let a write out.
        std::os::unix::fs::symlink(&outside, inside.join("escape")).unwrap();
        let confined = Checks {
            within: Some(&inside),
            ..checks(&[])
        };
        for target in [
            outside.join("x.npy"),
            inside.join("escape/x.npy"),
            inside.join("../out/x.npy"),
        ] {
            let r = write_file(&target, &confined, |w| w.write_all(b"x"));
            assert!(
                matches!(r, Err(WriteError::Outside { .. })),
                "{target:?}: {r:?}"
            );
        }
        assert!(write_file(&inside.join("x.npy"), &confined, |w| w.write_all(b"x")).is_ok());
        assert_eq!(listing(&outside), Vec::<String>::new());
        assert_eq!(listing(&inside), ["escape", "x.npy"]);
    }

    #[test]
    fn a_failed_or_vetoed_write_leaves_the_target_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.npy");
        fs::write(&out, b"old").unwrap();
        let r = write_file(&out, &checks(&[]), |w| {
            w.write_all(b"new")?;
            Err(io::Error::other("disk on fire"))
        });
        assert!(matches!(r, Err(WriteError::Io(_))), "{r:?}");
        let vetoed = Checks {
            protected: &[],
            cancelled: &|| false,
            veto: &|| true,
            within: None,
        };
        let r = write_file(&out, &vetoed, |w| w.write_all(b"new"));
        assert!(matches!(r, Err(WriteError::Vetoed)), "{r:?}");
        let cancelled = Checks {
            protected: &[],
            cancelled: &|| true,
            veto: &|| false,
            within: None,
        };
        let r = write_file(&out, &cancelled, |w| w.write_all(&[0; 1 << 21]));
        assert!(matches!(r, Err(WriteError::Interrupted)), "{r:?}");
        assert_eq!(fs::read(&out).unwrap(), b"old");
        assert_eq!(listing(dir.path()), ["out.npy"]);
        let reg = TEMPORARIES.lock().unwrap();
        assert!(!reg.iter().any(|p| p.starts_with(dir.path())), "{reg:?}");
    }

    #[test]
    fn a_symlink_at_the_target_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"keep me").unwrap();
        let out = dir.path().join("out.bin");
        std::os::unix::fs::symlink(&victim, &out).unwrap();
        let w = write_file(&out, &checks(&[]), |w| w.write_all(b"new")).unwrap();
        assert_eq!(
            w,
            Written {
                bytes: 3,
                replaced: true
            }
        );
        assert_eq!(fs::read(&victim).unwrap(), b"keep me");
        assert!(!fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
        assert_eq!(fs::read(&out).unwrap(), b"new");
    }

    #[test]
    fn a_folder_or_device_at_the_target_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let r = write_file(dir.path(), &checks(&[]), |w| w.write_all(b"x"));
        assert!(
            matches!(r, Err(WriteError::NotRegular { what: "a folder" })),
            "{r:?}"
        );
        let r = write_file(Path::new("/dev/null"), &checks(&[]), |w| w.write_all(b"x"));
        assert!(
            matches!(r, Err(WriteError::NotRegular { what: "a device" })),
            "{r:?}"
        );
    }
}
