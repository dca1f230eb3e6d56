//! A minimal SMTP server for tests: listens on 127.0.0.1 (free port), accepts any
//! sender and recipient, keeps every message in memory. No TLS, no AUTH.
//!
//! ```ignore
//! let catcher = SmtpCatcher::start().await;
//! // … send to catcher.url() …
//! let mails = catcher.wait_for(1, Duration::from_secs(5)).await;
//! assert_eq!(mails[0].subject(), "Nhắc hạn báo cáo");
//! ```

use base64::Engine as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// Largest message kept (bytes); a larger one is refused with 552.
const MAX_MESSAGE: usize = 10 * 1024 * 1024;
/// Longest command line accepted.
const MAX_LINE: usize = 4096;

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct CapturedMail {
    /// Envelope sender (`MAIL FROM`), without angle brackets.
    pub from: String,
    /// Envelope recipients (`RCPT TO`), without angle brackets.
    pub to: Vec<String>,
    /// The message as the client sent it (headers and body, CRLF line ends),
    /// dot-stuffing undone, without the final `.` line.
    pub data: String,
}

/// The test SMTP server; it stops accepting (and drops its connections) when dropped.
pub struct SmtpCatcher {
    port: u16,
    mails: Arc<Mutex<Vec<CapturedMail>>>,
    count: watch::Receiver<usize>,
    task: JoinHandle<()>,
}

impl Drop for SmtpCatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Shared {
    mails: Arc<Mutex<Vec<CapturedMail>>>,
    count: watch::Sender<usize>,
}

impl SmtpCatcher {
    /// Binds 127.0.0.1 on a free port and starts accepting.
    pub async fn start() -> SmtpCatcher {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the SMTP catcher");
        let port = listener.local_addr().expect("catcher address").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = watch::channel(0usize);
        let shared = Arc::new(Shared {
            mails: mails.clone(),
            count: tx,
        });
        let task = tokio::spawn(async move {
            // Dropping the set (when the catcher aborts this task) ends every session.
            let mut sessions = JoinSet::new();
            loop {
                while sessions.try_join_next().is_some() {}
                let Ok((stream, _)) = listener.accept().await else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let shared = shared.clone();
                sessions.spawn(async move {
                    let _ = session(stream, &shared).await;
                });
            }
        });
        SmtpCatcher {
            port,
            mails,
            count: rx,
            task,
        }
    }

    /// `smtp://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<CapturedMail> {
        self.mails
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits until at least `n` messages arrived or `timeout` passed, then
    /// returns what arrived (check its length).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<CapturedMail> {
        let mut count = self.count.clone();
        let _ = tokio::time::timeout(timeout, count.wait_for(|c| *c >= n)).await;
        self.messages()
    }
}

/// Reads one line (up to `limit` bytes, LF-terminated); `None` at end of stream.
async fn read_line<R: AsyncBufReadExt + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<Option<()>> {
    buf.clear();
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(if buf.is_empty() { None } else { Some(()) });
        }
        match available.iter().position(|&b| b == b'\n') {
            Some(i) => {
                buf.extend_from_slice(&available[..=i]);
                reader.consume(i + 1);
                return Ok(Some(()));
            }
            None => {
                let len = available.len();
                buf.extend_from_slice(available);
                reader.consume(len);
            }
        }
        if buf.len() > limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "line too long",
            ));
        }
    }
}

