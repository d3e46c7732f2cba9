//! The server's shared state: channels, who is connected to each, and the routing of
//! messages between a channel's master and its viewers. One mutex, held only for map
//! look-ups and `try_send`s (never across an await), so connections never wait on
//! each other's I/O; every queue is bounded.

use std::collections::{HashMap, HashSet, VecDeque};
use std::string::{String, ToString};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use std::vec::Vec;
use std::{format, vec};

use tokio::sync::mpsc;

use super::Config;
use super::request::{MessageRejection, Rejection, delivery_json};
use crate::message::Action;

/// What a connection task is told to do by others.
#[derive(Debug)]
pub(crate) enum Out {
    /// Send this text frame.
    Text(String),
    /// Send this text frame, then close after `grace` (GO_AWAY).
    TextThenClose(String, Duration),
    /// Close now (replaced by a newer connection, channel deleted, shutdown).
    Close,
}

/// Which peer of a channel a connection is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Role {
    /// The channel's master (no client id).
    Master,
    /// A viewer with its client id.
    Viewer(String),
}

/// Which connections an injected message goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peers {
    /// The master and every viewer.
    All,
    /// The master only.
    Master,
    /// The viewer with this client id.
    Viewer(String),
}

#[derive(Debug)]
struct Conn {
    id: u64,
    tx: mpsc::Sender<Out>,
}

/// One recorded JoinStorageSession / JoinStorageSessionAsViewer call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageJoin {
    /// `None` for the master's JoinStorageSession, the client id for a viewer's join.
    pub client_id: Option<String>,
    /// When it was accepted (unix seconds).
    pub at_unix: u64,
}

/// A signaling channel as the control plane describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelInfo {
    /// `ChannelName`.
    pub name: String,
    /// `ChannelARN`.
    pub arn: String,
    /// `Version`: changes on every update; Delete must quote it (or omit it).
    pub version: String,
    /// `CreationTime` in unix milliseconds.
    pub created_ms: u64,
    /// `SingleMasterConfiguration.MessageTtlSeconds`.
    pub message_ttl_secs: u32,
    /// Tags given at creation.
    pub tags: Vec<(String, String)>,
    /// Media storage: `Some(stream ARN)` when enabled.
    pub storage_stream_arn: Option<String>,
}

#[derive(Debug)]
struct Channel {
    info: ChannelInfo,
    master: Option<Conn>,
    viewers: HashMap<String, Conn>,
    /// Viewer messages that arrived while no master was connected: delivered when one
    /// connects, dropped after the channel's message TTL (the service's
    /// `MessageTtlSeconds`). Bounded by `Limits::pending_per_channel`.
    pending_to_master: VecDeque<(Instant, String)>,
    storage_joins: VecDeque<StorageJoin>,
}

#[derive(Debug, Default)]
struct State {
    channels: HashMap<String, Channel>,
    by_arn: HashMap<String, String>,
    /// Ids of connection tasks that are running (a replaced connection stays here
    /// until its task has closed it).
    live: HashSet<u64>,
}

/// Counters, readable while the server runs.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    /// Messages delivered to a peer.
    pub delivered: AtomicU64,
    /// STATUS_RESPONSEs sent.
    pub status_responses: AtomicU64,
    /// Connections accepted (WebSocket).
    pub connections_accepted: AtomicU64,
    /// Connections refused (auth, limits).
    pub connections_refused: AtomicU64,
    /// HTTP requests answered (REST, admin, WebSocket upgrades; any status).
    pub rest_calls: AtomicU64,
}

/// The server's counters plus current sizes, as [`super::ServerHandle::stats`] reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatsSnapshot {
    /// Channels that exist.
    pub channels: usize,
    /// Open WebSocket connections.
    pub connections: usize,
    /// Messages delivered to a peer.
    pub delivered: u64,
    /// STATUS_RESPONSEs sent.
    pub status_responses: u64,
    /// WebSocket connections accepted.
    pub connections_accepted: u64,
    /// WebSocket connections refused.
    pub connections_refused: u64,
    /// HTTP requests answered (REST, admin, WebSocket upgrades; any status).
    pub rest_calls: u64,
}

pub(crate) struct Hub {
    pub(crate) cfg: Config,
    state: Mutex<State>,
    next_id: AtomicU64,
    /// Bytes held in all channels' `pending_to_master`, against
    /// `Limits::pending_bytes_total`.
    pending_bytes: AtomicUsize,
    pub(crate) stats: Stats,
    started: Instant,
}

