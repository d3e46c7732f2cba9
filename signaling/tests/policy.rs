//! The reconnect/refresh policy against a scripted fake service on a virtual clock: every
//! lifecycle event of the KVS signaling service (startup, GO_AWAY mid-session, server
//! drop, the one-hour cap, a clock 10 minutes off, wrong credentials, ICE TTL refresh,
//! RECONNECT_ICE_SERVER, storage re-join, credential refresh, dead connections), plus
//! backoff bounds and jitter distribution.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::VecDeque;
use std::time::Duration;

use rtcam_signaling::UtcTime;
use rtcam_signaling::policy::{
    Call, CallOutcome, FatalReason, Input, Policy, PolicyAction, PolicyConfig, Role,
};

const S: Duration = Duration::from_secs(1);
const MIN: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
/// Wall-clock time of the virtual clock's zero (2026-01-01T00:00:00Z).
const EPOCH_UNIX: u64 = 1_767_225_600;

/// A fake KVS service: answers every request after `latency`, with scripted failures.
struct Fake {
    latency: Duration,
    ice_ttl: Duration,
    /// Device clock minus true time, in seconds.
    device_skew: i64,
    /// Every request fails like this (wrong credentials).
    deny: Option<CallOutcome>,
    /// The service keeps saying "Signature expired" whatever the time.
    always_expired: bool,
    /// Next results for specific calls (front first).
    script: VecDeque<(Call, CallOutcome)>,
    /// Connect always fails with this.
    connect_fails: Option<CallOutcome>,
    answer_pings: bool,
    /// Requests never answered (for timeouts).
    black_hole: bool,
    credentials_ttl: Option<Duration>,
}

impl Default for Fake {
    fn default() -> Self {
        Fake {
            latency: Duration::from_millis(50),
            ice_ttl: Duration::from_secs(300),
            device_skew: 0,
            deny: None,
            always_expired: false,
            script: VecDeque::new(),
            connect_fails: None,
            answer_pings: true,
            black_hole: false,
            credentials_ttl: None,
        }
    }
}

struct Sim {
    p: Policy,
    now: Duration,
    fake: Fake,
    /// Every action with the time it was emitted.
    log: Vec<(Duration, PolicyAction)>,
    /// Connection ages seen at each step.
    max_age: Duration,
    steps: u64,
}

impl Sim {
    fn new(cfg: PolicyConfig, role: Role, storage: bool, fake: Fake) -> Sim {
        Sim {
            p: Policy::new(cfg, role, storage, 0x5eed, Duration::ZERO),
            now: Duration::ZERO,
            fake,
            log: Vec::new(),
            max_age: Duration::ZERO,
            steps: 0,
        }
    }

    fn default_master() -> Sim {
        Sim::new(PolicyConfig::DEFAULT, Role::Master, false, Fake::default())
    }

    fn wall(&self, skew: i64) -> UtcTime {
        let secs = EPOCH_UNIX as i64 + self.now.as_secs() as i64 + skew;
        UtcTime::from_unix_seconds(secs as u64).unwrap()
    }

    fn respond(&mut self, a: PolicyAction) {
        let call = match a {
            PolicyAction::Describe => Call::Describe,
            PolicyAction::GetEndpoint => Call::GetEndpoint,
            PolicyAction::GetIceServerConfig => Call::GetIceServerConfig,
            PolicyAction::Connect { .. } => Call::Connect,
            PolicyAction::JoinStorageSession => Call::JoinStorageSession,
            PolicyAction::RefreshCredentials => Call::RefreshCredentials,
            PolicyAction::SendPing => {
                if self.fake.answer_pings {
                    self.p.handle(self.now, Input::Pong);
                }
                return;
            }
            PolicyAction::Close | PolicyAction::Fatal(_) => return,
        };
        if self.fake.black_hole {
            return;
        }
        self.now += self.fake.latency;
        let latency = self.fake.latency;
        let scripted = self
            .fake
            .script
            .iter()
            .position(|(c, _)| *c == call)
            .map(|i| self.fake.script.remove(i).unwrap().1);
        // The signing clock: the device clock corrected by the policy.
        let signing_skew = self.fake.device_skew + self.p.clock_offset_secs();
        let outcome = if call == Call::RefreshCredentials {
            scripted.unwrap_or(CallOutcome::Ok)
        } else if let Some(o) = scripted {
            o
        } else if let Some(o) = self.fake.deny {
            o
        } else if self.fake.always_expired || signing_skew.abs() > 300 {
            CallOutcome::SignatureExpired
        } else if call == Call::Connect {
            self.fake.connect_fails.unwrap_or(CallOutcome::Ok)
        } else {
            CallOutcome::Ok
        };
        match outcome {
            CallOutcome::SignatureExpired => {
                let date = self.wall(0);
                let local = self.wall(self.fake.device_skew);
                self.p.handle(self.now, Input::ServerDate { date, local });
            }
            CallOutcome::Ok if call == Call::GetIceServerConfig => {
                let min_ttl = self.fake.ice_ttl;
                self.p.handle(self.now, Input::IceServers { min_ttl });
            }
            CallOutcome::Ok if call == Call::RefreshCredentials => {
                let expires_at = self.fake.credentials_ttl.map(|t| self.now + t);
                self.p.handle(self.now, Input::Credentials { expires_at });
                return;
            }
            _ => {}
        }
        if call == Call::Connect && outcome == CallOutcome::Ok {
            self.p.handle(self.now, Input::Connected { latency });
        } else {
            self.p.handle(
                self.now,
                Input::ApiDone {
                    call,
                    latency,
                    outcome,
                },
            );
        }
    }

