//! Agencies (cơ quan, đơn vị): departments, People's Committees, centres, associations…

/// The kinds of agency, in the order a form lists them.
pub const KINDS: [&str; 9] = [
    "people_committee",
    "department",
    "sub_department",
    "centre",
    "association",
    "bank",
    "tax",
    "media",
    "other",
];

pub fn is_kind(s: &str) -> bool {
    KINDS.contains(&s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn kinds() {
        assert!(super::is_kind("department"));
        assert!(!super::is_kind("Department"));
    }
}
