//! Roles and what each may do. Scope (which admin units a user reaches) is
//! enforced by the store through the coverage table; this module answers
//! "may this role do this kind of thing at all".

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Coordinator,
    Officer,
    Reviewer,
    Viewer,
}

/// Kinds of action a handler asks permission for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read data inside one's scope.
    Read,
    /// Create or change registry data (agencies, later villages) inside one's scope.
    EditRegistry,
    /// Manage accounts and read the audit log.
    Administer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Coordinator,
        Role::Officer,
        Role::Reviewer,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Officer => "officer",
            Role::Reviewer => "reviewer",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn may(self, action: Action) -> bool {
        match action {
            Action::Read => true,
            Action::EditRegistry => matches!(self, Role::Admin | Role::Coordinator),
            Action::Administer => self == Role::Admin,
        }
    }
}

/// Shortest password accepted, in characters.
pub const PASSWORD_MIN: usize = 12;
/// Longest password accepted, in characters.
pub const PASSWORD_MAX: usize = 256;
/// Lowest strength score (zxcvbn, 0-4) accepted.
pub const PASSWORD_MIN_SCORE: u8 = 3;

/// The shipped list of common passwords (`data/passwords/common.txt`), read once.
fn common_passwords() -> &'static std::collections::HashSet<&'static str> {
    static LIST: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../../../data/passwords/common.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// How many passwords the shipped common list holds.
pub fn common_password_count() -> usize {
    common_passwords().len()
}

/// Password policy for accounts of a government system: not only whitespace,
/// at least 12 characters (at most 256), not containing the username, not on
/// the list of common passwords, and not guessable by the zxcvbn estimator
/// (score at least 3, told the username and the person's name).
pub fn check_password_policy(
    password: &str,
    username: &str,
    display_name: &str,
) -> Result<(), PasswordProblem> {
    if password.trim().is_empty() {
        return Err(PasswordProblem::Blank);
    }
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(PasswordProblem::TooShort { min: PASSWORD_MIN });
    }
    if n > PASSWORD_MAX {
        return Err(PasswordProblem::TooLong { max: PASSWORD_MAX });
    }
    let lower = password.to_lowercase();
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Err(PasswordProblem::ContainsUsername);
    }
    if common_passwords().contains(lower.trim()) {
        return Err(PasswordProblem::Common);
    }
    // The name as typed, lower case, without diacritics, and run together.
    let name_lower = display_name.to_lowercase();
    let name_folded = crate::text::fold_vi(display_name);
    let name_joined: String = name_folded.split_whitespace().collect();
    let mut inputs: Vec<&str> = vec![username, display_name, &name_lower, &name_folded];
    inputs.push(&name_joined);
    inputs.extend(name_lower.split_whitespace());
    inputs.extend(name_folded.split_whitespace());
    inputs.extend(username.split(['.', '_', '-']));
    inputs.retain(|s| !s.is_empty());
    let score = u8::from(zxcvbn::zxcvbn(password, &inputs).score());
    if score < PASSWORD_MIN_SCORE {
        return Err(PasswordProblem::Guessable);
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    /// Only whitespace.
    Blank,
    TooShort {
        min: usize,
    },
    TooLong {
        max: usize,
    },
    ContainsUsername,
    /// On the list of common passwords.
    Common,
    /// The strength estimator guesses it too easily.
    Guessable,
}

