//! E-mail over SMTP: the mailer against the in-process catcher (no store needed).

use langnghe_it::smtp::SmtpCatcher;
use langnghe_web::mail::{MailConfig, MailError, Mailer, SEND_TIMEOUT};
use std::time::{Duration, Instant};

const SUBJECT: &str = "Nhắc hạn báo cáo: còn 3 ngày";
const BODY: &str = "Kính gửi UBND xã Vân Hà,\n\n\
Kế hoạch 316/KH-UBND — hạn 20/06/2023.\n\
Đề nghị đơn vị nộp báo cáo tiến độ làng nghề gỗ Đồng Kỵ trước hạn.\n";

fn config(url: &str, from: &str) -> MailConfig {
    MailConfig {
        smtp_url: url.to_string(),
        from: from.to_string(),
    }
}

#[tokio::test]
async fn mail_sends_vietnamese_subject_and_body() {
    let catcher = SmtpCatcher::start().await;
    let mailer = Mailer::new(&config(
        &catcher.url(),
        "Sở Công Thương <nhac-han@soct.example.gov.vn>",
    ))
    .expect("mailer");
    mailer
        .send("can-bo@vanha.example.vn", SUBJECT, BODY)
        .await
        .expect("first send");
    // A second message over the pooled connection; a line starting with a dot is stuffed.
    mailer
        .send(
            "Trưởng phòng <truong-phong@soct.example.gov.vn>",
            "Plain ASCII",
            "line one\n.starts with a dot\n..two dots\n",
        )
        .await
        .expect("second send");

    let mails = catcher.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(mails.len(), 2, "{mails:#?}");
    let m = &mails[0];
    assert_eq!(m.from, "nhac-han@soct.example.gov.vn");
    assert_eq!(m.to, vec!["can-bo@vanha.example.vn".to_string()]);
    assert_eq!(m.subject(), SUBJECT);
    assert_eq!(m.body_text(), BODY);
    // Encoded on the wire: 7-bit clean, UTF-8 declared, subject as RFC 2047 words.
    assert!(m.data.is_ascii(), "raw message not 7-bit:\n{}", m.data);
    let content_type = m.header("Content-Type").unwrap_or_default();
    assert!(
        content_type
            .to_ascii_lowercase()
            .starts_with("text/plain; charset=utf-8"),
        "{content_type}"
    );
    let raw_subject = m.header("Subject").unwrap_or_default();
    assert!(
        raw_subject.to_ascii_lowercase().starts_with("=?utf-8?"),
        "{raw_subject}"
    );
    let from_header = m.header("From").unwrap_or_default();
    assert!(
        langnghe_it::smtp::decode_rfc2047(&from_header).contains("Sở Công Thương"),
        "{from_header}"
    );
    assert!(from_header.contains("<nhac-han@soct.example.gov.vn>"));
    assert!(m
        .header("To")
        .unwrap_or_default()
        .contains("can-bo@vanha.example.vn"));
    assert!(m.header("Date").is_some() && m.header("Message-ID").is_some());

    let m = &mails[1];
    assert_eq!(m.to, vec!["truong-phong@soct.example.gov.vn".to_string()]);
    assert_eq!(m.subject(), "Plain ASCII");
    assert_eq!(m.body_text(), "line one\n.starts with a dot\n..two dots\n");
}

#[tokio::test]
async fn mail_rejects_bad_configuration_and_recipients() {
    for url in [
        "http://x",
        "x",
        "smtp://",
        "smtp://mail.example.vn:587?tls=sometimes",
        "smtp://user:secret@mail.example.vn:25",
    ] {
        match Mailer::new(&config(url, "langnghe@localhost")) {
            Err(MailError::Config(msg)) => assert!(!msg.contains("secret"), "{msg}"),
            other => panic!("{url}: expected a config error, got {other:?}"),
        }
    }
    for from in ["", "không phải địa chỉ", "a@@b", "langnghe"] {
        match Mailer::new(&config("smtp://127.0.0.1:25", from)) {
            Err(MailError::Config(_)) => {}
            other => panic!("{from:?}: expected a config error, got {other:?}"),
        }
    }
    for url in [
        "smtp://127.0.0.1:2525",
        "smtp://user:p%40ss@mail.example.vn:587?tls=starttls",
        "smtps://user:pass@mail.example.vn:465",
    ] {
        assert!(
            Mailer::new(&config(url, "Sở CT <a@soct.example.gov.vn>")).is_ok(),
            "{url}"
        );
    }
    let mailer = Mailer::new(&config("smtp://127.0.0.1:9", "langnghe@localhost")).expect("mailer");
    match mailer.send("not an address", "s", "b").await {
        Err(MailError::Address(_)) => {}
        other => panic!("expected an address error, got {other:?}"),
    }
}

#[tokio::test]
async fn mail_to_a_closed_port_fails_without_hanging() {
    let port = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        l.local_addr().expect("addr").port()
    }; // closed again here
    let mailer = Mailer::new(&config(
        &format!("smtp://127.0.0.1:{port}"),
        "langnghe@localhost",
    ))
    .expect("mailer");
    let started = Instant::now();
    let result = tokio::time::timeout(
        SEND_TIMEOUT + Duration::from_secs(5),
        mailer.send("a@example.vn", "s", "b"),
    )
    .await
    .expect("send must return within its timeout");
    assert!(matches!(result, Err(MailError::Send(_))), "{result:?}");
    assert!(started.elapsed() <= SEND_TIMEOUT, "{:?}", started.elapsed());
}

#[tokio::test]
async fn mail_to_a_silent_server_times_out() {
    // Accepts the connection, never greets.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            open.push(s);
        }
    });
    let mailer = Mailer::with_timeout(
        &config(&format!("smtp://127.0.0.1:{port}"), "langnghe@localhost"),
        Duration::from_millis(500),
    )
    .expect("mailer");
    let started = Instant::now();
    let result = tokio::time::timeout(
        Duration::from_secs(5),
        mailer.send("a@example.vn", "s", "b"),
    )
    .await
    .expect("send must return within its timeout");
    assert!(matches!(result, Err(MailError::Send(_))), "{result:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    hold.abort();
}
