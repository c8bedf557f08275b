//! The `alongside` binary as an operator meets it.
use std::process::Command;

fn alongside() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alongside"));
    // A clean slate: no settings from the environment running the tests.
    for (key, _) in std::env::vars() {
        if key.starts_with("ALONGSIDE_") {
            cmd.env_remove(key);
        }
    }
    cmd.current_dir(crate::support::scratch_dir());
    cmd
}

/// `alongside serve` on a free port with a fresh data dir, once it says (in its log, on
/// standard error) where it listens: the child, the rest of its log, and that address.
fn serve(
    dir: &std::path::Path,
    extra: &[(&str, &str)],
) -> (
    std::process::Child,
    std::io::Lines<std::io::BufReader<std::process::ChildStderr>>,
    String,
) {
    use std::io::BufRead as _;
    let mut cmd = alongside();
    cmd.arg("serve")
        .env("ALONGSIDE_DATA_DIR", dir)
        .env("ALONGSIDE_LISTEN", "127.0.0.1:0")
        .env("ALONGSIDE_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    for (key, value) in extra {
        cmd.env(key, value);
    }
    let mut child = cmd.spawn().expect("start the server");
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.split("listening on http://")
                .nth(1)
                .map(|a| a.trim().to_owned())
        })
        .expect("the server never said it was listening");
    (child, lines, addr)
}

#[test]
fn help_documents_every_setting_and_its_environment_variable() {
    let out = alongside().arg("--help").output().expect("run --help");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for (key, _) in server::config::SETTINGS {
        assert!(help.contains(key), "--help misses {key}");
        assert!(
            help.contains(&format!("ALONGSIDE_{}", key.to_uppercase())),
            "--help misses the env var for {key}"
        );
    }
    for command in ["serve", "migrate", "seed-demo", "reminders"] {
        assert!(help.contains(command), "--help misses {command}");
    }
}

#[test]
fn a_bad_value_stops_start_up_with_one_line_naming_the_setting() {
    let out = alongside()
        .env("ALONGSIDE_SESSION_IDLE_MINUTES", "soon")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("session_idle_minutes"), "{err}");
}

#[test]
fn an_unknown_key_in_the_file_stops_start_up() {
    let dir = crate::support::scratch_dir();
    let file = dir.join("alongside.toml");
    std::fs::write(&file, "public_orign = \"https://example.org\"\n").expect("write");
    let out = alongside()
        .arg("--config")
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("public_orign"), "{err}");
}

