//! Keyset cursors for deep pages: the sort key and id of the last row a page
//! showed, as opaque text (base64url of a small JSON). The next page starts
//! after that row, so page 10.000 costs what page 1 costs (no OFFSET scan).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// Where a page ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort it was made for (`name`, `-issued_on`…): another sort refuses it.
    #[serde(rename = "s")]
    pub sort: String,
    /// The sort value of the last row (null when it had none).
    #[serde(rename = "v")]
    pub value: serde_json::Value,
    /// The id of the last row (the tiebreak: ids order rows with equal values).
    #[serde(rename = "i")]
    pub id: i64,
}

impl Cursor {
    /// The opaque text given to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// The cursor of a text a client sent back; `None` when it is not one.
    pub fn decode(text: &str) -> Option<Cursor> {
        if text.len() > 2_000 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text.trim().as_bytes()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let c = Cursor {
            sort: "-name".into(),
            value: serde_json::json!("Làng nghề gốm Bát Tràng"),
            id: 42,
        };
        let t = c.encode();
        assert!(t
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'));
        assert_eq!(Cursor::decode(&t), Some(c));
        assert_eq!(Cursor::decode("not a cursor"), None);
        assert_eq!(Cursor::decode(""), None);
        assert_eq!(Cursor::decode(&"A".repeat(3000)), None);
        // Valid base64 of something else.
        assert_eq!(Cursor::decode(&URL_SAFE_NO_PAD.encode(b"[1,2]")), None);
    }
}