    /// Drains the policy's actions at the current time.
    fn drain(&mut self) {
        for _ in 0..64 {
            let Some(a) = self.p.poll_action(self.now) else {
                return;
            };
            self.log.push((self.now, a));
            self.respond(a);
        }
        panic!(
            "policy emitted 64 actions without waiting: {:?}",
            &self.log[self.log.len() - 8..]
        );
    }

    /// Runs the virtual clock to `end`, waking at every `poll_timeout`.
    fn run_until(&mut self, end: Duration) {
        loop {
            self.drain();
            if let Some(age) = self.p.connection_age(self.now) {
                self.max_age = self.max_age.max(age);
            }
            let next = self.p.poll_timeout().unwrap_or(end).min(end);
            assert!(
                next > self.now || next == end,
                "poll_timeout {next:?} not after now {:?} after draining",
                self.now
            );
            if next >= end {
                self.now = self.now.max(end);
                self.drain();
                return;
            }
            self.now = next;
            self.steps += 1;
        }
    }

    fn run_for(&mut self, d: Duration) {
        let end = self.now + d;
        self.run_until(end);
    }

    fn input(&mut self, i: Input) {
        self.p.handle(self.now, i);
        self.drain();
    }

    /// Actions other than pings since `from`.
    fn actions_since(&self, from: Duration) -> Vec<PolicyAction> {
        self.log
            .iter()
            .filter(|(t, a)| *t >= from && *a != PolicyAction::SendPing)
            .map(|&(_, a)| a)
            .collect()
    }

    fn count(&self, want: fn(&PolicyAction) -> bool) -> usize {
        self.log.iter().filter(|(_, a)| want(a)).count()
    }

    fn times(&self, want: fn(&PolicyAction) -> bool) -> Vec<Duration> {
        self.log
            .iter()
            .filter(|(_, a)| want(a))
            .map(|&(t, _)| t)
            .collect()
    }
}

fn is_connect(a: &PolicyAction) -> bool {
    matches!(a, PolicyAction::Connect { .. })
}

#[test]
fn startup_sequence_master_with_storage() {
    let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Master, true, Fake::default());
    sim.run_for(MIN);
    assert_eq!(
        sim.actions_since(Duration::ZERO),
        [
            PolicyAction::Describe,
            PolicyAction::GetEndpoint,
            PolicyAction::GetIceServerConfig,
            PolicyAction::Connect { replace: false },
            PolicyAction::JoinStorageSession,
        ]
    );
    assert!(sim.p.is_connected());
    // Pings every 10 s once connected.
    let pings = sim.times(|a| *a == PolicyAction::SendPing);
    assert_eq!(pings.len(), 5);
    for w in pings.windows(2) {
        assert_eq!(w[1] - w[0], 10 * S);
    }
    let m = sim.p.metrics();
    assert_eq!(m.storage_joins, 1);
    assert_eq!(m.ice_refreshes, 1);
    assert_eq!(m.control_plane_latency.samples(), 2);
    assert_eq!(m.data_plane_latency.samples(), 3);
    assert_eq!(m.latency(Call::Describe), Some(Duration::from_millis(50)));
    assert!(m.connection_duration(sim.now).unwrap() > 59 * S);
    assert_eq!(m.uptime(sim.now), sim.now);
}

#[test]
fn viewer_without_storage_never_joins() {
    let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Viewer, false, Fake::default());
    sim.run_for(HOUR);
    assert_eq!(sim.count(|a| *a == PolicyAction::JoinStorageSession), 0);
    assert_eq!(sim.p.role(), Role::Viewer);
}

