//! Configuration: built-in defaults, then an optional `alongside.toml`, then `ALONGSIDE_…`
//! environment variables. Unknown keys are an error, so a typo never silently does nothing.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub public_origin: String,
    pub listen: String,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub site_root: PathBuf,
    pub session_idle_minutes: u32,
    pub session_max_hours: u32,
    pub behind_proxy: bool,
    pub log: String,
    pub push_contact: String,
    pub push_timeout_seconds: u32,
    pub push_services: String,
    pub reminder_worker: bool,
    pub reminder_concurrency: u32,
    pub reminder_max_attempts: u32,
    pub db_pool_size: u32,
    pub db_acquire_timeout_seconds: u32,
    pub request_timeout_seconds: u32,
    pub shutdown_grace_seconds: u32,
    pub remembered_pages: u32,
    pub attempts_per_address: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            public_origin: "http://localhost:3000".into(),
            listen: "127.0.0.1:3000".into(),
            database_url: String::new(),
            data_dir: PathBuf::from("data"),
            site_root: PathBuf::from("target/site"),
            session_idle_minutes: 30,
            session_max_hours: 12,
            behind_proxy: false,
            log: "info".into(),
            push_contact: String::new(),
            push_timeout_seconds: 10,
            push_services: app::state::push_services::DEFAULT_PUSH_SERVICES.into(),
            reminder_worker: true,
            reminder_concurrency: 64,
            reminder_max_attempts: 6,
            db_pool_size: 16,
            db_acquire_timeout_seconds: 3,
            request_timeout_seconds: 20,
            shutdown_grace_seconds: 20,
            remembered_pages: 2_000,
            attempts_per_address: 60,
        }
    }
}

/// Every setting, for `alongside --help` and the README. A unit test keeps this list and the
/// `Config` fields in step.
pub const SETTINGS: &[(&str, &str)] = &[
    (
        "public_origin",
        "The address people use, e.g. https://alongside.example.org. The base of every link and the passkey relying party. [default: http://localhost:3000]",
    ),
    (
        "listen",
        "Address and port to listen on. [default: 127.0.0.1:3000]",
    ),
    (
        "database_url",
        "postgres://… for PostgreSQL, sqlite://… for a SQLite file. Empty: a SQLite file in data_dir. [default: empty]",
    ),
    (
        "data_dir",
        "Folder for the SQLite database and keys. [default: data]",
    ),
    (
        "site_root",
        "Folder of built assets (make build writes it). [default: target/site]",
    ),
    (
        "session_idle_minutes",
        "Sign out after this many minutes without activity. [default: 30]",
    ),
    (
        "session_max_hours",
        "Sign out this many hours after sign-in, however active. [default: 12]",
    ),
    (
        "behind_proxy",
        "true when a reverse proxy forwards every request: the client's address is then the last X-Forwarded-For entry. [default: false]",
    ),
    (
        "log",
        "Log filter, e.g. info or alongside=debug. [default: info]",
    ),
    (
        "push_contact",
        "How push services can reach you (the VAPID sub claim): mailto:… or https://…. Empty: public_origin when it is https, else mailto:alongside@localhost. [default: empty]",
    ),
    (
        "push_timeout_seconds",
        "Give up on one push message after this many seconds (it is tried again later). [default: 10]",
    ),
    (
        "push_services",
        "The push services reminders may go to, comma-separated: https://host or https://*.domain. Tests may add a local mock as http://127.0.0.1:PORT (or :* for any port); a server on https refuses that. [default: the push services of Chrome, Edge, Firefox and Safari]",
    ),
    (
        "reminder_worker",
        "Send reminders from this instance. Several instances may all do it; each reminder goes once. [default: true]",
    ),
    (
        "reminder_concurrency",
        "Push messages in flight at once, per instance. [default: 64]",
    ),
    (
        "reminder_max_attempts",
        "Tries before a reminder is given up on (kept as dead for `alongside reminders status`). [default: 6]",
    ),
    (
        "db_pool_size",
        "Database connections this instance keeps open at most; with N instances, PostgreSQL must allow N times this. A SQLite file uses at most 8. [default: 16]",
    ),
    (
        "db_acquire_timeout_seconds",
        "How long a request waits for a database connection before the person is told Alongside is having trouble. [default: 3]",
    ),
    (
        "request_timeout_seconds",
        "The most any request may take; one that runs longer is stopped (nothing half-saved) and the person told plainly. [default: 20]",
    ),
    (
        "shutdown_grace_seconds",
        "On SIGTERM, how long requests in flight may take to finish before the server stops anyway. [default: 20]",
    ),
    (
        "remembered_pages",
        "How many of people's own pages (Today, plan, results; a few kilobytes each) this instance keeps in memory to answer a repeat visit without reading them again; any change to a person's data is seen at once. 0 keeps none. [default: 2000]",
    ),
    (
        "attempts_per_address",
        "Sign-in, sign-up, recovery and invitation attempts one address may make a minute, shared by every instance: this many at once, then one every 60/N seconds. Raise it when many people reach Alongside through one address (a practice's network, a test suite). [default: 60]",
    ),
];

