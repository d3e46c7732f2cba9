//! Signaling metrics, the ones the KVS SDKs expose: per-call API latency as moving
//! averages (control plane and data plane), uptime, connection duration, messages
//! sent/received, ICE-config refreshes, errors, runtime errors, reconnects and
//! offer-to-answer time.
//!
//! Integer arithmetic only (no `f64`, no 64-bit atomics: the target MIPS32 has neither
//! cheaply); the [`Policy`](crate::policy::Policy) updates them, the driver reads them.

use core::time::Duration;

use crate::policy::Call;

/// An exponential moving average of durations with weight 1/8 for each new sample
/// (about the last 8–16 samples matter), kept in whole microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ema {
    value_us: u64,
    samples: u64,
}

impl Ema {
    /// No samples yet.
    pub const fn new() -> Ema {
        Ema {
            value_us: 0,
            samples: 0,
        }
    }

    /// Adds a sample; the first one sets the average.
    pub fn record(&mut self, sample: Duration) {
        let s = u64::try_from(sample.as_micros()).unwrap_or(u64::MAX);
        if self.samples == 0 {
            self.value_us = s;
        } else if s >= self.value_us {
            self.value_us = self.value_us.saturating_add((s - self.value_us) / 8);
        } else {
            self.value_us -= (self.value_us - s) / 8;
        }
        self.samples = self.samples.saturating_add(1);
    }

    /// The average, `None` before the first sample.
    pub fn average(&self) -> Option<Duration> {
        (self.samples > 0).then(|| Duration::from_micros(self.value_us))
    }

    /// How many samples were recorded.
    pub fn samples(&self) -> u64 {
        self.samples
    }
}

/// Counters and averages of one signaling client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metrics {
    started: Duration,
    connected_since: Option<Duration>,
    call_latency: [Ema; Call::COUNT],
    /// Describe and GetSignalingChannelEndpoint: the regional control plane.
    pub control_plane_latency: Ema,
    /// GetIceServerConfig, JoinStorageSession and the WebSocket connect: the channel's
    /// data-plane endpoints.
    pub data_plane_latency: Ema,
    /// SDP offer received → answer sent.
    pub offer_to_answer: Ema,
    /// WebSocket messages sent.
    pub messages_sent: u64,
    /// WebSocket messages received.
    pub messages_received: u64,
    /// Successful GetIceServerConfig calls (the first fetch included).
    pub ice_refreshes: u64,
    /// Failed API calls and connection attempts.
    pub errors: u64,
    /// Errors the driver reported outside API calls (bad frames, send failures).
    pub runtime_errors: u64,
    /// Successful connections after the first one.
    pub reconnects: u64,
    /// Established connections that ended without the policy asking (server drop,
    /// missing pongs, the service's hour cap).
    pub unexpected_disconnects: u64,
    /// GO_AWAY messages received.
    pub go_aways: u64,
    /// Times the signing clock offset was corrected from a server `Date`.
    pub clock_corrections: u64,
    /// Credential refreshes that succeeded.
    pub credential_refreshes: u64,
    /// Storage sessions joined.
    pub storage_joins: u64,
}

impl Metrics {
    /// Fresh metrics for a client started at `now`.
    pub const fn new(now: Duration) -> Metrics {
        Metrics {
            started: now,
            connected_since: None,
            call_latency: [Ema::new(); Call::COUNT],
            control_plane_latency: Ema::new(),
            data_plane_latency: Ema::new(),
            offer_to_answer: Ema::new(),
            messages_sent: 0,
            messages_received: 0,
            ice_refreshes: 0,
            errors: 0,
            runtime_errors: 0,
            reconnects: 0,
            unexpected_disconnects: 0,
            go_aways: 0,
            clock_corrections: 0,
            credential_refreshes: 0,
            storage_joins: 0,
        }
    }

    /// Records how long `call` took (successful or not: a slow failure is a slow call).
    pub fn record_latency(&mut self, call: Call, latency: Duration) {
        if let Some(e) = self.call_latency.get_mut(call.index()) {
            e.record(latency);
        }
        match call {
            Call::Describe | Call::GetEndpoint => self.control_plane_latency.record(latency),
            Call::GetIceServerConfig | Call::Connect | Call::JoinStorageSession => {
                self.data_plane_latency.record(latency)
            }
            Call::RefreshCredentials => {}
        }
    }

    /// The moving average latency of one call.
    pub fn latency(&self, call: Call) -> Option<Duration> {
        self.call_latency.get(call.index()).and_then(Ema::average)
    }

    /// Time since the client started.
    pub fn uptime(&self, now: Duration) -> Duration {
        now.saturating_sub(self.started)
    }

    /// Age of the current connection, `None` while not connected.
    pub fn connection_duration(&self, now: Duration) -> Option<Duration> {
        self.connected_since.map(|t| now.saturating_sub(t))
    }

    pub(crate) fn set_connected(&mut self, since: Option<Duration>) {
        self.connected_since = since;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ema_converges_and_counts() {
        let mut e = Ema::new();
        assert_eq!(e.average(), None);
        e.record(Duration::from_millis(100));
        assert_eq!(e.average(), Some(Duration::from_millis(100)));
        for _ in 0..100 {
            e.record(Duration::from_millis(20));
        }
        let avg = e.average().unwrap_or_default();
        assert!(avg >= Duration::from_millis(20) && avg < Duration::from_millis(21));
        e.record(Duration::MAX);
        assert!(e.average().is_some());
        assert_eq!(e.samples(), 102);
    }

    #[test]
    fn planes_and_durations() {
        let mut m = Metrics::new(Duration::from_secs(10));
        m.record_latency(Call::Describe, Duration::from_millis(80));
        m.record_latency(Call::Connect, Duration::from_millis(300));
        assert_eq!(m.latency(Call::Describe), Some(Duration::from_millis(80)));
        assert_eq!(m.latency(Call::GetEndpoint), None);
        assert_eq!(m.control_plane_latency.samples(), 1);
        assert_eq!(m.data_plane_latency.samples(), 1);
        assert_eq!(m.uptime(Duration::from_secs(70)), Duration::from_secs(60));
        assert_eq!(m.connection_duration(Duration::from_secs(70)), None);
        m.set_connected(Some(Duration::from_secs(40)));
        assert_eq!(
            m.connection_duration(Duration::from_secs(70)),
            Some(Duration::from_secs(30))
        );
    }
}
