//! A simulated week (7 × 24 h of virtual time) of the reconnect/refresh policy against a
//! scripted fake KVS service that misbehaves at random: server drops, GO_AWAY,
//! RECONNECT_ICE_SERVER, short and varying ICE TTLs, credentials expiring every 1–6 h,
//! device clock jumps of 6–30 minutes, storage sessions ending, 3 % of calls failing,
//! latencies of 20–400 ms. The fake enforces the service's one-hour cap and ten-minute
//! idle timeout itself.
//!
//! Invariants checked at every step: no connection older than an hour, ICE servers never
//! offered (nor a connection opened) past their expiry, no call made with expired
//! credentials, never two requests in flight, backoff never above its 10 s cap, every
//! failure followed by the next try within the cap, "Signature expired" at most once per
//! clock jump, reconnect counts within what the events explain. And memory flat: a
//! per-thread counting global allocator shows zero allocations for the whole week
//! (policy and fake together; `Policy` is a fixed-size value).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use rtcam_signaling::UtcTime;
use rtcam_signaling::policy::{Call, CallOutcome, Input, Policy, PolicyAction, PolicyConfig, Role};

const S: Duration = Duration::from_secs(1);
const MIN: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);
const EPOCH_UNIX: u64 = 1_767_225_600;

/// xorshift64*: the fake's own randomness, independent of the policy's.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [lo, hi].
    fn between(&mut self, lo: Duration, hi: Duration) -> Duration {
        let span = (hi - lo).as_millis() as u64 + 1;
        lo + Duration::from_millis(self.next() % span)
    }

    /// Roughly exponential with the given mean (sum of two uniforms, good enough).
    fn around(&mut self, mean: Duration) -> Duration {
        self.between(Duration::ZERO, mean) + self.between(Duration::ZERO, mean)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

#[derive(Default, Debug, Clone, Copy)]
struct Summary {
    steps: u64,
    actions: u64,
    requests: u64,
    injected_failures: u64,
    drops: u64,
    go_aways: u64,
    reconnect_ice: u64,
    clock_jumps: u64,
    signature_expired: u64,
    storage_ends: u64,
    outages: u64,
    longest_outage: Duration,
    rotations: u64,
    cap_drops: u64,
    idle_drops: u64,
    max_gap: Duration,
    max_recovery: Duration,
    max_backoff: Duration,
    max_age: Duration,
    min_ice_left_at_connect: Option<Duration>,
    min_creds_left_at_call: Option<Duration>,
}

struct World {
    now: Duration,
    rng: Rng,
    policy: Policy,
    // The service's view.
    conn_since: Option<Duration>,
    last_ping: Duration,
    storage_active: bool,
    ice_expires: Option<Duration>,
    creds_expire: Duration,
    device_skew: i64,
    pending: Option<(Duration, Call, CallOutcome, Duration)>,
    disconnected_since: Option<Duration>,
    last_failure: Option<Duration>,
    // Next scripted events.
    next_drop: Duration,
    next_go_away: Duration,
    next_reconnect_ice: Duration,
    next_clock_jump: Duration,
    next_storage_end: Duration,
    next_outage: Duration,
    outage_until: Duration,
    sum: Summary,
}

impl World {
    fn new(seed: u64) -> World {
        let mut rng = Rng(seed | 1);
        let mut policy = Policy::new(
            PolicyConfig::DEFAULT,
            Role::Master,
            true,
            seed,
            Duration::ZERO,
        );
        let creds_expire = rng.between(HOUR, 6 * HOUR);
        policy.handle(
            Duration::ZERO,
            Input::Credentials {
                expires_at: Some(creds_expire),
            },
        );
        World {
            now: Duration::ZERO,
            next_drop: rng.around(3 * HOUR),
            next_go_away: rng.around(8 * HOUR),
            next_reconnect_ice: rng.around(12 * HOUR),
            next_clock_jump: rng.around(24 * HOUR),
            next_storage_end: rng.around(2 * HOUR),
            next_outage: rng.around(24 * HOUR),
            outage_until: Duration::ZERO,
            rng,
            policy,
            conn_since: None,
            last_ping: Duration::ZERO,
            storage_active: false,
            ice_expires: None,
            creds_expire,
            device_skew: 0,
            pending: None,
            disconnected_since: Some(Duration::ZERO),
            last_failure: None,
            sum: Summary::default(),
        }
    }

    fn wall(&self, skew: i64) -> UtcTime {
        let secs = EPOCH_UNIX as i64 + self.now.as_secs() as i64 + skew;
        UtcTime::from_unix_seconds(secs as u64).unwrap()
    }

    fn close_service_conn(&mut self) {
        if self.conn_since.take().is_some() {
            self.storage_active = false;
            self.disconnected_since = Some(self.now);
        }
    }

    /// The driver carries out one action.
    fn apply(&mut self, a: PolicyAction) {
        self.sum.actions += 1;
        let call = match a {
            PolicyAction::SendPing => {
                assert!(self.conn_since.is_some(), "ping without a connection");
                self.last_ping = self.now;
                self.policy.handle(self.now, Input::Pong);
                return;
            }
            PolicyAction::Close => {
                self.close_service_conn();
                return;
            }
            PolicyAction::Fatal(r) => panic!("fatal at {:?}: {r}", self.now),
            PolicyAction::Describe => Call::Describe,
            PolicyAction::GetEndpoint => Call::GetEndpoint,
            PolicyAction::GetIceServerConfig => Call::GetIceServerConfig,
            PolicyAction::Connect { replace } => {
                assert_eq!(replace, self.conn_since.is_some());
                if replace {
                    self.sum.rotations += 1;
                }
                let left = self.ice_expires.expect("connect before any ICE config") - self.now;
                assert!(left > Duration::ZERO, "connect with expired ICE servers");
                let m = self.sum.min_ice_left_at_connect.get_or_insert(left);
                *m = (*m).min(left);
                Call::Connect
            }
            PolicyAction::JoinStorageSession => {
                assert!(self.conn_since.is_some(), "join without a connection");
                Call::JoinStorageSession
            }
            PolicyAction::RefreshCredentials => Call::RefreshCredentials,
        };
        assert!(
            self.pending.is_none(),
            "two requests in flight at {:?}",
            self.now
        );
        if let Some(f) = self.last_failure.take() {
            let gap = self.now - f;
            // A failure is retried within the backoff cap (slow skew retries excepted:
            // none are expected here, every clock jump is fixable).
            assert!(gap <= 10 * S, "retry {gap:?} after a failure at {f:?}");
        }
        self.sum.requests += 1;
        if call != Call::RefreshCredentials {
            assert!(
                self.now < self.creds_expire,
                "call with expired credentials at {:?}",
                self.now
            );
            let left = self.creds_expire - self.now;
            let m = self.sum.min_creds_left_at_call.get_or_insert(left);
            *m = (*m).min(left);
        }
        let signing_skew = self.device_skew + self.policy.clock_offset_secs();
        let outcome = if call != Call::RefreshCredentials && signing_skew.abs() > 300 {
            self.sum.signature_expired += 1;
            CallOutcome::SignatureExpired
        } else if self.now < self.outage_until {
            self.sum.injected_failures += 1;
            CallOutcome::Network
        } else if self.rng.chance(3) {
            self.sum.injected_failures += 1;
            match self.rng.next() % 3 {
                0 => CallOutcome::Network,
                1 => CallOutcome::ServerError,
                _ => CallOutcome::Throttled,
            }
        } else {
            CallOutcome::Ok
        };
        let latency = self
            .rng
            .between(Duration::from_millis(20), Duration::from_millis(400));
        self.pending = Some((self.now + latency, call, outcome, latency));
    }

    /// The answer to the request in flight arrives.
    fn deliver(&mut self, call: Call, latency: Duration, outcome: CallOutcome) {
        let now = self.now;
        match (call, outcome) {
            (_, CallOutcome::SignatureExpired) => {
                let (date, local) = (self.wall(0), self.wall(self.device_skew));
                self.policy.handle(now, Input::ServerDate { date, local });
            }
            (Call::GetIceServerConfig, CallOutcome::Ok) => {
                let min_ttl = self.rng.between(2 * MIN, 10 * MIN);
                self.ice_expires = Some(now + min_ttl);
                self.policy.handle(now, Input::IceServers { min_ttl });
            }
            (Call::Connect, CallOutcome::Ok) => {
                // Make-before-break: the new connection replaces the old one.
                if let Some(since) = self.disconnected_since.take() {
                    self.sum.max_gap = self.sum.max_gap.max(now - since);
                    if self.outage_until > since {
                        // Time from the end of an outage to being connected again.
                        let r = now.saturating_sub(self.outage_until);
                        self.sum.max_recovery = self.sum.max_recovery.max(r);
                    }
                }
                self.conn_since = Some(now);
                self.last_ping = now;
                self.storage_active = false;
                self.policy.handle(now, Input::Connected { latency });
                return;
            }
            (Call::JoinStorageSession, CallOutcome::Ok) => {
                self.storage_active = self.conn_since.is_some();
            }
            (Call::RefreshCredentials, CallOutcome::Ok) => {
                self.creds_expire = now + self.rng.between(HOUR, 6 * HOUR);
                let expires_at = Some(self.creds_expire);
                self.policy.handle(now, Input::Credentials { expires_at });
                return;
            }
            _ => {}
        }
        if outcome != CallOutcome::Ok && outcome != CallOutcome::SignatureExpired {
            self.last_failure = Some(now);
        }
        self.policy.handle(
            now,
            Input::ApiDone {
                call,
                latency,
                outcome,
            },
        );
    }

    fn drop_connection(&mut self) {
        if self.conn_since.is_some() {
            self.close_service_conn();
            self.policy.handle(self.now, Input::Disconnected);
            // An unexpected close is retried with backoff, like a failure.
            if self.pending.is_none() {
                self.last_failure = Some(self.now);
            }
        }
    }

    /// Scripted events and the service's own rules, due at `now`.
    fn events(&mut self) {
        let now = self.now;
        if let Some((t, call, outcome, latency)) = self.pending {
            if t <= now {
                self.pending = None;
                self.deliver(call, latency, outcome);
            }
        }
        if let Some(since) = self.conn_since {
            if now - since >= HOUR {
                self.sum.cap_drops += 1;
                self.drop_connection();
            } else if now - self.last_ping >= 10 * MIN {
                self.sum.idle_drops += 1;
                self.drop_connection();
            }
        }
        if now >= self.next_drop {
            self.next_drop = now + self.rng.around(3 * HOUR);
            if self.conn_since.is_some() {
                self.sum.drops += 1;
                self.drop_connection();
            }
        }
        if now >= self.next_go_away {
            self.next_go_away = now + self.rng.around(8 * HOUR);
            if self.conn_since.is_some() {
                self.sum.go_aways += 1;
                self.policy.handle(now, Input::GoAway);
            }
        }
        if now >= self.next_reconnect_ice {
            self.next_reconnect_ice = now + self.rng.around(12 * HOUR);
            if self.conn_since.is_some() {
                self.sum.reconnect_ice += 1;
                self.policy.handle(now, Input::ReconnectIceServer);
            }
        }
        if now >= self.next_clock_jump {
            self.next_clock_jump = now + self.rng.around(24 * HOUR);
            let jump = self.rng.between(6 * MIN, 30 * MIN).as_secs() as i64;
            self.device_skew += if self.rng.chance(50) { jump } else { -jump };
            self.sum.clock_jumps += 1;
        }
        if now >= self.next_outage {
            // The service is unreachable for 1–5 minutes: every call fails, the
            // connection drops.
            self.next_outage = now + self.rng.around(24 * HOUR);
            let len = self.rng.between(MIN, 5 * MIN);
            self.outage_until = now + len;
            self.sum.outages += 1;
            self.sum.longest_outage = self.sum.longest_outage.max(len);
            self.drop_connection();
        }
        if now >= self.next_storage_end {
            self.next_storage_end = now + self.rng.around(2 * HOUR);
            if self.storage_active {
                self.storage_active = false;
                self.sum.storage_ends += 1;
                self.policy.handle(now, Input::StorageSessionEnded);
            }
        }
    }

    fn check(&mut self) {
        let now = self.now;
        if let Some(age) = self.policy.connection_age(now) {
            assert!(age <= HOUR, "connection {age:?} old at {now:?}");
            self.sum.max_age = self.sum.max_age.max(age);
        }
        if self.policy.ice_config_valid(now) {
            assert!(
                self.ice_expires.unwrap() > now,
                "expired ICE servers offered at {now:?}"
            );
        }
        let b = self.policy.last_backoff();
        assert!(b <= 10 * S, "backoff {b:?}");
        self.sum.max_backoff = self.sum.max_backoff.max(b);
        assert!(self.policy.fatal().is_none());
        assert_eq!(
            self.policy.is_connected(),
            self.conn_since.is_some(),
            "at {now:?}"
        );
    }

    fn next_time(&self) -> Duration {
        let mut t = WEEK;
        let mut at = |d: Duration| t = t.min(d);
        if let Some(d) = self.policy.poll_timeout() {
            at(d);
        }
        if let Some((d, _, _, _)) = self.pending {
            at(d);
        }
        if let Some(since) = self.conn_since {
            at(since + HOUR);
            at(self.last_ping + 10 * MIN);
        }
        at(self.next_drop);
        at(self.next_go_away);
        at(self.next_reconnect_ice);
        at(self.next_clock_jump);
        at(self.next_storage_end);
        at(self.next_outage);
        t
    }

    fn run(&mut self) {
        while self.now < WEEK {
            self.events();
            let mut n = 0;
            while let Some(a) = self.policy.poll_action(self.now) {
                self.apply(a);
                n += 1;
                assert!(n < 16, "action storm at {:?}", self.now);
            }
            self.check();
            let next = self.next_time();
            assert!(
                next > self.now || next == WEEK,
                "no progress at {:?}",
                self.now
            );
            self.now = next.max(self.now);
            self.sum.steps += 1;
        }
    }
}

#[test]
fn a_week_of_reconnects_and_refreshes() {
    // The counter counts (so the zero below means something).
    let probe = allocation_counter::measure(|| {
        std::hint::black_box(Vec::<u8>::with_capacity(8));
    });
    assert_eq!(probe.count_total, 1);
    for seed in [1u64, 0xdead_beef, 42] {
        let mut world = World::new(seed);
        let info = allocation_counter::measure(|| world.run());
        let s = world.sum;
        let m = *world.policy.metrics();
        println!(
            "seed {seed:#x}: {} steps, {} actions, {} requests; reconnects {} (rotations {}, \
             drops {}, go_aways {}, reconnect_ice {}, cap/idle drops {}/{}); ice refreshes {}, \
             credential refreshes {}, storage joins {} (ends {}); clock jumps {} → signature \
             expired {}, corrections {}; outages {} (longest {:?}); injected failures {}, \
             errors {}; max gap without a \
             connection {:?}, max recovery after an outage {:?}, max backoff {:?}, max connection age {:?}, least ICE lifetime \
             left at connect {:?}, least credential lifetime left at a call {:?}; \
             allocations {}; size_of::<Policy>() = {} bytes",
            s.steps,
            s.actions,
            s.requests,
            m.reconnects,
            s.rotations,
            s.drops,
            s.go_aways,
            s.reconnect_ice,
            s.cap_drops,
            s.idle_drops,
            m.ice_refreshes,
            m.credential_refreshes,
            m.storage_joins,
            s.storage_ends,
            s.clock_jumps,
            s.signature_expired,
            m.clock_corrections,
            s.outages,
            s.longest_outage,
            s.injected_failures,
            m.errors,
            s.max_gap,
            s.max_recovery,
            s.max_backoff,
            s.max_age,
            s.min_ice_left_at_connect.unwrap(),
            s.min_creds_left_at_call.unwrap(),
            info.count_total,
            std::mem::size_of::<Policy>(),
        );
        // Memory flat: not one allocation in a week.
        assert_eq!(info.count_total, 0, "{info:?}");
        // The service never had to enforce its own limits.
        assert_eq!(s.cap_drops, 0);
        assert_eq!(s.idle_drops, 0);
        assert!(s.max_age < HOUR - MIN);
        // Connected again quickly after everything: within the backoff cap (plus the
        // calls) once an outage is over, within a minute of anything else.
        assert!(
            s.max_gap < (s.longest_outage + 12 * S).max(60 * S),
            "{:?}",
            s.max_gap
        );
        assert!(s.outages >= 3);
        // One capped wait plus the calls (and one more wait if a random failure follows).
        assert!(s.max_recovery <= 25 * S, "{:?}", s.max_recovery);
        assert!(
            s.max_backoff > 5 * S,
            "the cap was never approached: {:?}",
            s.max_backoff
        );
        assert!(world.policy.is_connected());
        // Reconnects: one per hourly rotation plus what the events explain.
        let rotations_min = 7 * 24 * 60 / 58 - 30;
        let explained = 7 * 24 * 60 / 57 + s.drops + s.go_aways + s.reconnect_ice + s.outages;
        assert!(
            m.reconnects >= rotations_min && m.reconnects <= explained + 5,
            "{} reconnects, {explained} explained",
            m.reconnects
        );
        assert!(s.rotations >= rotations_min);
        // Skew: at most one refused call per clock jump; each jump corrected.
        assert!(s.signature_expired <= s.clock_jumps, "{s:?}");
        assert_eq!(m.clock_corrections, s.signature_expired);
        assert!(s.clock_jumps >= 3);
        // ICE refreshed every (TTL − 30 s), TTLs of 2–10 min: between one per 9.5 min
        // and one per 90 s over the week (plus RECONNECT_ICE_SERVER refetches).
        let week_secs = WEEK.as_secs();
        assert!(
            m.ice_refreshes > week_secs / 570 && m.ice_refreshes < week_secs / 90 + s.reconnect_ice,
            "{}",
            m.ice_refreshes
        );
        assert!(m.credential_refreshes >= 7 * 24 / 6);
        assert!(s.min_creds_left_at_call.unwrap() > 4 * MIN);
        assert!(s.min_ice_left_at_connect.unwrap() > 30 * S);
    }
}