/// A registered connection: its id and where others reach it.
pub(crate) struct Registered {
    pub(crate) id: u64,
    pub(crate) rx: mpsc::Receiver<Out>,
    pub(crate) channel_arn: String,
    pub(crate) role: Role,
}

impl Hub {
    pub(crate) fn new(cfg: Config) -> Hub {
        Hub {
            cfg,
            state: Mutex::new(State::default()),
            next_id: AtomicU64::new(1),
            pending_bytes: AtomicUsize::new(0),
            stats: Stats::default(),
            started: Instant::now(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn snapshot(&self) -> StatsSnapshot {
        let st = self.lock();
        StatsSnapshot {
            channels: st.channels.len(),
            connections: st.live.len(),
            delivered: self.stats.delivered.load(Ordering::Relaxed),
            status_responses: self.stats.status_responses.load(Ordering::Relaxed),
            connections_accepted: self.stats.connections_accepted.load(Ordering::Relaxed),
            connections_refused: self.stats.connections_refused.load(Ordering::Relaxed),
            rest_calls: self.stats.rest_calls.load(Ordering::Relaxed),
        }
    }

    // -----------------------------------------------------------------------------
    // Control plane.

    /// CreateSignalingChannel. Existing name → `ResourceInUseException`; over the
    /// channel cap → `AccountChannelLimitExceededException`.
    pub(crate) fn create_channel(
        &self,
        name: &str,
        message_ttl_secs: u32,
        tags: Vec<(String, String)>,
        now_ms: u64,
    ) -> Result<ChannelInfo, Rejection> {
        let mut st = self.lock();
        if st.channels.contains_key(name) {
            return Err(Rejection::new(
                400,
                "ResourceInUseException",
                format!("The signaling channel {name} already exists."),
            ));
        }
        if st.channels.len() >= self.cfg.limits.max_channels {
            return Err(Rejection::new(
                400,
                "AccountChannelLimitExceededException",
                "You have reached the maximum limit of active signaling channels for this account.",
            ));
        }
        // 13-digit creation code, unique per server (the service's ARN suffix).
        let code = now_ms.max(1_000_000_000_000) + self.next_id.fetch_add(1, Ordering::Relaxed);
        let arn = format!(
            "arn:aws:kinesisvideo:{}:{}:channel/{name}/{code}",
            self.cfg.region, self.cfg.account_id
        );
        let info = ChannelInfo {
            name: name.to_string(),
            arn: arn.clone(),
            version: self.new_version(),
            created_ms: now_ms,
            message_ttl_secs,
            tags,
            storage_stream_arn: None,
        };
        st.by_arn.insert(arn, name.to_string());
        st.channels.insert(
            name.to_string(),
            Channel {
                info: info.clone(),
                master: None,
                viewers: HashMap::new(),
                pending_to_master: VecDeque::new(),
                storage_joins: VecDeque::new(),
            },
        );
        Ok(info)
    }

    fn new_version(&self) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        let t = self.started.elapsed().as_nanos() as u64;
        format!("{:010x}{:010x}", n, t & 0xff_ffff_ffff)
    }

    fn not_found(what: &str) -> Rejection {
        Rejection::new(
            404,
            "ResourceNotFoundException",
            format!("The requested channel is not found or not active: {what}"),
        )
    }

    /// The channel by name or ARN.
    pub(crate) fn describe(
        &self,
        name: Option<&str>,
        arn: Option<&str>,
    ) -> Result<ChannelInfo, Rejection> {
        let st = self.lock();
        Self::find(&st, name, arn).map(|c| c.info.clone())
    }

    fn find<'s>(
        st: &'s State,
        name: Option<&str>,
        arn: Option<&str>,
    ) -> Result<&'s Channel, Rejection> {
        let key = match (name, arn) {
            (_, Some(a)) => st.by_arn.get(a).map(String::as_str),
            (Some(n), None) => Some(n),
            (None, None) => {
                return Err(Rejection::new(
                    400,
                    "InvalidArgumentException",
                    "Either ChannelName or ChannelARN is required.",
                ));
            }
        };
        key.and_then(|k| st.channels.get(k))
            .ok_or_else(|| Self::not_found(arn.or(name).unwrap_or("")))
    }

