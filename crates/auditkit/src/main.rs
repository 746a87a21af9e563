//! `auditkit`: one fast binary for the Linux audit system.
//!
//! The binary is glue: it parses arguments, opens inputs, and wires the
//! library crates together. Exit codes follow the audit tools: 0 when
//! something was found or done, 1 when nothing matched or on error, and
//! ausearch's 10/11/12 for checkpoint problems.

mod filter;
mod follow;
mod format;
mod input;
mod progress;
mod reader;
mod rules_cmd;
mod rules_kernel;
mod search;
mod search_args;
mod search_help;

use std::process::ExitCode;

const TOP_HELP: &str = "\
auditkit: search, report on, lint and apply Linux audit data, fast.

Usage: auditkit <COMMAND> [OPTIONS]

Commands:
  search    Find events in audit logs (ausearch-compatible options, plus more)
  rules     Audit rules: lint, fmt, check --profile cis-debian12, generate; loaded, diff, apply
  help      Show help for a command: auditkit help search

Run 'auditkit <COMMAND> --help' for the options of a command.
";

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

fn main() -> ExitCode {
    tune_malloc();
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let Some(cmd) = args.first().and_then(|a| a.to_str()) else {
        eprint!("{TOP_HELP}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match cmd {
        "search" => search::main(rest),
        "rules" => match rest.first().and_then(|a| a.to_str()) {
            Some(sub @ ("loaded" | "diff" | "apply")) => rules_kernel::main(sub, &rest[1..]),
            _ => rules_cmd::main(rest),
        },
        "help" | "--help" | "-h" => {
            match rest.first().and_then(|a| a.to_str()) {
                Some("search") => print!("{}", search_args::HELP),
                Some("rules") => print!("{}", rules_cmd::help()),
                _ => print!("{TOP_HELP}"),
            }
            Ok(0)
        }
        "--version" | "-V" | "version" => {
            println!("auditkit {}", env!("CARGO_PKG_VERSION"));
            Ok(0)
        }
        other => {
            eprintln!("auditkit: unknown command '{other}'\n\n{TOP_HELP}");
            Ok(2)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("auditkit: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Writing into a closed pipe (`auditkit search | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