#[test]
fn go_away_mid_session_reconnects_within_a_minute() {
    let mut sim = Sim::default_master();
    sim.run_for(20 * MIN);
    let t = sim.now;
    sim.input(Input::GoAway);
    sim.run_for(MIN);
    assert_eq!(
        sim.actions_since(t),
        [
            PolicyAction::Describe,
            PolicyAction::GetEndpoint,
            PolicyAction::Connect { replace: true },
        ]
    );
    let connected_again = sim.times(is_connect)[1];
    assert!(connected_again - t < S, "{:?}", connected_again - t);
    // The server closes the old connection after GO_AWAY: no further reconnect.
    sim.input(Input::Disconnected);
    assert!(!sim.p.is_connected());
    sim.run_for(MIN);
    assert_eq!(sim.p.metrics().go_aways, 1);
    assert_eq!(sim.p.metrics().reconnects, 2);
}

#[test]
fn go_away_while_backing_off_starts_at_once() {
    let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Master, true, Fake::default());
    for _ in 0..10 {
        sim.fake
            .script
            .push_back((Call::JoinStorageSession, CallOutcome::ServerError));
    }
    sim.run_for(3 * S);
    assert!(sim.p.is_connected());
    assert!(sim.p.poll_timeout().unwrap() > sim.now);
    let t = sim.now;
    sim.input(Input::GoAway);
    assert_eq!(sim.actions_since(t)[0], PolicyAction::Describe);
}

#[test]
fn server_drop_reconnects_with_backoff_and_cached_endpoint() {
    let mut sim = Sim::default_master();
    sim.run_for(5 * MIN);
    let t = sim.now;
    sim.input(Input::Disconnected);
    assert!(!sim.p.is_connected());
    assert!(sim.p.last_backoff() <= Duration::from_millis(100));
    sim.run_for(MIN);
    // Describe/GetEndpoint cached, ICE still valid: straight to Connect.
    let after = sim.actions_since(t);
    assert_eq!(after, [PolicyAction::Connect { replace: false }]);
    let reconnect_at = sim.times(is_connect)[1];
    assert!(reconnect_at - t <= Duration::from_millis(100));
    assert_eq!(sim.p.metrics().unexpected_disconnects, 1);
    assert_eq!(sim.p.metrics().reconnects, 1);

    // The server keeps refusing: waits grow to the 10 s cap, the endpoint is re-queried.
    let t = sim.now;
    sim.fake.connect_fails = Some(CallOutcome::Network);
    sim.input(Input::Disconnected);
    sim.run_for(5 * MIN);
    let tries = sim.times(is_connect);
    let tries: Vec<_> = tries.into_iter().filter(|&x| x >= t).collect();
    assert!(tries.len() >= 30 && tries.len() <= 300, "{}", tries.len());
    for w in tries.windows(2) {
        // Each wait ≤ 10 s plus the two control-plane round trips and the call itself.
        assert!(
            w[1] - w[0] <= 10 * S + Duration::from_millis(200),
            "{:?}",
            w[1] - w[0]
        );
    }
    assert!(sim.count(|a| *a == PolicyAction::GetEndpoint) > 10);
    sim.fake.connect_fails = None;
    sim.run_for(MIN);
    assert!(sim.p.is_connected());
}

#[test]
fn one_hour_cap_rotates_make_before_break() {
    let mut sim = Sim::default_master();
    sim.run_for(5 * HOUR);
    assert!(sim.max_age < HOUR - MIN, "{:?}", sim.max_age);
    let connects = sim
        .log
        .iter()
        .filter(|(_, a)| is_connect(a))
        .collect::<Vec<_>>();
    assert_eq!(connects.len(), 6, "{connects:?}");
    assert_eq!(connects[0].1, PolicyAction::Connect { replace: false });
    for w in connects.windows(2) {
        assert_eq!(w[1].1, PolicyAction::Connect { replace: true });
        let gap = w[1].0 - w[0].0;
        assert!(gap >= 57 * MIN && gap <= 58 * MIN + S, "{gap:?}");
    }
    assert_eq!(sim.count(|a| *a == PolicyAction::Close), 0);
    assert_eq!(sim.p.metrics().reconnects, 5);
    assert_eq!(sim.p.metrics().unexpected_disconnects, 0);
}