    fn find_mut<'s>(st: &'s mut State, arn: &str) -> Result<&'s mut Channel, Rejection> {
        let name = st
            .by_arn
            .get(arn)
            .cloned()
            .ok_or_else(|| Self::not_found(arn))?;
        st.channels
            .get_mut(&name)
            .ok_or_else(|| Self::not_found(arn))
    }

    /// DeleteSignalingChannel: wrong `CurrentVersion` → `VersionMismatchException`;
    /// every connection of the channel is closed.
    /// Gives back what held messages took from `Limits::pending_bytes_total`.
    fn release_pending(&self, bytes: usize) {
        let _ = self
            .pending_bytes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                Some(b.saturating_sub(bytes))
            });
    }

    pub(crate) fn delete_channel(&self, arn: &str, version: Option<&str>) -> Result<(), Rejection> {
        let mut st = self.lock();
        let ch = Self::find_mut(&mut st, arn)?;
        if let Some(v) = version {
            if v != ch.info.version {
                return Err(Rejection::new(
                    400,
                    "VersionMismatchException",
                    "The version of the channel does not match the CurrentVersion given.",
                ));
            }
        }
        let name = ch.info.name.clone();
        st.by_arn.remove(arn);
        if let Some(ch) = st.channels.remove(&name) {
            self.release_pending(ch.pending_to_master.iter().map(|(_, m)| m.len()).sum());
            for conn in ch.master.iter().chain(ch.viewers.values()) {
                let _ = conn.tx.try_send(Out::Close);
            }
        }
        Ok(())
    }

    /// Enables (with a stream ARN) or disables media storage for a channel.
    pub(crate) fn set_media_storage(
        &self,
        channel: &str,
        stream_arn: Option<String>,
    ) -> Result<(), Rejection> {
        let mut st = self.lock();
        let name = Self::resolve_name(&st, channel)?;
        if let Some(ch) = st.channels.get_mut(&name) {
            ch.info.storage_stream_arn = stream_arn;
            ch.info.version = self.new_version();
        }
        Ok(())
    }

    fn resolve_name(st: &State, channel: &str) -> Result<String, Rejection> {
        if st.channels.contains_key(channel) {
            return Ok(channel.to_string());
        }
        st.by_arn
            .get(channel)
            .cloned()
            .ok_or_else(|| Self::not_found(channel))
    }

    /// Records a storage-session join (bounded: the last 16 per channel). The master
    /// must be connected for JoinStorageSession, the viewer for the viewer variant;
    /// storage must be enabled.
    pub(crate) fn join_storage(
        &self,
        arn: &str,
        client_id: Option<&str>,
        now_unix: u64,
    ) -> Result<(), Rejection> {
        let mut st = self.lock();
        let ch = Self::find_mut(&mut st, arn)?;
        if ch.info.storage_stream_arn.is_none() {
            return Err(Rejection::new(
                400,
                "InvalidArgumentException",
                "Media storage is not enabled for this channel.",
            ));
        }
        let connected = match client_id {
            None => ch.master.is_some(),
            Some(id) => ch.viewers.contains_key(id),
        };
        if !connected {
            return Err(Rejection::new(
                400,
                "InvalidArgumentException",
                "The peer must be connected to the signaling channel before joining the storage session.",
            ));
        }
        if ch.storage_joins.len() >= 16 {
            ch.storage_joins.pop_front();
        }
        ch.storage_joins.push_back(StorageJoin {
            client_id: client_id.map(str::to_string),
            at_unix: now_unix,
        });
        Ok(())
    }

    pub(crate) fn storage_joins(&self, channel: &str) -> Vec<StorageJoin> {
        let st = self.lock();
        Self::resolve_name(&st, channel)
            .ok()
            .and_then(|n| st.channels.get(&n))
            .map(|c| c.storage_joins.iter().cloned().collect())
            .unwrap_or_default()
    }

    // -----------------------------------------------------------------------------
    // Connections.

    /// Registers a WebSocket connection before the upgrade completes. A new master
    /// replaces the old one; a viewer with a connected client id replaces it; an 11th
    /// viewer (past `Limits::max_viewers`) is refused with `ClientLimitExceededException`.
    pub(crate) fn register(&self, arn: &str, role: Role) -> Result<Registered, Rejection> {
        let limits = &self.cfg.limits;
        let mut st = self.lock();
        let live = st.live.len();
        let ch = Self::find_mut(&mut st, arn)?;
        // A connection that replaces another frees a slot as it takes one: a master (or
        // viewer) reconnecting to a full server must not be locked out by its own ghost.
        let replaces = match &role {
            Role::Master => ch.master.is_some(),
            Role::Viewer(cid) => ch.viewers.contains_key(cid),
        };
        if live >= limits.max_connections && !replaces {
            return Err(Rejection::new(
                400,
                "ClientLimitExceededException",
                "Too many connections to this server.",
            ));
        }
        let (tx, rx) = mpsc::channel(limits.queue_per_connection.clamp(1, 1 << 20));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Conn { id, tx };
        match &role {
            Role::Master => {
                if let Some(old) = ch.master.replace(conn) {
                    let _ = old.tx.try_send(Out::Close);
                }
                // Deliver what viewers sent while no master was there (within TTL).
                let ttl = Duration::from_secs(u64::from(ch.info.message_ttl_secs));
                let pending: Vec<String> = ch
                    .pending_to_master
                    .drain(..)
                    .inspect(|(_, m)| self.release_pending(m.len()))
                    .filter(|(at, _)| at.elapsed() <= ttl)
                    .map(|(_, m)| m)
                    .collect();
                if let Some(m) = &ch.master {
                    for msg in pending {
                        if m.tx.try_send(Out::Text(msg)).is_ok() {
                            self.stats.delivered.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
            Role::Viewer(cid) => {
                if !ch.viewers.contains_key(cid) && ch.viewers.len() >= limits.max_viewers {
                    return Err(Rejection::new(
                        400,
                        "ClientLimitExceededException",
                        format!(
                            "The signaling channel already has the maximum of {} viewers connected.",
                            limits.max_viewers
                        ),
                    ));
                }
                if let Some(old) = ch.viewers.insert(cid.clone(), conn) {
                    let _ = old.tx.try_send(Out::Close);
                }
            }
        }
        st.live.insert(id);
        Ok(Registered {
            id,
            rx,
            channel_arn: arn.to_string(),
            role,
        })
    }

    /// Removes a connection if it is still the registered one for its role.
    pub(crate) fn unregister(&self, arn: &str, role: &Role, id: u64) {
        let mut st = self.lock();
        st.live.remove(&id);
        let Ok(ch) = Self::find_mut(&mut st, arn) else {
            return;
        };
        match role {
            Role::Master => {
                if ch.master.as_ref().is_some_and(|c| c.id == id) {
                    ch.master = None;
                }
            }
            Role::Viewer(cid) => {
                if ch.viewers.get(cid).is_some_and(|c| c.id == id) {
                    ch.viewers.remove(cid);
                }
            }
        }
    }

    /// Routes one accepted client message from connection `from`. Master → the viewer
    /// named by `recipient` (required, must be connected); viewer → the master (held up
    /// to the channel's TTL when none is connected). A connection that has been replaced
    /// no longer speaks for its role — its `Close` can sit behind up to a queue's worth
    /// of frames still to be written (each allowed 10 s) — so its messages are refused.
    pub(crate) fn route<'m>(
        &self,
        from: &Registered,
        action: Action,
        recipient: Option<&'m str>,
        payload: &str,
        correlation_id: Option<&'m str>,
    ) -> Result<(), MessageRejection<'m>> {
        let mut st = self.lock();
        let ch = Self::find_mut(&mut st, &from.channel_arn).map_err(|_| {
            MessageRejection::invalid(correlation_id, "The signaling channel no longer exists.")
        })?;
        let current = match &from.role {
            Role::Master => ch.master.as_ref(),
            Role::Viewer(cid) => ch.viewers.get(cid),
        };
        if current.is_none_or(|c| c.id != from.id) {
            return Err(MessageRejection::invalid(
                correlation_id,
                "This connection was replaced by a newer one for the same role.",
            ));
        }
        match &from.role {
            Role::Master => {
                let to = recipient.ok_or_else(|| {
                    MessageRejection::invalid(
                        correlation_id,
                        "RecipientClientId is required for messages from the master.",
                    )
                })?;
                let conn = ch.viewers.get(to).ok_or_else(|| {
                    MessageRejection::invalid(
                        correlation_id,
                        format!("The recipient {to} is not connected to the signaling channel."),
                    )
                })?;
                let msg = delivery_json("", action.as_str(), payload);
                conn.tx
                    .try_send(Out::Text(msg))
                    .map_err(|_| MessageRejection {
                        correlation_id,
                        error_type: "ClientLimitExceededException",
                        status_code: 400,
                        description: "The recipient's queue is full.".into(),
                    })?;
            }
            Role::Viewer(cid) => {
                let msg = delivery_json(cid, action.as_str(), payload);
                match &ch.master {
                    Some(conn) => {
                        conn.tx
                            .try_send(Out::Text(msg))
                            .map_err(|_| MessageRejection {
                                correlation_id,
                                error_type: "ClientLimitExceededException",
                                status_code: 400,
                                description: "The master's queue is full.".into(),
                            })?;
                    }
                    None => {
                        let ttl = Duration::from_secs(u64::from(ch.info.message_ttl_secs));
                        ch.pending_to_master.retain(|(at, m)| {
                            let keep = at.elapsed() <= ttl;
                            if !keep {
                                self.release_pending(m.len());
                            }
                            keep
                        });
                        let total = self.pending_bytes.load(Ordering::Relaxed);
                        if ch.pending_to_master.len() >= self.cfg.limits.pending_per_channel
                            || total + msg.len() > self.cfg.limits.pending_bytes_total
                        {
                            return Err(MessageRejection::invalid(
                                correlation_id,
                                "No master is connected to the signaling channel.",
                            ));
                        }
                        self.pending_bytes.fetch_add(msg.len(), Ordering::Relaxed);
                        ch.pending_to_master.push_back((Instant::now(), msg));
                        return Ok(());
                    }
                }
            }
        }
        self.stats.delivered.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Sends a service message (GO_AWAY, RECONNECT_ICE_SERVER) to `peers` of a
    /// channel (by name or ARN); with `close_after`, each connection closes after that
    /// grace. Returns how many connections it reached.
    pub(crate) fn inject(
        &self,
        channel: &str,
        peers: &Peers,
        message_type: &str,
        close_after: Option<Duration>,
    ) -> Result<usize, Rejection> {
        let st = self.lock();
        let name = Self::resolve_name(&st, channel)?;
        let Some(ch) = st.channels.get(&name) else {
            return Err(Self::not_found(channel));
        };
        let mut targets: Vec<&Conn> = vec![];
        match peers {
            Peers::All => {
                targets.extend(ch.master.iter());
                targets.extend(ch.viewers.values());
            }
            Peers::Master => targets.extend(ch.master.iter()),
            Peers::Viewer(id) => targets.extend(ch.viewers.get(id)),
        }
        let msg = format!(
            "{{\"senderClientId\":\"\",\"messageType\":\"{message_type}\",\"messagePayload\":\"\"}}"
        );
        let mut n = 0;
        for c in targets {
            let out = match close_after {
                Some(g) => Out::TextThenClose(msg.clone(), g),
                None => Out::Text(msg.clone()),
            };
            if c.tx.try_send(out).is_ok() {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Closes every connection (shutdown).
    pub(crate) fn close_all(&self) {
        let st = self.lock();
        for ch in st.channels.values() {
            for c in ch.master.iter().chain(ch.viewers.values()) {
                let _ = c.tx.try_send(Out::Close);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// A master (or viewer) replaced by a reconnect kept routing as that role until its
    /// task got round to the `Close` queued behind its pending frames.
    #[test]
    fn replaced_connection_no_longer_routes() {
        let hub = Hub::new(Config::default());
        let arn = hub.create_channel("cam", 60, Vec::new(), 0).unwrap().arn;
        let mut old_master = hub.register(&arn, Role::Master).unwrap();
        let mut viewer = hub.register(&arn, Role::Viewer("v1".into())).unwrap();
        let new_master = hub.register(&arn, Role::Master).unwrap();
        assert!(matches!(old_master.rx.try_recv(), Ok(Out::Close)));

        let rej = hub
            .route(
                &old_master,
                Action::SdpOffer,
                Some("v1"),
                "b2xk",
                Some("c1"),
            )
            .unwrap_err();
        assert_eq!(rej.correlation_id, Some("c1"));
        assert!(
            viewer.rx.try_recv().is_err(),
            "the replaced master's message was delivered"
        );
        // The current master still gets through.
        hub.route(&new_master, Action::SdpOffer, Some("v1"), "bmV3", None)
            .unwrap();
        assert!(matches!(viewer.rx.try_recv(), Ok(Out::Text(t)) if t.contains("bmV3")));

        // Same for a viewer replaced by a reconnect with its client id.
        let _viewer2 = hub.register(&arn, Role::Viewer("v1".into())).unwrap();
        assert!(
            hub.route(&viewer, Action::SdpAnswer, None, "b2xk", None)
                .is_err()
        );
    }
}
