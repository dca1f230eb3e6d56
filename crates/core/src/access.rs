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

/// Password policy for accounts of a government system.
pub fn check_password_policy(password: &str, username: &str) -> Result<(), PasswordProblem> {
    let n = password.chars().count();
    if n < 10 {
        return Err(PasswordProblem::TooShort { min: 10 });
    }
    if n > 256 {
        return Err(PasswordProblem::TooLong { max: 256 });
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(PasswordProblem::ContainsUsername);
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort { min: usize },
    TooLong { max: usize },
    ContainsUsername,
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
        assert_eq!(
            check_password_policy("short", "u"),
            Err(PasswordProblem::TooShort { min: 10 })
        );
        assert_eq!(
            check_password_policy("nguyenvana-2024", "nguyenvana"),
            Err(PasswordProblem::ContainsUsername)
        );
        assert!(check_password_policy("làng nghề Bát Tràng", "admin").is_ok());
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
