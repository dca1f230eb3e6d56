//! Accounts, password hashes and personal API tokens.

use crate::audit::{Actor, AuditAction, AuditEntity};
use crate::{with_db, with_tx, Arg, Db, Result, Sql, StoreError, Tx};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// An account as stored; the API answers `web::users::UserView`. Serialize is
/// for the audit log's before/after.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub agency_id: i64,
    pub agency_name: String,
    #[serde(skip)]
    pub scope_unit_id: i64,
    pub scope_code: String,
    pub scope_name: String,
    pub lang: String,
    pub email: Option<String>,
    pub active: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Changes name it (`version` or `If-Match`); every write of the account bumps it.
    pub version: i64,
}

const SELECT: &str = "SELECT us.id, us.username, us.display_name, us.role, us.agency_id, a.name AS agency_name, \
    us.scope_unit_id, s.code AS scope_code, s.name AS scope_name, us.lang, us.email, us.active, us.created_at, us.version \
    FROM users us JOIN agencies a ON a.id = us.agency_id JOIN admin_units s ON s.id = us.scope_unit_id";

/// Hash a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A random secret of `bytes` bytes, hex-encoded.
pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// A readable generated password (for the first admin).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    buf.iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect()
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: String,
    pub agency_id: i64,
    pub scope_unit_id: i64,
    pub lang: String,
    /// Where reminders are e-mailed.
    pub email: Option<String>,
}

pub async fn count(db: &Db) -> Result<i64> {
    Ok(with_db!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(c)
    .await?))
}

async fn get_tx(tx: &mut Tx, id: i64) -> Result<User> {
    let sql = format!("{SELECT} WHERE us.id = $1");
    crate::row_for_tx::<User>(tx, &sql, id)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn create(db: &Db, actor: &Actor, u: &NewUser) -> Result<User> {
    // Hash before taking the write lock: argon2 is slow on purpose.
    let hash = hash_password(&u.password)?;
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO users (username, display_name, password_hash, role, agency_id, scope_unit_id, lang, active, created_at, updated_at, email) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8, $8, $9) RETURNING id"
    )
    .bind(&u.username)
    .bind(&u.display_name)
    .bind(&hash)
    .bind(&u.role)
    .bind(u.agency_id)
    .bind(u.scope_unit_id)
    .bind(&u.lang)
    .bind(now)
    .bind(&u.email)
    .fetch_one(c)
    .await
    .map_err(|e| StoreError::from(e).on_unique("username"))?
    });
    let user = get_tx(w.tx(), id).await?;
    w.created(AuditEntity::User, id, &user).await?;
    w.commit().await?;
    Ok(user)
}

/// What an admin may change of an account.
#[derive(Debug, Clone)]
pub struct UserChange {
    pub display_name: String,
    pub role: String,
    pub agency_id: i64,
    pub scope_unit_id: i64,
    pub lang: String,
    pub email: Option<String>,
    pub active: bool,
    /// A new password set by the admin (checked by the caller).
    pub password: Option<String>,
}