#[test]
fn cap_enforced_when_replacement_keeps_failing() {
    let mut sim = Sim::default_master();
    sim.run_for(57 * MIN);
    sim.fake.connect_fails = Some(CallOutcome::Network);
    sim.run_for(4 * MIN);
    // The policy closes the old connection at the hour rather than keep it past the cap.
    assert_eq!(sim.count(|a| *a == PolicyAction::Close), 1);
    assert!(sim.max_age <= HOUR);
    assert!(!sim.p.is_connected());
    sim.fake.connect_fails = None;
    sim.run_for(MIN);
    assert!(sim.p.is_connected());
}

#[test]
fn clock_ten_minutes_off_is_corrected_once() {
    for skew in [600i64, -600] {
        let fake = Fake {
            device_skew: skew,
            ..Fake::default()
        };
        let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Master, false, fake);
        sim.run_for(MIN);
        assert_eq!(sim.p.clock_offset_secs(), -skew);
        assert_eq!(
            sim.actions_since(Duration::ZERO),
            [
                PolicyAction::Describe,
                PolicyAction::Describe,
                PolicyAction::GetEndpoint,
                PolicyAction::GetIceServerConfig,
                PolicyAction::Connect { replace: false },
            ]
        );
        assert_eq!(sim.p.metrics().clock_corrections, 1);
        // The offset makes the signing time right.
        let local = sim.wall(skew);
        assert_eq!(sim.p.signing_time(local), Some(sim.wall(0)));

        // The device clock jumps again (NTP sync, RTC reset): corrected again, once.
        sim.fake.device_skew = skew + 3600;
        sim.input(Input::Disconnected);
        sim.run_for(MIN);
        assert_eq!(sim.p.clock_offset_secs(), -skew - 3600);
        assert_eq!(sim.p.metrics().clock_corrections, 2);
        assert!(sim.p.is_connected());
    }
}

#[test]
fn signature_expired_without_fixable_skew_is_no_403_loop() {
    let fake = Fake {
        device_skew: 600,
        always_expired: true,
        ..Fake::default()
    };
    let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Master, false, fake);
    sim.run_for(HOUR);
    let calls = sim.actions_since(Duration::ZERO).len();
    // One immediate retry after learning the offset, then one try per 5 minutes.
    assert!(calls <= 2 + 12, "{calls} calls in an hour");
    assert_eq!(sim.p.metrics().clock_corrections, 1);
    assert_eq!(sim.p.fatal(), None);
}

#[test]
fn wrong_credentials_fatal_without_retry_storm() {
    for deny in [CallOutcome::AccessDenied, CallOutcome::InvalidSignature] {
        let fake = Fake {
            deny: Some(deny),
            ..Fake::default()
        };
        let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Master, false, fake);
        sim.run_for(HOUR);
        let want = if deny == CallOutcome::AccessDenied {
            FatalReason::AccessDenied
        } else {
            FatalReason::InvalidSignature
        };
        assert_eq!(
            sim.actions_since(Duration::ZERO),
            [PolicyAction::Describe, PolicyAction::Fatal(want)]
        );
        assert!(sim.p.poll_timeout().is_none());
        assert!(!want.to_string().is_empty());
    }
}

#[test]
fn wrong_credentials_with_refreshable_provider_retries_slowly_then_gives_up() {
    let cfg = PolicyConfig {
        auth_retries: 3,
        ..PolicyConfig::DEFAULT
    };
    let fake = Fake {
        deny: Some(CallOutcome::AccessDenied),
        credentials_ttl: Some(HOUR),
        ..Fake::default()
    };
    let mut sim = Sim::new(cfg, Role::Master, false, fake);
    sim.run_for(3 * HOUR);
    let acts = sim.actions_since(Duration::ZERO);
    assert_eq!(sim.count(|a| *a == PolicyAction::Describe), 4);
    assert_eq!(sim.count(|a| *a == PolicyAction::RefreshCredentials), 3);
    assert_eq!(
        *acts.last().unwrap(),
        PolicyAction::Fatal(FatalReason::AccessDenied)
    );
    let d = sim.times(|a| *a == PolicyAction::Describe);
    // 5, 10, 20 minutes apart.
    assert_eq!(d[1] - d[0], 5 * MIN + Duration::from_millis(100));
    assert_eq!(d[3] - d[2], 20 * MIN + Duration::from_millis(100));
}

#[test]
fn wrong_credentials_on_reconnect_while_connected() {
    let mut sim = Sim::default_master();
    sim.run_for(10 * MIN);
    sim.fake.deny = Some(CallOutcome::AccessDenied);
    sim.input(Input::GoAway);
    sim.run_for(HOUR);
    assert_eq!(sim.p.fatal(), Some(FatalReason::AccessDenied));
    // Close the still-open connection, then Fatal, then silence.
    let acts = sim.actions_since(10 * MIN);
    assert_eq!(
        acts,
        [
            PolicyAction::Describe,
            PolicyAction::Close,
            PolicyAction::Fatal(FatalReason::AccessDenied)
        ]
    );
}

