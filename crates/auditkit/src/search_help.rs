//! The `--help` text of `auditkit search`: examples first, then every
//! option grouped by question.

/// `auditkit search --help`.
pub const HELP: &str = concat!(
    "\
auditkit search: find events in audit logs (every ausearch option, and more)

Examples:
  auditkit search -k identity -i                  events of rules keyed 'identity', readable
  auditkit search -m USER_LOGIN -sv no -ts today  failed logins since midnight
  auditkit search -x /usr/bin/sudo --people       sudo runs by people who logged in
  auditkit search -c python3                      anything whose command name is python3
  auditkit search --where 'EXECVE.a0 = \"curl\" and auid != unset'
  auditkit search --where 'exe ~ \"^/tmp/\"' --count-by exe
  auditkit search -if /var/log/audit -ts recent --follow   watch new events
  auditkit search -r -k exec | aureport -x         raw lines for other tools

",
    crate::input_args::input_help!(),
    "  --follow, -F            keep reading the log as it grows, across rotation

Who, what, when (ausearch's options; all given must match):
",
    crate::input_args::time_help!(),
    "  -k, --key KEY           a rule key contains KEY
  -m, --message TYPE[,TYPE]    a record of one of these types (names,
                          numbers, or ALL)
  -x, --executable EXE    the executable contains EXE: exe= is the program
                          file that ran (/usr/bin/python3.11)
  -c, --comm COMM         the command name contains COMM: comm= is the name
                          the process gave itself, at most 15 bytes (a
                          script such as semanage runs with exe=python3 and
                          comm=semanage). Use -x for what binary, -c for what
                          command.
  -sc, --syscall NAME|NR  the system call (a name implies this machine's
                          architecture unless --arch came first)
  --arch ARCH             b64, b32, x86_64, aarch64, ...
  -e, --exit ERRNO|N      the syscall exit value (-e -EACCES is -13; as in
                          ausearch, -e EACCES means +13)
  -sv, --success yes|no   the syscall or operation succeeded or failed
  -f, --file NAME         a file name or cwd contains NAME
  -p, --pid PID  -pp, --ppid PID
  -ui, --uid ID  -ue, --uid-effective ID  -ul, --loginuid ID (-1: unset)
  -ua, --uid-all ID       uid, euid or login uid (names or numbers)
  -gi, --gid ID  -ge, --gid-effective ID  -ga, --gid-all ID
  --session ID            login session id
  -tm, --terminal TERM    -hn, --host HOST   -n, --node NODE (repeatable)
  -su, --subject CTX  -o, --object CTX  -se, --context CTX (either)
  -vm, --vm-name NAME  -uu, --uuid UUID
  -a, --event SERIAL      the event's serial number
  -w, --word              string options match whole values, not substrings

Plain questions (auditkit):
  --people                done by a person who logged in (login uid >= 1000,
                          not unset, with a real session)
  --daemons               done by a process no one logged in for (login uid
                          unset: services, cron before login, the kernel)
  --as-root-via-sudo      root powers used by someone logged in as another
                          user (uid or euid 0, real non-root login uid)
  --where EXPR            any condition on any field, see docs/query.md:
                            auid >= 1000 and exe ~ \"^/tmp/\"
                            SYSCALL.syscall = execve   (names work, numbers too)
                            EXECVE.a0 in [\"curl\", \"wget\"]
                            has key and not key = \"noise\"
                            raw(proctitle) ~ \"^2F\"   interp(uid) = root
  --count                 print only the number of matching events
  --count-by FIELD        tally of FIELD's values over matching events
  --all-events            also print events ausearch 3.0.9 cannot parse
                          (by default they are hidden, as ausearch does,
                          and counted on stderr)

Output:
  --format raw|default|interpret|csv|text|json
                          json: one object per event (docs/json.md)
  --json-with-lines       json: each record also carries its logged line
  -r, --raw  -i, --interpret
  --escape raw|tty|shell|shell_quote
  --extra-keys --extra-labels --extra-obj2 --extra-time   (csv columns)
  --passwd FILE, --group FILE   names from these files (logs of other hosts),
                          for output and for -ua/-ue/-ui/-ul/-ga/-ge/-gi NAME
  --just-one              stop after the first matching event
  -l, --line-buffered     flush after each event
  --keep-unparsed         also print lines that are not audit records

Operation:
  --checkpoint FILE       print only events after the last run's checkpoint
                          and save a new one (exit 10: bad checkpoint,
                          11: cannot save it, 12: checkpoint corrupted)
",
    crate::input_args::engine_help!(),
    "  --debug, --stats        report skipped lines / bytes and files read
  --no-progress           no progress line on stderr (shown on a terminal
                          when a scan takes more than half a second)
  -h, --help  -v, --version

Environment: AUDITKIT_NOW=EPOCH_SECONDS pins \"now\" for the time keywords
(tests, reproducible reports). Dates are read in the local time zone (TZ).

",
    crate::exit::exit_help!()
);
