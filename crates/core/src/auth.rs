//! Rules at the door: where a login may send the browser next, which request
//! ids a client may choose, and which address a request comes from behind a
//! trusted proxy. Pure functions; the web layer applies them.

use std::net::IpAddr;

/// Longest `next` kept (a longer one goes to `/`).
pub const NEXT_MAX: usize = 2048;

/// Decode `%XX` escapes once; `None` when an escape is malformed or the result
/// is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            let hi = b.get(i + 1).copied().and_then(hex)?;
            let lo = b.get(i + 2).copied().and_then(hex)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// One layer of a `next` value: a same-site path, nothing a browser could read
/// as another site or a scheme.
fn path_layer_ok(s: &str) -> bool {
    s.starts_with('/')
        && !s.contains("//")
        && !s.contains('\\')
        // A leading `/` leaves no room for a scheme (`javascript:`, `https:`).
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Where a login sends the browser: `next` only when it is a same-site path —
/// one leading `/`, no `//`, no `\`, no scheme, no whitespace or control
/// character anywhere, on the value as given and after each layer of
/// percent-decoding; anything else is `/`. Characters outside ASCII are
/// percent-encoded, so the answer is always a valid `Location`.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(raw) = next else {
        return "/".into();
    };
    if raw.is_empty() || raw.len() > NEXT_MAX {
        return "/".into();
    }
    let mut layer = raw.to_string();
    // Browsers and servers may decode more than once: every layer must be safe.
    for _ in 0..4 {
        if !path_layer_ok(&layer) {
            return "/".into();
        }
        match percent_decode(&layer) {
            None => return "/".into(),
            Some(d) if d == layer => break,
            Some(d) => layer = d,
        }
    }
    if layer.contains('%') && percent_decode(&layer).is_some_and(|d| d != layer) {
        // Still encoded after four layers: nobody needs that.
        return "/".into();
    }
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// A client-chosen `X-Request-Id` is kept only when it is 1-64 characters of
/// `[A-Za-z0-9._-]`; otherwise the server issues its own.
pub fn valid_request_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// An address block: `10.0.0.0/8`, `192.0.2.7` (one host), `fd00::/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (s, None),
        };
        let net: IpAddr = addr.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { net, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (canonical(self.net), ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - self.prefix as u32).unwrap_or(0);
                (u32::from(n) & mask) == (u32::from(a) & mask)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - self.prefix as u32).unwrap_or(0);
                (u128::from(n) & mask) == (u128::from(a) & mask)
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.net, self.prefix)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// Parse a comma-separated list of address blocks (`--trusted-proxy`);
/// `Err` names the first that is not one.
pub fn parse_cidrs(s: &str) -> Result<Vec<Cidr>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Cidr::parse(p).ok_or_else(|| p.to_string()))
        .collect()
}

/// The client's address. The peer is the client unless it is a trusted proxy;
/// then `X-Forwarded-For` (all its values, joined with commas) is read from
/// the right, skipping trusted proxies: the rightmost hop that is not trusted
/// is the client (a client can prepend anything, but cannot forge what the
/// trusted proxies appended). A malformed hop ends the walk at the last
/// address known good.
pub fn client_addr(peer: IpAddr, forwarded_for: &[&str], trusted: &[Cidr]) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut current = peer;
    for hop in hops.iter().rev() {
        if !is_trusted(current) {
            break;
        }
        match parse_hop(hop) {
            Some(ip) => current = ip,
            None => break,
        }
    }
    current
}

