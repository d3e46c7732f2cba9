//! The signaling WebSocket: a presigned `wss://` (or, for a local server without TLS,
//! `ws://`) URL opened with tungstenite over rustls, read with a socket timeout so one
//! thread can wait for a frame *or* the policy's next deadline.

use std::format;
use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::string::{String, ToString};
use std::sync::Arc;
use std::time::Duration;
use std::vec::Vec;

use rustls::ClientConfig;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Connector, Message, WebSocket};

use crate::time::UtcTime;

/// Frames larger than this are refused (the largest legal message is a 10 KB payload
/// plus a few hundred bytes of JSON).
pub const MAX_FRAME_LEN: usize = 64 * 1024;

/// What one read produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsEvent {
    /// A text frame (a signaling message).
    Text(String),
    /// The answer to our ping.
    Pong,
    /// The peer closed, or the connection ended.
    Closed(Option<String>),
}

/// Why the WebSocket failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WssError {
    /// The URL is malformed.
    BadUrl(String),
    /// TCP connect / DNS failed.
    Connect(String),
    /// The upgrade was refused with an HTTP status (403 for a bad signature).
    Refused {
        /// HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
        /// The response's `Date`, for skew correction.
        date: Option<UtcTime>,
    },
    /// TLS or WebSocket protocol failure, or I/O error on an open connection.
    Io(String),
}

impl core::fmt::Display for WssError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            WssError::BadUrl(u) => write!(f, "bad WSS URL {u:?}"),
            WssError::Connect(e) => write!(f, "WSS connect: {e}"),
            WssError::Refused { status, body, .. } => {
                write!(f, "WSS upgrade refused with {status}: {body}")
            }
            WssError::Io(e) => write!(f, "WSS: {e}"),
        }
    }
}

impl std::error::Error for WssError {}

