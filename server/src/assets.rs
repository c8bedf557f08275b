//! The names of the built, content-hashed assets, read from `site_root/assets.json`, which
//! `scripts/build-site.sh` writes.
use std::path::Path;

use app::state::AssetNames;
use serde::Deserialize;

#[derive(Deserialize)]
struct Manifest {
    app: String,
    css: String,
    phone: String,
}

pub fn load(site_root: &Path) -> AssetNames {
    let path = site_root.join("assets.json");
    match std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| serde_json::from_str::<Manifest>(&text).ok())
    {
        Some(m) => AssetNames {
            app: m.app,
            css: m.css,
            phone: m.phone,
        },
        None => {
            tracing::warn!(
                "no built assets at {} (run `make build`); pages will have no styles or scripts",
                path.display()
            );
            AssetNames {
                app: "alongside".into(),
                css: "alongside.css".into(),
                phone: "phone.js".into(),
            }
        }
    }
}