#[test]
fn migrate_creates_the_sqlite_database_in_the_data_dir() {
    let dir = crate::support::scratch_dir();
    let out = alongside()
        .arg("migrate")
        .env("ALONGSIDE_DATA_DIR", &dir)
        .env("ALONGSIDE_LOG", "warn")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("alongside.db").exists());
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn reminders_status_counts_the_queue_for_an_operator() {
    use sea_orm::{ActiveModelTrait as _, Set};
    let dir = crate::support::scratch_dir();
    let status = || {
        alongside()
            .args(["reminders", "status"])
            .env("ALONGSIDE_DATA_DIR", &dir)
            .env("ALONGSIDE_LOG", "warn")
            .output()
            .expect("run")
    };
    let first = status();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let text = String::from_utf8_lossy(&first.stdout);
    assert!(text.starts_with("Reminders\n"), "{text}");
    assert!(
        text.contains("       0  due now, waiting for a worker"),
        "{text}"
    );
    // One reminder given up on: counted and listed by its id, kind and what went wrong.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let id = runtime.block_on(async {
        let db =
            sea_orm::Database::connect(format!("sqlite://{}", dir.join("alongside.db").display()))
                .await
                .expect("open");
        let account = uuid::Uuid::new_v4();
        app::entities::account::ActiveModel {
            id: Set(account),
            display_name: Set("Someone".into()),
            created_at: Set(chrono::Utc::now()),
        }
        .insert(&db)
        .await
        .expect("account");
        let id = uuid::Uuid::new_v4();
        let now = chrono::Utc::now();
        app::entities::reminder_job::ActiveModel {
            id: Set(id),
            key: Set("test:dead".into()),
            account_id: Set(account),
            patient_id: Set(None),
            kind: Set("test".into()),
            about_id: Set(None),
            due_at: Set(now),
            stale_at: Set(None),
            status: Set("dead".into()),
            attempts: Set(6),
            lease_owner: Set(None),
            lease_until: Set(None),
            delivered: Set(String::new()),
            last_error: Set(Some("push service answered 503".into())),
            created_at: Set(now),
            updated_at: Set(now),
            finished_at: Set(Some(now)),
        }
        .insert(&db)
        .await
        .expect("job");
        id
    });
    let second = status();
    let text = String::from_utf8_lossy(&second.stdout);
    std::fs::remove_dir_all(&dir).ok();
    assert!(text.contains("       1  dead (given up)"), "{text}");
    assert!(
        text.contains(&format!(
            "{id}  test             6 attempts  push service answered 503"
        )),
        "{text}"
    );
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = crate::support::scratch_dir();
    let (mut child, _log, _) = serve(&dir, &[]);
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("send SIGTERM");
    assert!(status.success());
    let exit = child.wait().expect("wait for exit");
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn invite_patient_checks_the_nhs_number_then_prints_a_one_time_link() {
    let dir = crate::support::scratch_dir();
    let run = |args: &[&str]| {
        alongside()
            .args(args)
            .env("ALONGSIDE_DATA_DIR", &dir)
            .env("ALONGSIDE_LOG", "warn")
            .output()
            .expect("run")
    };
    let admin = run(&[
        "invite-admin",
        "--name",
        "Ann Admin",
        "--organisation",
        "Hill Practice",
    ]);
    assert!(admin.status.success());
    let patient = |nhs: &str| {
        run(&[
            "invite-patient",
            "--given",
            "Rhys",
            "--family",
            "Jones",
            "--born",
            "1950-03-04",
            "--nhs-number",
            nhs,
            "--organisation",
            "Hill Practice",
            "--condition",
            "copd",
        ])
    };
    let bad = patient("943 476 5918");
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("--nhs-number: Enter a valid NHS number"),
        "{err}"
    );

    let good = patient("943 476 5919");
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    let out = String::from_utf8_lossy(&good.stdout);
    assert!(out.contains("/invite?token="), "{out}");

    let again = patient("9434765919");
    assert!(!again.status.success(), "the same person twice is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already registered"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn invite_admin_can_add_a_clinical_role_and_refuses_an_unknown_one() {
    let dir = crate::support::scratch_dir();
    let run = |role: &str| {
        alongside()
            .args([
                "invite-admin",
                "--name",
                "Dr Ann Admin",
                "--organisation",
                "Hill Practice",
                "--also-role",
                role,
            ])
            .env("ALONGSIDE_DATA_DIR", &dir)
            .env("ALONGSIDE_LOG", "warn")
            .output()
            .expect("run")
    };
    let bad = run("surgeon");
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("--also-role: Use clinician, care_coordinator"),
        "{err}"
    );
    let good = run("clinician");
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(String::from_utf8_lossy(&good.stdout).contains("/invite?token="));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn pages_and_posts_the_client_abandons_leave_no_error_or_panic_in_the_log() {
    use std::io::{Read as _, Write as _};
    use std::net::TcpStream;
    let dir = crate::support::scratch_dir();
    let (mut child, lines, addr) = serve(
        &dir,
        &[("ALONGSIDE_PUBLIC_ORIGIN", "http://localhost:3000")],
    );
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());

    // People who tap a link and at once go elsewhere: the request is sent and the connection
    // closed, at a range of moments while the page is being drawn, several at a time.
    let abandoners: Vec<_> = (0..4u64)
        .map(|t| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                for i in 0..80u64 {
                    for request in [
                        "GET /today HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8\r\nAccept: */*\r\n\r\n",
                        "GET /plan HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8\r\nAccept: */*\r\n\r\n",
                        "GET /results HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8\r\nAccept: */*\r\n\r\n",
                        "POST /api/plan/goal HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost:3000\r\n\
                         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\ntitle=x",
                    ] {
                        let mut stream = TcpStream::connect(&addr).expect("connect");
                        stream.set_write_timeout(Some(std::time::Duration::from_secs(10))).ok();
                        stream.write_all(request.as_bytes()).expect("send");
                        std::thread::sleep(std::time::Duration::from_micros((i * 37 + t * 101) % 6000));
                        drop(stream);
                    }
                }
            })
        })
        .collect();
    for a in abandoners {
        a.join().expect("an abandoner");
    }
    // Still serving.
    let mut stream = TcpStream::connect(&addr).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .ok();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    std::thread::sleep(std::time::Duration::from_millis(500));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("send SIGTERM");
    // Shutdown has a deadline (20 s for requests in flight, then 2 s): never a hang.
    let stopped = std::time::Instant::now();
    while child.try_wait().expect("the server's state").is_none() {
        if stopped.elapsed() > std::time::Duration::from_secs(40) {
            child.kill().ok();
            panic!("the server did not stop within 40 s of SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let log = log.join().expect("the log");
    let bad: Vec<_> = log
        .iter()
        .filter(|l| {
            l.contains("panicked")
                || l.contains(" ERROR ")
                || l.contains("Redirect")
                || l.contains("MetaContext")
        })
        .collect();
    assert!(
        bad.is_empty(),
        "abandoned requests are not errors: {bad:#?}"
    );
    std::fs::remove_dir_all(dir).ok();
}