/// A username: 3-64 characters of `a-z 0-9 . _ -`, starting with a letter or digit.
pub fn parse_username(s: &str) -> Option<String> {
    let s = s.trim().to_lowercase();
    let ok_len = (3..=64).contains(&s.len());
    let ok_first = s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    let ok_chars = s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    (ok_len && ok_first && ok_chars).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_permissions() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert!(r.may(Action::Read));
        }
        assert!(Role::Coordinator.may(Action::EditRegistry));
        assert!(!Role::Officer.may(Action::EditRegistry));
        assert!(!Role::Coordinator.may(Action::Administer));
        assert!(Role::Admin.may(Action::Administer));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn password_policy() {
        let p = |pw: &str| check_password_policy(pw, "canbo.gialam", "Nguyễn Văn An");
        assert_eq!(p("          "), Err(PasswordProblem::Blank));
        assert_eq!(p(""), Err(PasswordProblem::Blank));
        assert_eq!(p(" \t\n"), Err(PasswordProblem::Blank));
        assert_eq!(p("short"), Err(PasswordProblem::TooShort { min: 12 }));
        assert_eq!(p("Gốm sứ 2026"), Err(PasswordProblem::TooShort { min: 12 }));
        assert_eq!(
            p(&"x".repeat(257)),
            Err(PasswordProblem::TooLong { max: 256 })
        );
        assert_eq!(
            p("canbo.gialam-2024!"),
            Err(PasswordProblem::ContainsUsername)
        );
        assert_eq!(p("1111111111"), Err(PasswordProblem::TooShort { min: 12 }));
        assert!(
            matches!(
                p("111111111111"),
                Err(PasswordProblem::Guessable | PasswordProblem::Common)
            ),
            "111111111111"
        );
        assert_eq!(p("password1234"), Err(PasswordProblem::Common));
        assert_eq!(p("PASSWORD1234"), Err(PasswordProblem::Common));
        assert!(
            matches!(
                p("qwertyuiop12"),
                Err(PasswordProblem::Guessable | PasswordProblem::Common)
            ),
            "qwertyuiop12"
        );
        assert!(
            matches!(
                p("abcdefghijkl"),
                Err(PasswordProblem::Guessable | PasswordProblem::Common)
            ),
            "abcdefghijkl"
        );
        assert!(
            matches!(
                p("nguyenvanan1"),
                Err(PasswordProblem::Guessable | PasswordProblem::Common)
            ),
            "nguyenvanan1"
        );
        // Passphrases and the passwords of the tests and demos pass.
        for good in [
            "làng nghề Bát Tràng",
            "Làng nghề Bát Tràng 2026",
            "pw-Mật-khẩu-2026",
            "Gốm sứ Bát Tràng 1",
            "Mật-khẩu-thử-2026-dài",
            "Gia-Lâm-mật-khẩu-2026",
            "Hà Nội 2026 thương hiệu",
            "Gia Lâm gốm sứ 2026",
            "Hà Đông lụa 2026",
            "Lao Cai 2023 điều phối",
            "Huyện biên giới 2023",
            "correct horse battery staple",
            "gốm men lam bốn mùa Bát Tràng",
        ] {
            assert_eq!(p(good), Ok(()), "{good}");
        }
    }

    #[test]
    fn the_common_list_is_shipped_and_checked() {
        assert!(
            common_password_count() >= 10_000,
            "{}",
            common_password_count()
        );
        for w in ["123456789012", "qwertyuiopas", "iloveyou1234"] {
            assert!(check_password_policy(w, "x", "").is_err(), "{w}");
        }
    }

    proptest::proptest! {
        /// Whitespace alone is never a password, however long.
        #[test]
        fn whitespace_is_never_enough(s in "[ \t\n\u{a0}\u{3000}]{0,300}") {
            proptest::prop_assert_eq!(check_password_policy(&s, "u", ""), Err(PasswordProblem::Blank));
        }

        /// Anything shorter than the minimum is refused.
        #[test]
        fn short_is_refused(s in "\\PC{1,11}") {
            proptest::prop_assert!(check_password_policy(&s, "", "").is_err());
        }
    }

    #[test]
    fn usernames() {
        assert_eq!(
            parse_username(" Officer.GiaLam "),
            Some("officer.gialam".into())
        );
        assert_eq!(parse_username("ab"), None);
        assert_eq!(parse_username("a b c"), None);
        assert_eq!(parse_username("x'; drop table users;--"), None);
        assert_eq!(parse_username("_lead"), None);
    }
}
