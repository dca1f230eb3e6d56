//! `pg-db create NAME` / `pg-db drop NAME`: a PostgreSQL database for a server
//! that a script starts (the API fuzz), on the server of `LANGNGHE_TEST_PG`.
//! Names are limited to `[a-z0-9_]` so they can be spliced into the DDL.

use langnghe_store::Db;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (verb, name) = match args.as_slice() {
        [v, n] if (v == "create" || v == "drop") && valid(n) => (v.as_str(), n.as_str()),
        _ => {
            eprintln!("usage: pg-db create|drop NAME   (NAME: lower-case letters, digits, _)");
            std::process::exit(2);
        }
    };
    let admin = match Db::connect(&langnghe_it::pg_admin_url()).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("pg-db: no PostgreSQL ({e})");
            std::process::exit(1);
        }
    };
    let Db::Pg(pool) = &admin else {
        std::process::exit(1)
    };
    let sql = match verb {
        "create" => format!("CREATE DATABASE {name}"),
        _ => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    };
    if let Err(e) = sqlx::query(&sql).execute(pool).await {
        eprintln!("pg-db: {sql}: {e}");
        std::process::exit(1);
    }
    admin.close().await;
    println!("{}", langnghe_it::pg_url_for(name));
}

fn valid(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 60
        && n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
