//! Drop the PostgreSQL databases a test run created (`langnghe_*_<run>_*`).
//! `scripts/test` calls it after the suite; each test already drops its own
//! database, this removes the per-process templates and anything a crash left.

use langnghe_store::Db;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let run = langnghe_it::run_id();
    let admin = match Db::connect(&langnghe_it::pg_admin_url()).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("pg-cleanup: no PostgreSQL ({e}); nothing to drop");
            return;
        }
    };
    let Db::Pg(pool) = &admin else { return };
    let pattern = format!("langnghe\\_%\\_{run}\\_%");
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE $1")
            .bind(&pattern)
            .fetch_all(pool)
            .await
            .unwrap_or_default();
    for n in &names {
        if n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)"))
                .execute(pool)
                .await;
        }
    }
    println!(
        "pg-cleanup: dropped {} test database(s) of run {run}",
        names.len()
    );
    admin.close().await;
}
