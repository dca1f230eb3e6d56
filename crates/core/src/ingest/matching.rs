//! Matching an agency named in a plan to the agency registry: "Sở Nông
//! nghiệp và PTNT" is "Sở Nông nghiệp và Phát triển nông thôn tỉnh Lào Cai".

use crate::text::fold_vi;

/// An agency of the registry, as the matcher sees it.
#[derive(Debug, Clone)]
pub struct AgencyCandidate {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
}

/// The agency a name was matched to, and how sure the match is (0–1).
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyMatch {
    pub id: i64,
    pub confidence: f64,
}

/// Abbreviations officials write for the words of agency names.
const EXPANSIONS: &[(&str, &str)] = &[
    ("ubnd", "uy ban nhan dan"),
    ("hdnd", "hoi dong nhan dan"),
    ("nn&ptnt", "nong nghiep va phat trien nong thon"),
    ("nnptnt", "nong nghiep va phat trien nong thon"),
    ("ptnt", "phat trien nong thon"),
    ("ld-tb&xh", "lao dong thuong binh va xa hoi"),
    ("ldtbxh", "lao dong thuong binh va xa hoi"),
    ("kh&cn", "khoa hoc va cong nghe"),
    ("khcn", "khoa hoc va cong nghe"),
    ("kh&dt", "ke hoach va dau tu"),
    ("khdt", "ke hoach va dau tu"),
    ("tn&mt", "tai nguyen va moi truong"),
    ("tnmt", "tai nguyen va moi truong"),
    ("vh&tt", "van hoa va the thao"),
    ("vhtt", "van hoa va the thao"),
    ("ct", "cong thuong"),
    ("tc", "tai chinh"),
    ("tp", "thanh pho"),
];

/// The folded name without the province it is in: the registry writes
/// "Sở Công Thương tỉnh Lào Cai", the plan "Sở Công Thương".
fn without_province(f: &str) -> String {
    for tail in [" thanh pho", " tinh"] {
        if let Some(head) = f.strip_suffix(tail) {
            if head.split_whitespace().count() >= 2
                && !head.ends_with("uy ban nhan dan")
                && !head.ends_with("ubnd")
            {
                return head.to_string();
            }
        }
    }
    for marker in [" tinh ", " thanh pho "] {
        if let Some(at) = f.rfind(marker) {
            let head = &f[..at];
            if head.split_whitespace().count() >= 2
                && !head.ends_with("uy ban nhan dan")
                && !head.ends_with("ubnd")
            {
                return head.to_string();
            }
        }
    }
    f.to_string()
}

fn words(s: &str) -> Vec<String> {
    let f = without_province(&fold_vi(s))
        .replace(" - ", " ")
        .replace(',', " ");
    let mut out = Vec::new();
    for w in f.split_whitespace() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '&' && c != '-');
        if w.is_empty() || w == "-" {
            continue;
        }
        match EXPANSIONS.iter().find(|(a, _)| *a == w) {
            Some((_, e)) => out.extend(e.split(' ').map(str::to_string)),
            None => out.extend(w.split('-').filter(|x| !x.is_empty()).map(str::to_string)),
        }
    }
    out.retain(|w| w != "va");
    out
}

fn score(m: &[String], c: &[String]) -> f64 {
    if m.is_empty() || c.is_empty() {
        return 0.0;
    }
    if m == c {
        return 1.0;
    }
    let sm: std::collections::HashSet<&String> = m.iter().collect();
    let sc: std::collections::HashSet<&String> = c.iter().collect();
    let inter = sm.intersection(&sc).count() as f64;
    let union = sm.union(&sc).count() as f64;
    inter / union
}

/// The registry agency `name` most likely means, when the match is at least
/// 0,75 sure; ties (two agencies as likely) match nothing.
pub fn match_agency(name: &str, candidates: &[AgencyCandidate]) -> Option<AgencyMatch> {
    let m = words(name);
    let mut best: Option<(i64, f64)> = None;
    let mut tie = false;
    for c in candidates {
        let mut s = score(&m, &words(&c.name));
        if let Some(short) = &c.short_name {
            s = s.max(score(&m, &words(short)));
        }
        match best {
            Some((_, b)) if (s - b).abs() < 1e-9 && s > 0.0 => tie = true,
            Some((_, b)) if s > b => {
                best = Some((c.id, s));
                tie = false;
            }
            None if s > 0.0 => best = Some((c.id, s)),
            _ => {}
        }
    }
    let (id, confidence) = best?;
    (!tie && confidence >= 0.75).then_some(AgencyMatch {
        id,
        confidence: (confidence * 100.0).round() / 100.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lc() -> Vec<AgencyCandidate> {
        [
            (
                1,
                "Sở Nông nghiệp và Phát triển nông thôn tỉnh Lào Cai",
                Some("Sở NN&PTNT"),
            ),
            (2, "Sở Công Thương tỉnh Lào Cai", Some("Sở CT")),
            (3, "Sở Khoa học và Công nghệ tỉnh Lào Cai", None),
            (4, "Sở Lao động - Thương binh và Xã hội tỉnh Lào Cai", None),
            (5, "Chi cục Phát triển nông thôn tỉnh Lào Cai", None),
            (6, "Ủy ban nhân dân huyện Bát Xát", None),
        ]
        .into_iter()
        .map(|(id, n, s)| AgencyCandidate {
            id,
            name: n.into(),
            short_name: s.map(str::to_string),
        })
        .collect()
    }

    #[test]
    fn names_as_plans_write_them() {
        let c = lc();
        let id = |n: &str| match_agency(n, &c).map(|m| m.id);
        assert_eq!(id("Sở Nông nghiệp và Phát triển nông thôn"), Some(1));
        assert_eq!(id("Sở Nông nghiệp và PTNT"), Some(1));
        assert_eq!(id("Sở Công thương"), Some(2));
        assert_eq!(id("Sở Lao động, Thương binh và Xã hội"), Some(4));
        assert_eq!(id("Sở Lao động Thương binh và xã hội"), Some(4));
        assert_eq!(id("Chi cục Phát triển nông thôn"), Some(5));
        assert_eq!(id("UBND huyện Bát Xát"), Some(6));
        assert_eq!(
            match_agency("Sở Công Thương", &c).map(|m| m.confidence),
            Some(1.0)
        );
        // Not in the registry: no match rather than a wrong one.
        assert_eq!(id("Sở Du lịch"), None);
        assert_eq!(id("Liên minh Hợp tác xã Thành phố"), None);
    }
}
