//! The operator's command line, run as a real process: serve (twice on the same
//! data directory), user add, token create, backup, graceful shutdown.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_langnghe");

fn data_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

fn run(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("LANGNGHE_LOG", "warn")
        .spawn()
        .expect("spawn");
    if let Some(s) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(s.as_bytes())
            .expect("write");
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

struct Server {
    child: Child,
    url: String,
    lines: Vec<String>,
}

fn serve(store: &[&str]) -> Server {
    let mut args = vec!["serve", "--demo", "--bind", "127.0.0.1:0"];
    args.extend_from_slice(store);
    let mut child = Command::new(BIN)
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .env("LANGNGHE_LOG", "warn")
        .spawn()
        .expect("spawn serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut lines = vec![];
    let mut url = String::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(120) {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("read") == 0 {
            break;
        }
        if let Some(u) = line.strip_prefix("URL:") {
            url = u.trim().trim_end_matches('/').to_string();
        }
        let done = line.starts_with("Password:") || line.starts_with("Log in with");
        lines.push(line.trim_end().to_string());
        if done {
            break;
        }
    }
    assert!(!url.is_empty(), "no URL printed: {lines:?}");
    // Keep draining stdout so the server never writes into a closed pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while reader.read_line(&mut sink).unwrap_or(0) > 0 {
            sink.clear();
        }
    });
    Server { child, url, lines }
}