#[test]
fn ice_config_refreshed_before_ttl_and_never_used_expired() {
    let mut sim = Sim::default_master();
    sim.run_for(2 * HOUR);
    let fetches = sim.times(|a| *a == PolicyAction::GetIceServerConfig);
    // TTL 300 s: a refresh every 270 s (plus the 50 ms round trip).
    assert!(
        fetches.len() >= 26 && fetches.len() <= 28,
        "{}",
        fetches.len()
    );
    for w in fetches.windows(2) {
        let gap = w[1] - w[0];
        assert!(gap >= 270 * S && gap <= 271 * S, "{gap:?}");
    }
    // Every connect happened with ICE servers at least 30 s from expiry.
    for &(t, a) in &sim.log {
        if is_connect(&a) {
            let last_fetch = fetches.iter().rev().find(|&&f| f <= t).unwrap();
            assert!(t - *last_fetch < 270 * S);
        }
    }
    assert!(sim.p.ice_config_valid(sim.now));
    assert!(sim.p.ice_config_expires().unwrap() > sim.now + 30 * S);
    assert_eq!(sim.p.metrics().ice_refreshes as usize, fetches.len());
}

#[test]
fn short_ice_ttl_refreshes_at_half_life() {
    let fake = Fake {
        ice_ttl: 20 * S,
        ..Fake::default()
    };
    let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Master, false, fake);
    sim.run_for(10 * MIN);
    let n = sim.count(|a| *a == PolicyAction::GetIceServerConfig);
    assert!((55..=61).contains(&n), "{n}");
}

/// A service answering `Ttl: 0` must not be asked again in a tight loop (the list
/// would be invalid the instant it arrived): it counts as a bad answer and backs off.
#[test]
fn zero_ice_ttl_backs_off_instead_of_refetching_in_a_loop() {
    let fake = Fake {
        ice_ttl: Duration::ZERO,
        ..Fake::default()
    };
    let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Master, false, fake);
    sim.run_for(MIN);
    let n = sim.count(|a| *a == PolicyAction::GetIceServerConfig);
    // Full-jitter backoff capped at 10 s: a few dozen tries a minute at most.
    assert!((2..=60).contains(&n), "{n}");
    assert_eq!(sim.count(is_connect), 0);
    assert!(!sim.p.ice_config_valid(sim.now));
    // Once the service sends a sane TTL, the client connects.
    sim.fake.ice_ttl = 300 * S;
    sim.run_for(MIN);
    assert!(sim.p.is_connected());
}

#[test]
fn zero_intervals_in_the_config_do_not_busy_loop() {
    let cfg = PolicyConfig {
        ping_interval: Duration::ZERO,
        backoff_base: Duration::ZERO,
        backoff_cap: Duration::ZERO,
        ..PolicyConfig::DEFAULT
    };
    let mut sim = Sim::new(cfg, Role::Master, false, Fake::default());
    sim.run_for(MIN);
    assert!(sim.p.is_connected());
    // Pings are floored at one per 100 ms: at most ~600 a minute, not a loop.
    let pings = sim.count(|a| *a == PolicyAction::SendPing);
    assert!((100..=610).contains(&pings), "{pings}");
}

#[test]
fn reconnect_ice_server_refetches_then_reconnects() {
    let mut sim = Sim::default_master();
    sim.run_for(MIN);
    let t = sim.now;
    sim.input(Input::ReconnectIceServer);
    sim.run_for(MIN);
    assert_eq!(
        sim.actions_since(t),
        [
            PolicyAction::GetIceServerConfig,
            PolicyAction::Connect { replace: true }
        ]
    );
}

#[test]
fn ice_refresh_failure_backs_off_and_stops_offering_expired_servers() {
    let mut sim = Sim::default_master();
    sim.run_for(4 * MIN);
    for _ in 0..40 {
        sim.fake
            .script
            .push_back((Call::GetIceServerConfig, CallOutcome::ServerError));
    }
    sim.run_for(MIN);
    assert!(!sim.p.ice_config_valid(sim.now));
    sim.fake.script.clear();
    sim.run_for(MIN);
    assert!(sim.p.ice_config_valid(sim.now));
}

