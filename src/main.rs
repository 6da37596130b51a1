//! The `strided` command: arguments, the choice of front end, exit codes.
//!
//! Exit codes: 0 success, 1 a statement failed, 2 usage error. A closed
//! stdout (`strided ... | head`) ends quietly with 0.

use clap::Parser;
use std::io::{self, BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use strided::eval::Format;
use strided::frontend::{repl, script};
use strided::Session;

/// Look inside large raw binary files through one memory mapping and NumPy's slicing.
///
/// Without SCRIPT or -c, reads statements from stdin: interactively when it is
/// a terminal, as a script otherwise.
///
/// Exit status: 0 success, 1 a statement failed, 2 usage error, 130 interrupted.
#[derive(Parser, Debug)]
#[command(name = "strided", version)]
struct Args {
    /// A file of statements to run.
    script: Option<PathBuf>,
    /// Statements to run (separated by `;` or newlines).
    #[arg(
        short = 'c',
        long = "command",
        value_name = "STATEMENTS",
        conflicts_with = "script"
    )]
    command: Option<String>,
    /// Write a small demo file (100x100 complex64) and open it as `d` first.
    #[arg(long)]
    demo: bool,
    /// How results print: table, csv or json.
    #[arg(long, value_name = "FORMAT", value_parser = ["table", "csv", "json"])]
    format: Option<String>,
    /// Colour pictures: auto (when stdout is a terminal and NO_COLOR is not
    /// set), always, or never.
    #[arg(long, value_name = "WHEN", value_parser = ["auto", "always", "never"], default_value = "auto")]
    color: String,
    /// Fit output to N columns (default: the terminal's width when stdout is
    /// one, else $COLUMNS, else 80).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(30..=10000))]
    width: Option<u16>,
    /// In scripts, go on after a failed statement (the exit status is still 1).
    #[arg(long)]
    keep_going: bool,
}

/// glibc's malloc, but blocks of 32 MiB or more are freed on a thread of
/// their own, so a stopped statement's gigabytes do not hold the prompt.
#[global_allocator]
static ALLOCATOR: strided::source::Allocator = strided::source::Allocator;

fn main() -> ExitCode {
    strided::source::free_large_blocks_apart();
    let args = Args::parse();
    // Ctrl-C stops a running computation (the statement fails with
    // "interrupted" and the session goes on); with nothing to stop, or a
    // second time, strided exits with 130. At the prompt, rustyline reads
    // Ctrl-C as a key and clears the line instead.
    let session = Session::new();
    let control = session.control();
    strided::frontend::signals::install(move || control.request_cancel());
    // Parsing and evaluation recurse once per nesting level: give them room.
    let worker = std::thread::Builder::new()
        .stack_size(strided::STACK_SIZE)
        .spawn(move || run(args, session));
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(e) => {
            eprintln!("strided: cannot start: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args, mut session: Session) -> ExitCode {
    if let Some(f) = &args.format {
        session.settings.format = Format::parse(f).unwrap_or(Format::Table);
    }
    session.settings.color = match args.color.as_str() {
        "always" => true,
        "never" => false,
        _ => {
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    if let Some(n) = args.width {
        session.settings.width = usize::from(n);
        session.settings.follow_terminal = false;
    } else {
        strided::frontend::follow_terminal(&mut session.settings);
    }
    // 24-bit colour where the terminal announces it, else the 256-colour
    // palette that every colour terminal has.
    session.settings.truecolor = std::env::var("COLORTERM")
        .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "truecolor" | "24bit"));
    let mut banner = String::new();
    let mut demo_dir = None;
    if args.demo {
        let (dir, path) = match strided::demo::write_demo() {
            Ok(made) => made,
            Err(e) => {
                eprintln!(
                    "strided: cannot write the demo file in {}: {e}",
                    std::env::temp_dir().display()
                );
                return ExitCode::from(2);
            }
        };
        demo_dir = Some(dir);
        let line = format!(
            "open {:?} {}x{}",
            path.display().to_string(),
            strided::demo::SIDE,
            strided::demo::SIDE
        );
        let mut text = Vec::new();
        if let Err(e) = strided::run_line(&mut session, &line, &mut text) {
            eprintln!("strided: cannot open the demo file: {e:?}");
            return ExitCode::from(2);
        }
        banner = String::from_utf8_lossy(&text).into_owned();
        banner.push_str(strided::demo::SUGGESTIONS);
    }

    let interactive = args.script.is_none() && args.command.is_none() && io::stdin().is_terminal();
    let code = if interactive {
        if banner.is_empty() {
            banner = "strided: `help` for commands, `open FILE` to begin, Ctrl-D to leave\n".into();
        }
        match repl::run_repl(session, &banner) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("strided: {e}");
                ExitCode::from(1)
            }
        }
    } else {
        if args.demo && args.format.as_deref().unwrap_or("table") == "table" {
            // In script mode the demo still says what it opened, but not the suggestions.
            print!("{}", banner.trim_end_matches(strided::demo::SUGGESTIONS));
        }
        run_script(session, &args)
    };
    drop(demo_dir);
    code
}

fn run_script(mut session: Session, args: &Args) -> ExitCode {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = io::stderr();
    let result = if let Some(cmd) = &args.command {
        script::run_script(
            &mut session,
            "<command>",
            &mut cmd.as_bytes(),
            &mut out,
            &mut err,
            args.keep_going,
        )
    } else if let Some(path) = &args.script {
        match std::fs::File::open(path) {
            Ok(f) => {
                let name = path.display().to_string();
                script::run_script(
                    &mut session,
                    &name,
                    &mut BufReader::new(f),
                    &mut out,
                    &mut err,
                    args.keep_going,
                )
            }
            Err(e) => {
                eprintln!("strided: cannot read {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    } else {
        let stdin = io::stdin();
        script::run_script(
            &mut session,
            "<stdin>",
            &mut stdin.lock(),
            &mut out,
            &mut err,
            args.keep_going,
        )
    };
    let result = result.and_then(|o| out.flush().map(|()| o));
    match result {
        Ok(script::Outcome::Ok) => ExitCode::SUCCESS,
        Ok(script::Outcome::Failed(_)) => ExitCode::from(1),
        Ok(script::Outcome::Interrupted) => ExitCode::from(130),
        Ok(script::Outcome::Exit(code)) => ExitCode::from(code),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "strided: {e}");
            ExitCode::from(1)
        }
    }
}
