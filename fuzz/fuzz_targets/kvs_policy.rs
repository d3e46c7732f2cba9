//! The KVS reconnect/refresh policy driven by arbitrary input sequences and time jumps,
//! plus its companions (token bucket, candidate buffer, HTTP `Date` parsing).
//!
//! Input: 8 bytes of seed and flags, then 3-byte ops (op, a, b): advance the clock, wake
//! at `poll_timeout`, answer the outstanding request like a well-behaved driver (with a
//! chosen outcome), or feed any `Input` (including answers to calls never made, absurd
//! TTLs, skews and expiries).
//!
//! Properties checked (beyond "never panics"):
//! - draining `poll_action` ends within a few actions (no action storm), and afterwards
//!   `poll_timeout` is in the future or `None` (no busy loop);
//! - the policy never holds a connection older than its cap;
//! - a backoff never exceeds the auth ceiling (1 h), and a transient one never the
//!   10 s cap;
//! - `Fatal` comes at most once and then nothing else does;
//! - the token bucket never lets more than `burst` through at one instant, and the
//!   candidate buffer never reports more bytes than it holds.

#![no_main]

use core::time::Duration;

use libfuzzer_sys::fuzz_target;
use rtcam_signaling::candidates::{CandidateBuffer, Push};
use rtcam_signaling::policy::{Call, CallOutcome, Input, Policy, PolicyAction, PolicyConfig, Role};
use rtcam_signaling::{TokenBucket, UtcTime};

const OUTCOMES: [CallOutcome; 15] = [
    CallOutcome::Ok,
    CallOutcome::NotFound,
    CallOutcome::AccessDenied,
    CallOutcome::ClientLimitExceeded,
    CallOutcome::InvalidArgument,
    CallOutcome::SignatureExpired,
    CallOutcome::InvalidSignature,
    CallOutcome::ExpiredToken,
    CallOutcome::ResourceInUse,
    CallOutcome::VersionMismatch,
    CallOutcome::Throttled,
    CallOutcome::Other,
    CallOutcome::Network,
    CallOutcome::ServerError,
    CallOutcome::Malformed,
];

const CALLS: [Call; 6] = [
    Call::Describe,
    Call::GetEndpoint,
    Call::GetIceServerConfig,
    Call::Connect,
    Call::JoinStorageSession,
    Call::RefreshCredentials,
];