#[test]
fn backoff_bounds_and_full_jitter_distribution() {
    let cfg = PolicyConfig::DEFAULT;
    let mut delays_at_cap = Vec::new();
    for seed in 0..20u64 {
        let mut p = Policy::new(cfg, Role::Master, false, seed, Duration::ZERO);
        let mut now = Duration::ZERO;
        let mut n = 0u32;
        while n < 60 {
            let a = p.poll_action(now);
            match a {
                Some(PolicyAction::SendPing | PolicyAction::Close) => {}
                Some(a) => {
                    let call = match a {
                        PolicyAction::Describe => Call::Describe,
                        PolicyAction::GetEndpoint => Call::GetEndpoint,
                        PolicyAction::GetIceServerConfig => {
                            p.handle(now, Input::IceServers { min_ttl: 300 * S });
                            Call::GetIceServerConfig
                        }
                        PolicyAction::Connect { .. } => Call::Connect,
                        other => panic!("{other:?}"),
                    };
                    let outcome = if call == Call::Describe {
                        // Only Describe fails, so that every retry is one backoff.
                        CallOutcome::Throttled
                    } else {
                        CallOutcome::Ok
                    };
                    p.handle(
                        now,
                        Input::ApiDone {
                            call,
                            latency: Duration::ZERO,
                            outcome,
                        },
                    );
                    if outcome != CallOutcome::Ok {
                        let d = p.last_backoff();
                        let ceiling = (Duration::from_millis(100) * (1 << n.min(10))).min(10 * S);
                        assert!(d <= ceiling, "attempt {n}: {d:?} > {ceiling:?}");
                        assert_eq!(p.poll_timeout(), Some(now + d));
                        if n >= 7 {
                            delays_at_cap.push(d);
                        }
                        n += 1;
                    }
                }
                None => now = p.poll_timeout().unwrap(),
            }
        }
    }
    // Uniform over [0, 10 s]: mean ≈ 5 s, every tenth of the range used.
    let total: Duration = delays_at_cap.iter().sum();
    let mean = total / delays_at_cap.len() as u32;
    assert!(
        mean > 4500 * Duration::from_millis(1) && mean < 5500 * Duration::from_millis(1),
        "{mean:?}"
    );
    let mut buckets = [0usize; 10];
    for d in &delays_at_cap {
        buckets[(d.as_millis() / 1000).min(9) as usize] += 1;
    }
    let n = delays_at_cap.len();
    for b in buckets {
        assert!(b * 100 > n * 6 && b * 100 < n * 14, "{buckets:?}");
    }
    // Seeds matter: two devices do not retry in lockstep.
    let first = |seed| {
        let mut p = Policy::new(cfg, Role::Master, false, seed, Duration::ZERO);
        assert_eq!(p.poll_action(Duration::ZERO), Some(PolicyAction::Describe));
        p.handle(
            Duration::ZERO,
            Input::ApiDone {
                call: Call::Describe,
                latency: Duration::ZERO,
                outcome: CallOutcome::Network,
            },
        );
        p.last_backoff()
    };
    assert_ne!(first(1), first(2));
}

#[test]
fn storage_session_rejoined_when_it_ends_and_after_each_reconnect() {
    let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Master, true, Fake::default());
    sim.run_for(10 * MIN);
    assert_eq!(sim.count(|a| *a == PolicyAction::JoinStorageSession), 1);
    sim.input(Input::StorageSessionEnded);
    assert_eq!(sim.count(|a| *a == PolicyAction::JoinStorageSession), 2);
    // A failing join is retried with backoff, without touching the connection.
    sim.fake
        .script
        .push_back((Call::JoinStorageSession, CallOutcome::ServerError));
    sim.fake
        .script
        .push_back((Call::JoinStorageSession, CallOutcome::Network));
    sim.input(Input::StorageSessionEnded);
    sim.run_for(MIN);
    assert_eq!(sim.count(|a| *a == PolicyAction::JoinStorageSession), 5);
    assert_eq!(sim.count(is_connect), 1);
    // Each hourly rotation re-joins on the new connection.
    sim.run_for(3 * HOUR);
    assert_eq!(sim.count(is_connect), 4);
    assert_eq!(sim.count(|a| *a == PolicyAction::JoinStorageSession), 8);
    assert_eq!(sim.p.metrics().storage_joins, 6);
}

