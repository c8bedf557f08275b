//! The VAPID key pair that signs every push message (RFC 8292). Browsers subscribe with its
//! public half, so every instance sending to the same subscriptions must sign with the same
//! key: it lives in the database (`server_secrets`), made on the first instance's first run,
//! or taken from the key file of an instance that ran before it lived there. An instance whose
//! own key file holds a different key refuses to start, rather than sign reminders no browser
//! will accept.
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_simple::prelude::ES256KeyPair;
use web_push::{PartialVapidSignatureBuilder, VapidSignatureBuilder};

pub const KEY_FILE: &str = "vapid-private.pem";

#[derive(Clone)]
pub struct VapidKey {
    /// Signs with the private key; cloned for each message.
    pub signer: PartialVapidSignatureBuilder,
    /// The public key, uncompressed P-256, base64url: `applicationServerKey` in the browser.
    pub public_key: String,
    pub path: PathBuf,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKey")
            .field("public_key", &self.public_key)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The name of the shared key's row in `server_secrets`.
const SECRET_NAME: &str = "vapid_private_pem";

/// The key every instance signs with: the one in the database; on the very first run, this
/// instance's key file (an earlier version kept it there) or a new key, stored with
/// `INSERT … ON CONFLICT DO NOTHING` so instances starting together agree on one.
pub async fn shared(
    db: &sea_orm::DatabaseConnection,
    data_dir: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<VapidKey> {
    use app::entities::server_secret;
    use sea_orm::sea_query::OnConflict;
    use sea_orm::{EntityTrait as _, Set};

    let path = data_dir.join(KEY_FILE);
    let local = if path.exists() {
        tighten(&path)?;
        Some(
            std::fs::read_to_string(&path)
                .map_err(|e| anyhow::anyhow!("cannot read the push key {}: {e}", path.display()))?,
        )
    } else {
        None
    };
    let stored = server_secret::Entity::find_by_id(SECRET_NAME.to_owned())
        .one(db)
        .await?;
    let pem = match stored {
        Some(row) => row.value,
        None => {
            let pem = match &local {
                Some(pem) => pem.clone(),
                None => ES256KeyPair::generate()
                    .to_pem()
                    .map_err(|e| anyhow::anyhow!("cannot make a push key: {e}"))?,
            };
            server_secret::Entity::insert(server_secret::ActiveModel {
                name: Set(SECRET_NAME.to_owned()),
                value: Set(pem),
                created_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(server_secret::Column::Name)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
            let row = server_secret::Entity::find_by_id(SECRET_NAME.to_owned())
                .one(db)
                .await?
                .ok_or_else(|| anyhow::anyhow!("the shared push key was not stored"))?;
            tracing::info!("the push key every instance signs with is kept in the database");
            row.value
        }
    };
    let key = from_pem(&pem, &path)?;
    if let Some(local) = local
        && from_pem(&local, &path)?.public_key != key.public_key
    {
        anyhow::bail!(
            "the push key in {} is not the one every instance signs with (kept in the database), so browsers would refuse this instance's reminders. Remove that file (the shared key is used then), or empty server_secrets if this file's key is the one people subscribed with.",
            path.display()
        );
    }
    Ok(key)
}

fn from_pem(pem: &str, path: &Path) -> anyhow::Result<VapidKey> {
    let signer = VapidSignatureBuilder::from_pem_no_sub(pem.as_bytes())
        .map_err(|e| anyhow::anyhow!("the push key is not usable: {e}"))?;
    let public_key = URL_SAFE_NO_PAD.encode(signer.get_public_key());
    Ok(VapidKey {
        signer,
        public_key,
        path: path.to_path_buf(),
    })
}

/// A key file others can read is made private again (and said so).
#[cfg(unix)]
fn tighten(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(file = %path.display(), "the push key was readable by others; made it private");
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn tighten(_: &Path) -> anyhow::Result<()> {
    Ok(())
}
