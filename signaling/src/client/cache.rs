//! The endpoint cache: DescribeSignalingChannel's ARN and GetSignalingChannelEndpoint's
//! endpoints, per region, channel and role, kept [`ENDPOINT_CACHE_TTL`] (10 hours, as
//! the C SDK does) in memory and optionally in a JSON file, so a camera that restarts
//! connects without two control-plane calls.
//!
//! The file is rewritten whole through a temporary file and `rename` (a crash never
//! leaves half a file); a corrupt or unreadable file is ignored (and replaced at the
//! next store), never an error. Entries are bounded ([`MAX_ENTRIES`]).

use std::format;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use std::vec::Vec;

use serde_json::{Value, json};

/// How long cached endpoints are trusted.
pub const ENDPOINT_CACHE_TTL: Duration = Duration::from_secs(10 * 3600);
/// The most entries kept (oldest dropped first).
pub const MAX_ENTRIES: usize = 32;
/// The largest cache file read.
const MAX_FILE_LEN: u64 = 256 * 1024;

/// The cached result of Describe + GetEndpoint for one channel and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedEndpoints {
    /// The region.
    pub region: String,
    /// The channel name as the application knows it.
    pub channel_name: String,
    /// `MASTER` or `VIEWER`.
    pub role: String,
    /// The channel's ARN.
    pub channel_arn: String,
    /// The WSS endpoint URL.
    pub wss: String,
    /// The HTTPS endpoint URL (GetIceServerConfig).
    pub https: String,
    /// The WEBRTC endpoint URL (storage sessions), when asked for.
    pub webrtc: Option<String>,
    /// When it was stored (Unix seconds).
    pub stored_at: u64,
}

impl CachedEndpoints {
    fn key_matches(&self, region: &str, channel_name: &str, role: &str) -> bool {
        self.region == region && self.channel_name == channel_name && self.role == role
    }

    fn to_json(&self) -> Value {
        json!({
            "region": self.region,
            "channelName": self.channel_name,
            "role": self.role,
            "channelArn": self.channel_arn,
            "wss": self.wss,
            "https": self.https,
            "webrtc": self.webrtc,
            "storedAt": self.stored_at,
        })
    }

    fn from_json(v: &Value) -> Option<CachedEndpoints> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(ToString::to_string);
        Some(CachedEndpoints {
            region: s("region")?,
            channel_name: s("channelName")?,
            role: s("role")?,
            channel_arn: s("channelArn")?,
            wss: s("wss")?,
            https: s("https")?,
            webrtc: s("webrtc"),
            stored_at: v.get("storedAt").and_then(Value::as_u64)?,
        })
    }
}

/// Memory cache with an optional backing file.
#[derive(Debug, Clone)]
pub struct EndpointCache {
    entries: Vec<CachedEndpoints>,
    file: Option<PathBuf>,
    ttl: Duration,
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl EndpointCache {
    /// A cache in memory only.
    pub fn in_memory() -> EndpointCache {
        EndpointCache {
            entries: Vec::new(),
            file: None,
            ttl: ENDPOINT_CACHE_TTL,
        }
    }

    /// A cache backed by `path`, loaded now (a missing or corrupt file loads as empty).
    pub fn with_file(path: impl Into<PathBuf>) -> EndpointCache {
        let path = path.into();
        let entries = load(&path);
        EndpointCache {
            entries,
            file: Some(path),
            ttl: ENDPOINT_CACHE_TTL,
        }
    }

    /// Changes the time to live (tests).
    pub fn with_ttl(mut self, ttl: Duration) -> EndpointCache {
        self.ttl = ttl;
        self
    }

    /// The entry for (region, channel, role) if stored less than the TTL before `now`.
    pub fn get(
        &self,
        region: &str,
        channel_name: &str,
        role: &str,
        now: SystemTime,
    ) -> Option<&CachedEndpoints> {
        let now = unix(now);
        self.entries.iter().find(|e| {
            e.key_matches(region, channel_name, role)
                && now >= e.stored_at
                && now - e.stored_at < self.ttl.as_secs()
        })
    }

    /// Stores (replacing the same key) and writes the file.
    pub fn put(&mut self, entry: CachedEndpoints) {
        self.entries
            .retain(|e| !e.key_matches(&entry.region, &entry.channel_name, &entry.role));
        self.entries.push(entry);
        while self.entries.len() > MAX_ENTRIES {
            if let Some(oldest) = self
                .entries
                .iter()
                .enumerate()
                .min_by_key(|(_, e)| e.stored_at)
                .map(|(i, _)| i)
            {
                self.entries.remove(oldest);
            }
        }
        self.persist();
    }

    /// Drops the entry (after the endpoints stopped working) and writes the file.
    pub fn invalidate(&mut self, region: &str, channel_name: &str, role: &str) {
        let before = self.entries.len();
        self.entries
            .retain(|e| !e.key_matches(region, channel_name, role));
        if self.entries.len() != before {
            self.persist();
        }
    }

    /// How many entries are held (fresh or not).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn persist(&self) {
        let Some(path) = &self.file else {
            return;
        };
        if let Err(e) = store(path, &self.entries) {
            log::warn!("endpoint cache {}: {e}", path.display());
        }
    }
}