/// Change an account if it is still at version `expected`; `Stale` otherwise.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected: Option<i64>,
    ch: &UserChange,
) -> Result<User> {
    let hash = match &ch.password {
        Some(p) => Some(hash_password(p)?),
        None => None,
    };
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    w.lock("users", id, expected).await?;
    let before = get_tx(w.tx(), id).await?;
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE users SET display_name = $1, role = $2, agency_id = $3, scope_unit_id = $4, lang = $5, \
         email = $6, active = $7, password_hash = COALESCE($8, password_hash), updated_at = $9, version = version + 1 \
         WHERE id = $10"
    )
    .bind(&ch.display_name)
    .bind(&ch.role)
    .bind(ch.agency_id)
    .bind(ch.scope_unit_id)
    .bind(&ch.lang)
    .bind(&ch.email)
    .bind(ch.active)
    .bind(&hash)
    .bind(now)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected()
    });
    let after = get_tx(w.tx(), id).await?;
    // The hash never goes into the audit log; that it changed does.
    let mut after_json = serde_json::to_value(&after).unwrap_or_default();
    if hash.is_some() {
        after_json["password"] = serde_json::json!("changed");
    }
    w.finish(
        AuditAction::Update,
        AuditEntity::User,
        id,
        Some(&before),
        Some(&after_json),
    )
    .await?;
    Ok(after)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<User>> {
    let sql = format!("{SELECT} WHERE us.id = $1");
    Ok(with_db!(db, |c| sqlx::query_as::<_, User>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<User>> {
    let sql = format!("{SELECT} WHERE us.username = $1");
    Ok(with_db!(db, |c| sqlx::query_as::<_, User>(&sql)
        .bind(username)
        .fetch_optional(c)
        .await?))
}

/// Check a username/password pair; `None` when unknown, inactive or wrong.
pub async fn authenticate(db: &Db, username: &str, password: &str) -> Result<Option<User>> {
    let row: Option<(i64, String, bool)> = with_db!(db, |c| sqlx::query_as(
        "SELECT id, password_hash, active FROM users WHERE username = $1"
    )
    .bind(username)
    .fetch_optional(c)
    .await?);
    match row {
        Some((id, hash, true)) if verify_password(password, &hash) => get(db, id).await,
        Some(_) => Ok(None),
        None => {
            // Spend the same time as a real check, so timing does not reveal usernames.
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let dummy = DUMMY.get_or_init(|| hash_password("not a password").unwrap_or_default());
            let _ = verify_password(password, dummy);
            Ok(None)
        }
    }
}

/// Set a password (its owner's change): bumps the account's version.
pub async fn set_password(db: &Db, actor: &Actor, id: i64, password: &str) -> Result<()> {
    let hash = hash_password(password)?;
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    w.lock("users", id, None).await?;
    with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2, version = version + 1 WHERE id = $3"
    )
    .bind(&hash)
    .bind(now)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    // The hash itself never goes into the audit log.
    let note = serde_json::json!({"password": "changed"});
    w.audit::<(), _>(
        AuditAction::ChangePassword,
        AuditEntity::User,
        id,
        None,
        Some(&note),
    )
    .await?;
    w.commit().await
}

/// The owner's language: bumps the account's version when it changes.
pub async fn set_lang(db: &Db, actor: &Actor, id: i64, lang: &str) -> Result<()> {
    let before: Option<String> = with_db!(db, |c| sqlx::query_scalar(
        "SELECT lang FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?);
    match before {
        None => return Err(StoreError::NotFound),
        // Nothing to write: no lock taken, no audit row.
        Some(b) if b == lang => return Ok(()),
        Some(_) => {}
    }
    let mut w = db.write(actor).await?;
    w.lock("users", id, None).await?;
    let before: String = with_tx!(w.tx(), |c| sqlx::query_scalar(
        "SELECT lang FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await?);
    if before == lang {
        return Ok(());
    }
    with_tx!(w.tx(), |c| sqlx::query(
        "UPDATE users SET lang = $1, version = version + 1 WHERE id = $2"
    )
    .bind(lang)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    w.audit(
        AuditAction::Update,
        AuditEntity::User,
        id,
        Some(&serde_json::json!({ "lang": before })),
        Some(&serde_json::json!({ "lang": lang })),
    )
    .await?;
    w.commit().await
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub q: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn filter_sql(select: &str, scope_id: i64, f: &UserFilter) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(
        // A probe per account, not a list of the scope's units (see agencies::list).
        " WHERE EXISTS (SELECT 1 FROM admin_unit_cover c WHERE c.scope_id = ? AND c.unit_id = us.scope_unit_id)",
        [Arg::I64(scope_id)],
    );
    if let Some(q) = &f.q {
        let q = q.trim().to_lowercase();
        if !q.is_empty() {
            sql.push(
                " AND (us.username LIKE ? ESCAPE '\\' OR LOWER(us.display_name) LIKE ? ESCAPE '\\')",
                [
                    Arg::Text(format!("%{}%", crate::like_escape(&q))),
                    Arg::Text(format!("%{}%", crate::like_escape(&q))),
                ],
            );
        }
    }
    sql
}

/// Users whose scope lies within `scope_id`.
pub async fn list(db: &Db, scope_id: i64, f: &UserFilter) -> Result<(Vec<User>, i64)> {
    let mut sql = filter_sql(SELECT, scope_id, f);
    sql.push(
        " ORDER BY us.username LIMIT ? OFFSET ?",
        [Arg::I64(f.limit), Arg::I64(f.offset)],
    );
    let count = filter_sql("SELECT COUNT(*) FROM users us", scope_id, f);
    crate::fetch_page::<User>(db, &sql, &count).await
}

/// Issue a personal API token; returns the secret (shown once; only its hash is kept).
pub async fn create_token(db: &Db, actor: &Actor, user_id: i64, name: &str) -> Result<String> {
    let token = format!("lnt_{}", random_secret(32));
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    let id: i64 = with_tx!(w.tx(), |c| {
        sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash(&token))
    .bind(now)
    .fetch_one(c)
    .await?
    });
    w.created(
        AuditEntity::ApiToken,
        id,
        &serde_json::json!({ "user_id": user_id, "name": name }),
    )
    .await?;
    w.commit().await?;
    Ok(token)
}

/// One of an account's API tokens, as its owner sees it (never the secret).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: i64,
    /// What the token is for.
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was last used (written within a minute of the use); null: never.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// When it was revoked; null: it still lets its owner in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// An [`ApiToken`]'s columns.
const TOKEN_SELECT: &str = "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens";

/// An account's API tokens: those that still let in first, newest first.
pub async fn tokens_of(db: &Db, user_id: i64) -> Result<Vec<ApiToken>> {
    let sql = format!(
        "{TOKEN_SELECT} WHERE user_id = $1 ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC"
    );
    Ok(with_db!(db, |c| sqlx::query_as(&sql)
        .bind(user_id)
        .fetch_all(c)
        .await?))
}

/// Revoke one of an account's tokens: from the next request on it lets
/// nobody in. The row stays (who had which token, and until when, is
/// history). A token already revoked keeps its time; another account's token
/// is `NotFound`, like one that does not exist.
pub async fn revoke_token(db: &Db, actor: &Actor, user_id: i64, token_id: i64) -> Result<ApiToken> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    let revoked = with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL"
    )
    .bind(now)
    .bind(token_id)
    .bind(user_id)
    .execute(c)
    .await?
    .rows_affected()
    });
    let token: Option<ApiToken> = with_tx!(w.tx(), |c| {
        sqlx::query_as(
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE id = $1 AND user_id = $2"
    )
    .bind(token_id)
    .bind(user_id)
    .fetch_optional(c)
    .await?
    });
    let token = token.ok_or(StoreError::NotFound)?;
    if revoked == 1 {
        let before = ApiToken {
            revoked_at: None,
            ..token.clone()
        };
        w.audit(
            AuditAction::Update,
            AuditEntity::ApiToken,
            token_id,
            Some(&before),
            Some(&token),
        )
        .await?;
    }
    w.commit().await?;
    Ok(token)
}

/// The token's id and the active user it belongs to. Reads only: the time of
/// use is recorded later, off the request path ([`record_token_use`]), so a
/// request made with a token never waits behind a writer.
pub async fn by_token(db: &Db, token: &str) -> Result<Option<(i64, User)>> {
    #[derive(sqlx::FromRow)]
    struct TokenUser {
        token_id: i64,
        #[sqlx(flatten)]
        user: User,
    }
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "{} JOIN api_tokens t ON t.user_id = us.id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND us.active = TRUE",
            SELECT.replacen("SELECT ", "SELECT t.id AS token_id, ", 1)
        )
    });
    let hash = token_hash(token);
    let row: Option<TokenUser> = with_db!(db, |c| sqlx::query_as(SQL.as_str())
        .bind(&hash)
        .fetch_optional(c)
        .await?);
    Ok(row.map(|r| (r.token_id, r.user)))
}