/// A minimal HTTP/1.1 GET (the test needs no HTTP client crate).
fn get(url: &str, path: &str, bearer: Option<&str>) -> (u16, String) {
    let hostport = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(hostport).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let auth = bearer
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {hostport}\r\n{auth}Connection: close\r\n\r\n"
    )
    .expect("write");
    // Read until the server closes; a reset after the response arrived is not a failure.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if !buf.is_empty() && e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("read {path}: {e}"),
        }
    }
    let resp = String::from_utf8_lossy(&buf).to_string();
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn stop(mut server: Server) {
    let pid = server.child.id().to_string();
    let ok = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(ok.success());
    let start = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            assert!(status.success(), "graceful shutdown exits 0, got {status}");
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn scenario(store: &[&str], data: &Path, sqlite: bool) {
    // First start: migrations, geography, demo data, a generated admin password printed once.
    let s = serve(store);
    assert!(
        s.lines.iter().any(|l| l == "Login:    admin"),
        "{:?}",
        s.lines
    );
    let pw_line = s
        .lines
        .iter()
        .find(|l| l.starts_with("Password: "))
        .expect("password printed");
    assert!(pw_line.len() > "Password: ".len() + 10);
    assert_eq!(get(&s.url, "/healthz", None).0, 200);
    assert_eq!(get(&s.url, "/readyz", None).0, 200);
    let (st, body) = get(&s.url, "/api/v1/admin-units?q=bat+trang", None);
    assert_eq!(st, 200);
    assert!(body.contains("Xã Bát Tràng"), "{body}");
    // Accounts and tokens from the command line while the server runs.
    let mut args = vec![
        "user",
        "add",
        "--username",
        "canbo.gialam",
        "--role",
        "officer",
        "--agency",
        "hn-ubnd-gia-lam",
        "--scope",
        "018",
        "--password-stdin",
    ];
    args.extend_from_slice(store);
    let (ok, out, err) = run(&args, Some("Gốm sứ Bát Tràng 2026\n"));
    assert!(ok, "user add: {out} {err}");
    assert!(
        out.contains("canbo.gialam") && out.contains("Huyện Gia Lâm"),
        "{out}"
    );
    let (ok, _, err) = run(&args, Some("Gốm sứ Bát Tràng 2026\n"));
    assert!(!ok && err.contains("username"), "duplicate refused: {err}");
    let mut bad = vec![
        "user",
        "add",
        "--username",
        "x.y",
        "--role",
        "root",
        "--agency",
        "nope",
        "--scope",
        "99",
        "--password-stdin",
    ];
    bad.extend_from_slice(store);
    let (ok, _, err) = run(&bad, Some("short\n"));
    assert!(
        !ok && err.contains("role")
            && err.contains("agency")
            && err.contains("scope")
            && err.contains("password"),
        "{err}"
    );
    let mut targs = vec!["token", "create", "--username", "canbo.gialam"];
    targs.extend_from_slice(store);
    let (ok, out, err) = run(&targs, None);
    assert!(ok, "{err}");
    let token = out.lines().last().expect("last line").to_string();
    assert!(token.starts_with("lnt_") && !token.contains(' '), "{out}");
    let (st, body) = get(&s.url, "/api/v1/me", Some(&token));
    assert_eq!(st, 200, "{body}");
    assert!(body.contains("\"scope_code\":\"018\""), "{body}");
    let (st, body) = get(&s.url, "/api/v1/agencies?limit=500", Some(&token));
    assert_eq!(st, 200);
    assert!(
        body.contains("\"total\":1"),
        "Gia Lâm officer sees one agency: {body}"
    );
    if sqlite {
        let to = data.join("backup.sqlite");
        let (ok, out, err) = run(
            &[
                "backup",
                "--to",
                to.to_str().expect("utf8"),
                "--data-dir",
                data.to_str().expect("utf8"),
            ],
            None,
        );
        assert!(ok, "{out} {err}");
        assert!(std::fs::metadata(&to).expect("backup exists").len() > 1_000_000);
        let (ok, _, err) = run(
            &[
                "backup",
                "--to",
                to.to_str().expect("utf8"),
                "--data-dir",
                data.to_str().expect("utf8"),
            ],
            None,
        );
        assert!(!ok && err.contains("exists"), "{err}");
    }
    stop(s);
    // Second start on the same store: no new password, nothing duplicated, the token still works.
    let s = serve(store);
    assert!(
        !s.lines.iter().any(|l| l.starts_with("Password:")),
        "{:?}",
        s.lines
    );
    let (st, body) = get(&s.url, "/api/v1/agencies?limit=1", Some(&token));
    assert_eq!(st, 200);
    assert!(body.contains("\"total\":1"), "{body}");
    stop(s);
}

#[test]
fn cli_on_sqlite() {
    let data = data_dir();
    let d = data.to_str().expect("utf8").to_string();
    scenario(&["--data-dir", &d], &data, true);
    // The data directory holds the store, in WAL mode.
    assert!(data.join("langnghe.sqlite").exists());
    let _ = std::fs::remove_dir_all(&data);
}

mod postgres {
    /// The same, with `--database-url` on a fresh PostgreSQL database (dropped afterwards).
    #[test]
    fn cli_on_postgres() {
        let admin_url = std::env::var("LANGNGHE_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let run = std::env::var("LANGNGHE_TEST_RUN")
            .unwrap_or_else(|_| "manual".into())
            .to_lowercase();
        let name = format!("langnghe_test_{run}_cli{}", uuid::Uuid::new_v4().simple());
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b.to_string())
            .unwrap_or(admin_url.clone());
        let url = format!("{base}/{name}");
        let rt = tokio_rt();
        rt.block_on(exec(&admin_url, &format!("CREATE DATABASE {name}")));
        let data = super::data_dir();
        let result = std::panic::catch_unwind(|| {
            super::scenario(
                &[
                    "--database-url",
                    &url,
                    "--data-dir",
                    data.to_str().expect("utf8"),
                ],
                &data,
                false,
            )
        });
        rt.block_on(exec(
            &admin_url,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        ));
        let _ = std::fs::remove_dir_all(&data);
        assert!(!data.join("langnghe.sqlite").exists());
        if let Err(e) = result {
            std::panic::resume_unwind(e);
        }
    }

    fn tokio_rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    async fn exec(url: &str, sql: &str) {
        let db = langnghe_store::Db::connect(url)
            .await
            .unwrap_or_else(|e| panic!("no PostgreSQL at {url}: {e}"));
        if let langnghe_store::Db::Pg(p) = &db {
            sqlx::query(sql)
                .execute(p)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        db.close().await;
    }
}