fn load(path: &Path) -> Vec<CachedEndpoints> {
    let read = || -> Result<Vec<CachedEndpoints>, String> {
        let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
        if meta.len() > MAX_FILE_LEN {
            return Err(String::from("file too large"));
        }
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        let list = v
            .get("entries")
            .and_then(Value::as_array)
            .ok_or_else(|| String::from("no `entries` array"))?;
        Ok(list
            .iter()
            .filter_map(CachedEndpoints::from_json)
            .take(MAX_ENTRIES)
            .collect())
    };
    match read() {
        Ok(v) => v,
        Err(e) => {
            if path.exists() {
                log::warn!("ignoring endpoint cache {}: {e}", path.display());
            }
            Vec::new()
        }
    }
}

fn store(path: &Path, entries: &[CachedEndpoints]) -> std::io::Result<()> {
    let doc = json!({
        "version": 1,
        "entries": entries.iter().map(CachedEndpoints::to_json).collect::<Vec<_>>(),
    });
    let text = serde_json::to_vec_pretty(&doc).map_err(std::io::Error::other)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| String::from("cache"));
    let tmp = path.with_file_name(format!(".{name}.tmp.{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&text)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    let r = write();
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn entry(name: &str, role: &str, at: u64) -> CachedEndpoints {
        CachedEndpoints {
            region: "us-west-2".into(),
            channel_name: name.into(),
            role: role.into(),
            channel_arn: format!(
                "arn:aws:kinesisvideo:us-west-2:123456789012:channel/{name}/1234567890123"
            ),
            wss: "wss://v-1.example".into(),
            https: "https://v-1.example".into(),
            webrtc: None,
            stored_at: at,
        }
    }

    fn at(s: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(s)
    }

    #[test]
    fn memory_ttl_and_keys() {
        let mut c = EndpointCache::in_memory();
        c.put(entry("cam", "MASTER", 1000));
        assert!(
            c.get("us-west-2", "cam", "MASTER", at(1000 + 36_000 - 1))
                .is_some()
        );
        assert!(
            c.get("us-west-2", "cam", "MASTER", at(1000 + 36_000))
                .is_none()
        );
        assert!(c.get("us-west-2", "cam", "VIEWER", at(1000)).is_none());
        assert!(c.get("eu-west-1", "cam", "MASTER", at(1000)).is_none());
        c.put(entry("cam", "MASTER", 2000));
        assert_eq!(c.len(), 1);
        c.invalidate("us-west-2", "cam", "MASTER");
        assert!(c.is_empty());
        for i in 0..(MAX_ENTRIES as u64 + 5) {
            c.put(entry(&format!("c{i}"), "MASTER", 10 + i));
        }
        assert_eq!(c.len(), MAX_ENTRIES);
        assert!(c.get("us-west-2", "c0", "MASTER", at(100)).is_none());
    }

    #[test]
    fn file_round_trip_atomic_and_corrupt_ignored() {
        let dir = std::env::temp_dir().join(format!("rtcam-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("sub").join("endpoints.json");
        let mut c = EndpointCache::with_file(&path);
        assert!(c.is_empty());
        let mut e = entry("cam", "VIEWER", 5000);
        e.webrtc = Some("https://webrtc.example".into());
        c.put(e.clone());
        c.put(entry("cam", "MASTER", 5000));
        let again = EndpointCache::with_file(&path);
        assert_eq!(again.get("us-west-2", "cam", "VIEWER", at(5001)), Some(&e));
        // No temporary file left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|d| d.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        // Corrupt: ignored, then replaced at the next store.
        std::fs::write(&path, b"{\"entries\": [tru").unwrap();
        let mut bad = EndpointCache::with_file(&path);
        assert!(bad.is_empty());
        bad.put(entry("x", "MASTER", 1));
        assert_eq!(EndpointCache::with_file(&path).len(), 1);
        // Entries with missing fields are skipped, valid ones kept.
        std::fs::write(
            &path,
            br#"{"entries":[{"region":"us-west-2"},{"region":"us-west-2","channelName":"a","role":"MASTER","channelArn":"arn","wss":"w","https":"h","storedAt":7}]}"#,
        )
        .unwrap();
        assert_eq!(EndpointCache::with_file(&path).len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
