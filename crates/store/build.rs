//! `sqlx::migrate!` embeds the migration folders at compile time: a new or
//! changed migration must rebuild this crate, or a binary would start without it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