/// The address inside `<…>` after a `MAIL FROM:` / `RCPT TO:` prefix (parameters dropped).
fn path_arg(rest: &str) -> Option<String> {
    let rest = rest.trim_start();
    if let Some(inner) = rest.strip_prefix('<') {
        let end = inner.find('>')?;
        Some(inner[..end].to_string())
    } else {
        rest.split_whitespace().next().map(str::to_string)
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

async fn session(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write
        .write_all(b"220 localhost ESMTP langnghe test catcher\r\n")
        .await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    while read_line(&mut reader, &mut line, MAX_LINE).await?.is_some() {
        let text = String::from_utf8_lossy(&line);
        let cmd = text.trim_end_matches(['\r', '\n']);
        let verb = cmd
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760\r\n",
            "HELO" => b"250 localhost\r\n",
            "MAIL" => match strip_prefix_ci(cmd, "MAIL FROM:").and_then(path_arg) {
                Some(addr) => {
                    from = Some(addr);
                    to.clear();
                    b"250 2.1.0 OK\r\n"
                }
                None => b"501 5.5.4 Syntax: MAIL FROM:<address>\r\n",
            },
            "RCPT" => match (&from, strip_prefix_ci(cmd, "RCPT TO:").and_then(path_arg)) {
                (None, _) => b"503 5.5.1 MAIL first\r\n",
                (Some(_), Some(addr)) => {
                    to.push(addr);
                    b"250 2.1.5 OK\r\n"
                }
                (Some(_), None) => b"501 5.5.4 Syntax: RCPT TO:<address>\r\n",
            },
            "DATA" => {
                let Some(sender) = from.clone().filter(|_| !to.is_empty()) else {
                    write.write_all(b"503 5.5.1 RCPT first\r\n").await?;
                    continue;
                };
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data: Vec<u8> = Vec::new();
                let mut too_big = false;
                loop {
                    if read_line(&mut reader, &mut line, MAX_MESSAGE)
                        .await?
                        .is_none()
                    {
                        return Ok(()); // client went away mid-message
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                    let content = line.strip_prefix(b".").unwrap_or(&line);
                    if data.len() + content.len() > MAX_MESSAGE {
                        too_big = true;
                    } else {
                        data.extend_from_slice(content);
                    }
                }
                // The CRLF before the final "." belongs to the terminator.
                if data.ends_with(b"\r\n") {
                    data.truncate(data.len() - 2);
                } else if data.ends_with(b"\n") {
                    data.truncate(data.len() - 1);
                }
                if too_big {
                    from = None;
                    to.clear();
                    b"552 5.3.4 Message too big\r\n"
                } else {
                    let mail = CapturedMail {
                        from: sender,
                        to: std::mem::take(&mut to),
                        data: String::from_utf8_lossy(&data).into_owned(),
                    };
                    from = None;
                    let n = {
                        let mut mails = shared.mails.lock().unwrap_or_else(PoisonError::into_inner);
                        mails.push(mail);
                        mails.len()
                    };
                    shared.count.send_replace(n);
                    b"250 2.0.0 OK queued\r\n"
                }
            }
            "RSET" => {
                from = None;
                to.clear();
                b"250 2.0.0 OK\r\n"
            }
            "NOOP" => b"250 2.0.0 OK\r\n",
            "VRFY" => b"252 2.1.5 Cannot VRFY\r\n",
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                write.shutdown().await?;
                return Ok(());
            }
            _ => b"502 5.5.2 Command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
    Ok(())
}

impl CapturedMail {
    /// The header block, unfolded: one `(name, value)` per header, in order.
    pub fn headers(&self) -> Vec<(String, String)> {
        let head = split_message(&self.data).0;
        let mut out: Vec<(String, String)> = Vec::new();
        for line in head.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.starts_with([' ', '\t']) {
                if let Some(last) = out.last_mut() {
                    last.1.push_str(line);
                }
            } else if let Some((name, value)) = line.split_once(':') {
                out.push((name.trim().to_string(), value.trim_start().to_string()));
            }
        }
        out
    }

    /// The first header of that name (case-insensitive), unfolded, not decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers()
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The Subject, RFC 2047 encoded words decoded.
    pub fn subject(&self) -> String {
        self.header("Subject")
            .map(|s| decode_rfc2047(&s))
            .unwrap_or_default()
    }

    /// The body decoded from its Content-Transfer-Encoding (base64,
    /// quoted-printable, 7bit/8bit) as UTF-8, line ends as `\n`.
    /// Multipart messages are not taken apart.
    pub fn body_text(&self) -> String {
        let body = split_message(&self.data).1;
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "base64" => {
                let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .unwrap_or_else(|_| body.as_bytes().to_vec())
            }
            "quoted-printable" => decode_quoted_printable(body.as_bytes()),
            _ => body.as_bytes().to_vec(),
        };
        String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
    }
}

/// (header block, body) split at the first empty line.
fn split_message(data: &str) -> (&str, &str) {
    if let Some(i) = data.find("\r\n\r\n") {
        (&data[..i], &data[i + 4..])
    } else if let Some(i) = data.find("\n\n") {
        (&data[..i], &data[i + 2..])
    } else {
        (data, "")
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Quoted-printable (RFC 2045 §6.7): `=XX` escapes, `=` at line end is a soft break.
fn decode_quoted_printable(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'=' {
            let rest = &input[i + 1..];
            if rest.starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if rest.starts_with(b"\n") {
                i += 2;
                continue;
            }
            if let (Some(&h), Some(&l)) = (rest.first(), rest.get(1)) {
                if let (Some(h), Some(l)) = (hex_value(h), hex_value(l)) {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

/// One `=?charset?B|Q?text?=` word decoded to bytes (charset assumed UTF-8/ASCII).
fn decode_encoded_word(word: &str) -> Option<Vec<u8>> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let _charset = parts.next()?;
    let encoding = parts.next()?;
    let text = parts.next()?;
    match encoding {
        "B" | "b" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(text))
            .ok(),
        "Q" | "q" => {
            let underscores = text.replace('_', " ");
            Some(decode_quoted_printable(underscores.as_bytes()))
        }
        _ => None,
    }
}

/// Decodes RFC 2047 encoded words in a header value; whitespace between two
/// encoded words is dropped and their bytes are joined before UTF-8 decoding.
pub fn decode_rfc2047(value: &str) -> String {
    let mut out: Vec<u8> = Vec::new();
    let mut pending_space = String::new();
    let mut last_was_word = false;
    let mut rest = value;
    while !rest.is_empty() {
        let ws_len = rest.len() - rest.trim_start().len();
        if ws_len > 0 {
            pending_space.push_str(&rest[..ws_len]);
            rest = &rest[ws_len..];
            continue;
        }
        let token_len = rest.find([' ', '\t', '\r', '\n']).unwrap_or(rest.len());
        let token = &rest[..token_len];
        rest = &rest[token_len..];
        match decode_encoded_word(token) {
            Some(bytes) => {
                if !last_was_word {
                    out.extend_from_slice(pending_space.as_bytes());
                }
                out.extend_from_slice(&bytes);
                last_was_word = true;
            }
            None => {
                out.extend_from_slice(pending_space.as_bytes());
                out.extend_from_slice(token.as_bytes());
                last_was_word = false;
            }
        }
        pending_space.clear();
    }
    if !last_was_word {
        out.extend_from_slice(pending_space.as_bytes());
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_headers_and_bodies() {
        assert_eq!(
            decode_rfc2047("=?utf-8?b?Tmjhuq9j?= =?utf-8?q?_h=E1=BA=A1n?= x"),
            "Nhắc hạn x"
        );
        assert_eq!(decode_rfc2047("plain  text"), "plain  text");
        assert_eq!(decode_quoted_printable(b"a=3Db=\r\nc"), b"a=bc");
        let mail = CapturedMail {
            from: "a@b".into(),
            to: vec!["c@d".into()],
            data: "Subject: =?utf-8?b?Tmjhuq9j?=\r\n =?utf-8?b?IGjhuqFu?=\r\n\
                   Content-Transfer-Encoding: quoted-printable\r\n\r\n\
                   K=E1=BA=BF ho=E1=BA=A1ch\r\nd=C3=B2ng 2"
                .into(),
        };
        assert_eq!(mail.subject(), "Nhắc hạn");
        assert_eq!(mail.body_text(), "Kế hoạch\ndòng 2");
    }
}