/// A hop of `X-Forwarded-For`: `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]:443`, `192.0.2.1:80`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok().map(canonical);
    }
    let (a, port) = hop.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    a.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn next_keeps_same_site_paths() {
        assert_eq!(safe_next(Some("/")), "/");
        assert_eq!(
            safe_next(Some("/villages?q=b%C3%A1t")),
            "/villages?q=b%C3%A1t"
        );
        assert_eq!(safe_next(Some("/reports/7/edit")), "/reports/7/edit");
        assert_eq!(safe_next(Some("/search?q=làng")), "/search?q=l%C3%A0ng");
        assert_eq!(safe_next(Some("/a:b")), "/a:b");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn next_refuses_every_way_off_site() {
        for bad in [
            "//evil",
            "/\\evil",
            "/%09/evil",
            "/%0a/evil",
            "/%0A/evil",
            "%2F%2Fevil",
            "https:evil",
            "https://evil.example",
            "javascript:alert(1)",
            "/%2F%2Fevil",
            "/%2f%2fevil",
            "/%252F%252Fevil",
            "/%5Cevil",
            "/\t/evil",
            "/\n/evil",
            "/\u{b}/evil",
            "/ /evil",
            "/%20/evil",
            "/%E2%80%A8/evil",
            "/\u{a0}x",
            "/%zz",
            "/%C3",
            "",
            "evil",
            "/x//y",
            "\\\\evil",
            "/%2e%2e//evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(NEXT_MAX)))), "/");
    }

    proptest! {
        #[test]
        fn next_is_always_a_safe_location(s in "\\PC{0,40}|[/%\\\\:a-zA-Z0-9\\t\\n .?=&]{0,30}") {
            let n = safe_next(Some(&s));
            prop_assert!(n.starts_with('/'));
            prop_assert!(!n.starts_with("//"));
            prop_assert!(n.bytes().all(|b| (0x21..0x7f).contains(&b)), "{n:?}");
            // Every decoding of the answer is still a same-site path.
            let mut layer = n.clone();
            for _ in 0..5 {
                prop_assert!(layer.starts_with('/') && !layer.contains("//") && !layer.contains('\\'));
                prop_assert!(!layer.chars().any(|c| c.is_whitespace() || c.is_control()));
                match percent_decode(&layer) { Some(d) if d != layer => layer = d, _ => break }
            }
            // Idempotent: a safe answer is kept as it is.
            prop_assert_eq!(safe_next(Some(&n)), n.clone());
            if n != "/" && s.is_ascii() {
                prop_assert_eq!(n, s);
            }
        }
    }

    #[test]
    fn request_ids() {
        assert!(valid_request_id("a"));
        assert!(valid_request_id("0b7f7a0e-1f0e-4f6e-9d7b-2f7f1c0e9a11"));
        assert!(valid_request_id("job_17.retry-2"));
        assert!(valid_request_id(&"x".repeat(64)));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id(&"x".repeat(65)));
        assert!(!valid_request_id(&"x".repeat(5000)));
        for bad in ["a b", "a/b", "a\nb", "ä", "a:b", "<script>", "a,b"] {
            assert!(!valid_request_id(bad), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn request_id_rule_is_the_alphabet_and_length(s in "\\PC{0,80}") {
            let ok = !s.is_empty() && s.len() <= 64
                && s.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c));
            prop_assert_eq!(valid_request_id(&s), ok);
        }
    }

    fn ip(s: &str) -> IpAddr {
        match s.parse() {
            Ok(a) => a,
            Err(e) => panic!("not an address {s}: {e}"),
        }
    }

    fn cidr(s: &str) -> Cidr {
        match Cidr::parse(s) {
            Some(c) => c,
            None => panic!("not a CIDR: {s}"),
        }
    }

    #[test]
    fn cidrs() {
        let c = cidr("10.0.0.0/8");
        assert!(c.contains(ip("10.1.2.3")));
        assert!(c.contains(ip("::ffff:10.1.2.3")));
        assert!(!c.contains(ip("11.0.0.1")));
        assert!(!c.contains(ip("::1")));
        let one = cidr("192.0.2.7");
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        assert!(cidr("0.0.0.0/0").contains(ip("8.8.8.8")));
        assert!(cidr("fd00::/8").contains(ip("fd12::1")));
        assert!(cidr("::/0").contains(ip("2001:db8::1")));
        for bad in ["10.0.0.0/33", "x", "10.0.0.0/", "::/129", ""] {
            assert!(Cidr::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(parse_cidrs("10.0.0.0/8, 127.0.0.1").map(|c| c.len()), Ok(2));
        assert_eq!(parse_cidrs("10.0.0.0/8,nope"), Err("nope".into()));
    }

    #[test]
    fn client_address_behind_a_trusted_proxy() {
        let proxy = [cidr("10.0.0.0/8")];
        // Not from the proxy: the header is ignored.
        assert_eq!(
            client_addr(ip("203.0.113.9"), &["1.2.3.4"], &proxy),
            ip("203.0.113.9")
        );
        // From the proxy: the rightmost untrusted hop.
        assert_eq!(
            client_addr(ip("10.0.0.2"), &["198.51.100.7"], &proxy),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_addr(ip("10.0.0.2"), &["6.6.6.6, 198.51.100.7, 10.0.0.5"], &proxy),
            ip("198.51.100.7"),
            "a client-written hop on the left is not believed"
        );
        assert_eq!(
            client_addr(ip("10.0.0.2"), &["6.6.6.6", "198.51.100.7"], &proxy),
            ip("198.51.100.7")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(client_addr(ip("10.0.0.2"), &[], &proxy), ip("10.0.0.2"));
        assert_eq!(
            client_addr(ip("10.0.0.2"), &["garbage"], &proxy),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_addr(ip("10.0.0.2"), &["[2001:db8::1]:443"], &proxy),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_addr(ip("10.0.0.2"), &["192.0.2.1:80"], &proxy),
            ip("192.0.2.1")
        );
        // Nobody trusted: the peer, whatever the header says.
        assert_eq!(
            client_addr(ip("10.0.0.2"), &["1.2.3.4"], &[]),
            ip("10.0.0.2")
        );
    }

    proptest! {
        #[test]
        fn untrusted_peers_are_never_overridden(a in any::<u32>(), hops in proptest::collection::vec(any::<u32>(), 0..4)) {
            let proxy = [cidr("10.0.0.0/8")];
            let peer = IpAddr::V4(std::net::Ipv4Addr::from(a));
            let xff = hops.iter().map(|h| std::net::Ipv4Addr::from(*h).to_string()).collect::<Vec<_>>().join(",");
            let got = client_addr(peer, &[&xff], &proxy);
            if !proxy[0].contains(peer) {
                prop_assert_eq!(got, peer);
            } else {
                // The answer is the peer or one of the hops.
                prop_assert!(got == peer || xff.split(',').any(|h| h.parse::<IpAddr>().ok() == Some(got)));
            }
        }
    }
}
