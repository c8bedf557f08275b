//! The VAPID key pair that signs every push message (RFC 8292). It is made on first run and
//! kept in the data directory, readable by this user only; browsers subscribe with its public
//! half, so every instance sending to the same subscriptions needs the same file.
use std::io::Write as _;
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

/// Reads `data_dir/vapid-private.pem`, or makes it (mode 0600) if there is none.
pub fn load_or_create(data_dir: &Path) -> anyhow::Result<VapidKey> {
    let path = data_dir.join(KEY_FILE);
    let pem = if path.exists() {
        tighten(&path)?;
        std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("cannot read the push key {}: {e}", path.display()))?
    } else {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            anyhow::anyhow!("cannot make the data folder {}: {e}", data_dir.display())
        })?;
        let pem = ES256KeyPair::generate()
            .to_pem()
            .map_err(|e| anyhow::anyhow!("cannot make a push key: {e}"))?;
        write_private(&path, &pem)?;
        tracing::info!(file = %path.display(), "made a new key for push reminders");
        pem
    };
    let signer = VapidSignatureBuilder::from_pem_no_sub(pem.as_bytes())
        .map_err(|e| anyhow::anyhow!("the push key {} is not usable: {e}", path.display()))?;
    let public_key = URL_SAFE_NO_PAD.encode(signer.get_public_key());
    Ok(VapidKey {
        signer,
        public_key,
        path,
    })
}

#[cfg(unix)]
fn write_private(path: &Path, pem: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot write the push key {}: {e}", path.display()))?;
    file.write_all(pem.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, pem: &str) -> anyhow::Result<()> {
    let mut file = std::fs::File::create_new(path)?;
    file.write_all(pem.as_bytes())?;
    Ok(())
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