#[test]
fn credentials_refreshed_before_expiry() {
    let fake = Fake {
        credentials_ttl: Some(HOUR),
        ..Fake::default()
    };
    let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Master, false, fake);
    sim.input(Input::Credentials {
        expires_at: Some(HOUR),
    });
    sim.run_for(4 * HOUR);
    let r = sim.times(|a| *a == PolicyAction::RefreshCredentials);
    assert_eq!(r.len(), 4);
    assert_eq!(r[0], 55 * MIN);
    for w in r.windows(2) {
        assert_eq!(w[1] - w[0], 55 * MIN + Duration::from_millis(50));
    }
    assert_eq!(sim.p.metrics().credential_refreshes, 4);
    // A provider handing out already-expired credentials is retried with backoff.
    sim.fake.credentials_ttl = Some(Duration::ZERO);
    sim.run_for(HOUR);
    let n = sim.count(|a| *a == PolicyAction::RefreshCredentials);
    assert!(n > 4 && n < 4 + 400, "{n}");
}

#[test]
fn missing_pongs_mean_a_dead_connection() {
    let mut sim = Sim::default_master();
    sim.run_for(MIN);
    sim.fake.answer_pings = false;
    let t = sim.now;
    sim.run_for(MIN);
    let closes = sim.times(|a| *a == PolicyAction::Close);
    assert_eq!(closes.len(), 1);
    assert!(closes[0] - t <= 40 * S);
    assert_eq!(sim.p.metrics().unexpected_disconnects, 1);
    // Received messages count as life too.
    let mut sim = Sim::default_master();
    sim.fake.answer_pings = false;
    sim.run_for(MIN);
    assert_eq!(sim.count(|a| *a == PolicyAction::Close), 1);
    sim.fake.answer_pings = true;
    sim.run_for(MIN);
    for _ in 0..20 {
        sim.fake.answer_pings = false;
        sim.input(Input::MessageReceived);
        sim.run_for(30 * S);
    }
    assert_eq!(sim.count(|a| *a == PolicyAction::Close), 1);
    assert_eq!(sim.p.metrics().messages_received, 20);
}

#[test]
fn endpoint_cache_lasts_ten_hours() {
    let mut sim = Sim::default_master();
    sim.run_for(25 * HOUR);
    let d = sim.times(|a| *a == PolicyAction::Describe);
    assert_eq!(d.len(), 3);
    assert!(d[1] >= 10 * HOUR && d[1] < 11 * HOUR);
    assert!(d[2] - d[1] >= 10 * HOUR && d[2] - d[1] < 11 * HOUR);
    // A cache loaded from a file skips the first two calls.
    let mut p = Policy::new(
        PolicyConfig::DEFAULT,
        Role::Master,
        false,
        1,
        Duration::ZERO,
    );
    p.handle(Duration::ZERO, Input::EndpointCached { age: 2 * HOUR });
    assert_eq!(
        p.poll_action(Duration::ZERO),
        Some(PolicyAction::GetIceServerConfig)
    );
    let mut p = Policy::new(
        PolicyConfig::DEFAULT,
        Role::Master,
        false,
        1,
        Duration::ZERO,
    );
    p.handle(Duration::ZERO, Input::EndpointCached { age: 11 * HOUR });
    assert_eq!(p.poll_action(Duration::ZERO), Some(PolicyAction::Describe));
}

#[test]
fn missing_channel_is_fatal_after_three_tries() {
    let fake = Fake {
        deny: Some(CallOutcome::NotFound),
        ..Fake::default()
    };
    let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Master, false, fake);
    sim.run_for(HOUR);
    assert_eq!(sim.count(|a| *a == PolicyAction::Describe), 3);
    assert_eq!(sim.p.fatal(), Some(FatalReason::ChannelNotFound));
}

#[test]
fn unanswered_request_times_out_and_is_retried() {
    let fake = Fake {
        black_hole: true,
        ..Fake::default()
    };
    let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Master, false, fake);
    sim.run_for(2 * MIN);
    let d = sim.times(|a| *a == PolicyAction::Describe);
    assert!(d.len() >= 3 && d.len() <= 4, "{d:?}");
    assert!(d[1] - d[0] >= 30 * S);
    // A late answer to the timed-out call is ignored.
    sim.input(Input::ApiDone {
        call: Call::GetEndpoint,
        latency: S,
        outcome: CallOutcome::Ok,
    });
    assert_eq!(sim.p.metrics().latency(Call::GetEndpoint), None);
}

#[test]
fn metrics_counters() {
    let mut sim = Sim::default_master();
    sim.run_for(MIN);
    for _ in 0..3 {
        sim.input(Input::MessageSent);
    }
    sim.input(Input::RuntimeError);
    sim.input(Input::OfferToAnswer {
        elapsed: Duration::from_millis(120),
    });
    let m = sim.p.metrics();
    assert_eq!(m.messages_sent, 3);
    assert_eq!(m.runtime_errors, 1);
    assert_eq!(
        m.offer_to_answer.average(),
        Some(Duration::from_millis(120))
    );
    assert_eq!(m.errors, 0);
}

