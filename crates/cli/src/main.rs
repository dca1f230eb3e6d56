//! `langnghe`: the operator's command line. serve, migrate, user, token, backup.

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use langnghe_store::audit::Actor;
use langnghe_store::{geo, users, Db};
use langnghe_web::mail::{redact_url, MailConfig, Mailer};
use langnghe_web::{AppState, WebConfig};
use serde::Deserialize;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "langnghe",
    version,
    about = "Craft villages and industrial-extension programmes of a Vietnamese province"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct StoreArgs {
    /// Data directory: the SQLite store, its config file and backups live here.
    #[arg(long, env = "LANGNGHE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Use this database instead of the embedded SQLite store, e.g. postgres://user@host/db.
    #[arg(long, env = "LANGNGHE_DATABASE_URL")]
    database_url: Option<String>,
    /// Config file (TOML); default: <data-dir>/langnghe.toml when present.
    #[arg(long, env = "LANGNGHE_CONFIG")]
    config: Option<PathBuf>,
    /// How long to wait, in seconds, for another process (a server starting on a
    /// new data directory) to finish initialising the store.
    #[arg(long, env = "LANGNGHE_INIT_WAIT", default_value_t = 300)]
    init_wait: u64,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (migrations run first).
    Serve {
        #[command(flatten)]
        store: StoreArgs,
        /// Address to listen on; port 0 picks a free one.
        #[arg(long, env = "LANGNGHE_BIND")]
        bind: Option<String>,
        /// Load the demo data built from the seed documents (idempotent).
        #[arg(long, env = "LANGNGHE_DEMO")]
        demo: bool,
        /// With --demo: leave out the reporting history of sample data (periods
        /// 2016-2020 and 2023-2025 with their reports), e.g. to open them by hand.
        #[arg(long, env = "LANGNGHE_DEMO_NO_HISTORY")]
        demo_no_history: bool,
        /// Mark session cookies Secure and send Strict-Transport-Security (serve behind https).
        #[arg(long, env = "LANGNGHE_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Address block(s) of the reverse proxy, e.g. 10.0.0.0/8 (comma-separated, or
        /// repeat the flag): only for a peer in one of them is the client address read
        /// from X-Forwarded-For (the rightmost hop that is not a trusted proxy).
        #[arg(long, env = "LANGNGHE_TRUSTED_PROXY", value_delimiter = ',')]
        trusted_proxy: Vec<String>,
        /// SMTP server for e-mail reminders: smtp://host:port (no TLS),
        /// smtp://user:pass@host:587?tls=starttls or smtps://user:pass@host:465. Unset: no mail.
        #[arg(long, env = "LANGNGHE_SMTP_URL", hide_env_values = true)]
        smtp_url: Option<String>,
        /// Sender address of the e-mail [default: langnghe@localhost].
        #[arg(long, env = "LANGNGHE_MAIL_FROM")]
        mail_from: Option<String>,
        /// At most this many requests served at once; the others wait their turn in
        /// order (a large upload streams without one); 0: no bound [default: eight a core
        /// on SQLite, sixteen on PostgreSQL].
        #[arg(long, env = "LANGNGHE_REQUESTS_AT_ONCE")]
        requests_at_once: Option<usize>,
    },
    /// Apply migrations and load the geography, then exit.
    Migrate {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage personal API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Write a consistent copy of the SQLite store (safe while the server runs).
    Backup {
        #[command(flatten)]
        store: StoreArgs,
        /// Target file (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. Without --password-stdin a password is generated and printed.
    Add {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        username: String,
        /// admin, coordinator, officer, reviewer or viewer.
        #[arg(long)]
        role: String,
        /// Agency id or key (e.g. hn-so-ct).
        #[arg(long)]
        agency: String,
        /// Official code of the scope unit (VN = whole country; 018 = Huyện Gia Lâm before 2025).
        #[arg(long)]
        scope: String,
        /// Date at which the scope code is read (default: today, else the last pre-reform unit).
        #[arg(long)]
        scope_as_of: Option<String>,
        #[arg(long, default_value = "")]
        display_name: String,
        /// E-mail address for report reminders.
        #[arg(long)]
        email: Option<String>,
        /// Read the password from standard input (first line).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue a token for a user; the token is printed alone on the last line.
    Create {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

/// Settings a config file may hold; command line and environment win over it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    demo: Option<bool>,
    secure_cookies: Option<bool>,
    brand_sub: Option<String>,
    session_idle_minutes: Option<i64>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    /// Address blocks of the reverse proxy (see `--trusted-proxy`).
    trusted_proxy: Option<Vec<String>>,
    /// Requests served at once (see `--requests-at-once`).
    requests_at_once: Option<usize>,
}

/// The trusted proxies from the command line/environment, else the config file;
/// a block that is not one stops start-up naming it.
fn trusted_proxies(flag: Vec<String>, file: &FileConfig) -> Result<Vec<langnghe_core::auth::Cidr>> {
    let given = if flag.is_empty() {
        file.trusted_proxy.clone().unwrap_or_default()
    } else {
        flag
    };
    let mut out = vec![];
    for g in given {
        match langnghe_core::auth::parse_cidrs(&g) {
            Ok(c) => out.extend(c),
            Err(bad) => bail!(
                "trusted_proxy (--trusted-proxy, LANGNGHE_TRUSTED_PROXY): '{bad}' is not an address or address block such as 10.0.0.0/8"
            ),
        }
    }
    if !out.is_empty() {
        let list: Vec<String> = out.iter().map(|c| c.to_string()).collect();
        tracing::info!(proxies = %list.join(", "), "client addresses from X-Forwarded-For behind these proxies");
    }
    Ok(out)
}

impl StoreArgs {
    fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("langnghe-data"))
    }

    fn file_config(&self) -> Result<FileConfig> {
        let path = match &self.config {
            Some(p) => p.clone(),
            None => {
                let p = self.data_dir().join("langnghe.toml");
                if !p.exists() {
                    return Ok(FileConfig::default());
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// Open the store and prepare it (migrations, geography, and what `what`
    /// asks) under the init lock, waiting for a server that is initialising it.
    async fn open_prepared(
        &self,
        file: &FileConfig,
        what: langnghe_store::init::Prepare,
    ) -> Result<(Db, langnghe_store::init::Prepared)> {
        let db = self.connect(file).await?;
        let wait = std::time::Duration::from_secs(self.init_wait);
        let secs = self.init_wait;
        let prepared = langnghe_store::init::prepare(
            &db,
            wait,
            || {
                eprintln!(
                    "waiting: another process (a server starting) is initialising this store; \
                     up to {secs} s (--init-wait)…"
                )
            },
            what,
        )
        .await
        .map_err(|e| match e {
            langnghe_store::StoreError::Busy(m) => anyhow!("{m}"),
            other => anyhow!("preparing the store: {other}"),
        })?;
        Ok((db, prepared))
    }

    /// Open the store, migrated and with its geography (waits for an initialising server).
    async fn open(&self, file: &FileConfig) -> Result<Db> {
        Ok(self
            .open_prepared(file, langnghe_store::init::Prepare::default())
            .await?
            .0)
    }

    async fn connect(&self, file: &FileConfig) -> Result<Db> {
        let db = match self.database_url.clone().or(file.database_url.clone()) {
            Some(url) => Db::connect(&url)
                .await
                .context("connecting to the database")?,
            None => {
                let path = self.data_dir().join("langnghe.sqlite");
                Db::open_sqlite(&path)
                    .await
                    .with_context(|| format!("opening {}", path.display()))?
            }
        };
        Ok(db)
    }
}

/// Mail settings from the command line/environment, else the config file; checked
/// here so that a bad value stops start-up naming the setting.
fn mail_config(
    smtp_url: Option<String>,
    mail_from: Option<String>,
    file: &FileConfig,
) -> Result<Option<MailConfig>> {
    let from = mail_from
        .or(file.mail_from.clone())
        .unwrap_or_else(|| "langnghe@localhost".into());
    let Some(url) = smtp_url.or(file.smtp_url.clone()) else {
        return Ok(None);
    };
    let url_only = MailConfig {
        smtp_url: url.clone(),
        from: "langnghe@localhost".into(),
    };
    if let Err(e) = Mailer::new(&url_only) {
        bail!("smtp_url (--smtp-url, LANGNGHE_SMTP_URL): {e}");
    }
    let config = MailConfig {
        smtp_url: url,
        from,
    };
    if let Err(e) = Mailer::new(&config) {
        bail!("mail_from (--mail-from, LANGNGHE_MAIL_FROM): {e}");
    }
    tracing::info!(smtp = %redact_url(&config.smtp_url), from = %config.from, "e-mail enabled");
    Ok(Some(config))
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("LANGNGHE_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("LANGNGHE_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    init_tracing();
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve {
            store,
            bind,
            demo,
            demo_no_history,
            secure_cookies,
            trusted_proxy,
            smtp_url,
            mail_from,
            requests_at_once,
        } => {
            let file = store.file_config()?;
            let mail = mail_config(smtp_url, mail_from, &file)?;
            let trusted_proxies = trusted_proxies(trusted_proxy, &file)?;
            let started = std::time::Instant::now();
            // Migrations, geography, demo data and the first admin under the init lock:
            // `user add` / `token create` started meanwhile wait for it.
            let (db, prepared) = store
                .open_prepared(
                    &file,
                    langnghe_store::init::Prepare {
                        demo: (demo || file.demo.unwrap_or(false)).then(langnghe_demo::loader),
                        no_history: demo_no_history,
                        first_admin: true,
                    },
                )
                .await?;
            if prepared.demo_added > 0 {
                tracing::info!(added = prepared.demo_added, "demo data loaded");
            }
            let first_password = prepared.first_password;
            let mut config = WebConfig {
                secure_cookies: secure_cookies || file.secure_cookies.unwrap_or(false),
                brand_sub: file.brand_sub.clone().unwrap_or_default(),
                mail,
                trusted_proxies,
                requests_at_once: requests_at_once.or(file.requests_at_once),
                ..WebConfig::default()
            };
            if let Some(m) = file.session_idle_minutes {
                config.session_idle = time::Duration::minutes(m.clamp(5, 7 * 24 * 60));
            }
            let state = AppState::new(db.clone(), config).map_err(|e| anyhow!("{e}"))?;
            // Reminders before report due dates: hourly, in the app and by e-mail.
            langnghe_web::reporting::reminders::spawn(state.clone());
            let bind = bind
                .or(file.bind.clone())
                .unwrap_or_else(|| "127.0.0.1:8080".into());
            let listener = tokio::net::TcpListener::bind(&bind)
                .await
                .with_context(|| format!("binding {bind}"))?;
            let addr = listener.local_addr()?;
            tracing::info!(%addr, ready_ms = started.elapsed().as_millis() as u64, "listening");
            // Whoever started us may stop reading stdout; the server must not die of that.
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "langnghe is running.");
            let _ = writeln!(out, "URL:      http://{addr}/");
            match first_password {
                Some(p) => {
                    let _ = writeln!(out, "Login:    admin");
                    let _ = writeln!(out, "Password: {p}");
                    let _ = writeln!(
                        out,
                        "(The password is shown only this once; change it at /account/password.)"
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "Log in with your account (the admin password was printed at first start)."
                    );
                }
            }
            let _ = out.flush();
            drop(out);
            langnghe_web::serve(listener, state).await?;
            db.close().await;
            Ok(())
        }
        Command::Migrate { store } => {
            let file = store.file_config()?;
            let db = store.open(&file).await?;
            println!(
                "migrations applied; {} administrative units",
                geo::count(&db).await?
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    store,
                    username,
                    role,
                    agency,
                    scope,
                    scope_as_of,
                    display_name,
                    email,
                    password_stdin,
                },
        } => {
            let file = store.file_config()?;
            let db = store.open(&file).await?;
            let (password, generated) = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                (s.lines().next().unwrap_or("").to_string(), false)
            } else {
                (users::generate_password(), true)
            };
            let state =
                AppState::new(db.clone(), WebConfig::default()).map_err(|e| anyhow!("{e}"))?;
            let payload = langnghe_web::users::UserPayload {
                username,
                display_name,
                password: password.clone(),
                role,
                agency,
                scope,
                scope_as_of,
                lang: None,
                email,
            };
            let nu = match langnghe_web::users::validate(&state, geo::COUNTRY_ID, &payload).await {
                Ok(nu) => nu,
                Err(langnghe_web::error::AppError::Validation(errs)) => {
                    for e in errs {
                        eprintln!("{}: {}", e.field, e.message(langnghe_web::i18n::Lang::En));
                    }
                    bail!("the account was not created");
                }
                Err(e) => bail!("{}", e.message(langnghe_web::i18n::Lang::En)),
            };
            let u = users::create(&db, &Actor::system("cli"), &nu)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            println!(
                "created user {} (id {}, role {}, scope {} {})",
                u.username, u.id, u.role, u.scope_code, u.scope_name
            );
            if generated {
                println!("Password: {password}");
            }
            db.close().await;
            Ok(())
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    store,
                    username,
                    name,
                },
        } => {
            let file = store.file_config()?;
            let db = store.open(&file).await?;
            let user = users::by_username(&db, &username.trim().to_lowercase())
                .await?
                .ok_or_else(|| anyhow!("no user named {username}"))?;
            let token = users::create_token(&db, &Actor::system("cli"), user.id, &name).await?;
            println!(
                "token for {} (use as 'Authorization: Bearer <token>'):",
                user.username
            );
            println!("{token}");
            db.close().await;
            Ok(())
        }
        Command::Backup { store, to } => {
            let file = store.file_config()?;
            if store.database_url.is_some() || file.database_url.is_some() {
                bail!("backup of PostgreSQL: use pg_dump (see README)");
            }
            let path = store.data_dir().join("langnghe.sqlite");
            if !Path::new(&path).exists() {
                bail!("no store at {}", path.display());
            }
            let db = Db::open_sqlite(&path).await?;
            db.backup_to(&to).await.map_err(|e| anyhow!("{e}"))?;
            println!("backup written to {}", to.display());
            db.close().await;
            Ok(())
        }
    }
}