pub fn settings_help() -> String {
    let mut out = String::from(
        "Settings (defaults, then alongside.toml or --config FILE, then environment variables):\n",
    );
    for (key, text) in SETTINGS {
        out.push_str(&format!(
            "  {key:<22} ALONGSIDE_{:<22} {text}\n",
            key.to_uppercase()
        ));
    }
    out
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// The connection pool these settings ask for.
    pub fn db_pool(&self) -> crate::db::Pool {
        crate::db::Pool {
            size: self.db_pool_size,
            acquire_timeout: std::time::Duration::from_secs(u64::from(
                self.db_acquire_timeout_seconds,
            )),
        }
    }

    /// Loads the layers. `file` is the `--config` path; without it `alongside.toml` in the
    /// working directory is read if present.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(ConfigError(format!(
                    "the file {} named by --config does not exist",
                    path.display()
                )));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None => figment = figment.merge(Toml::file("alongside.toml")),
        }
        figment = figment.merge(Env::prefixed("ALONGSIDE_"));
        let config: Config = figment.extract().map_err(describe)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let origin = url::Url::parse(&self.public_origin).map_err(|_| {
            bad(
                "public_origin",
                "must be a web address such as https://alongside.example.org",
            )
        })?;
        if !matches!(origin.scheme(), "http" | "https")
            || origin.host_str().is_none()
            || origin.path() != "/"
            || origin.query().is_some()
            || self.public_origin.ends_with('/')
        {
            return Err(bad(
                "public_origin",
                "must be http:// or https://, a host and optional port, with no path or trailing slash",
            ));
        }
        self.listen_addr()?;
        if self.session_idle_minutes == 0 {
            return Err(bad("session_idle_minutes", "must be at least 1"));
        }
        if self.session_max_hours == 0 {
            return Err(bad("session_max_hours", "must be at least 1"));
        }
        if !(1..=120).contains(&self.push_timeout_seconds) {
            return Err(bad("push_timeout_seconds", "must be from 1 to 120"));
        }
        if !(1..=1024).contains(&self.reminder_concurrency) {
            return Err(bad("reminder_concurrency", "must be from 1 to 1024"));
        }
        if !(1..=20).contains(&self.reminder_max_attempts) {
            return Err(bad("reminder_max_attempts", "must be from 1 to 20"));
        }
        if !(1..=500).contains(&self.db_pool_size) {
            return Err(bad("db_pool_size", "must be from 1 to 500"));
        }
        if !(1..=60).contains(&self.db_acquire_timeout_seconds) {
            return Err(bad("db_acquire_timeout_seconds", "must be from 1 to 60"));
        }
        if !(1..=600).contains(&self.request_timeout_seconds) {
            return Err(bad("request_timeout_seconds", "must be from 1 to 600"));
        }
        if !(1..=600).contains(&self.shutdown_grace_seconds) {
            return Err(bad("shutdown_grace_seconds", "must be from 1 to 600"));
        }
        if self.remembered_pages > 100_000 {
            return Err(bad("remembered_pages", "must be from 0 to 100000"));
        }
        if !(1..=60_000).contains(&self.attempts_per_address) {
            return Err(bad("attempts_per_address", "must be from 1 to 60000"));
        }
        if !self.push_contact.is_empty()
            && !self.push_contact.starts_with("mailto:")
            && !self.push_contact.starts_with("https://")
        {
            return Err(bad("push_contact", "must start with mailto: or https://"));
        }
        let push_services = self.push_services()?;
        if origin.scheme() == "https" && !push_services.test_only_entries().is_empty() {
            return Err(bad(
                "push_services",
                "may name a local test service (http://, or an IP address) only while public_origin is http",
            ));
        }
        if !self.database_url.is_empty()
            && !self.database_url.starts_with("postgres://")
            && !self.database_url.starts_with("postgresql://")
            && !self.database_url.starts_with("sqlite:")
        {
            return Err(bad(
                "database_url",
                "must start with postgres:// or sqlite:",
            ));
        }
        Ok(())
    }

    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.listen.parse().map_err(|_| {
            bad(
                "listen",
                "must be an address and port such as 127.0.0.1:3000",
            )
        })
    }

    pub fn is_https(&self) -> bool {
        self.public_origin.starts_with("https://")
    }

    /// The VAPID `sub` claim.
    pub fn push_contact(&self) -> String {
        if !self.push_contact.is_empty() {
            self.push_contact.clone()
        } else if self.is_https() {
            self.public_origin.clone()
        } else {
            "mailto:alongside@localhost".into()
        }
    }

    /// The push services reminders may go to.
    pub fn push_services(&self) -> Result<app::state::push_services::PushServices, ConfigError> {
        app::state::push_services::PushServices::parse(&self.push_services).map_err(|why| {
            ConfigError(format!(
                "setting push_services (ALONGSIDE_PUSH_SERVICES): {why}"
            ))
        })
    }
}