#[test]
fn http_date_feeds_the_skew_correction() {
    let date = UtcTime::parse_http_date("Thu, 01 Jan 2026 00:10:00 GMT").unwrap();
    assert_eq!(date.http_date().as_str(), "Thu, 01 Jan 2026 00:10:00 GMT");
    let local = UtcTime::from_unix_seconds(EPOCH_UNIX).unwrap();
    let mut p = Policy::new(
        PolicyConfig::DEFAULT,
        Role::Viewer,
        false,
        7,
        Duration::ZERO,
    );
    assert_eq!(p.poll_action(Duration::ZERO), Some(PolicyAction::Describe));
    p.handle(Duration::ZERO, Input::ServerDate { date, local });
    p.handle(
        Duration::ZERO,
        Input::ApiDone {
            call: Call::Describe,
            latency: Duration::ZERO,
            outcome: CallOutcome::SignatureExpired,
        },
    );
    assert_eq!(p.clock_offset_secs(), 600);
    assert_eq!(p.signing_time(local), Some(date));
    assert_eq!(p.poll_action(Duration::ZERO), Some(PolicyAction::Describe));
}

#[test]
fn expired_token_refreshes_once_then_gives_up() {
    // A provider that fixes it: refresh, retry at once, carry on.
    let fake = Fake {
        credentials_ttl: Some(HOUR),
        ..Fake::default()
    };
    let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Master, false, fake);
    sim.fake
        .script
        .push_back((Call::Describe, CallOutcome::ExpiredToken));
    sim.run_for(MIN);
    assert_eq!(
        sim.actions_since(Duration::ZERO)[..3],
        [
            PolicyAction::Describe,
            PolicyAction::RefreshCredentials,
            PolicyAction::Describe
        ]
    );
    assert!(sim.p.is_connected());
    // Static keys with a dead session token: one refresh attempt, then a clear error.
    let fake = Fake {
        deny: Some(CallOutcome::ExpiredToken),
        ..Fake::default()
    };
    let mut sim = Sim::new(PolicyConfig::DEFAULT, Role::Master, false, fake);
    sim.run_for(HOUR);
    assert_eq!(
        sim.actions_since(Duration::ZERO),
        [
            PolicyAction::Describe,
            PolicyAction::RefreshCredentials,
            PolicyAction::Describe,
            PolicyAction::Fatal(FatalReason::ExpiredToken)
        ]
    );
}

#[test]
fn service_error_kinds_map_to_outcomes() {
    use rtcam_signaling::api::{SERVICE_ERROR_KINDS, ServiceErrorKind};
    assert_eq!(
        CallOutcome::from(ServiceErrorKind::NotFound),
        CallOutcome::NotFound
    );
    assert_eq!(
        CallOutcome::from(ServiceErrorKind::SignatureExpired),
        CallOutcome::SignatureExpired
    );
    assert_eq!(
        CallOutcome::from(ServiceErrorKind::UnrecognizedClient),
        CallOutcome::AccessDenied
    );
    assert_eq!(
        CallOutcome::from(ServiceErrorKind::ExpiredToken),
        CallOutcome::ExpiredToken
    );
    for k in SERVICE_ERROR_KINDS {
        assert_ne!(CallOutcome::from(k), CallOutcome::Ok, "{k:?}");
    }
}

/// Past 2^64 ns (584 years) of clock the token bucket still limits: it used to saturate
/// its clock there and let every send through (found by the `kvs_policy` fuzzer).
#[test]
fn token_bucket_still_limits_beyond_u64_nanoseconds() {
    let mut b = rtcam_signaling::TokenBucket::new(16, 5);
    let t = Duration::from_secs(22_040_938_904);
    let mut n = 0;
    while b.try_acquire(t).is_ok() && n < 100 {
        n += 1;
    }
    assert_eq!(n, 5);
    assert_eq!(b.next_available(t), t + Duration::from_nanos(62_500_000));
    assert_eq!(b.try_acquire(t), Err(Duration::from_nanos(62_500_000)));
    // The clock's very end: no overflow, still limited.
    let mut b = rtcam_signaling::TokenBucket::new(1, 1);
    assert!(b.try_acquire(Duration::MAX).is_ok());
    assert!(b.try_acquire(Duration::MAX).is_err());
}
