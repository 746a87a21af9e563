//! `auditkit`: one fast binary for the Linux audit system.
//!
//! The binary is glue: it parses arguments, picks inputs, and wires the
//! library crates together. Exit statuses are one enum ([`exit::Exit`]):
//! they follow the audit tools (0 found or done, 1 nothing matched or an
//! error, ausearch's 10/11/12 for checkpoints), and an internal error,
//! including a panic on any thread, exits 70 and says what happened.

mod baseline;
mod clickhouse_input;
mod collect;
mod detect;
mod exit;
mod filter;
mod flags;
mod format;
mod forward;
mod input_args;
mod live;
mod progress;
mod report;
mod report_args;
mod report_clickhouse;
mod report_html;
mod report_noise;
mod rules_cmd;
mod rules_kernel;
mod search;
mod search_args;
mod search_clickhouse;
mod search_help;

use std::process::ExitCode;

use exit::Exit;

/// `auditkit --help`, generated from [`flags::TOP`].
fn top_help() -> String {
    flags::render::help(&flags::TOP)
}

/// Keep freed memory in the process instead of handing it back to the
/// kernel at once. Searching streams hundreds of MiB through buffers of
/// about 1 MiB that are freed on one thread and allocated again on
/// another; with glibc's defaults each new buffer is fresh memory the
/// kernel must fault in and zero, which cost about 3% of a search. Peak
/// memory is bounded by the pipeline anyway, so nothing grows.
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; it is called before
    // any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

/// Report a panic as what it is: an internal error, with the thread and
/// the place, on stderr. The status is set where the panic is caught
/// ([`main`] for this thread, the engine's join for pipeline threads).
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("?");
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_string());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "auditkit: internal error: thread '{name}' panicked{at}: {msg}\n\
             auditkit: this is a bug; the output is incomplete (exit status {})",
            Exit::Internal as u8
        );
    }));
}

fn main() -> ExitCode {
    tune_malloc();
    install_panic_hook();
    match std::panic::catch_unwind(run) {
        Ok(e) => e.into(),
        Err(_) => Exit::Internal.into(),
    }
}

fn run() -> Exit {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let Some(cmd) = args.first().and_then(|a| a.to_str()) else {
        eprint!("{}", top_help());
        return Exit::Usage;
    };
    let rest = &args[1..];
    let result = match cmd {
        "search" => search::main(rest),
        "report" => report::main(rest),
        "collect" => collect::main(rest),
        "detect" => detect::main(rest),
        "plugin" => live::plugin_main(rest),
        "forward" => forward::main(rest),
        "rules" => match rest.first().and_then(|a| a.to_str()) {
            Some(sub @ ("loaded" | "diff" | "apply")) => {
                rules_kernel::main(sub, &rest[1..]).map(Exit::from_code)
            }
            _ => rules_cmd::main(rest).map(Exit::from_code),
        },
        "help" => help(rest),
        "version" => version(),
        other => match flags::TOP.lookup(other).map(|f| f.id) {
            Some(flags::Id::Help) => help(rest),
            Some(flags::Id::Version) => version(),
            _ => {
                eprintln!("auditkit: unknown command '{other}'\n\n{}", top_help());
                Ok(Exit::Usage)
            }
        },
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return Exit::Ok;
            }
            eprintln!("auditkit: error: {e:#}");
            Exit::of_error(&e)
        }
    }
}

/// `auditkit --version`.
fn version() -> anyhow::Result<Exit> {
    println!("auditkit {}", env!("CARGO_PKG_VERSION"));
    Ok(Exit::Ok)
}

/// `auditkit help [COMMAND]`, and hidden forms for packaging, all
/// generated from the flag tables as `--help` is:
/// `auditkit help --man COMMAND` prints the roff man page of a command
/// (`auditkit`, `search`, `rules`, `rules lint`, ...),
/// `auditkit help --complete COMMAND` the words a shell completes, one a
/// line, `auditkit help --man-pages` the commands that have a page, and
/// `auditkit help --completion bash|zsh|fish` a completion script
/// (packaging/build-deb.sh installs them).
fn help(rest: &[std::ffi::OsString]) -> anyhow::Result<Exit> {
    let words: Vec<String> = rest
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if words.first().map(String::as_str) == Some("--completion") {
        let render = match words.get(1).map(String::as_str) {
            Some("bash") => flags::complete::bash,
            Some("zsh") => flags::complete::zsh,
            Some("fish") => flags::complete::fish,
            other => {
                eprintln!("auditkit help --completion: shells: bash, zsh, fish (not {other:?})");
                return Ok(Exit::Usage);
            }
        };
        print!("{}", render(&flags::commands()));
        return Ok(Exit::Ok);
    }
    if words.first().map(String::as_str) == Some("--man-pages") {
        // What `help --man` takes, one a line: every page there is.
        for c in flags::commands() {
            let name = if c.name.is_empty() {
                "auditkit"
            } else {
                c.name
            };
            println!("{name}");
        }
        println!("rules");
        return Ok(Exit::Ok);
    }
    let (mode, name) = match words.first().map(String::as_str) {
        Some(m @ ("--man" | "--complete")) => (Some(m), words[1..].join(" ")),
        _ => (None, words.join(" ")),
    };
    if let Some(mode) = mode {
        let name = if name == "auditkit" {
            ""
        } else {
            name.as_str()
        };
        if mode == "--man" && name == "rules" {
            print!("{}", rules_cmd::man());
            return Ok(Exit::Ok);
        }
        let Some(c) = flags::commands().into_iter().find(|c| c.name == name) else {
            let names: Vec<&str> = flags::commands().iter().map(|c| c.name).collect();
            eprintln!(
                "auditkit help {mode}: unknown command '{name}' (one of: {})",
                names.join(", ")
            );
            return Ok(Exit::Usage);
        };
        if mode == "--man" {
            print!("{}", flags::render::man(c));
        } else {
            for w in c.completions() {
                println!("{w}");
            }
        }
        return Ok(Exit::Ok);
    }
    match name.as_str() {
        "search" => print!("{}", search_args::HELP),
        "report" => print!("{}", report::help()),
        "collect" => print!("{}", flags::render::help(&flags::collect::COLLECT)),
        "detect" => print!("{}", flags::render::help(&flags::detect::DETECT)),
        "plugin" => print!("{}", flags::render::help(&flags::plugin::PLUGIN)),
        "forward" => print!("{}", flags::render::help(&flags::forward::FORWARD)),
        "rules" => print!("{}", rules_cmd::help()),
        sub => match sub
            .strip_prefix("rules ")
            .and_then(flags::rules::subcommand)
        {
            Some(c) => print!("{}", flags::render::help(c)),
            None => print!("{}", top_help()),
        },
    }
    Ok(Exit::Ok)
}

/// Writing into a closed pipe (`auditkit search | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
