//! E-mail over SMTP (lettre, rustls; no OpenSSL).
//!
//! One [`Mailer`] per process: it keeps a small pool of SMTP connections and is
//! cheap to clone. Every send is bounded by a timeout, so a dead or silent
//! server returns [`MailError::Send`] instead of hanging the caller.
//!
//! Accepted server URLs:
//! - `smtp://host:port`: plain SMTP, no TLS (a local relay, tests). Credentials
//!   are refused here unless the host is the local machine.
//! - `smtp://user:pass@host:587?tls=starttls` (also `tls=required`): STARTTLS,
//!   refusing to go on without it. `tls=opportunistic` upgrades only when offered.
//! - `smtps://user:pass@host:465`: TLS from the first byte.
//!
//! User name and password are percent-decoded (write `@` as `%40`).

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use std::fmt;
use std::time::Duration;

/// How long one send may take in all (connect, greeting, commands, data).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and as whom to send mail.
#[derive(Clone)]
pub struct MailConfig {
    /// `smtp://host:port`, `smtp://user:pass@host:587?tls=starttls` or `smtps://user:pass@host:465`.
    pub smtp_url: String,
    /// Sender address, e.g. `langnghe@so-ct.example.gov.vn` or `Sở Công Thương <noreply@…>`.
    pub from: String,
}

/// Prints the URL without its password, so configs can be logged.
impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &redact_url(&self.smtp_url))
            .field("from", &self.from)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The server URL or the sender address is unusable.
    #[error("mail configuration: {0}")]
    Config(String),
    /// A recipient address is unusable.
    #[error("mail address: {0}")]
    Address(String),
    /// The message could not be handed to the server (refused, unreachable, timed out).
    #[error("sending mail: {0}")]
    Send(String),
}

/// Sends plain-text mail through one SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
    /// The server URL without its password (for logs and errors).
    server: String,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Mailer {
    /// Checks the URL and the sender address; connects only when sending.
    /// Must be called inside a Tokio runtime (the connection pool starts a task).
    pub fn new(cfg: &MailConfig) -> Result<Mailer, MailError> {
        Mailer::with_timeout(cfg, SEND_TIMEOUT)
    }

    /// [`Mailer::new`] with another bound on each send.
    pub fn with_timeout(cfg: &MailConfig, timeout: Duration) -> Result<Mailer, MailError> {
        let url = lettre_url(cfg.smtp_url.trim())?;
        let from: Mailbox = cfg.from.trim().parse().map_err(|e| {
            MailError::Config(format!("sender address {:?} is not valid: {e}", cfg.from))
        })?;
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(MailError::Config(
                "the mailer must be created inside the Tokio runtime".into(),
            ));
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| {
                MailError::Config(format!(
                    "SMTP URL {} is not valid: {e}",
                    redact_url(&cfg.smtp_url)
                ))
            })?
            .timeout(Some(timeout))
            .build();
        Ok(Mailer {
            transport,
            from,
            timeout,
            server: redact_url(&cfg.smtp_url),
        })
    }

    /// The sender as configured.
    pub fn from_address(&self) -> String {
        self.from.to_string()
    }

    /// Sends one plain-text message (UTF-8; lettre encodes the subject and
    /// picks quoted-printable or base64 for the body).
    pub async fn send(&self, to: &str, subject: &str, text_body: &str) -> Result<(), MailError> {
        let to: Mailbox = to
            .trim()
            .parse()
            .map_err(|e| MailError::Address(format!("recipient {to:?} is not valid: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            // Relays often add one, but a message without it looks like spam.
            .message_id(Some(format!(
                "<{}@{}>",
                uuid::Uuid::new_v4().simple(),
                self.from.email.domain()
            )))
            .header(ContentType::TEXT_PLAIN)
            .body(text_body.to_owned())
            .map_err(|e| MailError::Send(format!("building the message: {e}")))?;
        // lettre bounds each step by `timeout`; this bounds the whole exchange.
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Ok(Ok(_response)) => Ok(()),
            Ok(Err(e)) => Err(MailError::Send(format!("{}: {e}", self.server))),
            Err(_) => Err(MailError::Send(format!(
                "{}: no answer within {} s",
                self.server,
                self.timeout.as_secs_f32()
            ))),
        }
    }
}

/// Checks a server URL and turns it into the form lettre's `from_url` takes
/// (`tls=starttls` becomes `tls=required`).
fn lettre_url(url: &str) -> Result<String, MailError> {
    let shown = redact_url(url);
    let bad = |why: &str| MailError::Config(format!("SMTP URL {shown:?}: {why}"));
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("expected smtp://host:port or smtps://host:port"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "smtp" && scheme != "smtps" {
        return Err(bad("the scheme must be smtp or smtps"));
    }
    let (authority_path, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let authority = authority_path.split('/').next().unwrap_or_default();
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        hostport.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let mut tls = None;
    let mut pairs = Vec::new();
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == "tls" {
            let v = match v.to_ascii_lowercase().as_str() {
                "starttls" | "required" => "required",
                "opportunistic" => "opportunistic",
                _ => return Err(bad("tls must be starttls, required or opportunistic")),
            };
            if scheme == "smtps" {
                return Err(bad("smtps:// already uses TLS; drop the tls parameter"));
            }
            tls = Some(v);
            pairs.push(format!("tls={v}"));
        } else {
            return Err(bad(&format!("unknown parameter {k:?}")));
        }
    }
    let has_password = userinfo.is_some_and(|u| u.contains(':'));
    if userinfo.is_some() && !has_password {
        return Err(bad("a user name needs a password (user:password@host)"));
    }
    let encrypted = scheme == "smtps" || tls == Some("required");
    if has_password && !encrypted && !is_local(host) {
        return Err(bad(
            "a password would travel unencrypted: add ?tls=starttls or use smtps://",
        ));
    }
    let mut out = format!("{scheme}://{authority_path}");
    if !pairs.is_empty() {
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    Ok(out)
}

fn is_local(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The URL with its password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{tail}")
            } else {
                format!("{scheme}://{user}@{host}{tail}")
            }
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            lettre_url("smtp://127.0.0.1:2525").unwrap(),
            "smtp://127.0.0.1:2525"
        );
        assert_eq!(
            lettre_url("smtp://u:p@mail.example.vn:587?tls=starttls").unwrap(),
            "smtp://u:p@mail.example.vn:587?tls=required"
        );
        assert_eq!(
            lettre_url("smtps://u:p@mail.example.vn:465").unwrap(),
            "smtps://u:p@mail.example.vn:465"
        );
        assert!(lettre_url("http://x").is_err());
        assert!(lettre_url("smtp://").is_err());
        assert!(lettre_url("mail.example.vn:25").is_err());
        assert!(lettre_url("smtp://u:p@mail.example.vn:25").is_err());
        assert!(lettre_url("smtp://u:p@localhost:25").is_ok());
        assert!(lettre_url("smtp://h:25?tls=maybe").is_err());
        assert!(lettre_url("smtps://u:p@h?tls=starttls").is_err());
    }

    #[test]
    fn redacts() {
        assert_eq!(
            redact_url("smtps://ann:s3cr%40t@h:465"),
            "smtps://ann:***@h:465"
        );
        assert_eq!(
            redact_url("smtp://h:25?tls=starttls"),
            "smtp://h:25?tls=starttls"
        );
        let cfg = MailConfig {
            smtp_url: "smtps://ann:secret@h:465".into(),
            from: "a@b.vn".into(),
        };
        assert!(!format!("{cfg:?}").contains("secret"));
    }
}
