//! strided never destroys a user's data: no command writes over a file the
//! session reads (through any path, symbolic or hard link) or the sidecar
//! that describes it; every write goes through a temporary file that is
//! removed on error, veto and signal; a symbolic link at the target is
//! replaced, never followed. Each test snapshots every file in its folder
//! (bytes and link targets) before and after.

mod common;

use common::{run_in, text};
use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};

/// Every entry of `dir` (recursively): its bytes, or `-> target` for links.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.file_type().is_symlink() {
                let t = std::fs::read_link(&p).unwrap();
                out.insert(name, format!("-> {}", t.display()).into_bytes());
            } else if m.is_dir() {
                todo.push(p);
                out.insert(name + "/", Vec::new());
            } else if m.len() > 16 << 20 {
                // The big sparse inputs: their size and both ends.
                use std::io::{Read, Seek, SeekFrom};
                let mut f = std::fs::File::open(&p).unwrap();
                let mut ends = vec![0; 8192];
                f.read_exact(&mut ends[..4096]).unwrap();
                f.seek(SeekFrom::End(-4096)).unwrap();
                f.read_exact(&mut ends[4096..]).unwrap();
                ends.extend_from_slice(&m.len().to_le_bytes());
                out.insert(name, ends);
            } else {
                out.insert(name, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn names(snap: &BTreeMap<String, Vec<u8>>) -> Vec<&str> {
    snap.keys().map(String::as_str).collect()
}

#[test]
fn no_command_writes_over_a_file_the_session_views() {
    let dir = common::temp();
    let d = dir.path();
    std::fs::write(d.join("g.bin"), common::stream_bytes(1, 80_000)).unwrap();
    std::fs::write(d.join("pic.png"), common::stream_bytes(2, 80_000)).unwrap();
    symlink(d.join("g.bin"), d.join("link.bin")).unwrap();
    std::fs::hard_link(d.join("g.bin"), d.join("hard.bin")).unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    let before = snapshot(d);
    let attempts = [
        "save d.r[:10] g.bin",
        "save d link.bin",
        "save d hard.bin",
        "save d sub/../g.bin",
        "save d.r g.bin",
        "export d vrt to g.bin",
        "export d numpy to hard.bin",
        "image p.r to pic.png",
        "plot p.r[0] to pic.png",
        "hist p.r to pic.png",
        "save d.r * 2 link.bin",
    ];
    let script = format!(
        "open g.bin 100x100\nopen pic.png 100x100 as p\n{}\n",
        attempts.join("\n")
    );
    let out = run_in(d, &["--keep-going"], &script);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.matches(": error: cannot save to").count(),
        attempts.len(),
        "{err}"
    );
    assert_eq!(err.matches("`d` views g.bin").count(), 8, "{err}");
    assert_eq!(err.matches("`p` views pic.png").count(), 3, "{err}");
    assert!(
        err.contains("strided never writes over a file the session reads"),
        "{err}"
    );
    assert_eq!(snapshot(d), before, "no file changed");
}

#[test]
fn a_value_computed_from_a_closed_name_still_protects_its_file() {
    let dir = common::temp();
    let d = dir.path();
    std::fs::write(d.join("g.bin"), common::stream_bytes(3, 80_000)).unwrap();
    let before = snapshot(d);
    let out = run_in(
        d,
        &[],
        "open g.bin 100x100\nx = d.r * 2\nclose d\nsave x g.bin\n",
    );
    let err = text(&out.stderr);
    assert!(err.contains("`x` views g.bin"), "{err}");
    assert_eq!(snapshot(d), before);
}

#[test]
fn the_sidecar_that_describes_an_open_file_is_never_written() {
    let dir = common::temp();
    let d = dir.path();
    std::fs::write(d.join("bip.img"), common::stream_bytes(4, 96_000)).unwrap();
    std::fs::write(
        d.join("bip.hdr"),
        "ENVI\nsamples = 80\nlines = 60\nbands = 5\nheader offset = 0\nfile type = ENVI Standard\ndata type = 4\ninterleave = bip\nbyte order = 0\n",
    )
    .unwrap();
    std::fs::write(d.join("rec.sigmf-data"), common::stream_bytes(5, 80_000)).unwrap();
    std::fs::write(
        d.join("rec.sigmf-meta"),
        r#"{"global": {"core:datatype": "cf32_le", "core:version": "1.0.0"}, "captures": [{"core:sample_start": 0}], "annotations": []}"#,
    )
    .unwrap();
    let before = snapshot(d);
    let script = "open bip.img as e\nopen rec.sigmf-meta as s\n\
                  export e envi to bip.hdr\nexport e vrt to bip.img\n\
                  export s vrt to rec.sigmf-meta\nsave s rec.sigmf-data\n";
    let out = run_in(d, &["--keep-going"], script);
    let err = text(&out.stderr);
    assert_eq!(err.matches("error: cannot save to").count(), 4, "{err}");
    assert!(
        err.contains("it is the ENVI description that describes bip.img (`e` views it)"),
        "{err}"
    );
    assert!(err.contains("`e` views bip.img"), "{err}");
    assert!(
        err.contains("it is the SigMF description that describes rec.sigmf-data (`s` views it)"),
        "{err}"
    );
    assert_eq!(snapshot(d), before);
}

#[test]
fn writing_over_another_file_replaces_it_and_says_so() {
    let dir = common::temp();
    let d = dir.path();
    std::fs::write(d.join("g.bin"), common::stream_bytes(6, 80_000)).unwrap();
    std::fs::write(d.join("old.npy"), b"an older result").unwrap();
    std::fs::write(d.join("victim"), b"somebody else's file").unwrap();
    symlink(d.join("victim"), d.join("out.bin")).unwrap();
    let out = run_in(
        d,
        &["--width", "1000"],
        "open g.bin 100x100\nsave d.r[:2] old.npy\nsave d.r[:2] out.bin\nsave d.r[:2] new.npy\n",
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("saved")).collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].ends_with(", replacing the file that was there"));
    assert!(lines[1].ends_with(", replacing the file that was there"));
    assert!(!lines[2].contains("replacing"));
    assert_eq!(
        std::fs::read(d.join("victim")).unwrap(),
        b"somebody else's file"
    );
    let link = std::fs::symlink_metadata(d.join("out.bin")).unwrap();
    assert!(link.is_file(), "the link itself was replaced by the data");
    assert_eq!(link.len(), 2 * 100 * 4);
    assert_eq!(
        names(&snapshot(d)),
        ["g.bin", "new.npy", "old.npy", "out.bin", "victim"]
    );
}