/// An open signaling WebSocket.
#[derive(Debug)]
pub struct WssConn {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

impl WssConn {
    /// Connects to a presigned URL; `timeout` bounds TCP connect, TLS and the upgrade.
    pub fn connect(
        url: &str,
        tls: Arc<ClientConfig>,
        timeout: Duration,
    ) -> Result<WssConn, WssError> {
        // The query holds the signature and any session token: never put it in an error.
        let shown = || WssError::BadUrl(url.split('?').next().unwrap_or("").to_string());
        let (scheme, rest) = url.split_once("://").ok_or_else(shown)?;
        let default_port = match scheme {
            "wss" => 443,
            "ws" => 80,
            _ => return Err(shown()),
        };
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        let addr_text = if authority.starts_with('[') {
            if authority.contains("]:") {
                authority.to_string()
            } else {
                format!("{authority}:{default_port}")
            }
        } else if authority.contains(':') {
            authority.to_string()
        } else {
            format!("{authority}:{default_port}")
        };
        let addrs: Vec<_> = addr_text
            .to_socket_addrs()
            .map_err(|e| WssError::Connect(format!("{addr_text}: {e}")))?
            .collect();
        let mut last = String::from("no address");
        let mut stream = None;
        for a in addrs {
            match TcpStream::connect_timeout(&a, timeout) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = format!("{a}: {e}"),
            }
        }
        let stream = stream.ok_or(WssError::Connect(last))?;
        let _ = stream.set_nodelay(true);
        stream
            .set_read_timeout(Some(timeout))
            .and_then(|()| stream.set_write_timeout(Some(timeout)))
            .map_err(|e| WssError::Connect(e.to_string()))?;
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_FRAME_LEN))
            .max_frame_size(Some(MAX_FRAME_LEN))
            .read_buffer_size(16 * 1024)
            .write_buffer_size(0);
        let connector = (scheme == "wss").then_some(Connector::Rustls(tls));
        let connector = connector.unwrap_or(Connector::Plain);
        match tungstenite::client_tls_with_config(url, stream, Some(config), Some(connector)) {
            Ok((ws, _resp)) => Ok(WssConn { ws }),
            Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(resp))) => {
                let date = resp
                    .headers()
                    .get("date")
                    .and_then(|v| v.to_str().ok())
                    .and_then(UtcTime::parse_http_date);
                let body = resp
                    .body()
                    .as_ref()
                    .map(|b| String::from_utf8_lossy(b).chars().take(300).collect())
                    .unwrap_or_default();
                Err(WssError::Refused {
                    status: resp.status().as_u16(),
                    body,
                    date,
                })
            }
            Err(tungstenite::HandshakeError::Failure(e)) => Err(WssError::Io(e.to_string())),
            Err(tungstenite::HandshakeError::Interrupted(_)) => {
                Err(WssError::Io(String::from("handshake timed out")))
            }
        }
    }

    fn tcp(&self) -> Option<&TcpStream> {
        match self.ws.get_ref() {
            MaybeTlsStream::Plain(s) => Some(s),
            MaybeTlsStream::Rustls(s) => Some(&s.sock),
            _ => None,
        }
    }

    /// Sets how long [`WssConn::recv`] may block (at least 1 ms: zero means "forever"
    /// to the OS).
    pub fn set_read_timeout(&self, d: Duration) -> Result<(), WssError> {
        let d = d.max(Duration::from_millis(1));
        self.tcp()
            .map(|s| s.set_read_timeout(Some(d)))
            .transpose()
            .map_err(|e| WssError::Io(e.to_string()))?;
        Ok(())
    }

    /// Waits (up to the read timeout) for one frame; `Ok(None)` on timeout, and after a
    /// ping (answered) or a control fragment.
    pub fn recv(&mut self) -> Result<Option<WsEvent>, WssError> {
        match self.ws.read() {
            Ok(Message::Text(t)) => Ok(Some(WsEvent::Text(t.as_str().to_string()))),
            Ok(Message::Binary(b)) => {
                // The service only sends text; accept UTF-8 binary frames leniently.
                Ok(Some(WsEvent::Text(
                    String::from_utf8_lossy(&b).into_owned(),
                )))
            }
            Ok(Message::Pong(_)) => Ok(Some(WsEvent::Pong)),
            Ok(Message::Ping(_)) | Ok(Message::Frame(_)) => {
                // tungstenite queued the pong; push it out.
                match self.ws.flush() {
                    Ok(()) => {}
                    Err(tungstenite::Error::Io(e)) if is_timeout(&e) => {}
                    Err(e) => return Err(WssError::Io(e.to_string())),
                }
                // Return rather than read on: a peer pinging faster than the read
                // timeout would otherwise keep us reading (and the caller's deadline,
                // pings and policy timers waiting) forever.
                Ok(None)
            }
            Ok(Message::Close(frame)) => {
                let _ = self.ws.flush();
                Ok(Some(WsEvent::Closed(
                    frame.map(|f| format!("{} {}", u16::from(f.code), f.reason)),
                )))
            }
            Err(tungstenite::Error::Io(e)) if is_timeout(&e) => Ok(None),
            Err(tungstenite::Error::ConnectionClosed) | Err(tungstenite::Error::AlreadyClosed) => {
                Ok(Some(WsEvent::Closed(None)))
            }
            Err(e) => Err(WssError::Io(e.to_string())),
        }
    }

    /// Sends one text frame (a signaling message).
    pub fn send_text(&mut self, text: &str) -> Result<(), WssError> {
        self.ws
            .send(Message::text(text))
            .map_err(|e| WssError::Io(e.to_string()))
    }

    /// Sends a ping (keeps the service's 10-minute idle timer from firing).
    pub fn ping(&mut self) -> Result<(), WssError> {
        self.ws
            .send(Message::Ping(Vec::new().into()))
            .map_err(|e| WssError::Io(e.to_string()))
    }

    /// Closes politely (best effort: the peer may already be gone).
    pub fn close(&mut self) {
        let _ = self.set_read_timeout(Duration::from_millis(200));
        let _ = self.ws.close(None);
        let _ = self.ws.flush();
    }
}