fn bad(key: &str, why: &str) -> ConfigError {
    ConfigError(format!(
        "setting {key} (ALONGSIDE_{}) {why}",
        key.to_uppercase()
    ))
}

/// One line naming the setting, where it came from and what is wrong.
fn describe(err: figment::Error) -> ConfigError {
    let err = err.into_iter().next();
    let Some(err) = err else {
        return ConfigError("could not be read".into());
    };
    let key = err.path.join(".");
    let source = err
        .metadata
        .as_ref()
        .map(|m| match &m.source {
            Some(source) => source.to_string(),
            None => m.name.to_string(),
        })
        .unwrap_or_default();
    let kind = err.kind.to_string();
    let mut line = if key.is_empty() {
        kind
    } else {
        format!("setting {key}: {kind}")
    };
    if !source.is_empty() {
        line.push_str(&format!(" (from {source})"));
    }
    ConfigError(line.replace('\n', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_is_documented_in_help() {
        let defaults = serde_json::to_value(Config::default()).unwrap_or_default();
        let keys: Vec<&String> = defaults
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys.len(), SETTINGS.len());
        for key in keys {
            assert!(
                SETTINGS.iter().any(|(k, _)| k == key),
                "{key} is missing from SETTINGS"
            );
        }
    }

    #[test]
    fn unknown_key_in_file_is_an_error_naming_it() {
        let dir = std::env::temp_dir().join(format!("alongside-cfg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let file = dir.join("alongside.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:4000\"\nsesion_idle_minutes = 5\n",
        )
        .unwrap_or_default();
        let err = Config::load(Some(&file))
            .map(|_| ())
            .map_err(|e| e.to_string());
        let message = err.err().unwrap_or_default();
        assert!(message.contains("sesion_idle_minutes"), "{message}");
        assert!(!message.contains('\n'));
    }

    /// What validation says of `config`, or nothing when it is accepted.
    fn refusal(config: &Config) -> String {
        config
            .validate()
            .map_err(|e| e.to_string())
            .err()
            .unwrap_or_default()
    }

    #[test]
    fn an_address_may_make_at_least_one_attempt_a_minute() {
        let none = Config {
            attempts_per_address: 0,
            ..Config::default()
        };
        let message = refusal(&none);
        assert!(
            message.contains("attempts_per_address") && message.contains("from 1 to 60000"),
            "{message}"
        );
        let many = Config {
            attempts_per_address: 6_000,
            ..Config::default()
        };
        assert!(many.validate().is_ok());
    }

    #[test]
    fn remembered_pages_may_be_none_but_not_beyond_a_hundred_thousand() {
        let none = Config {
            remembered_pages: 0,
            ..Config::default()
        };
        assert!(none.validate().is_ok(), "0 keeps no pages");
        let too_many = Config {
            remembered_pages: 100_001,
            ..Config::default()
        };
        let message = refusal(&too_many);
        assert!(
            message.contains("remembered_pages") && message.contains("from 0 to 100000"),
            "{message}"
        );
    }

    #[test]
    fn origin_with_a_path_is_refused() {
        let config = Config {
            public_origin: "https://example.org/app".into(),
            ..Config::default()
        };
        let message = refusal(&config);
        assert!(message.contains("public_origin"), "{message}");
    }
}