/// Record when tokens were last used (gathered in memory, written in one
/// transaction on the write path; no audit row: it is a fact of use, not a change).
pub async fn record_token_use(db: &Db, uses: &[(i64, OffsetDateTime)]) -> Result<()> {
    if uses.is_empty() {
        return Ok(());
    }
    let actor = Actor::system("token-use");
    let mut w = db.write(&actor).await?;
    for (id, at) in uses {
        with_tx!(w.tx(), |c| {
            sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)"
        )
        .bind(*at)
        .bind(*id)
        .execute(c)
        .await?
        .rows_affected()
        });
    }
    w.commit().await
}

/// When a token was last used (as recorded so far).
pub async fn token_last_used(db: &Db, token_id: i64) -> Result<Option<OffsetDateTime>> {
    Ok(with_db!(db, |c| sqlx::query_scalar(
        "SELECT last_used_at FROM api_tokens WHERE id = $1"
    )
    .bind(token_id)
    .fetch_optional(c)
    .await?)
    .flatten())
}

/// (id, e-mail, language) of the active users of an agency: who hears about its reports.
pub async fn agency_contacts(
    db: &Db,
    agency_id: i64,
) -> Result<Vec<(i64, Option<String>, String)>> {
    Ok(crate::with_db!(db, |c| sqlx::query_as(
        "SELECT id, email, lang FROM users WHERE agency_id = $1 AND active ORDER BY id"
    )
    .bind(agency_id)
    .fetch_all(c)
    .await?))
}