fn call_of(a: PolicyAction) -> Option<Call> {
    Some(match a {
        PolicyAction::Describe => Call::Describe,
        PolicyAction::GetEndpoint => Call::GetEndpoint,
        PolicyAction::GetIceServerConfig => Call::GetIceServerConfig,
        PolicyAction::Connect { .. } => Call::Connect,
        PolicyAction::JoinStorageSession => Call::JoinStorageSession,
        PolicyAction::RefreshCredentials => Call::RefreshCredentials,
        _ => return None,
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((head, ops)) = data.split_first_chunk::<8>() else {
        return;
    };
    // Companions first: they take the same bytes.
    if let Ok(s) = core::str::from_utf8(data)
        && let Some(t) = UtcTime::parse_http_date(s)
    {
        assert_eq!(UtcTime::parse_http_date(t.http_date().as_str()), Some(t));
    }
    let mut bucket = TokenBucket::new(u32::from(head[0]), u32::from(head[1]));
    let mut candidates: CandidateBuffer<3, 64> = CandidateBuffer::new();

    let seed = u64::from_le_bytes(*head);
    let flags = head[0];
    let role = if flags & 1 == 0 {
        Role::Master
    } else {
        Role::Viewer
    };
    let cfg = PolicyConfig {
        auth_retries: (flags >> 1) & 3,
        ..PolicyConfig::DEFAULT
    };
    let mut now = Duration::from_millis(u64::from(head[2]) << 20);
    let mut p = Policy::new(cfg, role, flags & 8 != 0, seed, now);
    let mut outstanding: Option<Call> = None;
    let mut fatal_seen = false;

    for op in ops.chunks_exact(3) {
        let (kind, a, b) = (op[0], op[1], op[2]);
        let ab = u16::from_le_bytes([a, b]);
        match kind % 20 {
            0 => now += Duration::from_millis(u64::from(ab)),
            1 => now += Duration::from_secs(u64::from(ab)),
            2 => {
                if let Some(t) = p.poll_timeout() {
                    now = now.max(t);
                }
            }
            3..=5 => {
                // Answer the outstanding request the way a driver would.
                if let Some(call) = outstanding.take() {
                    let outcome = if kind % 20 == 3 {
                        CallOutcome::Ok
                    } else {
                        OUTCOMES[usize::from(a) % OUTCOMES.len()]
                    };
                    if outcome == CallOutcome::Ok && call == Call::GetIceServerConfig {
                        let min_ttl = Duration::from_secs(u64::from(b) * 8);
                        p.handle(now, Input::IceServers { min_ttl });
                    }
                    if outcome == CallOutcome::SignatureExpired {
                        let local = UtcTime::from_unix_seconds(1_700_000_000).unwrap();
                        let skew = i64::from(i16::from_le_bytes([a, b])) * 30;
                        let date =
                            UtcTime::from_unix_seconds((1_700_000_000 + skew) as u64).unwrap();
                        p.handle(now, Input::ServerDate { date, local });
                    }
                    if call == Call::RefreshCredentials && outcome == CallOutcome::Ok {
                        let expires_at =
                            (b & 1 == 0).then(|| now + Duration::from_secs(u64::from(a) * 60));
                        p.handle(now, Input::Credentials { expires_at });
                    } else if call == Call::Connect && outcome == CallOutcome::Ok {
                        p.handle(
                            now,
                            Input::Connected {
                                latency: Duration::from_millis(u64::from(b)),
                            },
                        );
                    } else {
                        let latency = Duration::from_millis(u64::from(b));
                        p.handle(
                            now,
                            Input::ApiDone {
                                call,
                                latency,
                                outcome,
                            },
                        );
                    }
                }
            }
            6 => p.handle(
                now,
                Input::ApiDone {
                    call: CALLS[usize::from(a) % CALLS.len()],
                    latency: Duration::from_millis(u64::from(ab)),
                    outcome: OUTCOMES[usize::from(b) % OUTCOMES.len()],
                },
            ),
            7 => p.handle(now, Input::Disconnected),
            8 => p.handle(now, Input::GoAway),
            9 => p.handle(now, Input::ReconnectIceServer),
            10 => p.handle(now, Input::Pong),
            11 => p.handle(
                now,
                Input::IceServers {
                    min_ttl: Duration::from_secs(u64::from(ab)),
                },
            ),
            12 => p.handle(
                now,
                Input::Credentials {
                    expires_at: (a & 1 == 0).then(|| {
                        now.saturating_sub(Duration::from_secs(600))
                            + Duration::from_secs(u64::from(b) * 30)
                    }),
                },
            ),
            13 => {
                let date = UtcTime::from_unix_seconds(u64::from(ab) << 20);
                let local = UtcTime::from_unix_seconds(u64::from(u16::from_be_bytes([a, b])) << 20);
                if let (Some(date), Some(local)) = (date, local) {
                    p.handle(now, Input::ServerDate { date, local });
                }
            }
            14 => p.handle(now, Input::StorageSessionEnded),
            15 => p.handle(
                now,
                Input::EndpointCached {
                    age: Duration::from_secs(u64::from(ab) * 4),
                },
            ),
            16 => p.handle(
                now,
                match a % 4 {
                    0 => Input::MessageSent,
                    1 => Input::MessageReceived,
                    2 => Input::RuntimeError,
                    _ => Input::OfferToAnswer {
                        elapsed: Duration::from_millis(u64::from(b)),
                    },
                },
            ),
            17 => {
                let before = now;
                let burst = u32::from(head[1]).max(1);
                let mut n = 0;
                while bucket.try_acquire(now).is_ok() {
                    n += 1;
                    if n > burst {
                        panic!("bucket let {n} through at {before:?} with burst {burst}");
                    }
                }
            }
            18 => {
                let sender = ["a", "b", "c", "", "d"][usize::from(a) % 5];
                let payload = &op[..usize::from(b) % 3 + 1];
                if b & 0x80 == 0 {
                    let _ = candidates.push(sender, payload);
                } else if b & 0x40 == 0 {
                    let mut total = 0;
                    candidates.offer_applied(sender, |c| total += c.len());
                    assert_eq!(candidates.push(sender, payload), Push::Ready);
                } else {
                    candidates.forget(sender);
                }
                assert!(candidates.buffered_bytes() <= 64);
            }
            _ => now += Duration::from_secs(u64::from(ab) * 3600),
        }

        // Drain.
        let mut drained = false;
        for _ in 0..16 {
            let Some(action) = p.poll_action(now) else {
                drained = true;
                break;
            };
            assert!(!fatal_seen, "{action:?} after Fatal");
            if let PolicyAction::Fatal(reason) = action {
                fatal_seen = true;
                let _ = reason.to_string();
            }
            if let Some(call) = call_of(action) {
                // A new request means the old one was answered or timed out.
                outstanding = Some(call);
            }
        }
        assert!(drained, "action storm at {now:?}");
        if let Some(t) = p.poll_timeout() {
            assert!(t > now, "poll_timeout {t:?} not after {now:?} once drained");
        }
        if let Some(age) = p.connection_age(now) {
            assert!(age < cfg.max_connection_age, "connection {age:?} old");
        }
        assert!(p.last_backoff() <= Duration::from_secs(3600));
        if p.fatal().is_some() {
            assert!(p.poll_timeout().is_none());
        }
        let _ = p.metrics().uptime(now);
        let _ = p.signing_time(UtcTime::from_unix_seconds(u64::from(ab) << 16).unwrap());
    }
});
