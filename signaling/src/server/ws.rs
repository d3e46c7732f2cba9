//! One task per WebSocket connection: reads client frames (parse, rate-limit, route),
//! writes what the hub queued for it, and enforces the idle timeout and the
//! connection-duration cap.

use std::string::String;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::hub::{Hub, Out, Registered};
use super::request::{MessageRejection, parse_client_message, status_response_json};
use crate::message::Action;

/// A token bucket: `rate` per second, bursts of `rate`.
pub(crate) struct Bucket {
    tokens: f64,
    rate: f64,
    last: Instant,
}

impl Bucket {
    pub(crate) fn new(rate: u32) -> Bucket {
        Bucket {
            tokens: f64::from(rate),
            rate: f64::from(rate),
            last: Instant::now(),
        }
    }

    pub(crate) fn take(&mut self) -> bool {
        let now = Instant::now();
        let dt = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + dt * self.rate).min(self.rate);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub(crate) async fn run<S>(mut ws: WebSocketStream<S>, hub: Arc<Hub>, mut reg: Registered)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let limits = hub.cfg.limits.clone();
    let idle = tokio::time::sleep(limits.idle_timeout);
    tokio::pin!(idle);
    let cap = tokio::time::sleep(limits.max_connection_duration);
    tokio::pin!(cap);
    let close_at = tokio::time::sleep(Duration::from_secs(u64::from(u32::MAX)));
    tokio::pin!(close_at);
    let mut closing = false;
    let mut sdp_bucket = Bucket::new(limits.offers_answers_per_sec);
    let mut cand_bucket = Bucket::new(limits.candidates_per_sec);
    let reason: &str = loop {
        tokio::select! {
            frame = ws.next() => {
                let Some(Ok(frame)) = frame else { break "" };
                idle.as_mut().reset(after(limits.idle_timeout));
                match frame {
                    Message::Text(text) => {
                        let reply = handle_text(&hub, &reg, text.as_str(), &mut sdp_bucket, &mut cand_bucket);
                        if let Some(r) = reply {
                            hub.stats.status_responses.fetch_add(1, Ordering::Relaxed);
                            if !send(&mut ws, r).await {
                                break "";
                            }
                        }
                    }
                    Message::Close(_) => break "",
                    // Pings are answered by tungstenite; pongs and binary frames only
                    // count as activity.
                    _ => {}
                }
            }
            out = reg.rx.recv() => match out {
                Some(Out::Text(t)) => {
                    if !send(&mut ws, t).await {
                        break "";
                    }
                }
                Some(Out::TextThenClose(t, grace)) => {
                    if !send(&mut ws, t).await {
                        break "";
                    }
                    if !closing {
                        closing = true;
                        close_at.as_mut().reset(after(grace));
                    }
                }
                Some(Out::Close) | None => break "replaced or closed by the server",
            },
            () = &mut idle => break "idle timeout",
            () = &mut cap => break "maximum connection duration reached",
            () = &mut close_at, if closing => break "going away",
        }
    };
    hub.unregister(&reg.channel_arn, &reg.role, reg.id);
    let frame = CloseFrame {
        code: if reason.is_empty() {
            CloseCode::Normal
        } else {
            CloseCode::Away
        },
        reason: reason.into(),
    };
    // Best effort: the peer may already be gone.
    let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(Some(frame))).await;
}

/// `now + d`, saturating at a year away (configured durations may be absurd).
fn after(d: Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(d)
        .unwrap_or_else(|| now + Duration::from_secs(365 * 86_400))
}

/// How long one frame may take to go out: a peer that stops reading is dropped rather
/// than holding its task (and, through its full queue, its senders) forever.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

async fn send<S>(ws: &mut WebSocketStream<S>, text: String) -> bool
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, ws.send(Message::text(text))).await,
        Ok(Ok(()))
    )
}

/// Handles one text frame; returns the STATUS_RESPONSE to send back, if any.
fn handle_text(
    hub: &Hub,
    reg: &Registered,
    text: &str,
    sdp: &mut Bucket,
    cand: &mut Bucket,
) -> Option<String> {
    let result: Result<(), MessageRejection<'_>> = (|| {
        let msg = parse_client_message(text)?;
        let bucket = match msg.action {
            Action::IceCandidate => cand,
            Action::SdpOffer | Action::SdpAnswer => sdp,
        };
        if !bucket.take() {
            return Err(MessageRejection {
                correlation_id: msg.correlation_id,
                error_type: "ClientLimitExceededException",
                status_code: 400,
                description: std::format!(
                    "{} rate limit exceeded for this connection",
                    msg.action.as_str()
                ),
            });
        }
        hub.route(
            reg,
            msg.action,
            msg.recipient_client_id,
            msg.payload,
            msg.correlation_id,
        )
    })();
    match result {
        Ok(()) => None,
        // The service only answers refusals it can correlate.
        Err(rej) if rej.correlation_id.is_some() => Some(status_response_json(&rej)),
        Err(_) => None,
    }
}