/// The temporary files of the old scheme (`.NAME.strided-PID.tmp`) had a
/// predictable name; symbolic links planted at such names, and a folder
/// full of them, are never followed.
#[test]
fn planted_symbolic_links_are_never_followed() {
    let dir = common::temp();
    let d = dir.path();
    std::fs::write(d.join("g.bin"), common::stream_bytes(7, 80_000)).unwrap();
    std::fs::write(d.join("victim"), b"root's file").unwrap();
    let me = std::process::id();
    for pid in me..me + 2000 {
        symlink(
            d.join("victim"),
            d.join(format!(".out.npy.strided-{pid}.tmp")),
        )
        .unwrap();
    }
    let before = snapshot(d);
    let out = run_in(d, &[], "open g.bin 100x100\nsave d out.npy\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut after = snapshot(d);
    assert!(after.remove("out.npy").is_some());
    assert_eq!(after, before, "only out.npy is new, the victim is intact");
}

/// A file that shrinks while its data is being saved: the save fails as a
/// shrink, and the file at the target stays what it was.
#[test]
fn a_save_during_which_the_input_shrank_leaves_the_target_alone() {
    let dir = common::temp();
    let d = dir.path();
    let mut replaced = 0;
    for round in 0..6 {
        let big = d.join("big.bin");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(4 << 30).unwrap();
        drop(f);
        // Computed, copied straight from the mapping, and raw bytes.
        let (stmt, out) = [
            ("save d * 1 out.npy", "out.npy"),
            ("save d out.npy", "out.npy"),
            ("save d out.bin", "out.bin"),
        ][round % 3];
        std::fs::write(d.join(out), b"the previous result").unwrap();
        let mut child = common::spawn_in(d, &["-c", &format!("open big.bin f4\n{stmt}")]);
        wait_for_temporary(d, out, &mut child);
        std::fs::OpenOptions::new()
            .write(true)
            .open(&big)
            .unwrap()
            .set_len(4096)
            .unwrap();
        let output = child.wait_with_output().unwrap();
        let err = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{err}");
        assert!(err.contains("big.bin shrank from 4.0 GiB"), "{stmt}: {err}");
        if std::fs::read(d.join(out)).unwrap() != b"the previous result" {
            replaced += 1;
        }
        assert_eq!(
            names(&snapshot(d)),
            ["big.bin", out],
            "no temporary file left"
        );
        std::fs::remove_file(d.join(out)).unwrap();
    }
    assert_eq!(replaced, 0, "a failed save replaced its target");
}

/// Waits until strided has created its temporary file for `target`, so a
/// signal sent next is known to arrive during the write.
fn wait_for_temporary(dir: &Path, target: &str, child: &mut std::process::Child) {
    let prefix = format!(".{target}.");
    let start = Instant::now();
    loop {
        let found = std::fs::read_dir(dir).unwrap().any(|e| {
            let n = e.unwrap().file_name().into_string().unwrap();
            n.starts_with(&prefix) && n.ends_with(".strided-tmp")
        });
        if found {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("strided ended ({status}) before it wrote {target}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// 120 saves interrupted while they write (SIGINT, SIGTERM and SIGHUP in
/// turn; `.npy`, `.bin` and `.csv`), each with symbolic links planted
/// around: no temporary file stays, no target appears, nothing else changes.
#[test]
fn interrupted_saves_leave_no_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    let dir = common::temp();
    let d = dir.path();
    let f = std::fs::File::create(d.join("big.bin")).unwrap();
    f.set_len(4 << 30).unwrap();
    drop(f);
    std::fs::write(d.join("victim"), b"keep").unwrap();
    let me = std::process::id();
    for pid in me..me + 500 {
        symlink(
            d.join("victim"),
            d.join(format!(".out.npy.strided-{pid}.tmp")),
        )
        .unwrap();
    }
    let before = snapshot(d);
    let signals = ["INT", "TERM", "HUP"];
    let saves = [
        ("save d out.npy", "out.npy"),
        ("save d.r * 2 out.bin", "out.bin"),
        ("save d.r out.csv", "out.csv"),
        ("save sqrt(abs(d)) out.npy", "out.npy"),
    ];
    let mut seed: u64 = 0x5EED;
    for k in 0..120 {
        let (stmt, target) = saves[k % saves.len()];
        let sig = signals[k % signals.len()];
        let mut child = common::spawn_in(d, &["-c", &format!("open big.bin c8\n{stmt}")]);
        wait_for_temporary(d, target, &mut child);
        // A little more time, different each round, inside the write.
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        std::thread::sleep(Duration::from_micros((seed >> 33) % 20_000));
        common::signal(&child, sig);
        let out = child.wait_with_output().unwrap();
        match sig {
            "INT" => assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr)),
            "TERM" => assert_eq!(out.status.signal(), Some(15), "{:?}", out.status),
            _ => assert_eq!(out.status.signal(), Some(1), "{:?}", out.status),
        }
        assert_eq!(snapshot(d), before, "round {k}: {stmt} then SIG{sig}");
    }
}

#[test]
fn the_demo_is_written_in_a_private_folder_of_its_own() {
    use std::os::unix::fs::PermissionsExt;
    let dir = common::temp();
    let tmp = dir.path();
    // What an attacker could plant under the old, predictable name.
    std::fs::write(tmp.join("victim"), b"root's file").unwrap();
    for pid in 1..5000 {
        let planted = tmp.join(format!("strided-demo-{pid}"));
        std::fs::create_dir(&planted).unwrap();
        symlink(tmp.join("victim"), planted.join("demo.c8")).unwrap();
    }
    let before = snapshot(tmp);
    let out = std::process::Command::new(common::bin())
        .args(["--demo", "-c", "files"])
        .env("TMPDIR", tmp)
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line = stdout.lines().find(|l| l.starts_with("d = ")).unwrap();
    let path = line[4..line.find(':').unwrap()].to_string();
    let folder = Path::new(&path).parent().unwrap();
    assert!(folder.starts_with(tmp), "{path}");
    assert!(!folder.exists(), "the demo folder is removed at the end");
    assert_eq!(snapshot(tmp), before, "nothing planted was followed");
    // The folder is private while it lives.
    let (made, _) = strided::demo::write_demo().unwrap();
    let mode = std::fs::metadata(made.path()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
}

/// Control characters in file names, metadata and echoed input reach the
/// terminal as visible escapes, never as the bytes themselves (an OSC 52
/// sequence in a SigMF annotation would write the user's clipboard).
#[test]
fn control_characters_from_files_and_input_are_printed_escaped() {
    let dir = common::temp();
    let d = dir.path();
    let evil = "clip\x1b]52;c;aGk=\x07\u{9b}2J";
    std::fs::write(d.join(format!("{evil}.bin")), common::stream_bytes(8, 800)).unwrap();
    std::fs::write(d.join("rec.sigmf-data"), common::stream_bytes(9, 800)).unwrap();
    std::fs::write(
        d.join("rec.sigmf-meta"),
        serde_json::json!({
            "global": {"core:datatype": "cf32_le", "core:version": "1.0.0",
                        "core:description": evil, "core:author": "a\rb\nc"},
            "captures": [{"core:sample_start": 0}],
            "annotations": [{"core:sample_start": 1, "core:sample_count": 18446744073709551615u64,
                             "core:label": evil}]
        })
        .to_string(),
    )
    .unwrap();
    let script = format!(
        "open '{}.bin' 10x10 f8 as e\nfiles\ninfo e\nopen rec.sigmf-meta as s\ninfo s\nvars\ne[0, :3]\nbad{evil}\n",
        evil.replace('\x1b', "\\x1b").replace('\x07', "\\x07").replace('\u{9b}', "\\x9b")
    );
    for format in ["table", "csv", "json"] {
        let out = run_in(d, &["--keep-going", "--format", format], &script);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        for (what, s) in [("stdout", &stdout), ("stderr", &stderr)] {
            let bad: Vec<char> = s
                .chars()
                .filter(|&c| c.is_control() && c != '\n' && c != '\t')
                .collect();
            assert!(bad.is_empty(), "{format} {what} holds {bad:?}:\n{s}");
        }
        assert!(stdout.contains("\\x1b]52"), "{format}: {stdout}");
        assert!(stderr.contains("bad"), "{format}: {stderr}");
        assert_eq!(out.status.code(), Some(1), "{format}: the last line fails");
    }
}

/// Without `mode=`, no assignment, in-place operator or `flush` changes a
/// file (or any file beside it), and each says how to open it writable;
/// `mode=c` changes only the session's pages; `mode=r+` is refused on a
/// file the user may not write, before anything is mapped.
#[test]
fn files_change_only_when_opened_with_mode_r_plus() {
    let dir = common::temp();
    let d = dir.path();
    std::fs::write(d.join("g.bin"), common::stream_bytes(3, 80_000)).unwrap();
    std::fs::write(d.join("small.bin"), common::stream_bytes(4, 800)).unwrap();
    std::fs::write(d.join("locked.bin"), common::stream_bytes(5, 800)).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(d.join("locked.bin"), std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = snapshot(d);
    let attempts = [
        "d[0, 0] = 1",
        "d.r[:] = 0",
        "d += 1",
        "d[d.r > 0] *= 2",
        "d[[1, 2]] = d[0, :100]",
        "s[:] = 0",
        "s.T[0] = 7",
    ];
    let script = format!(
        "open g.bin 100x100\nopen small.bin u1 as s\n{}\nflush\nflush d\nd.flush()\n",
        attempts.join("\n")
    );
    let out = run_in(d, &["--keep-going"], &script);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.matches("is open read-only").count(),
        attempts.len(),
        "{err}"
    );
    assert_eq!(
        err.matches("mode=c keeps changes in this session").count(),
        attempts.len(),
        "{err}"
    );
    assert_eq!(snapshot(d), before, "no file changed");

    // mode=c: every write lands in the session's pages only.
    let out = run_in(
        d,
        &[],
        "open g.bin 100x100 mode=c\nd[:] = 7\nd += 1\nflush\nmean(d.r)\nopen small.bin u1 mode=c as s\ns[:] = 9\ns.sum()\n",
    );
    let got = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(got.contains("8.0") && got.contains("7200"), "{got}");
    assert_eq!(snapshot(d), before, "mode=c changed no file");

    // mode=r+ on a file the user may only read: refused, with the way out.
    let out = run_in(d, &[], "open locked.bin u1 mode=r+\n");
    let err = text(&out.stderr);
    if unsafe_root() {
        // Root may write any file: the open succeeds, as NumPy's would.
        assert!(out.status.success(), "{err}");
    } else {
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("not writable by you") && err.contains("mode=c"),
            "{err}"
        );
    }
    // `save` still refuses a file open with mode=r+, and a dataset takes no mode.
    let out = run_in(
        d,
        &["--keep-going"],
        "open g.bin 100x100 mode=r+\nsave d g.bin\nopen [g.bin, small.bin] u1 mode=c as m\n",
    );
    let err = text(&out.stderr);
    assert!(err.contains("cannot save to"), "{err}");
    assert!(err.contains("mode=c for a dataset"), "{err}");
    assert_eq!(snapshot(d), before, "nothing written");
}

/// Whether the tests run as root (who may write a read-only file).
fn unsafe_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

/// `mode=r+` writes reach the file: after `flush`, and after the session
/// ends, a second process reads the new bytes; views see them at once,
/// copies never.
#[test]
fn mode_r_plus_writes_reach_the_file_and_every_view() {
    let dir = common::temp();
    let d = dir.path();
    let mut data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(d.join("w.bin"), &data).unwrap();
    let out = run_in(
        d,
        &["--format", "csv"],
        "open w.bin u1 mode=r+\nv = d[::2]\nc = d.copy()\nr = d.reshape(-1, 100)\nd[:4] = [9, 8, 7, 6]\nd[[10, 10]] = [1, 2]\nd[d == 250] += 1\nflush\nv[:3]\nc[:3]\nr[0, :3]\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = text(&out.stdout);
    data[..4].copy_from_slice(&[9, 8, 7, 6]);
    data[10] = 2;
    for b in data.iter_mut() {
        if *b == 250 {
            *b = 251;
        }
    }
    assert_eq!(std::fs::read(d.join("w.bin")).unwrap(), data);
    // v = d[::2] shows the writes; the copy does not; the reshape does.
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(
        lines,
        ["9", "7", "4", "0", "1", "2", "9", "8", "7"],
        "{got}"
    );
}

/// Writes computed a run at a time (`x += 1` over more than one run of
/// 2^18 elements, through views whose runs are readied before they are
/// written: reversed, every other column, a transpose) land exactly where
/// NumPy's would, in a `mode=r+` file and in a `mode=c` session's pages
/// (saved raw); the expected bytes are computed here, element by element.
#[test]
fn streamed_writes_over_many_runs_land_on_their_elements() {
    let dir = common::temp();
    let d = dir.path();
    let (rows, cols) = (1000usize, 801usize);
    let start: Vec<f32> = (0..rows * cols).map(|i| (i % 1000) as f32).collect();
    let bytes = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    std::fs::write(d.join("r.bin"), bytes(&start)).unwrap();
    std::fs::write(d.join("c.bin"), bytes(&start)).unwrap();
    let mut want = start.clone();
    for (i, x) in want.iter_mut().enumerate() {
        *x = (*x + 1.0) * 2.0;
        if i % cols % 2 == 0 {
            *x -= 3.0;
        }
        *x += 0.5;
    }
    for (name, mode) in [("r.bin", "r+"), ("c.bin", "c")] {
        let script = format!(
            "open {name} f4 {rows}x{cols} mode={mode}\nd += 1\nd[::-1] *= 2\nd[:, ::2] -= 3\nd.T[:] += 0.5\nflush\nsave d saved-{name}\n"
        );
        let out = run_in(d, &[], &script);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let saved = std::fs::read(d.join(format!("saved-{name}"))).unwrap();
        assert!(saved == bytes(&want), "mode={mode}: the values written");
        let file = std::fs::read(d.join(name)).unwrap();
        let expected = if mode == "r+" { &want } else { &start };
        assert!(file == bytes(expected), "mode={mode}: the file's bytes");
    }
}
